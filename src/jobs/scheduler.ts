/**
 * The scheduler: one node-cron task per enabled source, each tick adding a poll job whose id is
 * derived from the source and the tick's *scheduled* time, so any number of scheduler processes add
 * each tick once. No tick is lost: late and missed ticks are enqueued for their slot, and a reconciler
 * enqueues the most recent slot of a source not polled since (at start, after downtime, stalls or clock
 * steps); replicas compute the same slot, so they add one job.
 */
import type { Queue } from "bullmq";
import { createTask, type ScheduledTask } from "node-cron";
import type { Source } from "../config/sources.ts";
import type { Logger } from "../logger.ts";
import type { SourceState } from "../store/source-state.ts";
import { manualPollJobId, tickJobId } from "./job-ids.ts";
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
  /** True while every cron task is started (for readiness). */
  isTicking(): boolean;
}

/** The poll-source payload: the one builder for scheduled ticks and polls asked for by hand. */
export function buildPollJobData(
  sourceId: string,
  reason: PollSourceData["reason"],
  scheduledAt: Date,
): PollSourceData {
  return { sourceId, reason, scheduledAt: scheduledAt.toISOString() };
}

/** Adds the poll job of `source` for the slot `scheduledAt` (a no-op when that id exists). */
export async function addTickJob(
  queue: Queue,
  source: Source,
  scheduledAt: Date,
  reason: PollSourceData["reason"],
): Promise<string> {
  const jobId = tickJobId(source.id, scheduledAt);
  await queue.add(JOB.pollSource, buildPollJobData(source.id, reason, scheduledAt), { jobId });
  return jobId;
}

/** Adds a poll job of `sourceId` requested by hand at `now` (CLI `poll`, the status page). */
export async function addManualPollJob(queue: Queue, sourceId: string, now: Date): Promise<string> {
  const jobId = manualPollJobId(sourceId, now);
  await queue.add(JOB.pollSource, buildPollJobData(sourceId, "manual", now), { jobId });
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

/** How often the reconciler looks for slots that passed without their tick (stalls, clock steps). */
export const RECONCILE_MS = 30_000;
/** A slot is only reconciled once its own tick had this long to fire, so the tick keeps its reason. */
const GRACE_MS = 5000;

/** One source's cron task and the bookkeeping of its reconciler. */
interface SourceTask {
  readonly source: Source;
  readonly task: ScheduledTask;
  readonly intervalMs: number;
}

/** The interval between two runs of `task` (from its next two fire times), or null when it never fires. */
function intervalOf(task: ScheduledTask): number | null {
  const [next, after] = task.getNextRuns(2);
  return next === undefined || after === undefined ? null : after.getTime() - next.getTime();
}

/**
 * Starts one cron task per enabled source. Every slot is enqueued once however late it runs: a tick that
 * node-cron fires late enqueues its own slot; one it reports missed (more than ~1 s late: a GC pause, a
 * stopped process, a clock step) enqueues the most recent slot, not a backlog; and a reconciler (at start
 * and every RECONCILE_MS) enqueues the most recent slot of any source that has not been polled since it.
 */
export async function startScheduler(deps: SchedulerDeps): Promise<Scheduler> {
  const { discoverQueue: queue, logger } = deps;
  const tasks: SourceTask[] = [];
  const pending = new Set<Promise<unknown>>();
  const track = async (adding: Promise<unknown>): Promise<void> => {
    pending.add(adding);
    await adding.finally(() => pending.delete(adding));
  };
  const enqueueTick = (source: Source, slot: Date) =>
    track(
      addTickJob(queue, source, slot, "tick")
        .then((jobId) => logger.debug({ sourceId: source.id, jobId }, "tick enqueued"))
        .catch((error: unknown) => logger.error({ sourceId: source.id, err: error }, "tick not enqueued")),
    );

  for (const source of deps.sources.filter((s) => s.enabled)) {
    const task = createTask(source.schedule, (ctx) => enqueueTick(source, ctx.date), {
      timezone: source.timezone,
      name: `poll-${source.id}`,
    });
    const intervalMs = intervalOf(task);
    if (intervalMs === null) continue;
    task.on("execution:missed", (ctx) => {
      // After a long stall node-cron reports every slot it skipped: only the latest one is polled.
      const latest = previousSlot(task, deps.now(), intervalMs);
      if (latest !== null && latest.getTime() === ctx.date.getTime()) {
        logger.warn({ sourceId: source.id, slot: ctx.date.toISOString() }, "late tick enqueued");
        return enqueueTick(source, ctx.date);
      }
    });
    tasks.push({ source, task, intervalMs });
  }
  const reconcileAll = () =>
    track(
      (async () => {
        for (const entry of tasks) await reconcile(deps, entry);
      })().catch((error: unknown) => logger.error({ err: error }, "scheduler reconcile failed")),
    );
  await reconcileAll();
  for (const { task } of tasks) await task.start();
  const timer = setInterval(() => void reconcileAll(), RECONCILE_MS);
  timer.unref();
  logger.info({ sources: tasks.length }, "scheduler started");

  return {
    isTicking: () => tasks.every(({ task }) => ["idle", "running"].includes(task.getStatus())),
    async stop() {
      clearInterval(timer);
      for (const { task } of tasks) {
        await task.stop();
        await task.destroy();
      }
      await Promise.all(pending);
    },
  };
}

/**
 * Enqueues the most recent slot of a source (past its grace time) when the source has not been polled
 * since that slot: it was missed while the process was down, stopped or its clock jumped. The same slot
 * id as the tick's, so replicas and a tick that did fire add it once.
 */
async function reconcile(deps: SchedulerDeps, { source, task, intervalMs }: SourceTask): Promise<void> {
  const now = deps.now();
  const slot = previousSlot(task, new Date(now.getTime() - GRACE_MS), intervalMs);
  if (slot === null) return;
  const state = await deps.sourceState.readSourceState(source.id);
  if (state !== null && state.lastPollAt >= slot.getTime()) return;
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
