/**
 * Compares what a parser extracted from a corpus page with the page's entry in
 * ../shared/corpus/wechat/expected.json, field by field. Shared by the corpus test and the parse
 * benchmark, so both count "fields right" the same way.
 */
import type { PageClass, ParsedArticle } from "../../src/model.ts";
import { toPlainText } from "../../src/parsers/plain-text.ts";
import { beijingDate, toIsoSeconds } from "../../src/parsers/time.ts";

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
  readonly canonicalUrl?: string | null;
}

/** One compared field. */
export interface FieldResult {
  readonly field: string;
  readonly ok: boolean;
  readonly expected: unknown;
  readonly actual: unknown;
}

/** Compares every field of `expected` (except `file`) with `actual`. */
export function compareExpectedFields(expected: ExpectedEntry, actual: ExtractedFields): FieldResult[] {
  const results: FieldResult[] = [];
  for (const [field, want] of Object.entries(expected)) {
    if (field === "file") continue;
    if (field === "bodyStartNoSpace") {
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
    canonicalUrl: article.canonicalUrl,
  };
}
