/**
 * Reads a feed source's listing (RSS 2.0, RSS 1.0/RDF, Atom or JSON Feed) into listing items.
 *
 * feedsmith does the format detection and XML/JSON work; this module only picks, per format, the item link
 * (falling back to a guid/id that is a URL), the title and the date, and parses dates leniently: feeds in the
 * wild carry RFC 822, ISO 8601, zoneless wall-clock and Unix-time dates, and a bad date must not lose the item.
 */
import { type AnyFeed, type AtomFeed, detectRdfFeed, parseFeed } from "feedsmith";
import { ParseError } from "../errors.ts";
import type { ListingItem } from "./listing-refs.ts";
import { fromBeijingWallClock, fromUnixSeconds } from "./time.ts";

/** A parsed feed listing: the feed's own title and its items in document order. */
export interface FeedListing {
  readonly title: string | null;
  readonly items: ListingItem[];
}

/** Parses RSS 2.0, RSS 1.0/RDF, Atom or JSON Feed text; throws PARSE_LISTING when the text is not a feed. */
export function parseFeedListing(text: string): FeedListing {
  const input = text.replace(/^\uFEFF/, "");
  let parsed: AnyFeed;
  try {
    parsed = parseFeed(detectRdfFeed(input) ? input.replace(RDF_TOC, "") : input);
  } catch (error) {
    const reason = error instanceof Error ? firstLine(error.message) : "unreadable";
    throw new ParseError(
      "PARSE_LISTING",
      `listing-feed: not an RSS, Atom, RDF or JSON feed (${reason})`,
      {},
      error,
    );
  }
  return { title: cleanText(feedTitle(parsed)), items: feedItems(parsed) };
}

/**
 * Parses a feed date leniently, returning null when it cannot be read. Zoneless wall-clock dates are taken as
 * Beijing time (+08:00), like WeChat's own wall-clock fields (wechat-pages.md section 7), never as the local zone.
 */
export function parseFeedDate(raw: string | null | undefined): Date | null {
  const text = raw?.trim() ?? "";
  if (text === "") return null;
  if (/^\d+$/.test(text)) return parseDigits(text);
  const wallClock = ZONELESS_ISO.exec(text);
  // Fractions of a second are dropped: fromBeijingWallClock reads whole seconds, which is all a listing needs.
  if (wallClock !== null) return fromBeijingWallClock(`${wallClock[1]} ${wallClock[2] ?? "00:00"}`);
  const millis = Date.parse(text.replace(CHINA_CST, "+0800"));
  if (Number.isNaN(millis)) return null;
  if (HAS_ZONE.test(text)) return new Date(millis);
  // Date.parse read the zoneless text in the process's zone; keep its wall clock, re-read it as Beijing time.
  const local = new Date(millis);
  const wallClockAsUtc = Date.UTC(
    local.getFullYear(),
    local.getMonth(),
    local.getDate(),
    local.getHours(),
    local.getMinutes(),
    local.getSeconds(),
    local.getMilliseconds(),
  );
  return new Date(wallClockAsUtc - BEIJING_OFFSET_MS);
}

/**
 * The RSS 1.0 channel's `<items><rdf:Seq>` table of contents. feedsmith 3.0.1 looks items up through it and
 * compares the entity-decoded `rdf:resource` with the raw `rdf:about`, so every item whose URL holds `&amp;`
 * (any long WeChat link) is silently dropped. Without the table it returns all items in document order.
 */
const RDF_TOC = /<(?:[A-Za-z_][\w.-]*:)?items\b[^>]*>[\s\S]*?<\/(?:[A-Za-z_][\w.-]*:)?items\s*>/;
const BEIJING_OFFSET_MS = 8 * 3600 * 1000;
/**
 * Servers running in Asia/Shanghai print their zone as "CST" (Go's and Java's RFC 1123 formatting do), which
 * Date.parse reads as US Central time, 14 hours off. A WeChat feed means China Standard Time.
 */
const CHINA_CST = /\bCST$/;
/** `YYYY-MM-DD`, optionally with a `T` or space and `HH:MM[:SS[.fff]]`, and no zone. */
const ZONELESS_ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?)?$/;
/** A trailing numeric offset, `Z`, or a zone name Date.parse understands (GMT, UTC, UT, EST...). */
const HAS_ZONE = /(?:\d[Zz]|\b(?:GMT|UTC?|[ECMP][SD]T)\b.*|[+-]\d{2}:?\d{2}(?:\s*\(.*\))?)\s*$/;

function parseDigits(text: string): Date | null {
  if (text.length === 10) return fromUnixSeconds(text);
  if (text.length === 13) return fromUnixSeconds(Number(text) / 1000);
  return null;
}

function feedTitle(parsed: AnyFeed): string | undefined {
  switch (parsed.format) {
    case "atom":
      return parsed.feed.title?.value;
    default:
      return parsed.feed.title;
  }
}

function feedItems(parsed: AnyFeed): ListingItem[] {
  switch (parsed.format) {
    case "rss":
      return (parsed.feed.items ?? []).map((item) => ({
        link: pickLink(item.link, item.guid?.value),
        title: cleanText(item.title),
        date: firstDate(item.pubDate, item.dc?.dates?.[0], item.atom?.published, item.atom?.updated),
      }));
    case "rdf":
      return (parsed.feed.items ?? []).map((item) => ({
        link: pickLink(item.link, item.rdf?.about),
        title: cleanText(item.title),
        date: firstDate(item.dc?.dates?.[0], item.dcterms?.issued?.[0], item.dcterms?.modified?.[0]),
      }));
    case "atom":
      return (parsed.feed.entries ?? []).map((entry) => ({
        link: pickLink(atomLink(entry.links), entry.id),
        title: cleanText(entry.title?.value),
        date: firstDate(entry.published, entry.updated, entry.dc?.dates?.[0]),
      }));
    case "json":
      return (parsed.feed.items ?? []).map((item) => ({
        link: pickLink(item.url ?? item.external_url, item.id),
        title: cleanText(item.title),
        date: firstDate(item.date_published, item.date_modified),
      }));
  }
}

/** Atom: the rel=alternate link (rel defaults to alternate), else the first link with an href. */
function atomLink(links: AtomFeed.Link<string>[] | undefined): string | undefined {
  const usable = (links ?? []).filter((link) => typeof link.href === "string" && link.href.trim() !== "");
  const alternate = usable.find((link) => (link.rel ?? "alternate").toLowerCase() === "alternate");
  return (alternate ?? usable[0])?.href;
}

/** The item link, else the guid/id when it is an http(s) URL (a `tag:` or opaque guid is no link). */
function pickLink(link: string | undefined, guid: string | undefined): string {
  const direct = link?.trim() ?? "";
  if (direct !== "") return direct;
  const fallback = guid?.trim() ?? "";
  return /^https?:\/\//i.test(fallback) ? fallback : "";
}

function firstDate(...candidates: (string | undefined)[]): Date | null {
  for (const candidate of candidates) {
    const date = parseFeedDate(candidate);
    if (date !== null) return date;
  }
  return null;
}

/** Trims and collapses whitespace; strips markup that type="html" titles may carry. */
function cleanText(text: string | undefined): string | null {
  const cleaned = (text ?? "")
    .replace(/<\/?[a-zA-Z][^>]*>/g, "")
    .replace(/\s+/g, " ")
    .trim();
  return cleaned === "" ? null : cleaned;
}

function firstLine(message: string): string {
  return message.split("\n", 1)[0]?.trim() ?? "";
}
