/**
 * parseArticle: a raw WeChat page → ParsedArticle. The page is scanned once (page-scan.ts),
 * classified (page-kind.ts; anything but an article throws a WeChatPageError whose code says what
 * the page is), its metadata extracted (article-meta.ts), and its body built by page type: the
 * `#js_content` element converted by markdown.ts for articles, the share builders of share-pages.ts
 * for everything else. Never builds a DOM of the whole page; see wechat-pages.md sections 2–4.
 */
import { type ErrorCode, ParseError, WeChatPageError } from "../errors.ts";
import type { ClassifiedPage, PageClass, ParsedArticle } from "../model.ts";
import { type ArticleMeta, extractMeta } from "./article-meta.ts";
import { hasVisibleText, parseElement } from "./content-slice.ts";
import { decodeEntities } from "./js-literal.ts";
import { toMarkdown } from "./markdown.ts";
import { classifyScan, showTypeOf } from "./page-kind.ts";
import { type PageScan, scanPage } from "./page-scan.ts";
import {
  buildImageShareMarkdown,
  buildMediaShareMarkdown,
  buildShareRepostMarkdown,
  buildTextShareMarkdown,
  isShareRepost,
} from "./share-pages.ts";
import { parseWeChatUrl } from "./wechat-url.ts";

/** Options of parseArticle. */
export interface ParseArticleOptions {
  /** The URL the page was fetched from (after redirects): identity fallback and captcha detection. */
  readonly url?: string;
}

const PAGE_ERROR_CODES: Readonly<Record<Exclude<PageClass, "article">, ErrorCode>> = {
  deleted: "WECHAT_DELETED",
  violation: "WECHAT_VIOLATION",
  "send-failed": "WECHAT_SEND_FAILED",
  unavailable: "WECHAT_UNAVAILABLE",
  "under-review": "WECHAT_UNDER_REVIEW",
  "account-blocked": "WECHAT_ACCOUNT_BLOCKED",
  "account-gone": "WECHAT_ACCOUNT_GONE",
  migrated: "WECHAT_ACCOUNT_MIGRATED",
  verification: "WECHAT_VERIFY_REQUIRED",
  expired: "WECHAT_LINK_EXPIRED",
  "not-article": "WECHAT_NOT_ARTICLE",
  unknown: "WECHAT_UNKNOWN_PAGE",
  unparseable: "PARSE_ARTICLE",
};

/** The error code for a page class; null for "article", which is not an error. */
export function pageErrorCode(c: PageClass): ErrorCode | null {
  return c === "article" ? null : PAGE_ERROR_CODES[c];
}

/** An empty `#js_content` (markup and whitespace only) is never longer than this. */
const EMPTY_BODY_MAX_CHARS = 4096;

/** Page types with a body builder; anything else gets the fallback body and a warning. */
const KNOWN_SHOW_TYPES = new Set([0, 5, 6, 7, 8, 10, 17]);

/** The migration target (`transferTargetLink`), normalized when it is a WeChat URL we accept. */
function migrationTarget(scan: PageScan): string | null {
  const raw = scan.variable("transferTargetLink");
  if (raw === undefined) return null;
  const decoded = decodeEntities(raw).trim();
  try {
    return parseWeChatUrl(decoded).url;
  } catch {
    return decoded === "" ? null : decoded;
  }
}

function pageError(pageClass: Exclude<ClassifiedPage, "article">, scan: PageScan): WeChatPageError {
  const details: Record<string, unknown> = { pageClass };
  if (pageClass === "migrated") details.targetUrl = migrationTarget(scan);
  return new WeChatPageError(
    PAGE_ERROR_CODES[pageClass],
    `parser: page is not an article (${pageClass})`,
    details,
  );
}

/**
 * True when the page still carries WeChat's metadata script (an item_show_type, a msg_title, a ct,
 * cgiDataNew): every such template states its publish time, so a missing one means the page changed
 * under us. Copies with every script stripped (21, 26) state none; their date falls back (document.ts).
 */
function hasMetadataScript(scan: PageScan): boolean {
  return (
    showTypeOf(scan) !== null ||
    scan.hasVariable("msg_title") ||
    scan.hasVariable("ct") ||
    scan.object("cgiDataNew") !== undefined
  );
}

/** What an article page failed to yield of the fields every document needs. */
function missingFields(scan: PageScan, meta: ArticleMeta): string[] {
  const missing: string[] = [];
  if (meta.title.trim() === "") missing.push("title");
  if (meta.account === null) missing.push("account");
  if (meta.publishedAt === null && hasMetadataScript(scan)) missing.push("publish time");
  return missing;
}

/** The link a body without content points at: the canonical URL, else the normalized fetch URL. */
function pageUrl(meta: ArticleMeta, url: string | undefined): string | null {
  if (meta.canonicalUrl !== null) return meta.canonicalUrl;
  if (url === undefined) return null;
  try {
    return parseWeChatUrl(url).url;
  } catch {
    return null;
  }
}

function buildContent(scan: PageScan, meta: ArticleMeta, url: string | undefined): string {
  const type = meta.itemShowType ?? 0;
  const fields = {
    title: meta.title,
    description: meta.description,
    cover: meta.cover,
    pageUrl: pageUrl(meta, url),
  };
  if (type === 8) return buildImageShareMarkdown(scan);
  if (type === 10) return buildTextShareMarkdown(scan);
  // 5, 6, 7, 17, and any unknown type: description plus a link (or an audio enclosure).
  if (type !== 0) return buildMediaShareMarkdown(scan, type, fields);
  const range = scan.content;
  if (range === null) {
    meta.warnings.push("article page without #js_content; body is the description and a link");
    return buildMediaShareMarkdown(scan, 17, fields);
  }
  // 10-share-repost.html: the body is empty and the page is a comment on another article. The size
  // test comes first because looking for the share card costs a full scan of a 3 MB page.
  const innerLength = range.end - range.innerStart;
  if (
    innerLength < EMPTY_BODY_MAX_CHARS &&
    !hasVisibleText(scan.html.slice(range.innerStart, range.end)) &&
    isShareRepost(scan)
  ) {
    return buildShareRepostMarkdown(scan);
  }
  const root = parseElement(scan.html.slice(range.start, range.end));
  return root === null ? "" : toMarkdown(root, { canonicalUrl: meta.canonicalUrl });
}

/**
 * Parses a raw WeChat page. Throws WeChatPageError (code by page class, `details.pageClass`, and
 * `details.targetUrl` for a migrated account) when the page is not an article, and a ParseError
 * (`PARSE_ARTICLE`, pageClass `unparseable`, `details.missing`) when an article page does not yield
 * its title, its account or — when its template states one — its publish time: never an empty or
 * guessed article.
 */
export function parseArticle(html: string, options: ParseArticleOptions = {}): ParsedArticle {
  const scan = scanPage(html);
  const pageClass = classifyScan(scan, options.url);
  if (pageClass !== "article") throw pageError(pageClass, scan);
  const meta = extractMeta(scan, options.url);
  const missing = missingFields(scan, meta);
  if (missing.length > 0) {
    throw new ParseError("PARSE_ARTICLE", `parser: article page without ${missing.join(", ")}`, {
      pageClass: "unparseable",
      missing,
    });
  }
  const type = meta.itemShowType;
  if (type !== null && !KNOWN_SHOW_TYPES.has(type)) {
    meta.warnings.push(`unknown item_show_type ${type}; body is the description and a link`);
  }
  const content = buildContent(scan, meta, options.url);
  return { ...meta, content };
}
