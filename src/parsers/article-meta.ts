/**
 * The metadata of an article page (every ParsedArticle field but `content`), each taken from the
 * sources of wechat-pages.md section 2.2 in order of preference: inline variables first, then
 * `window.cgiDataNew` (the 2018 templates' `window.cgiData` in its place), then `<meta>` tags, then
 * the header DOM (`#activity-name` … `#js_content`).
 */
import { type Element, isTag, type ParentNode } from "domhandler";
import type { ParsedArticle } from "../model.ts";
import { readIdentity } from "./article-identity.ts";
import { findElement, hasClass, textOf } from "./content-slice.ts";
import { decodeEntities } from "./js-literal.ts";
import { showTypeOf } from "./page-kind.ts";
import type { PageScan } from "./page-scan.ts";
import { fromBeijingWallClock, fromUnixSeconds } from "./time.ts";

/** Every ParsedArticle field except the body. */
export type ArticleMeta = Omit<ParsedArticle, "content" | "warnings"> & { readonly warnings: string[] };

/** Longest derived title for a text share whose title is its whole text (`08-text-share.html`). */
const DERIVED_TITLE_CHARS = 30;

/** Entity-decodes a text value and flattens it to one trimmed line; undefined when blank. */
export function cleanText(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = decodeEntities(value).replace(/\s+/g, " ").trim();
  return text === "" ? undefined : text;
}

function firstText(...values: readonly (string | undefined)[]): string | undefined {
  for (const v of values) {
    const text = cleanText(v);
    if (text !== undefined) return text;
  }
  return undefined;
}

const byId =
  (id: string) =>
  (el: Element): boolean =>
    el.attribs.id === id;
const byClass =
  (cls: string, tag?: string) =>
  (el: Element): boolean =>
    (tag === undefined || el.name === tag) && hasClass(el, cls);

function headerText(scan: PageScan, test: (el: Element) => boolean): string | undefined {
  const el = findElement(scan.header(), test);
  return el === null ? undefined : cleanText(textOf(el));
}

/** The text of a text share: text_page_info (07, 08) or cgiDataNew.content_noencode. */
export function shareText(scan: PageScan): string | undefined {
  const text =
    scan.cgi("text_page_info", "content_noencode") ?? scan.cgi("content_noencode") ?? scan.cgi("desc");
  return text === undefined || text.trim() === "" ? undefined : text.replace(/\r\n?/g, "\n");
}

/** The first non-blank line of `text`, cut to 30 characters with `…` (document-format.md, `title`). */
export function deriveTitle(text: string): string | undefined {
  const line = text
    .split("\n")
    .map((l) => l.replace(/\s+/g, " ").trim())
    .find((l) => l !== "");
  if (line === undefined) return undefined;
  const chars = Array.from(line);
  return chars.length <= DERIVED_TITLE_CHARS ? line : `${chars.slice(0, DERIVED_TITLE_CHARS).join("")}…`;
}

function readTitle(scan: PageScan, showType: number | null): string {
  const isUserTitle = scan.variable("is_user_title") ?? scan.cgi("text_page_info", "is_user_title");
  if (showType === 10 && isUserTitle === "0") {
    const text = shareText(scan);
    const derived = text === undefined ? undefined : deriveTitle(decodeEntities(text));
    if (derived !== undefined) return derived;
  }
  const metas = scan.metas();
  return (
    firstText(
      scan.variable("msg_title"),
      metas.get("og:title"),
      scan.cgi("title"),
      // wechat-more/01, 02: the 2018 share templates set `d.title` (the video template also `video_title`).
      scan.legacyCgi("title"),
      scan.legacyCgi("video_title"),
    ) ??
    // 18-article-2017-browser-saved.html: the h2 holds a document.write script before the text; textOf skips it.
    headerText(scan, byId("activity-name")) ??
    ""
  );
}

function isProfileButton(node: ParentNode | null): boolean {
  return node !== null && isTag(node) && node.attribs.id === "profileBt";
}

function readAccount(scan: PageScan): string | null {
  return (
    firstText(scan.variable("nickname"), scan.cgi("nick_name"), scan.legacyCgi("nick_name")) ??
    headerText(scan, byId("js_name")) ??
    headerText(scan, byClass("wx_follow_nickname")) ??
    headerText(scan, byClass("profile_nickname", "strong")) ??
    // 18: `#profileBt a`; 17, 20: `#post-user`.
    headerText(scan, (el) => el.name === "a" && isProfileButton(el.parent)) ??
    headerText(scan, byId("post-user")) ??
    // wechat-more/01, 02: the 2018 share templates' account line.
    headerText(scan, byClass("account_nickname_inner")) ??
    null
  );
}

/** A byline in the meta line (17, 18, 20, 21): a plain `.rich_media_meta_text`, not a date, tag or nickname. */
function isBylineElement(el: Element): boolean {
  return (
    hasClass(el, "rich_media_meta_text") &&
    el.attribs.id === undefined &&
    !hasClass(el, "meta_tag_text") &&
    !hasClass(el, "rich_media_meta_nickname")
  );
}

function readAuthor(scan: PageScan): string | null {
  return (
    firstText(
      scan.variable("author"),
      scan.cgi("author"),
      scan.legacyCgi("author"),
      scan.metas().get("author"),
    ) ??
    headerText(scan, byId("js_author_name")) ??
    headerText(scan, isBylineElement) ??
    null
  );
}

function readPublishedAt(scan: PageScan): Date | null {
  for (const seconds of [
    scan.variable("ct"),
    scan.variable("create_time"),
    scan.variable("ori_create_time"),
    scan.cgi("ori_create_time"),
    scan.legacyCgi("ct"),
    scan.legacyCgi("create_time"),
  ]) {
    const date = seconds === undefined ? null : fromUnixSeconds(seconds);
    if (date !== null) return date;
  }
  // Beijing wall-clock fallbacks (wechat-pages.md section 7); the page's display text is never parsed.
  for (const wall of [
    scan.variable("createTime"),
    scan.cgi("create_time"),
    scan.variable("create_time"),
    scan.variable("publish_time"),
  ]) {
    const date = wall === undefined ? null : fromBeijingWallClock(wall);
    if (date !== null) return date;
  }
  return null;
}

function readSourceUrl(scan: PageScan): string | null {
  for (const raw of [scan.variable("msg_source_url"), scan.cgi("source_url")]) {
    const text = raw === undefined ? "" : decodeEntities(raw).trim();
    if (text === "") continue;
    try {
      const u = new URL(text);
      if (u.protocol === "http:" || u.protocol === "https:") return text;
    } catch {
      // not a URL: try the next source
    }
  }
  return null;
}

function readOriginal(scan: PageScan): boolean {
  const stat = scan.variable("copyright_stat") ?? scan.cgi("copyright_info", "copyright_stat");
  if (stat !== undefined) return stat.trim() === "1";
  // Scripts-stripped copies (21, 26) keep only the 原创 badge.
  return headerText(scan, byId("copyright_logo"))?.includes("原创") ?? false;
}

/** Extracts every metadata field of an article page already classified as an article. */
export function extractMeta(scan: PageScan, url?: string): ArticleMeta {
  const warnings: string[] = [];
  const itemShowType = showTypeOf(scan);
  const real = scan.variable("real_item_show_type");
  if (itemShowType !== null && real !== undefined && /^\d+$/.test(real) && Number(real) !== itemShowType) {
    warnings.push(`item_show_type ${itemShowType} differs from real_item_show_type ${real}`);
  }
  const title = readTitle(scan, itemShowType);
  const metas = scan.metas();
  const description =
    firstText(
      scan.variable("msg_desc"),
      scan.cgi("desc"),
      scan.legacyCgi("desc"),
      scan.legacyCgi("digest"),
      metas.get("og:description"),
      metas.get("description"),
    ) ?? null;
  const cover = firstText(
    scan.variable("msg_cdn_url"),
    scan.cgi("cdn_url"),
    scan.legacyCgi("cover"),
    scan.legacyCgi("cdn_url"),
    metas.get("og:image"),
    metas.get("twitter:image"),
  );
  return {
    title,
    account: readAccount(scan),
    author: readAuthor(scan),
    original: readOriginal(scan),
    publishedAt: readPublishedAt(scan),
    ...readIdentity(scan, url),
    cover: cover ?? null,
    description: description === title ? null : description,
    sourceUrl: readSourceUrl(scan),
    itemShowType,
    originalAccount: headerText(scan, byClass("original_primary_nickname")) ?? null,
    warnings,
  };
}
