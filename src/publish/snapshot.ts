/**
 * The publishing orchestrator: walks the output table (output-table.ts) to build one consistent
 * snapshot of every output (each feed scope in every format, the OPML list, the digest pages of the
 * last days) from a `PublishReader`, and lists the snapshot's static copies. An incremental build
 * reuses the previous snapshot's source and tag feeds and digests that the changed articles cannot
 * touch, so a new article re-renders its own source's and tags' feeds and the combined feed, not every
 * feed of the deployment. It reads through the port only (the store implements it), so publishing
 * never imports the store; time comes in as an argument.
 */

import type { StoredArticle } from "../model.ts";
import { addDays, type DigestTime, latestDigestDay, toDigestWindow } from "./digest-windows.ts";
import {
  type DigestDay,
  type OutputMap,
  type OutputSettings,
  renderArticleScope,
  renderDigestDay,
  renderDigestFeeds,
  renderDigestPreview,
  renderOpml,
  sourceName,
} from "./feed-outputs.ts";
import { type FeedScope, feedRowsOf, OUTPUTS, type OutputRow, toOutputPath } from "./output-table.ts";
import type { Representation } from "./representation.ts";

/** A stored-at range [from, to) in ms. */
export interface StoredRange {
  readonly from: number;
  readonly to: number;
}

/** What publishing reads: the store's article lists (the server adapts the store to it). */
export interface PublishReader {
  /** Sorted ids of the sources that have stored articles. */
  listSourceIds(): Promise<string[]>;
  /** Newest first, at most `limit`, overall or of one source. */
  listArticles(options: { readonly sourceId?: string; readonly limit: number }): Promise<StoredArticle[]>;
  readArticle(key: string): Promise<StoredArticle | null>;
  /** Every article stored inside one of `ranges`. */
  listArticlesStoredIn(ranges: readonly StoredRange[]): Promise<StoredArticle[]>;
}

/** What a build reads from and how digests are laid out. */
export interface SnapshotContext {
  readonly reader: PublishReader;
  readonly settings: OutputSettings;
  readonly digestTime: DigestTime;
  readonly timezone: string;
  /** Digest days rendered ahead (the latest and the ones before it). */
  readonly digestDays: number;
}

/** One consistent set of rendered outputs. */
export interface OutputSnapshot {
  /** The change counter read before the build started. */
  readonly version: number;
  /** Every ready output by request path (tags decoded), e.g. `/feed.xml`, `/feeds/a.atom`, `/digests/<day>`. */
  readonly outputs: ReadonlyMap<string, Representation>;
  /** Per source: the article keys its feeds list and its display name. */
  readonly sources: ReadonlyMap<string, { readonly keys: ReadonlySet<string>; readonly name: string }>;
  /** Each configured tag with the ids of its sources. */
  readonly tags: ReadonlyMap<string, readonly string[]>;
  /** Day of the newest digest whose window has closed. */
  readonly latestDay: string;
  readonly digestDays: ReadonlyMap<string, DigestDay>;
}

/** What to rebuild: everything, or what the changed keys (and a closed digest window) touch. */
export interface SnapshotPlan {
  readonly full: boolean;
  readonly digest: boolean;
  readonly keys: ReadonlySet<string>;
}

/** The static copies of a snapshot, by file path under the public directory (every row with a file). */
export function toPublicFiles(snap: OutputSnapshot): Map<string, Representation> {
  const files = new Map<string, Representation>();
  for (const row of OUTPUTS) {
    if (row.file === null) continue;
    const args =
      row.scope === "source"
        ? [...snap.sources.keys()]
        : row.scope === "tag"
          ? [...snap.tags.keys()]
          : row.scope === "digest-day"
            ? [...snap.digestDays.keys()]
            : [""];
    for (const arg of args) {
      const rep = snap.outputs.get(toOutputPath(row, arg));
      if (rep !== undefined) files.set(toOutputPath(row, arg, true), rep);
    }
  }
  return files;
}

/** Each configured tag with the ids of its sources. */
function groupTags(settings: OutputSettings): Map<string, string[]> {
  const byTag = new Map<string, string[]>();
  for (const [id, tags] of settings.sourceTags ?? new Map<string, readonly string[]>()) {
    for (const tag of tags) byTag.set(tag, [...(byTag.get(tag) ?? []), id]);
  }
  return byTag;
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
    const article = await ctx.reader.readArticle(key);
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
  return renderDigestDay(window, await ctx.reader.listArticlesStoredIn([range]), ctx.settings);
}

/** The "today so far" page: the window after `latestDay`'s, with what was stored in it until now. */
export async function buildDigestPreviewPage(
  ctx: SnapshotContext,
  latestDay: string,
): Promise<Representation> {
  const window = toDigestWindow(addDays(latestDay, 1), ctx.digestTime, ctx.timezone);
  const range = { from: window.from.getTime(), to: window.to.getTime() };
  return renderDigestPreview(window, await ctx.reader.listArticlesStoredIn([range]), ctx.settings);
}

async function buildDigestDays(ctx: SnapshotContext, latestDay: string): Promise<Map<string, DigestDay>> {
  const windows = Array.from({ length: ctx.digestDays }, (_, i) =>
    toDigestWindow(addDays(latestDay, -i), ctx.digestTime, ctx.timezone),
  );
  const ranges = windows.map((w) => ({ from: w.from.getTime(), to: w.to.getTime() }));
  // One scan of the store serves every window.
  const stored = await ctx.reader.listArticlesStoredIn(ranges);
  return new Map(windows.map((w) => [w.day, renderDigestDay(w, stored, ctx.settings)]));
}

/** The newest `limit` articles of the sources of one tag, newest first. */
export async function listTagArticles(
  ctx: SnapshotContext,
  sourceIds: readonly string[],
  limit: number,
  cache = new Map<string, StoredArticle[]>(),
): Promise<StoredArticle[]> {
  const all: StoredArticle[] = [];
  for (const sourceId of sourceIds) {
    const listed = cache.get(sourceId) ?? (await ctx.reader.listArticles({ sourceId, limit }));
    all.push(...listed);
  }
  const time = (a: StoredArticle) => a.publishedAt ?? a.storedAt;
  return all.sort((a, b) => time(b) - time(a)).slice(0, limit);
}

/**
 * One feed row for `arg` with `limit` items instead of the default (a `?limit=` request); null when
 * the snapshot knows no such source or tag.
 */
export async function buildFeedWithLimit(
  ctx: SnapshotContext,
  snap: OutputSnapshot,
  row: OutputRow,
  arg: string,
  limit: number,
): Promise<Representation | null> {
  const { reader, settings } = ctx;
  let articles: StoredArticle[] | null = null;
  if (row.scope === "all") articles = await reader.listArticles({ limit });
  if (row.scope === "source" && snap.sources.has(arg))
    articles = await reader.listArticles({ sourceId: arg, limit });
  const members = snap.tags.get(arg);
  if (row.scope === "tag" && members !== undefined) articles = await listTagArticles(ctx, members, limit);
  if (articles === null || (row.scope !== "all" && row.scope !== "source" && row.scope !== "tag"))
    return null;
  return renderArticleScope(row.scope, arg, articles, settings, limit).get(toOutputPath(row, arg)) ?? null;
}

/** Copies the outputs of `scope` for `arg` from the previous snapshot. */
function keep(outputs: OutputMap, previous: OutputSnapshot, scope: FeedScope, arg: string): void {
  for (const row of feedRowsOf(scope)) {
    const path = toOutputPath(row, arg);
    const rep = previous.outputs.get(path);
    if (rep !== undefined) outputs.set(path, rep);
  }
}

/** The source and tag feeds: rebuilt when dirty, else kept from `previous`. */
async function buildSourceFeeds(
  ctx: SnapshotContext,
  previous: OutputSnapshot | null,
  ids: readonly string[],
  dirty: ReadonlySet<string>,
  outputs: OutputMap,
): Promise<Map<string, { keys: ReadonlySet<string>; name: string }>> {
  const { reader, settings } = ctx;
  const sources = new Map<string, { keys: ReadonlySet<string>; name: string }>();
  const listed = new Map<string, StoredArticle[]>();
  for (const id of ids) {
    const kept = previous?.sources.get(id);
    if (!dirty.has(id) && kept !== undefined && previous !== null) {
      sources.set(id, kept);
      keep(outputs, previous, "source", id);
      continue;
    }
    const articles = await reader.listArticles({ sourceId: id, limit: settings.defaultLimit });
    listed.set(id, articles);
    for (const [path, rep] of renderArticleScope("source", id, articles, settings)) outputs.set(path, rep);
    sources.set(id, { keys: new Set(articles.map((a) => a.key)), name: sourceName(id, articles, settings) });
  }
  for (const [tag, members] of groupTags(settings)) {
    if (previous !== null && !members.some((id) => dirty.has(id))) {
      keep(outputs, previous, "tag", tag);
      continue;
    }
    const articles = await listTagArticles(ctx, members, settings.defaultLimit, listed);
    for (const [path, rep] of renderArticleScope("tag", tag, articles, settings)) outputs.set(path, rep);
  }
  return sources;
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
  const { reader, settings } = ctx;
  const ids = await reader.listSourceIds();
  const outputs: OutputMap = renderArticleScope(
    "all",
    "",
    await reader.listArticles({ limit: settings.defaultLimit }),
    settings,
  );
  const latestDay = latestDigestDay(now, ctx.digestTime, ctx.timezone);
  const incremental = !plan.full && previous !== null;
  const { dirty, digest } = incremental
    ? await findDirty(ctx, previous, ids, plan.keys)
    : { dirty: new Set(ids), digest: true };
  const sources = await buildSourceFeeds(ctx, incremental ? previous : null, ids, dirty, outputs);
  for (const [path, rep] of renderOpml(
    ids.map((id) => ({ id, name: sources.get(id)?.name ?? id })),
    settings,
  ))
    outputs.set(path, rep);

  const reuseDigests = previous !== null && !digest && !plan.digest && latestDay === previous.latestDay;
  const days = reuseDigests ? previous.digestDays : await buildDigestDays(ctx, latestDay);
  if (reuseDigests) keep(outputs, previous, "digest", "");
  else for (const [path, rep] of renderDigestFeeds([...days.values()], settings)) outputs.set(path, rep);
  const dayRow = OUTPUTS.find((row) => row.scope === "digest-day");
  for (const [day, d] of days) {
    if (dayRow !== undefined && d.articleCount > 0) outputs.set(toOutputPath(dayRow, day), d.page);
  }
  const tags = groupTags(settings);
  const snapshot: OutputSnapshot = { version, outputs, sources, tags, latestDay, digestDays: days };
  return { snapshot, sourcesBuilt: dirty.size, digestBuilt: !reuseDigests };
}
