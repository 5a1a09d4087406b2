/**
 * Builds the article document (front-matter values plus Markdown body) from a parsed article and the
 * facts of its fetch, following ../shared/docs/document-format.md: one `# title`, the cover line, one
 * byline paragraph per line, the content and a final `[阅读原文](…)` line. Every fallback (title from
 * the feed item, date from the item or the fetch, source from the account) is decided here, so the
 * writer (`front-matter.ts`) only has to serialize; a date that is not the page's own comes back as a
 * warning for the caller to log, never silently.
 */
import { ParseError } from "../errors.ts";
import type { ArticleDocument, ParsedArticle } from "../model.ts";
import { escapeLineStart, escapeText } from "./markdown-escape.ts";
import { cleanName, cleanText, cleanTitle } from "./text-clean.ts";
import { beijingDate, formatFetchDate } from "./time.ts";

/** What the caller knows about the fetch and the listing the article came from. */
export interface DocumentContext {
  /** The configured source name (or the upstream feed's channel title); null for a manual enqueue. */
  readonly source?: string | null;
  readonly fetchedAt: Date;
  /** The normalized URL that was fetched; the document's url when the canonical one is unknown. */
  readonly fetchedUrl: string;
  /** The upstream feed item's title, used when the page gives none. */
  readonly itemTitle?: string | null;
  /** The upstream feed item's date, used when the page has no publish time. */
  readonly itemDate?: Date | null;
}

/** An article document and the fallbacks building it took, for the caller to log. */
export interface BuiltDocument extends ArticleDocument {
  readonly warnings: readonly string[];
}

function isValidDate(value: Date | null | undefined): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

// Spaces and parentheses would end a Markdown link destination early; qpic and WeChat URLs rarely
// carry them, but a msg_source_url can point anywhere.
function toLinkTarget(url: string): string {
  return cleanName(url).replace(
    /[ ()<>]/g,
    (ch) => `%${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase()}`,
  );
}

/** A line of page text (the byline) as Markdown: escaped like body text, so it reads back literally. */
function toTextLine(text: string): string {
  return escapeLineStart(escapeText(text));
}

/** The document's `# title` line, its text escaped like a heading the renderer writes. */
export function toTitleHeading(title: string): string {
  const text = escapeText(title);
  return `# ${text.endsWith("#") ? `${text.slice(0, -1)}\\#` : text}`;
}

/** The document's date: the page's publish time, else the feed item's date, else the fetch day. */
function pickDate(article: ParsedArticle, ctx: DocumentContext): { dated: Date; warning: string | null } {
  if (isValidDate(article.publishedAt)) return { dated: article.publishedAt, warning: null };
  if (isValidDate(ctx.itemDate)) {
    return { dated: ctx.itemDate, warning: "page states no publish time; dated by the feed item" };
  }
  return { dated: ctx.fetchedAt, warning: "page states no publish time; dated by the fetch day" };
}

/** Builds the document of one fetched article (front-matter values and body) per document-format.md. */
export function buildDocument(article: ParsedArticle, ctx: DocumentContext): BuiltDocument {
  if (!isValidDate(ctx.fetchedAt)) {
    throw new ParseError("PARSE_ARTICLE", "document: fetchedAt is not a valid date");
  }
  const title = cleanTitle(article.title) || cleanTitle(ctx.itemTitle);
  const account = cleanName(article.account);
  const author = cleanName(article.author);
  const source = cleanName(ctx.source) || account;
  const { dated, warning } = pickDate(article, ctx);

  const blocks: string[] = [toTitleHeading(title)];
  const cover = (article.cover ?? "").trim();
  if (cover !== "") blocks.push(`![cover_image](${toLinkTarget(cover)})`);
  if (article.original) blocks.push("原创");
  if (author !== "" && author !== account) blocks.push(toTextLine(author));
  if (account !== "") blocks.push(toTextLine(account));
  const content = cleanText(article.content)
    .replace(/^\s*\n/, "")
    .trimEnd();
  if (content !== "") blocks.push(content);
  const sourceUrl = (article.sourceUrl ?? "").trim();
  if (sourceUrl !== "") blocks.push(`[阅读原文](${toLinkTarget(sourceUrl)})`);

  return {
    title,
    url: cleanName(article.canonicalUrl ?? ctx.fetchedUrl),
    source,
    date: beijingDate(dated),
    fetch_date: formatFetchDate(ctx.fetchedAt),
    body: blocks.join("\n\n"),
    warnings: warning === null ? [] : [warning],
  };
}
