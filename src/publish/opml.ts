/**
 * The OPML 2.0 list of our feeds (`/opml.xml`), which readers import to subscribe to every source at
 * once. Names and URLs are escaped; the order is the caller's. Pure.
 */
import { toFeedLine } from "./feed-entry.ts";
import { escapeXml } from "./xml.ts";

/** One entry of the OPML feed list. */
export interface OpmlFeed {
  readonly title: string;
  readonly xmlUrl: string;
  readonly htmlUrl?: string;
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
