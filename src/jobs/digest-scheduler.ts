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

/** Adds the catch-up job, then starts the cron task. */
export async function startDigestScheduler(deps: DigestSchedulerDeps): Promise<DigestScheduler> {
  const { publishQueue: queue, logger } = deps;
  const pending = new Set<Promise<unknown>>();
  const task: ScheduledTask = createTask(
    deps.schedule,
    (ctx) => {
      const day = digestDayOfTick(ctx.date, deps.schedule, deps.timezone);
      const adding = addDigestJob(queue, day, "schedule")
        .then((jobId) => logger.info({ jobId, day }, "digest enqueued"))
        .catch((err: unknown) => logger.error({ day, err }, "digest not enqueued"));
      pending.add(adding);
      return adding.finally(() => pending.delete(adding));
    },
    { timezone: deps.timezone, name: "digest" },
  );
  const day = digestDayOfTick(deps.now(), deps.schedule, deps.timezone);
  const jobId = await addDigestJob(queue, day, "catch-up");
  logger.info({ jobId, day }, "digest catch-up enqueued");
  await task.start();

  return {
    async stop() {
      await task.stop();
      await task.destroy();
      await Promise.all(pending);
    },
  };
}
