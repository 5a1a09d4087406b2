/**
 * The JSON Feed 1.1 format (jsonfeed.org), generated with feedsmith. Item ids are the RSS guids (the
 * article keys); `content_html` is the entry's sanitized HTML and `summary` its plain excerpt; the
 * cover is both `image` and an attachment without `size_in_bytes` (its size is unknown). Pure.
 */
import { generateJsonFeed } from "feedsmith";
import { type FeedChannel, type FeedEntry, toChannelTitle, toFeedLine } from "./feed-entry.ts";
import { toHttpUrl } from "./sanitize.ts";

function toJsonItem(entry: FeedEntry) {
  return {
    id: entry.id,
    ...(entry.url === null ? {} : { url: entry.url }),
    title: entry.title,
    content_html: entry.html,
    summary: entry.summary,
    ...(entry.date === null ? {} : { date_published: entry.date }),
    ...(entry.creator === "" ? {} : { authors: [{ name: entry.creator }] }),
    ...(entry.categories.length === 0 ? {} : { tags: [...entry.categories] }),
    ...(entry.cover === null
      ? {}
      : { image: entry.cover.url, attachments: [{ url: entry.cover.url, mime_type: entry.cover.type }] }),
  };
}

/** Renders a JSON Feed 1.1 document of `entries` (in their order), byte-identical for identical inputs. */
export function renderJsonFeed(entries: readonly FeedEntry[], channel: FeedChannel): string {
  const siteUrl = toHttpUrl(channel.siteUrl);
  const feed = generateJsonFeed({
    title: toChannelTitle(channel),
    ...(siteUrl === null ? {} : { home_page_url: siteUrl }),
    feed_url: toHttpUrl(channel.feedUrl) ?? channel.feedUrl,
    description: toFeedLine(channel.description, 1024),
    items: entries.map(toJsonItem),
  });
  return `${JSON.stringify(feed)}\n`;
}
