/**
 * The composition root: opens Redis and what every role shares (queues, store, source state, failure
 * records), checks what a start needs, then starts the roles this process runs (`roles/`): the server
 * first, so a port in use fails the start before a worker takes a job, then the archiver, the workers,
 * then the scheduler. It owns every resource and closes them in reverse order on SIGINT/SIGTERM: stop ticking,
 * stop taking jobs (finishing or releasing the active ones), close the browser, the HTTP server and
 * Redis, all under a hard timeout.
 */
import type { Config } from "./config/schema.ts";
import { createQueues } from "./jobs/queues.ts";
import type { Logger } from "./logger.ts";
import { createServiceOps } from "./ops/service-ops.ts";
import { connectRedis, createRedis } from "./redis.ts";
import { type SchedulerRole, startSchedulerRole } from "./roles/scheduler-role.ts";
import { startServerRole } from "./roles/server-role.ts";
import type { RunningRole, ServiceContext } from "./roles/service-context.ts";
import { startArchiverRole } from "./roles/archiver-role.ts";
import { checkDataDirWritable, needsDataDir } from "./roles/startup-checks.ts";
import { startWorkerRole } from "./roles/worker-role.ts";
import { createArticleStore } from "./store/article-store.ts";
import { createFailedArticles } from "./store/failed-articles.ts";
import { createSourceState } from "./store/source-state.ts";

/** The roles a process can run. */
export type Role = "scheduler" | "worker" | "server" | "archiver";
/** Every role, for `--role all`. */
export const ALL_ROLES: readonly Role[] = ["scheduler", "worker", "server", "archiver"];

/** A running service. */
export interface Service {
  /** Shuts everything down in order; resolves when done (or when `timeoutMs` forced it). */
  stop(timeoutMs: number): Promise<void>;
}

/** Opens Redis and the shared stores; throws STORE_UNAVAILABLE (one line) when Redis does not answer. */
async function openContext(
  config: Config,
  roles: ReadonlySet<Role>,
  logger: Logger,
): Promise<ServiceContext> {
  const { prefix } = config.redis;
  const redis = createRedis(config.redis.url);
  await connectRedis(redis, config.redis.url);
  redis.on("error", (error) => logger.warn({ err: error }, "redis connection error"));
  return {
    config,
    logger,
    redis,
    queues: createQueues(redis, prefix, config.fetch.attempts, config.fetch.backoffMs),
    // Workers without the archive hand each saved change to the archiver through the archive stream.
    store: createArticleStore(redis, prefix, {
      toArchiveStream: roles.has("worker") && !config.worker.archive,
    }),
    sourceState: createSourceState(redis, prefix),
    failed: createFailedArticles(redis, prefix),
  };
}

/** Starts the given roles with `config`; a start that cannot work throws before any role runs. */
export async function startService(
  config: Config,
  roles: ReadonlySet<Role>,
  logger: Logger,
): Promise<Service> {
  const ctx = await openContext(config, roles, logger);
  let scheduler: SchedulerRole | null = null;
  const ops = createServiceOps({ ...ctx, roles, isSchedulerTicking: () => scheduler?.isTicking() ?? false });
  const started: RunningRole[] = [];
  const closeContext = async () => {
    await ops.close();
    await ctx.queues.close();
    await ctx.redis.quit().catch(() => ctx.redis.disconnect());
  };
  try {
    if (needsDataDir(config, roles)) await checkDataDirWritable(config.dataDir);
    // One writer of the static copies per process: the archiver when it runs here, else the server.
    if (roles.has("server")) started.push(await startServerRole(ctx, ops, !roles.has("archiver")));
    if (roles.has("archiver")) started.push(await startArchiverRole(ctx, ops));
    if (roles.has("worker")) {
      started.push(startWorkerRole(ctx, ops, { archiverInProcess: roles.has("archiver") }));
    }
    if (roles.has("scheduler")) {
      scheduler = await startSchedulerRole(ctx);
      started.push(scheduler);
    }
    const listener = await ops.startListener();
    if (listener !== null) started.unshift({ stop: () => listener.close() });
  } catch (error) {
    for (const role of started.reverse()) await role.stop(5000).catch(() => undefined);
    await closeContext();
    throw error;
  }

  return {
    async stop(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      // Reverse start order: scheduler, workers (finishing or releasing their jobs), server.
      for (const role of [...started].reverse()) {
        await role.stop(Math.max(1000, deadline - Date.now() - 2000));
      }
      await closeContext();
      logger.info({}, "service stopped");
    },
  };
}
