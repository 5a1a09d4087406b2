/**
 * The RSS 2.0 format (with the `rss` package, which the project requires). The package wraps title,
 * description, category, `dc:creator` and our `content:encoded` in CDATA and splits `]]>` itself, and
 * escapes links, guids and attributes, so hostile article fields cannot break the XML. The content is
 * the entry's sanitized HTML; the description is an HTML-escaped plain-text excerpt; the cover is an
 * enclosure without `length` (its size is unknown, and a made-up `0` misleads podcast-style readers).
 * The same items always render the same bytes (the package's wall-clock `lastBuildDate` is replaced
 * by the channel's `buildDate`), so the server's ETag only changes when an item does. Pure.
 */
import RSS from "rss";
import { type FeedChannel, type FeedEntry, GENERATOR, toChannelTitle, toFeedLine } from "./feed-entry.ts";
import { toHttpUrl } from "./sanitize.ts";
import { escapeXml, stripXmlIllegal } from "./xml.ts";

function toItemOptions(entry: FeedEntry): RSS.ItemOptions {
  return {
    title: entry.title,
    // Readers treat description as HTML, so the plain excerpt is escaped to stay text.
    description: escapeXml(entry.summary),
    // An empty url makes the package omit <link>: a non-http(s) link is worse than none.
    url: entry.url ?? "",
    guid: entry.id,
    categories: [...entry.categories],
    // RSS 2.0's own <author> must be an e-mail address, so the package writes names as dc:creator.
    author: entry.creator,
    date: entry.date ?? "",
    custom_elements: [
      ...(entry.cover === null
        ? []
        : [{ enclosure: { _attr: { url: entry.cover.url, type: entry.cover.type } } }]),
      { "content:encoded": { _cdata: entry.html } },
    ],
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

/** Renders an RSS 2.0 feed of `entries` (in their order), byte-identical for identical inputs. */
export function renderRss(entries: readonly FeedEntry[], channel: FeedChannel): string {
  const feed = new RSS({
    title: toChannelTitle(channel),
    description: toFeedLine(channel.description, 1024),
    // Config supplies it (trusted); a non-http value is still escaped by the package.
    site_url: toHttpUrl(channel.siteUrl) ?? stripXmlIllegal(channel.siteUrl),
    feed_url: toHttpUrl(channel.feedUrl) ?? "",
    generator: GENERATOR,
  });
  for (const entry of entries) feed.item(toItemOptions(entry));
  return withBuildDate(feed.xml(), channel.buildDate);
}
