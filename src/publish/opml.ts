/**
 * The OPML 2.0 list of our feeds (`/opml.xml`), which readers import to subscribe to every source at
 * once: ungrouped feeds at the top level, then one folder outline per group (a tag), which readers
 * import as folders. Names and URLs are escaped; the order is the caller's. Pure.
 */
import { toFeedLine } from "./feed-entry.ts";
import { escapeXml } from "./xml.ts";

/** One entry of the OPML feed list. */
export interface OpmlFeed {
  readonly title: string;
  readonly xmlUrl: string;
  readonly htmlUrl?: string;
}

/** A folder of feeds (a tag). */
export interface OpmlGroup {
  readonly title: string;
  readonly feeds: readonly OpmlFeed[];
}

function toOutline(feed: OpmlFeed, indent: string): string {
  const name = escapeXml(toFeedLine(feed.title));
  const html = feed.htmlUrl === undefined ? "" : ` htmlUrl="${escapeXml(feed.htmlUrl)}"`;
  return `${indent}<outline type="rss" text="${name}" title="${name}" xmlUrl="${escapeXml(feed.xmlUrl)}"${html}/>`;
}

/** Builds an OPML 2.0 document listing `feeds`, then `groups` as folders (in the given order), under `title`. */
export function buildOpml(
  feeds: readonly OpmlFeed[],
  title: string,
  groups: readonly OpmlGroup[] = [],
): string {
  const outlines = feeds.map((feed) => toOutline(feed, "    "));
  for (const group of groups) {
    const name = escapeXml(toFeedLine(group.title));
    outlines.push(`    <outline text="${name}" title="${name}">`);
    outlines.push(...group.feeds.map((feed) => toOutline(feed, "      ")), "    </outline>");
  }
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
