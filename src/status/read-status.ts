/**
 * The one status reader: everything an operator wants to see, read from Redis, the queues and the
 * configuration in one pass. The status page (`/`), `/api/status`, `wechat-feed status` and the
 * scrape-time metrics all call `readStatus`, so they can never disagree. Times are ms since the epoch;
 * the views format them.
 */
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Source } from "../config/sources.ts";
import { budgetKey } from "../jobs/fetch-budget.ts";
import { nextRunsOf } from "../jobs/scheduler.ts";
import { createArchiveHealth } from "../store/archive-health.ts";
import { createEgressState } from "../store/egress-state.ts";
import type { ArticleStore } from "../store/article-store.ts";
import type { SourceState } from "../store/source-state.ts";
import { type ArticleHead, readRecentHeads, readSourceTimes } from "../store/status-reads.ts";
import { buildSilence } from "./cadence.ts";
import type { FailureSource, FailureView } from "./failures.ts";

/** Queue job states shown everywhere. */
export const QUEUE_STATES = ["waiting", "active", "delayed", "failed", "completed"] as const;

/** What the reader needs. */
export interface StatusDeps {
  readonly redis: Redis;
  readonly prefix: string;
  readonly store: ArticleStore;
  readonly sourceState: SourceState;
  readonly queues: readonly Queue[];
  readonly failures: FailureSource;
  readonly sources: readonly Source[];
  readonly fetch: { readonly minIntervalMs: number; readonly dailyBudget?: number | undefined };
  /** This process's egress group, listed even before any of its workers reported. */
  readonly egress: string;
  /** A source is silent after this many usual intervals without an article. */
  readonly silentFactor: number;
  now(): number;
}

/** One source's state. */
export interface SourceStatus {
  readonly id: string;
  readonly name: string | null;
  readonly type: string;
  readonly schedule: string;
  readonly timezone: string;
  readonly enabled: boolean;
  readonly lastPoll: {
    readonly at: number;
    readonly ok: boolean;
    readonly found: number;
    readonly added: number;
  } | null;
  readonly nextPollAt: number | null;
  readonly failureStreak: number;
  readonly lastError: string | null;
  readonly lastSuccessAt: number | null;
  /** Newest article's publish (else store) time. */
  readonly lastArticleAt: number | null;
  readonly silentForMs: number | null;
  readonly usualIntervalMs: number | null;
  readonly silent: boolean;
  readonly articles: number;
}

/** A live worker connection (BullMQ's worker list). */
export interface WorkerView {
  readonly queue: string;
  readonly name: string;
  readonly addr: string;
  readonly ageSeconds: number;
}

/** One egress group: its live workers, cool-down and budget. */
export interface EgressStatus {
  readonly name: string;
  /** Workers whose heartbeat is recent. */
  readonly liveWorkers: number;
  /** Last heartbeat of any of its workers (ms), null when none reported in the last day. */
  readonly lastSeenAt: number | null;
  readonly cooldown: { readonly until: number; readonly level: number; readonly reason: string } | null;
  readonly budget: { readonly limit: number; readonly spent: number; readonly left: number } | null;
}

/** Everything the status views show. */
export interface Status {
  readonly generatedAt: number;
  readonly articles: number;
  readonly sources: readonly SourceStatus[];
  readonly fetching: {
    /** Every egress group seen in the last day (and this process's own), sorted by name. */
    readonly egresses: readonly EgressStatus[];
    readonly minIntervalMs: number;
  };
  readonly queues: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly workers: readonly WorkerView[];
  readonly failures: { readonly total: number; readonly recent: readonly FailureView[] };
  /** Whether archive writes fail, and how many stored documents still wait for their file. */
  readonly archive: {
    readonly failing: boolean;
    readonly lastError: string | null;
    readonly lastFailureAt: number | null;
    readonly pending: number;
  };
  readonly recent: readonly ArticleHead[];
}

const CADENCE_SAMPLE = 12;

async function readSource(deps: StatusDeps, source: Source, now: number): Promise<SourceStatus> {
  const [state, times, articles, runs] = await Promise.all([
    deps.sourceState.readSourceState(source.id),
    readSourceTimes(deps.redis, deps.prefix, source.id, CADENCE_SAMPLE),
    deps.store.countArticles(source.id),
    source.enabled ? nextRunsOf(source.schedule, source.timezone, 2) : Promise.resolve([]),
  ]);
  const [next, after] = runs;
  const pollIntervalMs = next !== undefined && after !== undefined ? after.getTime() - next.getTime() : null;
  const silence = buildSilence(times, pollIntervalMs, deps.silentFactor, now);
  return {
    id: source.id,
    name: source.name ?? null,
    type: source.type,
    schedule: source.schedule,
    timezone: source.timezone,
    enabled: source.enabled,
    lastPoll:
      state === null ? null : { at: state.lastPollAt, ok: state.ok, found: state.found, added: state.added },
    nextPollAt: next?.getTime() ?? null,
    failureStreak: state?.failureStreak ?? 0,
    lastError: state?.error ?? null,
    lastSuccessAt: state?.lastSuccessAt ?? null,
    lastArticleAt: times[0] ?? null,
    ...silence,
    articles,
  };
}

async function readQueues(queues: readonly Queue[]) {
  const counts: Record<string, Record<string, number>> = {};
  const workers: WorkerView[] = [];
  await Promise.all(
    queues.map(async (queue) => {
      counts[queue.name] = await queue.getJobCounts(...QUEUE_STATES);
      for (const w of await queue.getWorkers()) {
        workers.push({
          queue: queue.name,
          name: w.name ?? "",
          addr: w.addr ?? "",
          ageSeconds: Number(w.age ?? 0),
        });
      }
    }),
  );
  return {
    counts,
    workers: workers.sort((a, b) => a.queue.localeCompare(b.queue) || a.addr.localeCompare(b.addr)),
  };
}

async function readBudget(deps: StatusDeps, egress: string, now: number): Promise<EgressStatus["budget"]> {
  const limit = deps.fetch.dailyBudget;
  if (limit === undefined) return null;
  const spent = Math.min(limit, Number((await deps.redis.get(budgetKey(deps.prefix, egress, now))) ?? 0));
  return { limit, spent, left: limit - spent };
}

async function readEgresses(deps: StatusDeps, now: number): Promise<EgressStatus[]> {
  const presence = await createEgressState(deps.redis, deps.prefix).readPresence(now);
  const names = [...new Set([deps.egress, ...presence.map((p) => p.egress)])].sort();
  return Promise.all(
    names.map(async (name) => {
      const seen = presence.find((p) => p.egress === name);
      const [cooldown, budget] = await Promise.all([
        deps.sourceState.readCooldown(name),
        readBudget(deps, name, now),
      ]);
      return {
        name,
        liveWorkers: seen?.liveWorkers ?? 0,
        lastSeenAt: seen?.lastSeenAt ?? null,
        cooldown: cooldown !== null && cooldown.until > now ? cooldown : null,
        budget,
      };
    }),
  );
}

/** Reads the whole status; `recentLimit` bounds the failure and article lists. */
export async function readStatus(deps: StatusDeps, recentLimit = 20): Promise<Status> {
  const now = deps.now();
  const [sources, queues, egresses, total, recentFailures, recent, articles, health, pending] =
    await Promise.all([
      Promise.all(deps.sources.map((source) => readSource(deps, source, now))),
      readQueues(deps.queues),
      readEgresses(deps, now),
      deps.failures.countFailures(),
      deps.failures.listFailures({ limit: recentLimit }),
      readRecentHeads(deps.redis, deps.prefix, recentLimit),
      deps.store.countArticles(),
      createArchiveHealth(deps.redis, deps.prefix).read(),
      deps.store.countArchivePending(),
    ]);
  return {
    generatedAt: now,
    articles,
    sources,
    fetching: {
      egresses,
      minIntervalMs: deps.fetch.minIntervalMs,
    },
    queues: queues.counts,
    workers: queues.workers,
    failures: { total, recent: recentFailures },
    archive: {
      failing: health.failing,
      lastError: health.lastError,
      lastFailureAt: health.lastFailureAt,
      pending,
    },
    recent,
  };
}
