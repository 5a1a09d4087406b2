/**
 * Keyword and pattern filters over feed items, shared by the per-source filters of the config
 * (`include`, `exclude`, `minChars`) and the per-request feed parameters (`publish/feed-query.ts`).
 * Every pattern runs on re2js, a linear-time (RE2-class) engine: a pattern cannot backtrack, so no
 * pattern from a request or a config file can hang the server. Pure: no I/O, no clock.
 */
import { RE2JS } from "re2js";
import type { FeedItem } from "../model.ts";
import { toPlainText } from "../parsers/plain-text.ts";

/** The parts of an item a pattern can look at. */
export type ItemField = "title" | "author" | "body";

/** A compiled pattern; `test` is linear in the text's length. */
export interface TextPattern {
  readonly source: string;
  test(text: string): boolean;
}

/** A pattern that does not compile: the one-line reason. */
export class PatternError extends Error {}

/**
 * Compiles `pattern` with re2js. Syntax RE2 lacks (backreferences, lookaround) is refused with the
 * engine's one-line reason, never silently approximated.
 */
export function compilePattern(pattern: string, caseSensitive: boolean): TextPattern {
  try {
    const compiled = RE2JS.compile(pattern, caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE);
    return { source: pattern, test: (text) => compiled.test(text) };
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split("\n", 1)[0] ?? "") : "invalid";
    throw new PatternError(`invalid pattern ${JSON.stringify(pattern.slice(0, 80))}: ${reason}`);
  }
}

/**
 * A config filter term: `/regex/` (optionally `/regex/i`) is a pattern, anything else a keyword matched
 * as a literal, case-insensitively (keywords are what people type; a regex says what it means).
 */
export function compileTerm(term: string): TextPattern {
  const regex = /^\/(.+)\/(i?)$/s.exec(term);
  if (regex !== null) return compilePattern(regex[1] ?? "", regex[2] !== "i");
  return compilePattern(RE2JS.quote(term), false);
}

/** The text of an item's fields, computed once per item (the body's plain text is the costly part). */
export interface ItemText {
  readonly title: string;
  readonly author: string;
  readonly body: string;
  /** Characters of the body alone (code points, whitespace left out), for `minChars`. */
  readonly bodyChars: number;
}

/** The searchable text of `item`: author and account together; body = description + plain body. */
export function toItemText(item: FeedItem): ItemText {
  const body = toPlainText(item.markdown);
  return {
    title: item.title,
    author: [item.author, item.account].filter((name) => name !== null && name !== "").join(" "),
    body: item.description === null || item.description === "" ? body : `${item.description}\n${body}`,
    // Code points, so a CJK article is measured in characters as readers count them.
    bodyChars: [...body.replace(/\s+/g, "")].length,
  };
}

/** True when `pattern` matches any of `fields` of `text`. */
export function matchesAny(pattern: TextPattern, text: ItemText, fields: readonly ItemField[]): boolean {
  return fields.some((field) => pattern.test(text[field]));
}

/** A configured source's filter (config `sources[].filter`). */
export interface SourceFilterRules {
  /** Keep only items matching at least one term (in title, author or body); empty keeps all. */
  readonly include?: readonly string[];
  /** Drop items matching any term. */
  readonly exclude?: readonly string[];
  /** Drop items whose body has fewer characters (plain text). */
  readonly minChars?: number;
}

const ALL_FIELDS: readonly ItemField[] = ["title", "author", "body"];

/** Compiles a source filter into an item predicate; throws PatternError for a bad `/regex/`. */
export function createSourceFilter(rules: SourceFilterRules): (item: FeedItem) => boolean {
  const include = (rules.include ?? []).map(compileTerm);
  const exclude = (rules.exclude ?? []).map(compileTerm);
  const minChars = rules.minChars ?? 0;
  return (item) => {
    const text = toItemText(item);
    if (text.bodyChars < minChars) return false;
    if (include.length > 0 && !include.some((p) => matchesAny(p, text, ALL_FIELDS))) return false;
    return !exclude.some((p) => matchesAny(p, text, ALL_FIELDS));
  };
}

/** Why a source filter's terms do not compile, or null when they all do (config validation). */
export function findSourceFilterProblem(rules: SourceFilterRules): string | null {
  try {
    createSourceFilter(rules);
    return null;
  } catch (error) {
    if (error instanceof PatternError) return error.message;
    throw error;
  }
}
