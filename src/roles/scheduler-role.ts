/**
 * The scheduler role: the node-cron ticks of every source and of the digest (with their reconcilers, so
 * a late or missed tick still runs), and the automatic retries of failed articles. Everything it adds has
 * a deterministic job id, so any number of processes may run this role.
 */
import { startDigestScheduler } from "../jobs/digest-scheduler.ts";
import { startFailedRetry } from "../jobs/failed-retry.ts";
import { startScheduler } from "../jobs/scheduler.ts";
import type { RunningRole, ServiceContext } from "./service-context.ts";

/** The running scheduler role. */
export interface SchedulerRole extends RunningRole {
  /** True while the source ticks run (for readiness). */
  isTicking(): boolean;
}

/** Starts the tick schedulers and the failed-article retry loop. */
export async function startSchedulerRole(ctx: ServiceContext): Promise<SchedulerRole> {
  const { config, logger, queues } = ctx;
  const now = () => new Date();
  const scheduler = await startScheduler({
    sources: config.sources,
    discoverQueue: queues.discover,
    sourceState: ctx.sourceState,
    logger,
    now,
  });
  const digest = await startDigestScheduler({
    publishQueue: queues.publish,
    schedule: config.digest.schedule,
    timezone: config.digest.timezone,
    logger,
    now,
  });
  const retries = startFailedRetry(
    {
      failed: ctx.failed,
      store: ctx.store,
      wechatQueue: queues.wechat,
      policy: config.jobs.failedRetry,
      logger: logger.child({ module: "failed-retry" }),
      now: Date.now,
    },
    config.jobs.failedRetry.checkMs,
  );
  return {
    isTicking: () => scheduler.isTicking(),
    async stop() {
      await scheduler.stop();
      await digest.stop();
      await retries.stop();
    },
  };
}
