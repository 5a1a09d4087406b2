/**
 * The digest's cron: one node-cron task on `digest.schedule` in `digest.timezone` that adds a
 * `build-digest` job to the publish queue. The job id is `digestJobId(day)`, the day being derived
 * from the tick's *scheduled* time, so every scheduler process adds the same id and BullMQ keeps one
 * job (finished jobs are kept 48 h, longer than the day a digest stays the latest). At start, the
 * latest closed window gets the same job once ("catch-up"): when the process was down at the run
 * time that builds the missed digest, and when the digest already ran the add is a no-op.
 */
import type { Queue } from "bullmq";
import { createTask, type ScheduledTask } from "node-cron";
import type { Logger } from "../logger.ts";
import { latestDigestDay, toDigestTime } from "../publish/digest-windows.ts";
import type { BuildDigestData } from "./build-digest.ts";
import { digestJobId } from "./job-ids.ts";
import { JOB } from "./queues.ts";
import { RECONCILE_MS } from "./scheduler.ts";

/** What the digest scheduler needs. */
export interface DigestSchedulerDeps {
  readonly publishQueue: Queue;
  /** config.digest.schedule and timezone. */
  readonly schedule: string;
  readonly timezone: string;
  readonly logger: Logger;
  now(): Date;
}

/** A running digest cron. */
export interface DigestScheduler {
  /** Stops ticking; resolves once no job is being added. */
  stop(): Promise<void>;
}

/** Adds the `build-digest` job of `day` (a no-op while a job with that id exists); returns its id. */
export async function addDigestJob(
  queue: Queue,
  day: string,
  reason: BuildDigestData["reason"],
): Promise<string> {
  const jobId = digestJobId(day);
  const data: BuildDigestData = { day, reason };
  await queue.add(JOB.buildDigest, data, { jobId });
  return jobId;
}

/** The digest day a tick scheduled at `scheduledAt` builds: the window that closed at that time. */
export function digestDayOfTick(scheduledAt: Date, schedule: string, timezone: string): string {
  // Rounded to the second: the tick's time is the scheduled one, but a stray millisecond before the
  // run time must not pick the previous day.
  const at = new Date(Math.round(scheduledAt.getTime() / 1000) * 1000);
  return latestDigestDay(at, toDigestTime(schedule), timezone);
}

/**
 * Adds the catch-up job, then starts the cron task. A tick node-cron reports missed (the process was
 * stopped, the clock stepped) and any day whose run time passed while nothing ticked are caught by a
 * reconciler that adds the latest closed day's job at start and every RECONCILE_MS; the job id is the
 * day's, so a digest that did run is never built twice.
 */
export async function startDigestScheduler(deps: DigestSchedulerDeps): Promise<DigestScheduler> {
  const { publishQueue: queue, logger } = deps;
  const pending = new Set<Promise<unknown>>();
  const track = async (adding: Promise<unknown>): Promise<void> => {
    pending.add(adding);
    await adding.finally(() => pending.delete(adding));
  };
  const add = (day: string, reason: BuildDigestData["reason"]) =>
    track(
      addDigestJob(queue, day, reason)
        .then((jobId) => logger.info({ jobId, day, reason }, "digest enqueued"))
        .catch((err: unknown) => logger.error({ day, err }, "digest not enqueued")),
    );
  let lastDay: string | null = null;
  const task: ScheduledTask = createTask(
    deps.schedule,
    (ctx) => {
      lastDay = digestDayOfTick(ctx.date, deps.schedule, deps.timezone);
      return add(lastDay, "schedule");
    },
    { timezone: deps.timezone, name: "digest" },
  );
  const reconcile = () => {
    const day = digestDayOfTick(deps.now(), deps.schedule, deps.timezone);
    if (day === lastDay) return Promise.resolve();
    lastDay = day;
    return add(day, "catch-up");
  };
  task.on("execution:missed", () => reconcile());
  await reconcile();
  await task.start();
  const timer = setInterval(() => void reconcile(), RECONCILE_MS);
  timer.unref();

  return {
    async stop() {
      clearInterval(timer);
      await task.stop();
      await task.destroy();
      await Promise.all(pending);
    },
  };
}
