/**
 * The per-request feed parameters, under RSSHub's names so existing subscriptions carry over:
 * `filter` (title or body), `filter_title`, `filter_description` (body), `filter_author`, their
 * `filterout*` opposites, `filter_time` (seconds), `filter_case_sensitive` (default true), `limit`
 * and `mode=brief` (summary only, no full text). Parsing validates every value (a pattern longer than
 * `MAX_PATTERN_LENGTH` or one re2js rejects is a one-line error, for a 400) and yields a canonical form,
 * so equivalent queries share one cached response. Applying a query is pure: the caller passes `now`.
 */
import type { FeedItem } from "../model.ts";
import { itemTime, toItemExcerpt } from "./feed-entry.ts";
import {
  compilePattern,
  type ItemField,
  type ItemText,
  matchesAny,
  PatternError,
  type TextPattern,
  toItemText,
} from "./item-filter.ts";

/** Longest pattern a request may send (characters); longer ones are refused before compiling. */
export const MAX_PATTERN_LENGTH = 256;
/** Largest `limit`. */
export const MAX_LIMIT = 1000;
/** Characters of the summary that `mode=brief` keeps. */
const BRIEF_CHARS = 200;

/** The pattern parameters and the item fields each one looks at. */
const PATTERN_PARAMS: Readonly<Record<string, readonly ItemField[]>> = {
  filter: ["title", "body"],
  filter_title: ["title"],
  filter_description: ["body"],
  filter_author: ["author"],
  filterout: ["title", "body"],
  filterout_title: ["title"],
  filterout_description: ["body"],
  filterout_author: ["author"],
};

/** A validated feed query; `canonical` is empty when nothing in it changes the default feed. */
export interface FeedQuery {
  /** Raw pattern parameters by name, as given. */
  readonly patterns: ReadonlyMap<string, string>;
  readonly caseSensitive: boolean;
  /** Keep items newer than this many seconds. */
  readonly maxAgeSeconds: number | null;
  readonly limit: number | null;
  readonly brief: boolean;
  /** The parameters in a fixed order, URL-encoded (cache key, self links); defaults left out. */
  readonly canonical: string;
}

/** A parsed query or the one-line reason it is refused. */
export type FeedQueryResult =
  | { readonly ok: true; readonly query: FeedQuery }
  | { readonly ok: false; readonly error: string };

function parseLimitValue(raw: string | null): number | null | "invalid" {
  if (raw === null) return null;
  if (!/^\d{1,4}$/.test(raw)) return "invalid";
  const limit = Number(raw);
  return limit >= 1 && limit <= MAX_LIMIT ? limit : "invalid";
}

/** Validates the scalar parameters (everything but the patterns). */
function parseScalars(
  params: URLSearchParams,
): { caseSensitive: boolean; maxAgeSeconds: number | null; limit: number | null; brief: boolean } | string {
  const sensitive = params.get("filter_case_sensitive");
  if (sensitive !== null && sensitive !== "true" && sensitive !== "false")
    return "filter_case_sensitive must be true or false";
  const time = params.get("filter_time");
  if (time !== null && !/^[1-9]\d{0,9}$/.test(time))
    return "filter_time must be a whole number of seconds from 1";
  const limit = parseLimitValue(params.get("limit"));
  if (limit === "invalid") return `limit must be an integer from 1 to ${MAX_LIMIT}`;
  const mode = params.get("mode");
  if (mode !== null && mode !== "brief" && mode !== "full") return "mode must be brief or full";
  return {
    caseSensitive: sensitive !== "false",
    maxAgeSeconds: time === null ? null : Number(time),
    limit,
    brief: mode === "brief",
  };
}

/** Parses and validates the feed parameters of `params` (others, like `key`, are ignored). */
export function parseFeedQuery(params: URLSearchParams | null): FeedQueryResult {
  const given = params ?? new URLSearchParams();
  const scalars = parseScalars(given);
  if (typeof scalars === "string") return { ok: false, error: scalars };
  const patterns = new Map<string, string>();
  for (const name of Object.keys(PATTERN_PARAMS)) {
    const value = given.get(name);
    if (value === null || value === "") continue;
    if (value.length > MAX_PATTERN_LENGTH)
      return { ok: false, error: `${name} is longer than ${MAX_PATTERN_LENGTH} characters` };
    try {
      compilePattern(value, scalars.caseSensitive);
    } catch (error) {
      if (error instanceof PatternError) return { ok: false, error: `${name}: ${error.message}` };
      throw error;
    }
    patterns.set(name, value);
  }
  const parts: [string, string][] = [...patterns];
  if (patterns.size > 0 && !scalars.caseSensitive) parts.push(["filter_case_sensitive", "false"]);
  if (scalars.maxAgeSeconds !== null) parts.push(["filter_time", String(scalars.maxAgeSeconds)]);
  if (scalars.limit !== null) parts.push(["limit", String(scalars.limit)]);
  if (scalars.brief) parts.push(["mode", "brief"]);
  const canonical = new URLSearchParams(parts).toString();
  return { ok: true, query: { ...scalars, patterns, canonical } };
}

/** True when the query filters items (patterns or age), so it needs more candidates than `limit`. */
export function isFiltering(query: FeedQuery): boolean {
  return query.patterns.size > 0 || query.maxAgeSeconds !== null;
}

/** The item predicate of a query's patterns and age, built once per query. */
function createQueryPredicate(query: FeedQuery, now: Date): (item: FeedItem) => boolean {
  const keep: [TextPattern, readonly ItemField[]][] = [];
  const drop: [TextPattern, readonly ItemField[]][] = [];
  for (const [name, value] of query.patterns) {
    const entry: [TextPattern, readonly ItemField[]] = [
      compilePattern(value, query.caseSensitive),
      PATTERN_PARAMS[name] ?? [],
    ];
    (name.startsWith("filterout") ? drop : keep).push(entry);
  }
  const since = query.maxAgeSeconds === null ? null : now.getTime() - query.maxAgeSeconds * 1000;
  return (item) => {
    if (since !== null && itemTime(item).getTime() < since) return false;
    if (keep.length === 0 && drop.length === 0) return true;
    const text: ItemText = toItemText(item);
    // Every positive parameter must match (RSSHub's rule), any negative one drops the item.
    if (!keep.every(([p, fields]) => matchesAny(p, text, fields))) return false;
    return !drop.some(([p, fields]) => matchesAny(p, text, fields));
  };
}

/** The summary-only form of an item: its excerpt as description, no body. */
export function toBriefItem(item: FeedItem): FeedItem {
  return { ...item, description: toItemExcerpt(item, BRIEF_CHARS), markdown: "" };
}

/**
 * Applies `query` to `items` (newest first): filters, then keeps `limit` (else `defaultLimit`),
 * then cuts each to its summary in brief mode.
 */
export function applyFeedQuery(
  items: readonly FeedItem[],
  query: FeedQuery,
  defaultLimit: number,
  now: Date,
): FeedItem[] {
  const keep = createQueryPredicate(query, now);
  const limit = query.limit ?? defaultLimit;
  const kept: FeedItem[] = [];
  for (const item of items) {
    if (kept.length >= limit) break;
    if (keep(item)) kept.push(query.brief ? toBriefItem(item) : item);
  }
  return kept;
}
