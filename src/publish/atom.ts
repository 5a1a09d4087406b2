/**
 * The Atom 1.0 format (RFC 4287), generated with feedsmith. Atom requires every id to be an absolute
 * IRI, so an entry's id is the RSS guid (the article key) under `urn:wechat-feed:`; the feed's id is
 * its own URL. Content is the entry's sanitized HTML (`type="html"`), the summary its plain excerpt,
 * the cover a `rel="enclosure"` link without a length (its size is unknown). An empty feed still needs
 * `updated`, so it gets the epoch rather than the clock: the same items give the same bytes. Pure.
 */
import { generateAtomFeed } from "feedsmith";
import { type FeedChannel, type FeedEntry, GENERATOR, toChannelTitle, toFeedLine } from "./feed-entry.ts";
import { toHttpUrl } from "./sanitize.ts";

/** Prefix that turns an article key into the entry's Atom id. */
export const ATOM_ID_PREFIX = "urn:wechat-feed:";

const EPOCH = new Date(0);

function toAtomEntry(entry: FeedEntry, fallbackDate: Date) {
  const links = [
    ...(entry.url === null ? [] : [{ href: entry.url, rel: "alternate", type: "text/html" }]),
    ...(entry.cover === null ? [] : [{ href: entry.cover.url, rel: "enclosure", type: entry.cover.type }]),
  ];
  return {
    id: `${ATOM_ID_PREFIX}${entry.id}`,
    title: { value: entry.title, type: "text" },
    updated: entry.date ?? fallbackDate,
    ...(entry.date === null ? {} : { published: entry.date }),
    ...(links.length === 0 ? {} : { links }),
    ...(entry.creator === "" ? {} : { authors: [{ name: entry.creator }] }),
    categories: entry.categories.map((term) => ({ term })),
    summary: { value: entry.summary, type: "text" },
    content: { value: entry.html, type: "html" },
  };
}

/** Renders an Atom 1.0 feed of `entries` (in their order), byte-identical for identical inputs. */
export function renderAtom(entries: readonly FeedEntry[], channel: FeedChannel): string {
  const updated = channel.buildDate ?? EPOCH;
  const self = toHttpUrl(channel.feedUrl) ?? channel.feedUrl;
  return generateAtomFeed({
    id: self,
    title: { value: toChannelTitle(channel), type: "text" },
    subtitle: { value: toFeedLine(channel.description, 1024), type: "text" },
    updated,
    generator: { text: GENERATOR },
    links: [
      { href: self, rel: "self", type: "application/atom+xml" },
      ...(toHttpUrl(channel.siteUrl) === null
        ? []
        : [{ href: channel.siteUrl, rel: "alternate", type: "text/html" }]),
    ],
    entries: entries.map((entry) => toAtomEntry(entry, updated)),
  });
}
