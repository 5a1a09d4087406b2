/**
 * Turns stored articles into the server's cached representations: the combined feed, one feed per
 * source, the OPML list, the digest pages and feed, and the "today so far" preview. These are thin
 * adapters over the pure builders of `publish/`; what they add is the HTTP side: the body bytes, a strong ETag of them, Last-Modified
 * (the newest store or edit time among the items) and the content-type and security headers. The
 * channel's lastBuildDate is that same instant, never the clock, so rebuilding unchanged items gives
 * byte-identical output and an unchanged ETag.
 */

import { buildDigest, buildDigestRss, type DigestWindow } from "../publish/digest.ts";
import { buildDigestPreview } from "../publish/digest-preview.ts";
import { toFeedItem } from "../publish/feed-items.ts";
import { buildOpml, buildRss } from "../publish/rss.ts";
import type { StoredArticle } from "../store/article-store.ts";
import { createRepresentation, type Representation } from "./http-cache.ts";
import { CONTENT_TYPE, HTML_HEADERS } from "./respond.ts";

/** What every output needs to know about the deployment. */
export interface OutputSettings {
  /** Public base URL, no trailing slash (feed self links, digest URLs). */
  readonly publicUrl: string;
  /** Title of the combined feed. */
  readonly feedTitle: string;
  /** Items per feed without `?limit=`. */
  readonly defaultLimit: number;
  /** Configured source names by id (feed titles); otherwise an item's `source` names the feed. */
  readonly sourceNames?: ReadonlyMap<string, string>;
  /** Image URL rewriter (the signed proxy) when the proxy is on. */
  readonly imageUrl?: (url: string) => string;
  /** Digest sections: by source (default) or by summary category (config digest.groupBy). */
  readonly digestGroupBy?: "source" | "category";
}

/** A rendered digest day: its page and its archive document. */
export interface DigestDay {
  readonly window: DigestWindow;
  readonly page: Representation;
  readonly document: ReturnType<typeof buildDigest>["document"];
  readonly articleCount: number;
}

/** The newest store or edit time among `articles`, or null when there are none. */
export function newestChange(articles: readonly StoredArticle[]): Date | null {
  let newest = Number.NEGATIVE_INFINITY;
  for (const a of articles) newest = Math.max(newest, a.updatedAt ?? a.storedAt, a.storedAt);
  return Number.isFinite(newest) ? new Date(newest) : null;
}

function feedRepresentation(
  articles: readonly StoredArticle[],
  settings: OutputSettings,
  channel: { readonly title: string; readonly description: string; readonly path: string },
): Representation {
  const lastModified = newestChange(articles);
  const xml = buildRss(articles.map(toFeedItem), {
    title: channel.title,
    description: channel.description,
    siteUrl: settings.publicUrl,
    feedUrl: `${settings.publicUrl}${channel.path}`,
    ...(settings.imageUrl === undefined ? {} : { imageUrl: settings.imageUrl }),
    // The newest change, not the clock, so a rebuild of the same items gives the same bytes.
    buildDate: lastModified,
  });
  return createRepresentation(xml, CONTENT_TYPE.rss, { lastModified });
}

function withLimit(path: string, limit: number, settings: OutputSettings): string {
  return limit === settings.defaultLimit ? path : `${path}?limit=${limit}`;
}

/** The combined feed of every source (`/feed.xml`). */
export function renderCombinedFeed(
  articles: readonly StoredArticle[],
  settings: OutputSettings,
  limit: number = settings.defaultLimit,
): Representation {
  return feedRepresentation(articles, settings, {
    title: settings.feedTitle,
    description: `${settings.feedTitle}: WeChat articles from every source`,
    path: withLimit("/feed.xml", limit, settings),
  });
}

/** The display name of a source: configured name, else the name its articles carry, else its id. */
export function sourceName(
  sourceId: string,
  articles: readonly StoredArticle[],
  settings: OutputSettings,
): string {
  return (
    settings.sourceNames?.get(sourceId) ?? articles.find((a) => a.source.trim() !== "")?.source ?? sourceId
  );
}

/** One source's feed (`/feeds/<id>.xml`). */
export function renderSourceFeed(
  sourceId: string,
  articles: readonly StoredArticle[],
  settings: OutputSettings,
  limit: number = settings.defaultLimit,
): Representation {
  const name = sourceName(sourceId, articles, settings);
  return feedRepresentation(articles, settings, {
    title: `${name} · ${settings.feedTitle}`,
    description: `${settings.feedTitle}: WeChat articles from ${name}`,
    path: withLimit(`/feeds/${sourceId}.xml`, limit, settings),
  });
}

/** The OPML list of every per-source feed (`/opml.xml`), in source id order. */
export function renderOpml(
  sources: readonly { readonly id: string; readonly name: string }[],
  settings: OutputSettings,
): Representation {
  const feeds = sources.map((s) => ({ title: s.name, xmlUrl: `${settings.publicUrl}/feeds/${s.id}.xml` }));
  // The list changes only with the set of sources, so it carries no Last-Modified of its own.
  return createRepresentation(buildOpml(feeds, settings.feedTitle), CONTENT_TYPE.opml);
}

/** The digest of one window, from the articles stored in it (others are ignored). */
export function renderDigestDay(
  window: DigestWindow,
  articles: readonly StoredArticle[],
  settings: OutputSettings,
): DigestDay {
  const from = window.from.getTime();
  const to = window.to.getTime();
  const inside = articles.filter((a) => a.storedAt >= from && a.storedAt < to);
  const digest = buildDigest(inside.map(toFeedItem), window, {
    siteUrl: settings.publicUrl,
    ...(settings.imageUrl === undefined ? {} : { imageUrl: settings.imageUrl }),
    ...(settings.digestGroupBy === undefined ? {} : { groupBy: settings.digestGroupBy }),
  });
  const page = createRepresentation(digest.html, CONTENT_TYPE.html, {
    lastModified: window.to,
    extra: HTML_HEADERS,
  });
  return { window, page, document: digest.document, articleCount: inside.length };
}

/**
 * The "today so far" page of the open `window` (publish/digest-preview.ts): its own validators, dated
 * by the newest article in it, and revalidated on every request since it changes all day.
 */
export function renderDigestPreview(
  window: DigestWindow,
  articles: readonly StoredArticle[],
  settings: OutputSettings,
): Representation {
  const inside = articles.filter(
    (a) => a.storedAt >= window.from.getTime() && a.storedAt < window.to.getTime(),
  );
  const html = buildDigestPreview(inside.map(toFeedItem), window, {
    ...(settings.imageUrl === undefined ? {} : { imageUrl: settings.imageUrl }),
    ...(settings.digestGroupBy === undefined ? {} : { groupBy: settings.digestGroupBy }),
  });
  return createRepresentation(html, CONTENT_TYPE.html, {
    lastModified: newestChange(inside),
    cacheControl: "no-cache",
    extra: HTML_HEADERS,
  });
}

/** `/digest.xml`: one item per digest day that has articles, newest first. */
export function renderDigestFeed(days: readonly DigestDay[], settings: OutputSettings): Representation {
  const published = days.filter((d) => d.articleCount > 0);
  let newest: Date | null = null;
  for (const d of published) if (newest === null || d.window.to > newest) newest = d.window.to;
  const xml = buildDigestRss(
    published.map((d) => ({ day: d.window.day, document: d.document })),
    {
      title: `${settings.feedTitle} · 每日摘要`,
      description: `${settings.feedTitle}: the daily digest`,
      siteUrl: settings.publicUrl,
      feedUrl: `${settings.publicUrl}/digest.xml`,
      ...(settings.imageUrl === undefined ? {} : { imageUrl: settings.imageUrl }),
      buildDate: newest,
    },
  );
  return createRepresentation(xml, CONTENT_TYPE.rss, { lastModified: newest });
}
