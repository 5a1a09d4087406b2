/**
 * RSS 2.0 feeds (with the `rss` package, which the project requires) and the OPML list of feeds.
 * Every text field is stripped of XML-illegal characters; the package wraps title, description,
 * category, `dc:creator` and our `content:encoded` in CDATA and splits `]]>` itself, and escapes
 * links, guids and attributes, so hostile article fields cannot break the XML. The content is
 * sanitized HTML from `renderArticleHtml`; the description is an HTML-escaped plain-text excerpt.
 * The same items always render the same bytes (the package's wall-clock `lastBuildDate` is replaced
 * by the caller's `buildDate`), so the server's ETag only changes when an item does. Pure.
 */
import RSS from "rss";
import type { FeedItem } from "../model.ts";
import { toExcerpt, toPlainText } from "../parsers/plain-text.ts";
import { cleanName } from "../parsers/text-clean.ts";
import { renderArticleHtml } from "./markdown-html.ts";
import { toHttpUrl } from "./sanitize.ts";
import { escapeXml, stripXmlIllegal } from "./xml.ts";

/** Channel-level values of a feed. */
export interface RssChannel {
  readonly title: string;
  readonly description: string;
  readonly siteUrl: string;
  /** This feed's own URL (`atom:link rel="self"`). */
  readonly feedUrl: string;
  /** Rewrites image URLs in content and enclosures (the signed image proxy), when on. */
  readonly imageUrl?: (url: string) => string;
  /**
   * The channel's lastBuildDate: pass the newest item's time so an unchanged feed keeps its bytes;
   * null (a feed with nothing in it yet) leaves the element out rather than inventing a date.
   */
  readonly buildDate: Date | null;
}

/** One entry of the OPML feed list. */
export interface OpmlFeed {
  readonly title: string;
  readonly xmlUrl: string;
  readonly htmlUrl?: string;
}

/** WeChat titles are at most 64 characters; longer ones are junk that only bloats every poll. */
const MAX_TITLE = 512;
const MAX_LINE = 256;
const EXCERPT_CHARS = 200;
/** A summary is short by design; the cap only guards against an endpoint that returned an essay. */
const SUMMARY_CHARS = 2000;
const GENERATOR = "wechat-feed";

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
 * The item's `dc:creator`: `author (account)` when the byline differs from the account, else whichever
 * exists. RSS 2.0's own `<author>` must be an e-mail address, so names go to Dublin Core instead.
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
/** The item description: its summary when it has one (full text stays in the content), else an excerpt. */
export function toItemDescription(item: FeedItem): string {
  const summary = item.summary?.trim() ?? "";
  if (summary !== "") return toFeedLine(toExcerpt(summary, SUMMARY_CHARS), SUMMARY_CHARS * 2);
  return toFeedLine(toItemExcerpt(item, EXCERPT_CHARS), EXCERPT_CHARS * 2);
}

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

function toItemOptions(item: FeedItem, channel: RssChannel): RSS.ItemOptions {
  const time = itemTime(item);
  const cover = toHttpUrl(item.cover ?? "");
  const html = renderArticleHtml(
    item.markdown,
    channel.imageUrl === undefined ? {} : { imageUrl: channel.imageUrl },
  );
  return {
    title: toFeedLine(item.title, MAX_TITLE) || "（无标题）",
    // Readers treat description as HTML, so the plain excerpt is escaped to stay text.
    description: escapeXml(toItemDescription(item)),
    // An empty url makes the package omit <link>: a non-http(s) link is worse than none.
    url: toHttpUrl(item.url) ?? "",
    guid: toFeedLine(item.key),
    categories: [toFeedLine(item.source), toFeedLine(item.category ?? "")].filter(
      (name, i, all) => name !== "" && all.indexOf(name) === i,
    ),
    author: toCreator(item),
    date: Number.isNaN(time.getTime()) ? "" : time,
    ...(cover === null
      ? {}
      : { enclosure: { url: channel.imageUrl?.(cover) ?? cover, type: toImageType(cover), size: 0 } }),
    custom_elements: [{ "content:encoded": { _cdata: stripXmlIllegal(html) } }],
  };
}

/** Index of the first `needle` outside CDATA sections (CDATA text is the only place it could be faked). */
function indexOutsideCdata(xml: string, needle: string): number {
  let from = 0;
  for (;;) {
    const hit = xml.indexOf(needle, from);
    const open = xml.indexOf("<![CDATA[", from);
    if (open === -1 || hit < open) return hit;
    from = xml.indexOf("]]>", open + 9) + 3;
    if (from < 3) return -1;
  }
}

/**
 * Replaces the package's wall-clock `<lastBuildDate>` (always present, before any item) with `date`,
 * or removes the element when there is no valid date.
 */
function withBuildDate(xml: string, date: Date | null): string {
  const open = "<lastBuildDate>";
  const close = "</lastBuildDate>";
  const start = indexOutsideCdata(xml, open);
  const end = xml.indexOf(close, start);
  if (start === -1 || end === -1) return xml;
  if (date === null || Number.isNaN(date.getTime()))
    return `${xml.slice(0, start)}${xml.slice(end + close.length)}`;
  return `${xml.slice(0, start + open.length)}${date.toUTCString()}${xml.slice(end)}`;
}

/** Builds an RSS 2.0 feed of `items` (newest first), byte-identical for identical inputs. */
export function buildRss(items: readonly FeedItem[], channel: RssChannel): string {
  const feed = new RSS({
    title: toFeedLine(channel.title, MAX_TITLE) || GENERATOR,
    description: toFeedLine(channel.description, 1024),
    // Config supplies it (trusted); a non-http value is still escaped by the package.
    site_url: toHttpUrl(channel.siteUrl) ?? stripXmlIllegal(channel.siteUrl),
    feed_url: toHttpUrl(channel.feedUrl) ?? "",
    generator: GENERATOR,
  });
  for (const item of orderItems(items)) feed.item(toItemOptions(item, channel));
  return withBuildDate(feed.xml(), channel.buildDate);
}

/** Builds an OPML 2.0 document listing `feeds` (in the given order) under `title`. */
export function buildOpml(feeds: readonly OpmlFeed[], title: string): string {
  const outlines = feeds.map((feed) => {
    const name = escapeXml(toFeedLine(feed.title));
    const html = feed.htmlUrl === undefined ? "" : ` htmlUrl="${escapeXml(feed.htmlUrl)}"`;
    return `    <outline type="rss" text="${name}" title="${name}" xmlUrl="${escapeXml(feed.xmlUrl)}"${html}/>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<opml version="2.0">',
    `  <head><title>${escapeXml(toFeedLine(title))}</title></head>`,
    "  <body>",
    ...outlines,
    "  </body>",
    "</opml>",
    "",
  ].join("\n");
}
