/**
 * The rendered feeds, OPML and digests the server answers from, kept in memory as ready-to-send bytes
 * with their validators. Requests never build anything for the default outputs: they read the current
 * snapshot (`output-snapshot.ts`). Snapshots are rebuilt (1) at start, (2) about a second after a change
 * notice from the workers (`store/change-feed.ts`; notices within that second are batched), and (3) when
 * a cheap periodic check finds that the change counter moved without a notice reaching us (pub/sub is
 * fire-and-forget), that the last build failed, or that a new digest window has closed. A `?limit=`
 * other than the default, digest days older than the snapshot's and the "today so far" preview are
 * built on demand and kept in a small cache that every rebuild clears (so the preview follows every
 * stored article). Each rebuild also writes the static copies under
 * `<dataDir>/public/`.
 */

import type { Redis } from "ioredis";
import { StoreError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { latestDigestDay, toDigestTime } from "../publish/digest-windows.ts";
import type { ArticleStore } from "../store/article-store.ts";
import { type ChangeWatch, readChangeVersion, watchArticleChanges } from "../store/change-feed.ts";
import type { Representation } from "./http-cache.ts";
import { type OutputSettings, renderCombinedFeed, renderSourceFeed } from "./output-builders.ts";
import {
  buildDigestDay,
  buildDigestPreviewPage,
  buildSnapshot,
  type OutputSnapshot,
  type SnapshotContext,
  toPublicFiles,
} from "./output-snapshot.ts";
import { createPublicCopies } from "./public-copies.ts";
import { createRebuildQueue, type RebuildPlan, type RebuildQueue } from "./rebuild-queue.ts";
import { createVariantCache, type VariantCache } from "./variant-cache.ts";

export type { OutputSnapshot } from "./output-snapshot.ts";

/** Dependencies and tuning of the output cache. */
export interface OutputCacheDeps {
  readonly store: ArticleStore;
  /** Regular connection: change counter and the digest's stored-at scan. */
  readonly redis: Redis;
  /** A connection dedicated to pub/sub; without one the cache relies on the periodic check alone. */
  readonly subscriber?: Redis;
  readonly prefix: string;
  readonly settings: OutputSettings;
  /** config.digest.schedule / timezone; `days` digest days kept ready (default 7). */
  readonly digest: { readonly schedule: string; readonly timezone: string; readonly days?: number };
  /** `<dataDir>/public`; null or absent writes no static copies. */
  readonly publicDir?: string | null;
  readonly logger: Logger;
  /** Delay between the first change notice and the rebuild. Default 1000 ms. */
  readonly debounceMs?: number;
  /** Period of the change-counter and digest-window check. Default 5000 ms. */
  readonly checkIntervalMs?: number;
  readonly now?: () => Date;
}

/** The server's view of the cache. */
export interface OutputCache {
  /** Builds the first snapshot (throws when it fails), subscribes to change notices, starts the check. */
  start(): Promise<void>;
  /** The current snapshot; null before `start` has built one. */
  snapshot(): OutputSnapshot | null;
  /** A feed with a non-default item count (the combined feed when `sourceId` is absent). */
  feedWithLimit(limit: number, sourceId?: string): Promise<Representation | null>;
  /**
   * The page of digest `day`, or null when that digest does not exist: its window has not closed, or
   * no article was stored in it (a quiet day, or a day before the first article).
   */
  digestPage(day: string): Promise<Representation | null>;
  /** The "today so far" page of the open window (built once per snapshot, on first request). */
  digestPreview(): Promise<Representation | null>;
  /** Rebuilds everything now and resolves when done (tests, operators). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

/** Each variant can hold up to 1000 full articles, so only a few are kept. */
const MAX_VARIANTS = 8;
/** Past this many changed articles in one batch, a full rebuild is cheaper than reading each one. */
const MAX_INCREMENTAL_KEYS = 200;

/** What the cache's builds and checks share. */
interface CacheState {
  current: OutputSnapshot | null;
  /** The highest change counter announced or read so far. */
  knownVersion: number;
  /** The last rebuild failed: the next check asks for a full one. */
  failed: boolean;
}

function createSnapshotContext(deps: OutputCacheDeps): SnapshotContext {
  return {
    store: deps.store,
    redis: deps.redis,
    prefix: deps.prefix,
    settings: deps.settings,
    digestTime: toDigestTime(deps.digest.schedule),
    timezone: deps.digest.timezone,
    digestDays: Math.max(1, deps.digest.days ?? 7),
  };
}

/**
 * The periodic check: a change counter above anything announced means lost notices, below the
 * snapshot's means Redis lost its data (both: full rebuild); a new digest day rebuilds the digests.
 */
async function checkForChanges(
  deps: OutputCacheDeps,
  ctx: SnapshotContext,
  state: CacheState,
  queue: RebuildQueue,
  now: Date,
): Promise<void> {
  const snap = state.current;
  if (snap === null) return;
  try {
    const version = await readChangeVersion(deps.redis, deps.prefix);
    if (state.failed || version > state.knownVersion || version < snap.version) {
      state.failed = false;
      queue.request({ full: true }, 0);
    }
    if (latestDigestDay(now, ctx.digestTime, ctx.timezone) !== snap.latestDay) {
      queue.request({ digest: true }, 0);
    }
  } catch (err) {
    deps.logger.warn({ err }, "outputs check failed");
  }
}

/** The outputs built on request (other feed sizes, old digests, the preview), kept in `variants`. */
function createVariantReads(
  ctx: SnapshotContext,
  variants: VariantCache<Representation | null>,
  current: () => OutputSnapshot | null,
): Pick<OutputCache, "feedWithLimit" | "digestPage" | "digestPreview"> {
  const { store, settings } = ctx;
  return {
    feedWithLimit(limit, sourceId) {
      return variants.get(`feed:${sourceId ?? ""}:${limit}`, async () => {
        if (sourceId === undefined) {
          return renderCombinedFeed(await store.listArticles({ limit }), settings, limit);
        }
        if (current()?.sources.has(sourceId) !== true) return null;
        return renderSourceFeed(sourceId, await store.listArticles({ sourceId, limit }), settings, limit);
      });
    },
    async digestPage(day) {
      const snap = current();
      if (snap === null || day > snap.latestDay) return null;
      const ready = snap.digestDays.get(day);
      if (ready !== undefined) return ready.articleCount > 0 ? ready.page : null;
      return variants.get(`digest:${day}`, async () => {
        const built = await buildDigestDay(ctx, day);
        return built.articleCount > 0 ? built.page : null;
      });
    },
    async digestPreview() {
      const snap = current();
      if (snap === null) return null;
      return variants.get(`digest-preview:${snap.latestDay}`, () =>
        buildDigestPreviewPage(ctx, snap.latestDay),
      );
    },
  };
}

/** Creates the output cache; nothing runs until `start`. */
export function createOutputCache(deps: OutputCacheDeps): OutputCache {
  const { logger } = deps;
  const now = deps.now ?? (() => new Date());
  const ctx = createSnapshotContext(deps);
  const copies = deps.publicDir ? createPublicCopies(deps.publicDir) : null;
  const variants = createVariantCache<Representation | null>(MAX_VARIANTS);
  const state: CacheState = { current: null, knownVersion: 0, failed: false };
  let checkTimer: NodeJS.Timeout | null = null;
  let watch: ChangeWatch | null = null;

  async function build(plan: RebuildPlan): Promise<void> {
    const started = performance.now();
    // Read before the articles, so a change racing with this build is never counted as built.
    const version = await readChangeVersion(deps.redis, deps.prefix);
    const full = plan.full || plan.keys.size > MAX_INCREMENTAL_KEYS;
    const { current } = state;
    const result = await buildSnapshot(ctx, current, { ...plan, full }, version, now());
    // A counter below the last build's means Redis lost its data: start counting from it again.
    state.knownVersion =
      current !== null && version < current.version ? version : Math.max(state.knownVersion, version);
    state.current = result.snapshot;
    variants.clear();
    const durationMs = Math.round(performance.now() - started);
    logger.info(
      { durationMs, full, sources: result.sourcesBuilt, digest: result.digestBuilt, version },
      "outputs rebuilt",
    );
    if (copies === null) return;
    try {
      await copies.write(toPublicFiles(result.snapshot));
    } catch (err) {
      logger.error({ err }, "static copies failed");
    }
  }

  const queue = createRebuildQueue(build, (err) => {
    // Keep serving the last good snapshot; the periodic check retries with a full rebuild.
    logger.error({ err }, "outputs rebuild failed");
    state.failed = true;
  });

  return {
    async start() {
      if (deps.subscriber !== undefined) {
        watch = await watchArticleChanges(deps.subscriber, deps.prefix, (change) => {
          state.knownVersion = Math.max(state.knownVersion, change.version);
          queue.request({ keys: [change.key] }, deps.debounceMs ?? 1000);
        });
      }
      queue.request({ full: true, digest: true }, 0);
      await queue.flush();
      if (state.current === null) {
        throw new StoreError("STORE_UNAVAILABLE", "output-cache: the first build failed");
      }
      state.failed = false;
      const check = () => checkForChanges(deps, ctx, state, queue, now());
      checkTimer = setInterval(() => void check(), deps.checkIntervalMs ?? 5000);
      checkTimer.unref();
    },

    snapshot: () => state.current,
    ...createVariantReads(ctx, variants, () => state.current),

    async refresh() {
      queue.request({ full: true }, 0);
      await queue.flush();
    },

    async close() {
      if (checkTimer !== null) clearInterval(checkTimer);
      await watch?.close();
      await queue.close();
    },
  };
}
