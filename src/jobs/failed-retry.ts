/**
 * No transient failure is final. When a fetch-article job fails for good (its attempts ran out, or the
 * policy failed it), `recordFetchFailure` keeps a failure record with its class, reason and attempts and,
 * for transient failures, the time of its next automatic retry (`retry-policy.ts` `nextAutomaticRetry`).
 * `retryFailedArticle` starts such an article again now: the automatic retry loop (`startFailedRetry`,
 * run by the scheduler role), `wechat-feed enqueue` and the status page's "retry now" all go through it.
 * The loop also records failed jobs that have no record yet (a worker that died between BullMQ failing the
 * job and writing the record), so a failure is never only in BullMQ's failed list.
 */
import { type Job, type Queue, UnrecoverableError } from "bullmq";
import type { Logger } from "../logger.ts";
import type { ArticleStore } from "../store/article-store.ts";
import type { FailedArticles } from "../store/failed-articles.ts";
import { addArticleJob, readArticleJobData } from "./article-jobs.ts";
import { JOB } from "./queues.ts";
import { type FailedRetryPolicy, nextAutomaticRetry } from "./retry-policy.ts";

/** What recording and retrying failures needs. */
export interface FailedRetryDeps {
  readonly failed: FailedArticles;
  readonly store: ArticleStore;
  readonly wechatQueue: Queue;
  readonly policy: FailedRetryPolicy;
  readonly logger: Logger;
  now(): number;
}

/** The error code carried by a job failure (our AppErrors, and UnrecoverableErrors made from them). */
function codeOf(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && code !== "" ? code : "UNEXPECTED";
}

/** True when `error` ends the job for good: an unrecoverable decision, or its last attempt. */
function isFinal(job: Job, error: Error): boolean {
  if (error.name === "RateLimitError" || error.name === "DelayedError") return false;
  return error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
}

/**
 * Records a fetch-article job that failed for good (no-op for other jobs and for attempts still to come).
 * Unrecoverable failures are permanent: they need a change, not time. Everything else (network,
 * timeouts, 5xx, archive writes) is transient.
 */
export async function recordFetchFailure(deps: FailedRetryDeps, job: Job, error: Error): Promise<void> {
  if (job.name !== JOB.fetchArticle || !isFinal(job, error)) return;
  await writeFailureRecord(deps, job, {
    code: codeOf(error),
    reason: error.message,
    transient: !(error instanceof UnrecoverableError),
  });
}

/** Writes the failure record of `job`, unless its article was tombstoned or stored (and archived) meanwhile. */
async function writeFailureRecord(
  deps: FailedRetryDeps,
  job: Job,
  failure: { readonly code: string; readonly reason: string; readonly transient: boolean },
): Promise<void> {
  const data = readArticleJobData(job.data);
  if (data === null) return;
  const known = (await deps.store.resolveAlias(data.key)) ?? data.key;
  const stored = await deps.store.readArticleRecord(known);
  const settled =
    (await deps.store.readTombstone(known)) !== null ||
    (stored !== null && stored.truncated !== true && !(await deps.store.isArchivePending(known)));
  if (settled) {
    // Tombstoned, or stored through another link meanwhile: nothing is left to retry.
    await deps.failed.clearFailure(data.key);
    return;
  }
  const now = deps.now();
  const previous = await deps.failed.readFailure(data.key);
  const firstFailedAt = previous?.firstFailedAt ?? now;
  const retries = previous?.retries ?? 0;
  const { transient } = failure;
  const record = await deps.failed.recordFailure({
    key: data.key,
    url: data.url,
    sourceId: data.sourceId,
    code: failure.code,
    errorClass: transient ? "transient" : "permanent",
    reason: failure.reason,
    attempts: job.attemptsMade,
    failedAt: now,
    firstFailedAt,
    retries,
    nextRetryAt: nextAutomaticRetry({ transient, firstFailedAt, retries }, now, deps.policy),
    job: data,
  });
  deps.logger.warn(
    {
      alert: true,
      articleKey: record.key,
      url: record.url,
      code: record.code,
      errorClass: record.errorClass,
      attempts: record.attempts,
      nextRetryAt: record.nextRetryAt === null ? null : new Date(record.nextRetryAt).toISOString(),
    },
    "article failed",
  );
}

/** What a retry did: started a fetch, found one on its way, or found nothing to retry. */
export type RetryOutcome = "queued" | "in-progress" | "unknown";

/**
 * Starts the fetch of a failed article again now, with fresh attempts. `automatic` counts the retry
 * against the record's schedule; a retry asked for by a person does not. The record stays until the
 * fetch stores the article, so a retry that fails again is recorded again with its new reason.
 */
export async function retryFailedArticle(
  deps: Pick<FailedRetryDeps, "failed" | "wechatQueue">,
  key: string,
  automatic: boolean,
): Promise<RetryOutcome> {
  const record = await deps.failed.readFailure(key);
  const data = record === null ? null : readArticleJobData(record.job);
  if (record === null || data === null) return "unknown";
  const added = await addArticleJob(deps.wechatQueue, data);
  // No automatic retry is planned while this fetch runs; a new failure plans the next one.
  await deps.failed.scheduleRetry(key, null, record.retries + (automatic ? 1 : 0));
  return added === "added" ? "queued" : "in-progress";
}

/**
 * Records the kept failed jobs that have no failure record: a worker that died between BullMQ failing
 * the job and writing the record, or a job failed by BullMQ itself (stalled too often). Their error is
 * gone, so they count as transient: retrying on the long schedule is the safe side.
 */
async function recordMissingFailures(deps: FailedRetryDeps): Promise<void> {
  for (const job of await deps.wechatQueue.getFailed(0, 199)) {
    if (job.name !== JOB.fetchArticle) continue;
    const data = readArticleJobData(job.data);
    if (data === null || (await deps.failed.readFailure(data.key)) !== null) continue;
    await writeFailureRecord(deps, job, {
      code: "UNEXPECTED",
      reason: job.failedReason || "failed",
      transient: true,
    });
  }
}

/** One pass: record unrecorded failures, then start every retry that is due. */
export async function runDueRetries(deps: FailedRetryDeps): Promise<number> {
  await recordMissingFailures(deps);
  let started = 0;
  for (const key of await deps.failed.dueFailures(deps.now(), 100)) {
    if ((await retryFailedArticle(deps, key, true)) === "queued") started++;
  }
  if (started > 0) deps.logger.info({ count: started }, "failed articles retried");
  return started;
}

/** The running retry loop. */
export interface FailedRetryLoop {
  stop(): Promise<void>;
}

/** Runs `runDueRetries` every `checkMs` (first at start); errors are logged and the next pass tries again. */
export function startFailedRetry(deps: FailedRetryDeps, checkMs: number): FailedRetryLoop {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = runDueRetries(deps).catch((err: unknown) =>
      deps.logger.error({ err }, "failed retries not run"),
    );
  };
  tick();
  const timer = setInterval(tick, checkMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
