/**
 * Renders stored articles into ready-to-serve representations, one per row of the output table: a
 * feed scope in every format, the OPML list, the digest pages. Each body gets a strong ETag of its
 * bytes and Last-Modified (the newest store or edit time among the items); the feed's build date is
 * that same instant, never the clock, so rebuilding unchanged items gives byte-identical output and
 * an unchanged ETag. Pure.
 */

import type { FeedItem, StoredArticle } from "../model.ts";
import { buildDigest, type DigestGroupBy, type DigestWindow, toDigestItem } from "./digest.ts";
import { buildDigestPreview } from "./digest-preview.ts";
import { type FeedChannel, toFeedEntries } from "./feed-entry.ts";
import { toFeedItem } from "./feed-items.ts";
import { applyFeedQuery, type FeedQuery } from "./feed-query.ts";
import { buildOpml } from "./opml.ts";
import {
  type FeedScope,
  feedRowsOf,
  HTML_HEADERS,
  OUTPUTS,
  PAGE_TYPE,
  toOutputPath,
} from "./output-table.ts";
import { createRepresentation, type Representation } from "./representation.ts";

/** What every output needs to know about the deployment. */
export interface OutputSettings {
  /** Public base URL, no trailing slash (feed self links, digest URLs). */
  readonly publicUrl: string;
  /** Title of the combined feed. */
  readonly feedTitle: string;
  /** Items per feed without `?limit=`. */
  readonly defaultLimit: number;
  /** Source names by id (configured ones, and the manual feed's); else an item's `source` names the feed. */
  readonly sourceNames?: ReadonlyMap<string, string>;
  /** Tags of each configured source (`/tags/<tag>.*` feeds). */
  readonly sourceTags?: ReadonlyMap<string, readonly string[]>;
  /** Image URL rewriter (the signed proxy) when the proxy is on. */
  readonly imageUrl?: (url: string) => string;
  /** config.feeds.token: carried as `?key=` by self links, OPML entries and archive links. */
  readonly feedToken?: string;
  /** config.feeds.link: items link to WeChat (default) or to our `/articles/<key>` page. */
  readonly link?: "wechat" | "archive";
  /** Digest sections: by source (default) or by summary category (config digest.groupBy). */
  readonly digestGroupBy?: DigestGroupBy;
}

/** A rendered digest day: its page and its archive document. */
export interface DigestDay {
  readonly window: DigestWindow;
  readonly page: Representation;
  readonly document: ReturnType<typeof buildDigest>["document"];
  readonly articleCount: number;
}

/** Representations by request path. */
export type OutputMap = Map<string, Representation>;

/** The newest store or edit time among `articles`, or null when there are none. */
export function newestChange(articles: readonly StoredArticle[]): Date | null {
  let newest = Number.NEGATIVE_INFINITY;
  for (const a of articles) newest = Math.max(newest, a.updatedAt ?? a.storedAt, a.storedAt);
  return Number.isFinite(newest) ? new Date(newest) : null;
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

/** An absolute public URL of `path` with `query` (canonical, may be empty) and the feed key when set. */
export function toPublicLink(settings: OutputSettings, path: string, query = ""): string {
  const params = new URLSearchParams(query);
  if (settings.feedToken !== undefined) params.set("key", settings.feedToken);
  const search = params.toString();
  return `${settings.publicUrl}${encodeURI(path)}${search === "" ? "" : `?${search}`}`;
}

/** The feed item of an article, its link pointing where config.feeds.link says. */
export function toPublishedItem(article: StoredArticle, settings: OutputSettings): FeedItem {
  const item = toFeedItem(article);
  return settings.link === "archive"
    ? { ...item, url: toPublicLink(settings, `/articles/${article.key}`) }
    : item;
}

/** Title and description of a feed scope. */
function describeScope(scope: FeedScope, name: string, settings: OutputSettings): [string, string] {
  const site = settings.feedTitle;
  if (scope === "all") return [site, `${site}: WeChat articles from every source`];
  if (scope === "source") return [`${name} · ${site}`, `${site}: WeChat articles from ${name}`];
  if (scope === "tag") return [`#${name} · ${site}`, `${site}: WeChat articles tagged ${name}`];
  return [`${site} · 每日摘要`, `${site}: the daily digest`];
}

/** The items and dates a feed scope renders. */
export interface ScopeContent {
  readonly scope: FeedScope;
  /** Source id or tag; "" for the all and digest scopes. */
  readonly arg: string;
  /** Display name (source name or tag). */
  readonly name: string;
  readonly items: readonly FeedItem[];
  readonly lastModified: Date | null;
  /** The canonical feed query it was built for (feed-query.ts), when any: it appears in self links. */
  readonly query?: string;
}

/** Renders one feed scope in every format: representations by request path. */
export function renderScope(content: ScopeContent, settings: OutputSettings): OutputMap {
  const [title, description] = describeScope(content.scope, content.name, settings);
  const out: OutputMap = new Map();
  // Entries (the Markdown rendered to HTML, the costly part) are built once for every format.
  const imageUrl = settings.imageUrl === undefined ? {} : { imageUrl: settings.imageUrl };
  const base = {
    title,
    description,
    siteUrl: settings.publicUrl,
    feedUrl: "",
    ...imageUrl,
    buildDate: content.lastModified,
  };
  const entries = toFeedEntries(content.items, base);
  for (const row of feedRowsOf(content.scope)) {
    const path = toOutputPath(row, content.arg);
    const channel: FeedChannel = { ...base, feedUrl: toPublicLink(settings, path, content.query) };
    const body = row.format?.render(entries, channel) ?? "";
    out.set(
      path,
      createRepresentation(body, row.contentType, { lastModified: content.lastModified, compress: true }),
    );
  }
  return out;
}

/** A request's view of a feed: its parsed parameters and the instant `filter_time` counts from. */
export interface FeedView {
  readonly query: FeedQuery;
  readonly now: Date;
}

/** An article feed scope (all, one source, one tag) of `articles`, as `view` asks for it when given. */
export function renderArticleScope(
  scope: Exclude<FeedScope, "digest">,
  arg: string,
  articles: readonly StoredArticle[],
  settings: OutputSettings,
  view?: FeedView,
): OutputMap {
  const name = scope === "source" ? sourceName(arg, articles, settings) : arg;
  const all = articles.map((a) => toPublishedItem(a, settings));
  const items = view === undefined ? all : applyFeedQuery(all, view.query, settings.defaultLimit, view.now);
  const shown = new Set(items.map((i) => i.key));
  const lastModified = newestChange(articles.filter((a) => shown.has(a.key)));
  return renderScope(
    { scope, arg, name, items, lastModified, ...(view === undefined ? {} : { query: view.query.canonical }) },
    settings,
  );
}

/**
 * The OPML list (`/opml.xml`): untagged sources' feeds at the top level, in source id order, then one
 * folder per tag with its sources' feeds (a source with several tags is in each), or, for a tag only
 * OPML categories gave, the tag's own feed.
 */
export function renderOpml(
  sources: readonly { readonly id: string; readonly name: string }[],
  settings: OutputSettings,
  tags: ReadonlyMap<string, readonly string[]> = new Map(),
): OutputMap {
  const sourceRow = feedRowsOf("source")[0];
  const tagRow = feedRowsOf("tag")[0];
  const feedOf = (s: { readonly id: string; readonly name: string }) => ({
    title: s.name,
    xmlUrl: toPublicLink(settings, sourceRow === undefined ? "" : toOutputPath(sourceRow, s.id)),
  });
  const tagged = new Set([...tags.values()].flat());
  const groups = [...tags].map(([tag, members]) => ({
    title: tag,
    feeds:
      members.length === 0
        ? [
            {
              title: `#${tag}`,
              xmlUrl: toPublicLink(settings, tagRow === undefined ? "" : toOutputPath(tagRow, tag)),
            },
          ]
        : sources.filter((s) => members.includes(s.id)).map(feedOf),
  }));
  const untagged = sources.filter((s) => !tagged.has(s.id)).map(feedOf);
  const row = OUTPUTS.find((r) => r.scope === "index");
  const body = buildOpml(
    untagged,
    settings.feedTitle,
    groups.filter((g) => g.feeds.length > 0),
  );
  // The list changes only with the set of sources and tags, so it carries no Last-Modified of its own.
  const rep = createRepresentation(body, PAGE_TYPE.opml, { compress: true });
  return new Map([[row?.path ?? "/opml.xml", rep]]);
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
  const digest = buildDigest(
    inside.map((a) => toPublishedItem(a, settings)),
    window,
    {
      siteUrl: settings.publicUrl,
      ...(settings.imageUrl === undefined ? {} : { imageUrl: settings.imageUrl }),
      ...(settings.digestGroupBy === undefined ? {} : { groupBy: settings.digestGroupBy }),
    },
  );
  const page = createRepresentation(digest.html, PAGE_TYPE.html, {
    lastModified: window.to,
    extra: HTML_HEADERS,
    compress: true,
  });
  return { window, page, document: digest.document, articleCount: inside.length };
}

/**
 * The "today so far" page of the open `window` (digest-preview.ts): its own validators, dated by the
 * newest article in it, and revalidated on every request since it changes all day.
 */
export function renderDigestPreview(
  window: DigestWindow,
  articles: readonly StoredArticle[],
  settings: OutputSettings,
): Representation {
  const inside = articles.filter(
    (a) => a.storedAt >= window.from.getTime() && a.storedAt < window.to.getTime(),
  );
  const html = buildDigestPreview(
    inside.map((a) => toPublishedItem(a, settings)),
    window,
    {
      ...(settings.imageUrl === undefined ? {} : { imageUrl: settings.imageUrl }),
      ...(settings.digestGroupBy === undefined ? {} : { groupBy: settings.digestGroupBy }),
    },
  );
  return createRepresentation(html, PAGE_TYPE.html, {
    lastModified: newestChange(inside),
    cacheControl: "no-cache",
    extra: HTML_HEADERS,
    compress: true,
  });
}

/** The digest feeds: one item per digest day that has articles, newest first, in every format. */
export function renderDigestFeeds(days: readonly DigestDay[], settings: OutputSettings): OutputMap {
  const published = days.filter((d) => d.articleCount > 0);
  let newest: Date | null = null;
  for (const d of published) if (newest === null || d.window.to > newest) newest = d.window.to;
  const items = published.map((d) => toDigestItem({ day: d.window.day, document: d.document }));
  return renderScope({ scope: "digest", arg: "", name: "", items, lastModified: newest }, settings);
}
