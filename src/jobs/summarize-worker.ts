/**
 * The summarize queue: adding a `summarize-article` job once an article is stored or edited (one job
 * per article content, so an unchanged article is never summarized twice), and the BullMQ worker that
 * runs them at `summarize.concurrency`. Retries follow `summaryRetryDelay` (429, 5xx and timeouts back
 * off exponentially, a longer `Retry-After` wins; other client errors fail at once); a spent daily
 * budget parks the job until the next Beijing midnight without spending an attempt.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { DelayedError, type Job, type Queue, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { isAppError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { summarizeJobId } from "./job-ids.ts";
import { errorCodeOf, type JobObserver, reportJobOutcome } from "./job-outcome.ts";
import { JOB, QUEUE, SummarizeArticleDataSchema } from "./queues.ts";
import { summaryRetryDelay } from "./retry-policy.ts";
import type { SummarizeOutcome } from "./summarize-article.ts";

/** Retry settings of summarize jobs (config `summarize.attempts` / `backoffMs`). */
export interface SummarizeRetrySettings {
  readonly attempts: number;
  readonly backoffMs: number;
}

const BACKOFF_TYPE = "summarize";

/** Adds the job summarizing `key` at `contentHash`; a second add for the same content is a no-op. */
export async function addSummarizeJob(
  queue: Queue,
  retry: SummarizeRetrySettings,
  key: string,
  contentHash: string,
  announce = false,
): Promise<void> {
  await queue.add(
    JOB.summarizeArticle,
    { key, contentHash, announce },
    { jobId: summarizeJobId(key, contentHash), attempts: retry.attempts, backoff: { type: BACKOFF_TYPE } },
  );
}

/** What the summarize worker needs. */
export interface SummarizeWorkerDeps {
  readonly connection: Redis;
  readonly prefix: string;
  readonly concurrency: number;
  readonly lockMs: number;
  readonly retry: SummarizeRetrySettings;
  summarize(key: string): Promise<SummarizeOutcome>;
  readonly logger: Logger;
  readonly observe?: JobObserver;
  now(): number;
}

/** Starts the summarize worker. */
export function createSummarizeWorker(deps: SummarizeWorkerDeps): Worker {
  const { logger } = deps;
  const worker = new Worker(
    QUEUE.summarize,
    async (job: Job, token?: string) => {
      const started = deps.now();
      const parsed = SummarizeArticleDataSchema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`worker: invalid ${job.name} payload`);
      try {
        const result = await deps.summarize(parsed.data.key);
        const durationMs = deps.now() - started;
        logger.info({ queue: QUEUE.summarize, jobId: job.id, ...result, durationMs }, "job completed");
        reportJobOutcome(deps.observe, QUEUE.summarize, job, result.outcome, null, durationMs, result);
        return result;
      } catch (error) {
        const code = errorCodeOf(error);
        logger.info({ queue: QUEUE.summarize, jobId: job.id, code, err: error }, "summary attempt failed");
        if (isAppError(error, "FETCH_BUDGET_EXHAUSTED")) {
          const wait = Number(error.details.retryInMs ?? 3_600_000);
          await job.moveToDelayed(deps.now() + wait, token);
          throw new DelayedError();
        }
        const final =
          summaryRetryDelay(error, job.attemptsMade + 1, deps.retry.backoffMs, deps.now()) === null;
        if (final || job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
          // The last try: observers learn the summary will not come (article.new goes out without it).
          deps.observe?.({
            queue: QUEUE.summarize,
            jobName: job.name,
            outcome: "error",
            code,
            durationMs: deps.now() - started,
            data: job.data,
            result: null,
          });
        }
        if (final) throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
        throw error;
      }
    },
    {
      connection: deps.connection,
      prefix: deps.prefix,
      concurrency: deps.concurrency,
      lockDuration: deps.lockMs,
      stalledInterval: deps.lockMs,
      settings: {
        backoffStrategy: (attemptsMade, _type, err) =>
          summaryRetryDelay(err, attemptsMade, deps.retry.backoffMs, deps.now()) ?? 0,
      },
    },
  );
  worker.on("error", (error) => logger.error({ queue: QUEUE.summarize, err: error }, "worker error"));
  return worker;
}

/**
 * Closes the worker, waiting up to `timeoutMs` for a summary in flight (its request may hang for
 * `summarize.timeoutMs`), then force-closes: the job's lock expires and it is retried later.
 */
export async function closeSummarizeWorker(worker: Worker, timeoutMs: number, logger: Logger): Promise<void> {
  const closing = worker.close().then(() => "closed" as const);
  if ((await Promise.race([closing, sleep(timeoutMs, "timeout" as const, { ref: false })])) === "timeout") {
    logger.warn({ queue: QUEUE.summarize, timeoutMs }, "workers force-closed");
    await worker.close(true);
  }
}
