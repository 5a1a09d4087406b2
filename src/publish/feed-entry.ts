/**
 * What every feed format says about an item and a channel, computed once here so RSS, Atom and JSON
 * Feed carry the same items in the same order with the same ids, dates, titles, bylines, excerpts,
 * content and cover: each format file only maps a `FeedEntry` onto its own syntax. Every text value is
 * stripped of XML-illegal characters and bidi controls and cut to a sane length; links are http(s) or
 * absent. Pure.
 */
import type { FeedItem } from "../model.ts";
import { toExcerpt, toPlainText } from "../parsers/plain-text.ts";
import { cleanName } from "../parsers/text-clean.ts";
import { renderArticleHtml } from "./markdown-html.ts";
import { toHttpUrl } from "./sanitize.ts";
import { stripXmlIllegal } from "./xml.ts";

/** Channel-level values of a feed, whatever its format. */
export interface FeedChannel {
  readonly title: string;
  readonly description: string;
  readonly siteUrl: string;
  /** This feed's own URL (the self link). */
  readonly feedUrl: string;
  /** Rewrites image URLs in content and enclosures (the signed image proxy), when on. */
  readonly imageUrl?: (url: string) => string;
  /**
   * When the feed last changed: pass the newest item's time so an unchanged feed keeps its bytes;
   * null (a feed with nothing in it yet) leaves the date out where the format allows it.
   */
  readonly buildDate: Date | null;
}

/** One item as every format renders it. */
export interface FeedEntry {
  /** The article key: RSS guid, JSON Feed id, and the tail of the Atom id. */
  readonly id: string;
  readonly title: string;
  /** The article's http(s) link; null when it has none worth linking. */
  readonly url: string | null;
  /** Publish time, else store time, in whole seconds; null when neither is a valid date. */
  readonly date: Date | null;
  /** `author (account)`, or whichever exists; empty when neither does. */
  readonly creator: string;
  /** Plain text (not HTML): the article's LLM summary when it has one, else an excerpt. */
  readonly summary: string;
  /** The sanitized article HTML; empty for a brief item (`mode=brief`), which formats then leave out. */
  readonly html: string;
  /** Category names: the source's display name, then the summary category when there is one. */
  readonly categories: readonly string[];
  /** The cover image (proxied when the proxy is on) and its MIME type. */
  readonly cover: { readonly url: string; readonly type: string } | null;
}

/** WeChat titles are at most 64 characters; longer ones are junk that only bloats every poll. */
export const MAX_TITLE = 512;
const MAX_LINE = 256;
const EXCERPT_CHARS = 200;
/** A summary is short by design; the cap only guards against an endpoint that returned an essay. */
const SUMMARY_CHARS = 2000;
/** Generator name written into every feed. */
export const GENERATOR = "wechat-feed";

const IMAGE_TYPES: Record<string, string> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  bmp: "image/bmp",
  avif: "image/avif",
  svg: "image/svg+xml",
};

/**
 * One line of text: whitespace runs collapsed, XML-illegal characters and bidi controls removed
 * (text-clean.ts `cleanName`), cut with `…` past `max`.
 */
export function toFeedLine(text: string, max: number = MAX_LINE): string {
  const line = cleanName(stripXmlIllegal(text)).replace(/\s+/g, " ");
  // A cut through a surrogate pair leaves a lone half, which the second strip removes.
  return line.length <= max ? line : `${stripXmlIllegal(line.slice(0, max - 1))}…`;
}

/** The instant that orders and dates an item: its publish time, else when we stored it. */
export function itemTime(item: FeedItem): Date {
  return item.publishedAt !== null && !Number.isNaN(item.publishedAt.getTime())
    ? item.publishedAt
    : item.storedAt;
}

/**
 * The item's creator: `author (account)` when the byline differs from the account, else whichever
 * exists.
 */
export function toCreator(item: FeedItem): string {
  const author = toFeedLine(item.author ?? "");
  const account = toFeedLine(item.account ?? "");
  if (author !== "" && account !== "" && author !== account) return `${author} (${account})`;
  return author !== "" ? author : account;
}

/** The MIME type of an image URL: WeChat's `wx_fmt` hint, else the path's extension, else image/jpeg. */
export function toImageType(url: string): string {
  try {
    const parsed = new URL(url);
    const hint = parsed.searchParams.get("wx_fmt")?.toLowerCase();
    const extension = /\.([a-z0-9]{2,5})$/i.exec(parsed.pathname)?.[1]?.toLowerCase();
    return IMAGE_TYPES[hint ?? ""] ?? IMAGE_TYPES[extension ?? ""] ?? "image/jpeg";
  } catch {
    return "image/jpeg";
  }
}

/**
 * A plain-text excerpt of the item: its description when it has one, else the body without the
 * leading cover and byline paragraphs (`原创`, author, account; document-format.md "Body"), which
 * would otherwise open every excerpt.
 */
export function toItemExcerpt(item: FeedItem, maxChars: number): string {
  if (item.description !== null && item.description.trim() !== "")
    return toExcerpt(item.description, maxChars);
  const byline = new Set(["原创", item.author?.trim(), item.account?.trim()]);
  const paragraphs = item.markdown.split(/\n[ \t]*\n/);
  let start = 0;
  while (start < paragraphs.length) {
    const text = (paragraphs[start] ?? "").trim();
    // Byline lines are written escaped like body text (document.ts), so they are compared as plain text.
    const isByline = byline.has(text) || byline.has(toPlainText(text));
    if (text !== "" && !/^!\[[^\]\n]*\]\([^)\n]*\)$/.test(text) && !isByline) break;
    start++;
  }
  return toExcerpt(paragraphs.slice(start).join("\n\n"), maxChars);
}

/** Items newest first (ties by key), one per key, so the output does not depend on the caller's order. */
function orderItems(items: readonly FeedItem[]): FeedItem[] {
  const seen = new Set<string>();
  const sorted = [...items].sort(
    (a, b) => itemTime(b).getTime() - itemTime(a).getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  return sorted.filter((item) => {
    if (seen.has(item.key)) return false;
    seen.add(item.key);
    return true;
  });
}

/** The item's summary as plain text when it has one (the full text stays in the content), else an excerpt. */
function toEntrySummary(item: FeedItem): string {
  const summary = item.summary?.trim() ?? "";
  if (summary !== "") return toFeedLine(toExcerpt(summary, SUMMARY_CHARS), SUMMARY_CHARS * 2);
  return toFeedLine(toItemExcerpt(item, EXCERPT_CHARS), EXCERPT_CHARS * 2);
}

function toEntry(item: FeedItem, channel: FeedChannel): FeedEntry {
  const time = itemTime(item);
  const cover = toHttpUrl(item.cover ?? "");
  const html = renderArticleHtml(
    item.markdown,
    channel.imageUrl === undefined ? {} : { imageUrl: channel.imageUrl },
  );
  return {
    id: toFeedLine(item.key),
    title: toFeedLine(item.title, MAX_TITLE) || "（无标题）",
    url: toHttpUrl(item.url),
    // Whole seconds, as RSS dates have them, so every format gives the item the same instant.
    date: Number.isNaN(time.getTime()) ? null : new Date(Math.floor(time.getTime() / 1000) * 1000),
    creator: toCreator(item),
    summary: toEntrySummary(item),
    html: stripXmlIllegal(html),
    categories: [toFeedLine(item.source), toFeedLine(item.category ?? "")].filter(
      (name, i, all) => name !== "" && all.indexOf(name) === i,
    ),
    cover: cover === null ? null : { url: channel.imageUrl?.(cover) ?? cover, type: toImageType(cover) },
  };
}

/** The entries of a feed of `items`: newest first, one per key. */
export function toFeedEntries(items: readonly FeedItem[], channel: FeedChannel): FeedEntry[] {
  return orderItems(items).map((item) => toEntry(item, channel));
}

/** The channel's title as every format writes it (never empty). */
export function toChannelTitle(channel: FeedChannel): string {
  return toFeedLine(channel.title, MAX_TITLE) || GENERATOR;
}
