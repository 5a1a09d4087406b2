/**
 * Builds one consistent snapshot of every rendered output (combined feed, per-source feeds, OPML, the
 * digest pages of the last days and `/digest.xml`) from the store. An incremental build reuses the
 * previous snapshot's per-source feeds and digests that the changed articles cannot touch, so a new
 * article re-renders its own source's feed and the combined feed, not every feed of the deployment.
 */

import type { Redis } from "ioredis";
import { addDays, type DigestTime, latestDigestDay, toDigestWindow } from "../publish/digest-windows.ts";
import type { ArticleStore } from "../store/article-store.ts";
import { listArticlesStoredIn } from "../store/stored-window.ts";
import type { Representation } from "./http-cache.ts";
import {
  type DigestDay,
  type OutputSettings,
  renderCombinedFeed,
  renderDigestDay,
  renderDigestFeed,
  renderDigestPreview,
  renderOpml,
  renderSourceFeed,
  sourceName,
} from "./output-builders.ts";
import { listPublishedArticles } from "./published-articles.ts";

/** One consistent set of rendered outputs. */
export interface OutputSnapshot {
  /** The change counter read before the build started. */
  readonly version: number;
  readonly combined: Representation;
  readonly sources: ReadonlyMap<string, { readonly rep: Representation; readonly keys: ReadonlySet<string> }>;
  readonly opml: Representation;
  /** Day of the newest digest whose window has closed. */
  readonly latestDay: string;
  readonly digestDays: ReadonlyMap<string, DigestDay>;
  readonly digestFeed: Representation;
  /** Display name of each source (OPML titles), by id. */
  readonly sourceNames: ReadonlyMap<string, string>;
}

/** What a snapshot build reads from and how digests are laid out. */
export interface SnapshotContext {
  readonly store: ArticleStore;
  readonly redis: Redis;
  readonly prefix: string;
  readonly settings: OutputSettings;
  readonly digestTime: DigestTime;
  readonly timezone: string;
  /** Digest days rendered ahead (the latest and the ones before it). */
  readonly digestDays: number;
}

/** What to rebuild: everything, or what the changed keys (and a closed digest window) touch. */
export interface SnapshotPlan {
  readonly full: boolean;
  readonly digest: boolean;
  readonly keys: ReadonlySet<string>;
}

/** The static files of a snapshot, by path under the public directory. */
export function toPublicFiles(snap: OutputSnapshot): Map<string, Representation> {
  const files = new Map<string, Representation>([
    ["feed.xml", snap.combined],
    ["opml.xml", snap.opml],
    ["digest.xml", snap.digestFeed],
  ]);
  for (const [id, out] of snap.sources) files.set(`feeds/${id}.xml`, out.rep);
  for (const [day, d] of snap.digestDays) if (d.articleCount > 0) files.set(`digests/${day}.html`, d.page);
  return files;
}

/**
 * Which source feeds the changed articles touch (their current source, any source whose feed lists
 * them, and sources new since the last snapshot), and whether a published digest may have changed.
 */
async function findDirty(
  ctx: SnapshotContext,
  previous: OutputSnapshot,
  ids: readonly string[],
  changedKeys: ReadonlySet<string>,
): Promise<{ dirty: Set<string>; digest: boolean }> {
  const publishedUntil = toDigestWindow(previous.latestDay, ctx.digestTime, ctx.timezone).to.getTime();
  const dirty = new Set(ids.filter((id) => !previous.sources.has(id)));
  let digest = false;
  for (const key of changedKeys) {
    const article = await ctx.store.readArticle(key);
    if (article !== null) dirty.add(article.sourceId);
    // A deleted article, or one stored inside a closed digest window, changes a published digest.
    if (article === null || article.storedAt < publishedUntil) digest = true;
    // An article that moved to another source must also leave its old source's feed.
    for (const [id, out] of previous.sources) if (out.keys.has(key)) dirty.add(id);
  }
  return { dirty, digest };
}

/** The digest of `day` (built on request for days outside the snapshot). */
export async function buildDigestDay(ctx: SnapshotContext, day: string): Promise<DigestDay> {
  const window = toDigestWindow(day, ctx.digestTime, ctx.timezone);
  const range = { from: window.from.getTime(), to: window.to.getTime() };
  return renderDigestDay(window, await listArticlesStoredIn(ctx.redis, ctx.prefix, [range]), ctx.settings);
}

/** The "today so far" page: the window after `latestDay`'s, with what was stored in it until now. */
export async function buildDigestPreviewPage(
  ctx: SnapshotContext,
  latestDay: string,
): Promise<Representation> {
  const window = toDigestWindow(addDays(latestDay, 1), ctx.digestTime, ctx.timezone);
  const range = { from: window.from.getTime(), to: window.to.getTime() };
  return renderDigestPreview(
    window,
    await listArticlesStoredIn(ctx.redis, ctx.prefix, [range]),
    ctx.settings,
  );
}

async function buildDigestDays(ctx: SnapshotContext, latestDay: string): Promise<Map<string, DigestDay>> {
  const windows = Array.from({ length: ctx.digestDays }, (_, i) =>
    toDigestWindow(addDays(latestDay, -i), ctx.digestTime, ctx.timezone),
  );
  const ranges = windows.map((w) => ({ from: w.from.getTime(), to: w.to.getTime() }));
  // One scan of the store serves every window.
  const stored = await listArticlesStoredIn(ctx.redis, ctx.prefix, ranges);
  return new Map(windows.map((w) => [w.day, renderDigestDay(w, stored, ctx.settings)]));
}

/** Builds the next snapshot; `previous` (when given and the plan is not full) supplies unchanged parts. */
export async function buildSnapshot(
  ctx: SnapshotContext,
  previous: OutputSnapshot | null,
  plan: SnapshotPlan,
  version: number,
  now: Date,
): Promise<{
  readonly snapshot: OutputSnapshot;
  readonly sourcesBuilt: number;
  readonly digestBuilt: boolean;
}> {
  const { store, settings } = ctx;
  const ids = await store.listSourceIds();
  const combined = renderCombinedFeed(
    await listPublishedArticles(store, { limit: settings.defaultLimit }, settings.isPublished),
    settings,
  );
  const latestDay = latestDigestDay(now, ctx.digestTime, ctx.timezone);
  const { dirty, digest } =
    plan.full || previous === null
      ? { dirty: new Set(ids), digest: true }
      : await findDirty(ctx, previous, ids, plan.keys);

  const sources = new Map<string, { rep: Representation; keys: ReadonlySet<string> }>();
  const names: { id: string; name: string }[] = [];
  for (const id of ids) {
    const kept = previous?.sources.get(id);
    if (!dirty.has(id) && kept !== undefined) {
      sources.set(id, kept);
      names.push({ id, name: previous?.sourceNames.get(id) ?? id });
      continue;
    }
    const articles = await listPublishedArticles(
      store,
      { sourceId: id, limit: settings.defaultLimit },
      settings.isPublished,
    );
    sources.set(id, {
      rep: renderSourceFeed(id, articles, settings),
      keys: new Set(articles.map((a) => a.key)),
    });
    names.push({ id, name: sourceName(id, articles, settings) });
  }

  const reuseDigests = previous !== null && !digest && !plan.digest && latestDay === previous.latestDay;
  const days = reuseDigests ? previous.digestDays : await buildDigestDays(ctx, latestDay);
  const snapshot: OutputSnapshot = {
    version,
    combined,
    sources,
    opml: renderOpml(names, settings),
    latestDay,
    digestDays: days,
    digestFeed: reuseDigests ? previous.digestFeed : renderDigestFeed([...days.values()], settings),
    sourceNames: new Map(names.map((n) => [n.id, n.name])),
  };
  return { snapshot, sourcesBuilt: dirty.size, digestBuilt: !reuseDigests };
}
