/**
 * Compares what a parser extracted from a corpus page with the page's entry in
 * ../shared/corpus/wechat/expected.json (or wechat-more/expected.json), field by field. Shared by the
 * corpus tests and the parse benchmark, so all count "fields right" the same way.
 */
import { isAppError } from "../../src/errors.ts";
import type { PageClass, ParsedArticle } from "../../src/model.ts";
import { toPlainText } from "../../src/parsers/plain-text.ts";
import { beijingDate, toIsoSeconds } from "../../src/parsers/time.ts";
import { parseArticle } from "../../src/parsers/wechat-article.ts";

/** One entry of expected.json (every key but `file` is optional). */
export interface ExpectedEntry {
  readonly file: string;
  readonly status: string;
  readonly [field: string]: unknown;
}

/** The values an extractor produced for one page, in expected.json's vocabulary. */
export interface ExtractedFields {
  readonly status: string;
  readonly title?: string | null;
  readonly account?: string | null;
  readonly author?: string | null;
  readonly publishedAt?: string | null;
  readonly date?: string | null;
  readonly cover?: string | null;
  readonly biz?: string | null;
  readonly mid?: string | null;
  readonly idx?: string | null;
  readonly sn?: string | null;
  readonly itemShowType?: number | null;
  /** The article text with all whitespace removed. */
  readonly bodyNoSpace?: string | null;
  /** The same, without the text of links and images: what the page says beyond its media. */
  readonly ownTextNoSpace?: string | null;
  readonly canonicalUrl?: string | null;
}

/** One compared field. */
export interface FieldResult {
  readonly field: string;
  readonly ok: boolean;
  readonly expected: unknown;
  readonly actual: unknown;
}

/** Keys of an entry that describe it rather than hold an expected value. */
const NOT_FIELDS = new Set(["file", "notes"]);

/**
 * Compares every field of `expected` (except `file` and `notes`) with `actual`. A null
 * `bodyStartNoSpace` (wechat-more/02, a video share without a description) means the body has no
 * text of its own: only links and images.
 */
export function compareExpectedFields(expected: ExpectedEntry, actual: ExtractedFields): FieldResult[] {
  const results: FieldResult[] = [];
  for (const [field, want] of Object.entries(expected)) {
    if (NOT_FIELDS.has(field)) continue;
    if (field === "bodyStartNoSpace" && want === null) {
      const own = actual.ownTextNoSpace ?? "";
      results.push({ field, ok: own === "", expected: want, actual: own.slice(0, 30) });
    } else if (field === "bodyStartNoSpace") {
      const body = actual.bodyNoSpace ?? "";
      results.push({
        field,
        ok: typeof want === "string" && body.startsWith(want),
        expected: want,
        actual: body.slice(0, 30),
      });
    } else if (field === "titleStartsWith") {
      const title = actual.title ?? "";
      results.push({
        field,
        ok: typeof want === "string" && title.startsWith(want),
        expected: want,
        actual: title,
      });
    } else {
      const got = (actual as unknown as Record<string, unknown>)[field] ?? null;
      results.push({ field, ok: got === want, expected: want, actual: got });
    }
  }
  return results;
}

/** expected.json calls the violation class "blocked"; every other class keeps its name. */
export function toExpectedStatus(pageClass: PageClass): string {
  return pageClass === "violation" ? "blocked" : pageClass;
}

/** Our parser's result in expected.json's vocabulary. */
export function fromParsedArticle(article: ParsedArticle): ExtractedFields {
  return {
    status: "article",
    title: article.title,
    account: article.account,
    author: article.author,
    publishedAt: article.publishedAt === null ? null : toIsoSeconds(article.publishedAt),
    date: article.publishedAt === null ? null : beijingDate(article.publishedAt),
    cover: article.cover,
    biz: article.identity?.biz ?? null,
    mid: article.identity?.mid ?? null,
    idx: article.identity?.idx ?? null,
    sn: article.sn,
    itemShowType: article.itemShowType,
    bodyNoSpace: toPlainText(article.content).replace(/\s+/g, ""),
    ownTextNoSpace: toPlainText(withoutMedia(article.content)).replace(/\s+/g, ""),
    canonicalUrl: article.canonicalUrl,
  };
}

/** Markdown without its images and links (text and target alike); brackets may be escaped inside. */
function withoutMedia(markdown: string): string {
  return markdown
    .replace(/!\[(?:\\.|[^\]\\])*\]\([^)\s]*\)/g, "")
    .replace(/\[(?:\\.|[^\]\\])*\]\([^)\s]*\)/g, "");
}

/** Parses one page and returns its fields, or just its status when it is not an article. */
export function extractExpectedFields(html: string): ExtractedFields {
  try {
    return fromParsedArticle(parseArticle(html));
  } catch (error) {
    if (isAppError(error) && typeof error.details.pageClass === "string") {
      return { status: toExpectedStatus(error.details.pageClass as PageClass) };
    }
    throw error;
  }
}
