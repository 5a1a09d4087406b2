/**
 * Applies a retry-policy decision to a failed wechat-queue job with BullMQ's own tools: tombstones
 * and failures become UnrecoverableError, hour-long delays move the job to delayed without spending
 * an attempt, and a verification page starts the cool-down of this worker's egress group and pauses
 * its workers (the job goes back to the queue, for a worker of another egress).
 */
import { DelayedError, type Job, UnrecoverableError, Worker } from "bullmq";
import { AppError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { PageClass } from "../model.ts";
import type { ArticleStore } from "../store/article-store.ts";
import type { SourceState } from "../store/source-state.ts";
import { decide } from "./retry-policy.ts";

/** What applying a decision needs. */
export interface DecisionDeps {
  readonly store: ArticleStore;
  readonly sourceState: SourceState;
  readonly logger: Logger;
  readonly cooldown: { readonly initialMs: number; readonly maxMs: number };
  /** The egress group of this worker: its cool-down is the one read and started. */
  readonly egress: string;
  now(): number;
  /** Pauses this process's wechat worker (the other processes of the egress follow on their heartbeat). */
  pauseEgress(ms: number): Promise<void>;
  /** Enqueues the new URL of an article whose account migrated. */
  enqueueMigrationTarget(url: string): Promise<void>;
}

/** The cool-down level to escalate from (the recorded one while it is recent, else 0) and its time left. */
async function currentCooldown(deps: DecisionDeps): Promise<{ level: number; remainingMs: number }> {
  const recorded = await deps.sourceState.readCooldown(deps.egress);
  if (recorded === null) return { level: 0, remainingMs: 0 };
  const now = deps.now();
  return {
    level: now - recorded.until < deps.cooldown.maxMs ? recorded.level : 0,
    remainingMs: Math.max(0, recorded.until - now),
  };
}

/** An UnrecoverableError that keeps the error's code, so the failure record can name its class. */
function unrecoverable(code: string, message: string): UnrecoverableError {
  return Object.assign(new UnrecoverableError(message), { code });
}

/** Decides and acts on `error` for `job`; always throws (the BullMQ signal for what happens next). */
export async function applyDecision(
  error: unknown,
  job: Job<{ url: string; key: string; delaysSoFar?: number }>,
  token: string | undefined,
  deps: DecisionDeps,
): Promise<never> {
  const delaysSoFar = job.data.delaysSoFar ?? 0;
  const cooldown = await currentCooldown(deps);
  const decision = decide(error, {
    delaysSoFar,
    cooldownLevel: cooldown.level,
    cooldownRemainingMs: cooldown.remainingMs,
    cooldown: deps.cooldown,
  });
  const code = error instanceof AppError ? error.code : "UNEXPECTED";
  const message = error instanceof Error ? error.message : String(error);
  const log = deps.logger.child({ jobId: job.id, jobName: job.name, url: job.data.url, code });

  switch (decision.kind) {
    case "retry":
      throw error;
    case "tombstone": {
      const pageClass = (error instanceof AppError ? error.details.pageClass : undefined) as
        | PageClass
        | undefined;
      await deps.store.saveTombstone({
        key: job.data.key,
        url: job.data.url,
        pageClass: pageClass ?? "unavailable",
        reason: code,
        at: deps.now(),
      });
      log.warn({ alert: decision.alert, pageClass }, "article tombstoned");
      const target = error instanceof AppError ? error.details.targetUrl : undefined;
      if (code === "WECHAT_ACCOUNT_MIGRATED" && typeof target === "string")
        await deps.enqueueMigrationTarget(target);
      throw unrecoverable(code, message);
    }
    case "delay": {
      await job.updateData({ ...job.data, delaysSoFar: delaysSoFar + 1 });
      await job.moveToDelayed(deps.now() + decision.delayMs, token);
      log.info({ delayMs: decision.delayMs }, "job delayed");
      throw new DelayedError();
    }
    case "cooldown": {
      const until = deps.now() + decision.durationMs;
      await deps.sourceState.startCooldown({ until, level: decision.level, reason: code }, deps.egress);
      await deps.pauseEgress(decision.durationMs);
      log.warn(
        { alert: true, egress: deps.egress, durationMs: decision.durationMs, level: decision.level },
        "wechat fetching paused",
      );
      throw Worker.RateLimitError();
    }
    case "pause":
      await deps.pauseEgress(decision.durationMs);
      log.warn({ egress: deps.egress, durationMs: decision.durationMs }, "wechat fetching paused");
      throw Worker.RateLimitError();
    case "fail":
      log.warn({ alert: decision.alert }, "job failed for good");
      throw unrecoverable(code, message);
  }
}
