/**
 * Creates the BullMQ workers (the only module that touches `Worker`): `discover` runs poll jobs,
 * `wechat` runs article and album fetches, `publish` builds digests when given a builder. The wechat
 * queue has no queue-wide limiter: pace, cool-down and budget belong to the worker's egress group
 * (`egress-gate.ts`, `egress-presence.ts`), so a verification page pauses only the workers of its own
 * egress and the others keep taking jobs. Payloads are validated at dequeue, every job
 * logs one outcome line with its duration, and failures go through the retry policy.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type Job, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { isAppError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { ArticleRef, FeedPollResult } from "../model.ts";
import { parseArticleUrl } from "../parsers/wechat-url.ts";
import type { ArticleStore } from "../store/article-store.ts";
import type { FailedArticles } from "../store/failed-articles.ts";
import type { SourceState } from "../store/source-state.ts";
import { createTagIndex } from "../store/tag-index.ts";
import { applyDecision, type DecisionDeps } from "./apply-decision.ts";
import { buildArticleJobData, type RefOrigin } from "./article-jobs.ts";
import { type BuildDigestData, BuildDigestDataSchema, type BuildDigestResult } from "./build-digest.ts";
import { MANUAL_SOURCE_ID } from "./enqueue.ts";
import { recordFetchFailure } from "./failed-retry.ts";
import type { EgressPresence, PausableWorker } from "./egress-presence.ts";
import { createFetchAlbum, type FetchAlbumDeps } from "./fetch-album.ts";
import { createFetchArticle, type FetchArticleDeps } from "./fetch-article.ts";
import { albumJobId, articleJobId } from "./job-ids.ts";
import { errorCodeOf, type JobObserver, reportJobOutcome } from "./job-outcome.ts";
import { createPollSource, type PollSourceDeps } from "./poll-source.ts";
import {
  type FetchAlbumData,
  FetchAlbumDataSchema,
  FetchArticleDataSchema,
  JOB,
  PollSourceDataSchema,
  QUEUE,
  type Queues,
} from "./queues.ts";
import { toLoggedRejectedLinks } from "./rejected-links.ts";
import { type FailedRetryPolicy, isPermanentFailure } from "./retry-policy.ts";

/** Tuning of the workers, from the configuration. */
export interface WorkerSettings {
  readonly concurrency: number;
  /** The egress group this process fetches through (`worker.egress`). */
  readonly egress: string;
  /** How long a job's lock lasts without renewal: a killed worker's job is taken over after it. */
  readonly lockMs: number;
  /**
   * A job's deadline (config jobs.timeoutMs): its signal aborts the page fetch in flight, which then
   * fails with FETCH_TIMEOUT and is retried like any timeout.
   */
  readonly jobTimeoutMs: number;
  readonly cooldown: { readonly initialMs: number; readonly maxMs: number };
}

/** Everything the workers need, wired by the composition root. */
export interface WorkerDeps
  extends Omit<FetchArticleDeps, "store">,
    Pick<PollSourceDeps, "findSource" | "fetchListing" | "readTextFile" | "maxItemsPerListing">,
    Pick<FetchAlbumDeps, "fetchWeChatText"> {
  readonly connection: Redis;
  readonly prefix: string;
  readonly queues: Queues;
  readonly store: ArticleStore;
  readonly sourceState: SourceState;
  readonly logger: Logger;
  readonly settings: WorkerSettings;
  /** Failure records of articles whose jobs failed for good (`failed-retry.ts`). */
  readonly failed: FailedArticles;
  readonly failedRetryPolicy: FailedRetryPolicy;
  /** Tells publishers an article was stored or changed. */
  onArticleChanged(key: string): Promise<void>;
  /** Runs after a fetched article was stored or edited (queues its summary); must not throw. */
  onArticleSaved?(key: string, outcome: "stored" | "updated"): Promise<void>;
  /** Runs `build-digest` jobs; when absent no publish-queue worker is started. */
  readonly buildDigest?: (data: BuildDigestData) => Promise<BuildDigestResult>;
  /** Told every job outcome (metrics, notifications). */
  readonly observe?: JobObserver;
  /** Joins the wechat worker to its egress group (heartbeats, local pauses). */
  startEgressPresence(wechat: PausableWorker): EgressPresence;
  now(): number;
}

/** The running workers. */
export interface Workers {
  readonly discover: Worker;
  readonly wechat: Worker;
  /** The publish-queue worker (digests), or null without `buildDigest`. */
  readonly publish: Worker | null;
  /** Stops taking jobs, waits for the active ones (or releases them after `timeoutMs`), closes. */
  close(timeoutMs: number): Promise<void>;
}

function articleJobs(refs: readonly ArticleRef[], origin: RefOrigin) {
  return refs.map((ref) => ({
    name: JOB.fetchArticle,
    data: buildArticleJobData(ref, origin),
    opts: { jobId: articleJobId(ref.key) },
  }));
}

/** Reports one job outcome to `deps.observe` (metrics, notifications). */
type Observe = (
  queue: string,
  job: Job,
  outcome: string,
  code: string | null,
  durationMs: number,
  result: object | null,
) => void;

function createObserve(deps: WorkerDeps): Observe {
  return (queue, job, outcome, code, durationMs, result) =>
    reportJobOutcome(deps.observe, queue, job, outcome, code, durationMs, result);
}

/** The discover processor: polls a source, records the poll (or its failure) in the source state. */
function createDiscoverProcessor(
  deps: WorkerDeps,
  pollSource: ReturnType<typeof createPollSource>,
  observe: Observe,
) {
  const { logger } = deps;
  return async (job: Job) => {
    const started = deps.now();
    const data = parsePayload(PollSourceDataSchema, job);
    try {
      const result = await pollSource(data);
      await deps.sourceState.recordPoll(data.sourceId, {
        at: deps.now(),
        ok: true,
        found: result.found,
        added: result.added,
        ...(result.feeds === undefined ? {} : { feeds: result.feeds }),
      });
      const durationMs = deps.now() - started;
      logger.info(
        { queue: QUEUE.discover, jobId: job.id, jobName: job.name, ...result, durationMs },
        "job completed",
      );
      observe(QUEUE.discover, job, "polled", null, durationMs, result);
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const feeds = isAppError(error)
        ? (error.details.feeds as readonly FeedPollResult[] | undefined)
        : undefined;
      await deps.sourceState.recordPoll(data.sourceId, {
        at: deps.now(),
        ok: false,
        found: 0,
        added: 0,
        error: isAppError(error) ? `${error.code}: ${message}` : message,
        ...(feeds === undefined ? {} : { feeds }),
      });
      const durationMs = deps.now() - started;
      logger.warn(
        {
          queue: QUEUE.discover,
          jobId: job.id,
          sourceId: data.sourceId,
          err: error,
          durationMs,
          outcome: "failed",
        },
        "job failed",
      );
      observe(QUEUE.discover, job, "error", errorCodeOf(error), durationMs, null);
      throw isPermanentFailure(error) ? new UnrecoverableError(message) : error;
    }
  };
}

/** What the wechat processor runs: the two fetch processors and the retry policy's dependencies. */
interface WechatSteps {
  readonly fetchArticle: ReturnType<typeof createFetchArticle>;
  readonly fetchAlbum: ReturnType<typeof createFetchAlbum>;
  readonly decisionDeps: DecisionDeps;
}

/**
 * The wechat processor: an album page or an article, under the job's deadline (its signal aborts the
 * fetch in flight); a failure goes through the retry policy (applyDecision).
 */
function createWechatProcessor(deps: WorkerDeps, steps: WechatSteps, observe: Observe) {
  const { logger, settings } = deps;
  return async (job: Job, token?: string) => {
    const started = deps.now();
    const deadline = AbortSignal.timeout(settings.jobTimeoutMs);
    try {
      let result: Awaited<ReturnType<WechatSteps["fetchAlbum"] | WechatSteps["fetchArticle"]>>;
      if (job.name === JOB.fetchAlbum)
        result = await steps.fetchAlbum(parsePayload(FetchAlbumDataSchema, job));
      else {
        const data = parsePayload(FetchArticleDataSchema, job);
        result = await steps.fetchArticle(data, deadline);
        // Stored, known or tombstoned: whatever failed before is settled.
        await deps.failed.clearFailure(data.key);
      }
      if (result.outcome === "stored" || result.outcome === "updated") {
        await deps.onArticleChanged(result.key);
        await deps.onArticleSaved?.(result.key, result.outcome);
      }
      const durationMs = deps.now() - started;
      logger.info(
        { queue: QUEUE.wechat, jobId: job.id, jobName: job.name, ...result, durationMs },
        "job completed",
      );
      observe(QUEUE.wechat, job, result.outcome, null, durationMs, result);
      return result;
    } catch (error) {
      const durationMs = deps.now() - started;
      logger.debug({ queue: QUEUE.wechat, jobId: job.id, err: error, durationMs }, "job attempt failed");
      try {
        return await applyDecision(error, job, token, steps.decisionDeps);
      } finally {
        // After the decision, so observers see its effects (the cool-down it started).
        observe(QUEUE.wechat, job, "error", errorCodeOf(error), durationMs, null);
      }
    }
  };
}

/** What the publish-queue worker needs. */
export interface PublishWorkerDeps {
  readonly connection: Redis;
  readonly prefix: string;
  readonly lockMs: number;
  readonly logger: Logger;
  readonly buildDigest: (data: BuildDigestData) => Promise<BuildDigestResult>;
  readonly observe?: JobObserver;
  now(): number;
}

/**
 * Starts the publish-queue worker (digests), one job at a time. The worker role runs it when its
 * workers write the archive, else the archiver role does, since the digest file goes to DATA_DIR.
 */
export function createPublishWorker(deps: PublishWorkerDeps): Worker {
  const { buildDigest, logger } = deps;
  const worker = new Worker(
    QUEUE.publish,
    async (job: Job) => {
      const started = deps.now();
      try {
        const result = await buildDigest(parsePayload(BuildDigestDataSchema, job));
        const durationMs = deps.now() - started;
        logger.info(
          { queue: QUEUE.publish, jobId: job.id, jobName: job.name, ...result, durationMs },
          "job completed",
        );
        reportJobOutcome(deps.observe, QUEUE.publish, job, "built", null, durationMs, result);
        return result;
      } catch (error) {
        // A day that is no date, or whose window is still open, cannot succeed on a retry.
        if (isAppError(error, "USAGE")) throw new UnrecoverableError(error.message);
        throw error;
      }
    },
    {
      connection: deps.connection,
      prefix: deps.prefix,
      lockDuration: deps.lockMs,
      stalledInterval: deps.lockMs,
      concurrency: 1,
    },
  );
  logWorkerEvents(worker, logger);
  return worker;
}

/** Logs a worker's final job failures (not rate-limit or delay signals) and its errors. */
function logWorkerEvents(worker: Worker, logger: Logger): void {
  worker.on("failed", (job, error) => {
    if (job !== undefined && !(error.name === "RateLimitError" || error.name === "DelayedError")) {
      logger.info(
        {
          queue: worker.name,
          jobId: job.id,
          jobName: job.name,
          attempt: job.attemptsMade,
          outcome: "failed",
          code: (error as { code?: string }).code,
        },
        "job outcome",
      );
    }
  });
  worker.on("error", (error) => logger.error({ queue: worker.name, err: error }, "worker error"));
}

/**
 * Logs each failed job's outcome and errors of the discover and wechat workers; a wechat job that
 * failed for good gets its failure record (for automatic and manual retries).
 */
function watchFailures(deps: WorkerDeps, wechat: Worker, all: readonly Worker[]): void {
  const { logger } = deps;
  const failureDeps = {
    failed: deps.failed,
    store: deps.store,
    wechatQueue: deps.queues.wechat,
    policy: deps.failedRetryPolicy,
    logger,
    now: deps.now,
  };
  wechat.on("failed", (job, error) => {
    if (job === undefined) return;
    recordFetchFailure(failureDeps, job, error).catch((err: unknown) =>
      logger.error({ jobId: job.id, err }, "failure not recorded"),
    );
  });
  for (const worker of all) logWorkerEvents(worker, logger);
}

/** Closes `all`, force-closing them when active jobs outlast `timeoutMs`. */
async function closeWorkers(all: readonly Worker[], timeoutMs: number, logger: Logger): Promise<void> {
  const closing = Promise.all(all.map((w) => w.close()));
  const timer = sleep(timeoutMs, "timeout" as const, { ref: false });
  if ((await Promise.race([closing.then(() => "closed" as const), timer])) === "timeout") {
    // Force-close: active jobs keep their locks until they expire, then another worker takes them.
    logger.warn({ timeoutMs }, "workers force-closed");
    await Promise.all(all.map((w) => w.close(true)));
  }
}

/** Starts the discover and wechat workers (and the publish worker when digests are built here). */
export function createWorkers(deps: WorkerDeps): Workers {
  const { queues, store, logger, settings } = deps;
  const tagIndex = createTagIndex(deps.connection, deps.prefix);
  const addArticleJobs = async (refs: readonly ArticleRef[], origin: RefOrigin) => {
    if (refs.length > 0) await queues.wechat.addBulk(articleJobs(refs, origin));
  };
  const addAlbumJob = async (data: FetchAlbumData) => {
    const cursor = data.cursor === null ? null : `${data.cursor.beginMsgid}-${data.cursor.beginItemidx}`;
    await queues.wechat.add(JOB.fetchAlbum, data, { jobId: albumJobId(`album-${data.sourceId}`, cursor) });
  };
  const pollSource = createPollSource({
    ...deps,
    addArticleJobs,
    addAlbumJob,
    onRejected: (sourceId, rejected) =>
      logger.info(
        { sourceId, count: rejected.length, links: toLoggedRejectedLinks(rejected) },
        "links rejected",
      ),
    onSkipped: (sourceId, skipped) =>
      logger.info({ sourceId, skipped, max: deps.maxItemsPerListing }, "listing items skipped"),
    tagArticles: (keys, tags) => tagIndex.tagArticles(keys, tags, deps.now()),
  });
  const observe = createObserve(deps);
  const base = {
    connection: deps.connection,
    prefix: deps.prefix,
    lockDuration: settings.lockMs,
    stalledInterval: settings.lockMs,
  };
  const discover = new Worker(QUEUE.discover, createDiscoverProcessor(deps, pollSource, observe), {
    ...base,
    concurrency: settings.concurrency,
  });

  let presence: EgressPresence | undefined;
  const decisionDeps: DecisionDeps = {
    store,
    sourceState: deps.sourceState,
    logger: logger.child({ queue: QUEUE.wechat }),
    cooldown: settings.cooldown,
    egress: settings.egress,
    now: deps.now,
    pauseEgress: async (ms) => presence?.pauseFor(ms),
    enqueueMigrationTarget: async (url) => {
      const target = parseArticleUrl(url);
      const ref = { url: target.url, key: target.key, title: null, date: null };
      await addArticleJobs([ref], { sourceId: MANUAL_SOURCE_ID, sourceName: null, fetcher: null });
    },
  };
  const steps: WechatSteps = {
    fetchArticle: createFetchArticle({ ...deps, store }),
    fetchAlbum: createFetchAlbum({ ...deps, addArticleJobs, addAlbumJob }),
    decisionDeps,
  };
  const wechat = new Worker(QUEUE.wechat, createWechatProcessor(deps, steps, observe), {
    ...base,
    concurrency: settings.concurrency,
  });
  presence = deps.startEgressPresence(wechat);

  const publish =
    deps.buildDigest === undefined
      ? null
      : createPublishWorker({ ...deps, lockMs: settings.lockMs, buildDigest: deps.buildDigest });
  watchFailures(deps, wechat, [discover, wechat]);
  const all = publish === null ? [discover, wechat] : [discover, wechat, publish];
  return {
    discover,
    wechat,
    publish,
    async close(timeoutMs) {
      await presence?.stop();
      await closeWorkers(all, timeoutMs, logger);
    },
  };
}

/** Validates a job payload; a malformed one can never succeed, so it fails without retries. */
function parsePayload<T>(
  schema: {
    safeParse(v: unknown): { success: true; data: T } | { success: false; error: { message: string } };
  },
  job: Job,
): T {
  const parsed = schema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`worker: invalid ${job.name} payload`);
  return parsed.data;
}
