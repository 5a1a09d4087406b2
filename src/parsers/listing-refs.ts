/**
 * Turns listing items (feed entries, album entries, URL-list lines) into deduplicated ArticleRefs.
 *
 * Every listing parser yields the same `ListingItem` shape; this module is the one place where those links
 * are normalized with `parseArticleUrl`, so a feed, an album and a URL list agree on keys. Links that are not
 * WeChat article URLs are reported, not thrown: one bad entry must never empty a whole listing.
 */
import { isAppError } from "../errors.ts";
import type { ArticleRef } from "../model.ts";
import { parseArticleUrl } from "./wechat-url.ts";

/** One entry of a listing, before normalization: the raw link plus what the listing says about it. */
export interface ListingItem {
  readonly link: string;
  readonly title: string | null;
  readonly date: Date | null;
}

/** A listing link that was not accepted, with the stable error code as reason (never the URL's query). */
export interface RejectedLink {
  /** The raw link as the listing gave it; it may carry session params, so log it only redacted. */
  readonly link: string;
  readonly reason: string;
}

/** The accepted refs (one per key, in listing order) and the rejected links. */
export interface ListingRefs {
  readonly refs: ArticleRef[];
  readonly rejected: RejectedLink[];
}

/** Normalizes every item's link, keeps one ref per key and reports the links that were rejected. */
export function toArticleRefs(items: readonly ListingItem[]): ListingRefs {
  const byKey = new Map<string, ArticleRef>();
  const rejected: RejectedLink[] = [];
  for (const item of items) {
    const link = item.link.trim();
    if (link === "") {
      rejected.push({ link, reason: "URL_INVALID" });
      continue;
    }
    let parsed: ReturnType<typeof parseArticleUrl>;
    try {
      parsed = parseArticleUrl(link);
    } catch (error) {
      // Only the code goes in the reason: the message could echo the raw query (key, pass_ticket...).
      if (isAppError(error, "URL_INVALID", "URL_HOST_DENIED", "URL_NOT_ARTICLE")) {
        rejected.push({ link, reason: error.code });
        continue;
      }
      throw error;
    }
    const title = cleanTitle(item.title);
    const date = validDate(item.date);
    const known = byKey.get(parsed.key);
    if (known === undefined) {
      byKey.set(parsed.key, { url: parsed.url, key: parsed.key, title, date });
    } else {
      byKey.set(parsed.key, mergeRef(known, title, date));
    }
  }
  return { refs: [...byKey.values()], rejected };
}

/** The first ref's URL and position win; the first non-empty title and the earliest date are kept. */
function mergeRef(known: ArticleRef, title: string | null, date: Date | null): ArticleRef {
  const mergedDate = known.date === null || (date !== null && date < known.date) ? date : known.date;
  return { ...known, title: known.title ?? title, date: mergedDate };
}

function cleanTitle(title: string | null): string | null {
  const trimmed = title?.trim() ?? "";
  return trimmed === "" ? null : trimmed;
}

function validDate(date: Date | null): Date | null {
  return date !== null && Number.isFinite(date.getTime()) ? date : null;
}
