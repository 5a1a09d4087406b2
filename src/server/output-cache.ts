/**
 * Keeps the server's current snapshot of the published outputs (publish/snapshot.ts builds it by
 * walking the output table) in memory as ready-to-send bytes with their validators. Requests never
 * build anything for the default outputs: they read the current snapshot. Snapshots are rebuilt (1) at
 * start, (2) about a second after a change notice from the workers (`store/change-feed.ts`; notices
 * within that second are batched), and (3) when a cheap periodic check finds that the change counter
 * moved without a notice reaching us (pub/sub is fire-and-forget), that the last build failed, or that
 * a new digest window has closed. Feeds with request parameters (filters, `limit`, `mode=brief`:
 * `publish/feed-query.ts`), digest days older than the snapshot's and the "today so far" preview are
 * built on demand and kept in a bounded cache (by entries and bytes, keyed by the query's canonical
 * form) that every rebuild clears (so the preview follows every stored article). Each rebuild also
 * writes the static copies the table lists under `<dataDir>/public/`. The store is adapted to
 * publishing's read-only port (published-articles.ts), so publishing itself never imports the store.
 */

import type { Redis } from "ioredis";
import { StoreError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { latestDigestDay, toDigestTime } from "../publish/digest-windows.ts";
import type { OutputSettings } from "../publish/feed-outputs.ts";
import type { FeedQuery } from "../publish/feed-query.ts";
import type { OutputRow } from "../publish/output-table.ts";
import type { Representation } from "../publish/representation.ts";
import {
  buildDigestDay,
  buildDigestPreviewPage,
  buildFeedForQuery,
  buildSnapshot,
  type OutputSnapshot,
  type SnapshotContext,
  toPublicFiles,
} from "../publish/snapshot.ts";
import type { ArticleStore } from "../store/article-store.ts";
import { type ChangeWatch, readChangeVersion, watchArticleChanges } from "../store/change-feed.ts";
import { createPublicCopies } from "../store/public-copies.ts";
import { createPublishReader, type PublishPredicate } from "./published-articles.ts";
import { createRebuildQueue, type RebuildPlan, type RebuildQueue } from "./rebuild-queue.ts";
import { createVariantCache, type VariantCache } from "./variant-cache.ts";

export type { OutputSnapshot } from "../publish/snapshot.ts";

/** Dependencies and tuning of the output cache. */
export interface OutputCacheDeps {
  readonly store: ArticleStore;
  /** Regular connection: change counter and the digest's stored-at scan. */
  readonly redis: Redis;
  /** A connection dedicated to pub/sub; without one the cache relies on the periodic check alone. */
  readonly subscriber?: Redis;
  readonly prefix: string;
  readonly settings: OutputSettings;
  /** The sources' publishing filters; absent publishes every article. */
  readonly isPublished?: PublishPredicate | undefined;
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
  /**
   * A feed row for `arg` as a request's parameters ask for it (filters, `limit`, `mode=brief`), cached
   * by the query's canonical form until the next rebuild; null when its source or tag is unknown.
   */
  feedForQuery(row: OutputRow, arg: string, query: FeedQuery): Promise<Representation | null>;
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

/** Most on-demand outputs kept (filtered feeds, old digests), and their total size. */
const MAX_VARIANTS = 64;
const MAX_VARIANT_BYTES = 64 * 1024 * 1024;
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
    reader: createPublishReader({
      store: deps.store,
      redis: deps.redis,
      prefix: deps.prefix,
      isPublished: deps.isPublished,
    }),
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

/** The outputs built on request (filtered feeds, old digests, the preview), kept in `variants`. */
function createVariantReads(
  ctx: SnapshotContext,
  variants: VariantCache<Representation | null>,
  state: CacheState,
  now: () => Date,
): Pick<OutputCache, "feedForQuery" | "digestPage" | "digestPreview"> {
  return {
    feedForQuery(row, arg, query) {
      const snap = state.current;
      if (snap === null) return Promise.resolve(null);
      return variants.get(`${row.id}:${arg}:${query.canonical}`, () =>
        buildFeedForQuery(ctx, snap, row, arg, { query, now: now() }),
      );
    },
    async digestPage(day) {
      const snap = state.current;
      if (snap === null || day > snap.latestDay) return null;
      const ready = snap.digestDays.get(day);
      if (ready !== undefined) return ready.articleCount > 0 ? ready.page : null;
      return variants.get(`digest:${day}`, async () => {
        const built = await buildDigestDay(ctx, day);
        return built.articleCount > 0 ? built.page : null;
      });
    },
    async digestPreview() {
      const snap = state.current;
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
  const variants = createVariantCache<Representation | null>(MAX_VARIANTS, {
    maxBytes: MAX_VARIANT_BYTES,
    sizeOf: (rep) => rep?.body.length ?? 0,
  });
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
    ...createVariantReads(ctx, variants, state, now),

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
