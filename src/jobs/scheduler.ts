/**
 * The scheduler: one node-cron task per enabled source, each tick adding a poll job whose id is
 * derived from the source and the tick's *scheduled* time, so any number of scheduler processes add
 * each tick once. At start, a source whose last poll is older than its interval gets one catch-up
 * job for the most recent missed slot (replicas booting together compute the same slot).
 */
import type { Queue } from "bullmq";
import { createTask, type ScheduledTask } from "node-cron";
import type { Source } from "../config/sources.ts";
import type { Logger } from "../logger.ts";
import type { SourceState } from "../store/source-state.ts";
import { tickJobId } from "./job-ids.ts";
import { JOB, type PollSourceData } from "./queues.ts";

/** What the scheduler needs. */
export interface SchedulerDeps {
  readonly sources: readonly Source[];
  readonly discoverQueue: Queue;
  readonly sourceState: SourceState;
  readonly logger: Logger;
  now(): Date;
}

/** A running scheduler. */
export interface Scheduler {
  /** Stops ticking; resolves once no tick is being enqueued. */
  stop(): Promise<void>;
}

/** Adds the poll job of `source` for the slot `scheduledAt` (a no-op when that id exists). */
export async function addTickJob(
  queue: Queue,
  source: Source,
  scheduledAt: Date,
  reason: PollSourceData["reason"],
): Promise<string> {
  const jobId = tickJobId(source.id, scheduledAt);
  const data: PollSourceData = { sourceId: source.id, reason, scheduledAt: scheduledAt.toISOString() };
  await queue.add(JOB.pollSource, data, { jobId });
  return jobId;
}

/** The most recent time at or before `now` that `task`'s expression matches (whole seconds). */
export function previousSlot(task: ScheduledTask, now: Date, intervalMs: number): Date | null {
  const start = Math.floor(now.getTime() / 1000) * 1000;
  // Minute-resolution expressions only fire at second 0: stepping by minutes keeps the scan short.
  const step = task.getPattern().trim().split(/\s+/).length === 6 ? 1000 : 60_000;
  const first = step === 60_000 ? Math.floor(start / 60_000) * 60_000 : start;
  for (let t = first; t >= start - 2 * intervalMs - step; t -= step) {
    if (task.match(new Date(t))) return new Date(t);
  }
  return null;
}

/** Starts one cron task per enabled source, after the catch-up polls. */
export async function startScheduler(deps: SchedulerDeps): Promise<Scheduler> {
  const { discoverQueue: queue, logger } = deps;
  const tasks: ScheduledTask[] = [];
  const pending = new Set<Promise<unknown>>();

  for (const source of deps.sources.filter((s) => s.enabled)) {
    const task = createTask(
      source.schedule,
      (ctx) => {
        const adding = addTickJob(queue, source, ctx.date, "tick")
          .then((jobId) => logger.debug({ sourceId: source.id, jobId }, "tick enqueued"))
          .catch((error: unknown) => logger.error({ sourceId: source.id, err: error }, "tick not enqueued"));
        pending.add(adding);
        return adding.finally(() => pending.delete(adding));
      },
      { timezone: source.timezone, name: `poll-${source.id}` },
    );
    tasks.push(task);
    await catchUp(deps, source, task);
  }
  for (const task of tasks) await task.start();
  logger.info({ sources: tasks.length }, "scheduler started");

  return {
    async stop() {
      for (const task of tasks) {
        await task.stop();
        await task.destroy();
      }
      await Promise.all(pending);
    },
  };
}

/** One poll for a source whose last poll is older than its interval (or that was never polled). */
async function catchUp(deps: SchedulerDeps, source: Source, task: ScheduledTask): Promise<void> {
  const [next, after] = task.getNextRuns(2);
  if (next === undefined || after === undefined) return;
  const intervalMs = after.getTime() - next.getTime();
  const now = deps.now();
  const state = await deps.sourceState.readSourceState(source.id);
  if (state !== null && now.getTime() - state.lastPollAt <= intervalMs) return;
  const slot = previousSlot(task, now, intervalMs);
  if (slot === null) return;
  const jobId = await addTickJob(deps.discoverQueue, source, slot, "catch-up");
  deps.logger.info({ sourceId: source.id, jobId }, "catch-up poll enqueued");
}

/** The next `count` fire times of a cron expression in `timezone` (for status and check-config). */
export async function nextRunsOf(expression: string, timezone: string, count: number): Promise<Date[]> {
  const task = createTask(expression, () => undefined, { timezone });
  try {
    return task.getNextRuns(count);
  } finally {
    await task.destroy();
  }
}
