/**
 * What the one role of a process that writes DATA_DIR builds there: the archive files (write failures
 * counted and notified), the archive-health record, the repair sweep (ending with the body prune of
 * bounded Redis), and the digest builder with its
 * publish-queue worker. The archiver role always owns them; the worker role owns them only when its
 * workers write the archive themselves (`worker.archive: true`) and no archiver runs in the process.
 */
import { type ArchiveRepairLoop, startArchiveRepair } from "../jobs/archive-repair.ts";
import { createBuildDigest, toDigestJobSettings } from "../jobs/build-digest.ts";
import { createPublishWorker } from "../jobs/workers.ts";
import type { ServiceOps } from "../ops/service-ops.ts";
import { type ArchiveFiles, createArchiveFiles } from "../store/archive.ts";
import { type ArchiveHealth, createArchiveHealth } from "../store/archive-health.ts";
import { createBodyDrop } from "../store/body-drop.ts";
import { createKeys } from "../store/keys.ts";
import type { ServiceContext } from "./service-context.ts";

/** The archive files of this process and their health record. */
export interface OwnedArchive {
  readonly archive: ArchiveFiles;
  readonly archiveHealth: ArchiveHealth;
}

/** Opens the archive under `config.dataDir`, its writes observed by `ops`. */
export function openOwnedArchive(ctx: ServiceContext, ops: ServiceOps): OwnedArchive {
  const files = createArchiveFiles(ctx.config.dataDir);
  return {
    archive: { ...files, write: ops.observeArchiveWrite(files.write) },
    archiveHealth: createArchiveHealth(ctx.redis, ctx.config.redis.prefix),
  };
}

/**
 * Starts the repair sweep over `owned`: every `store.repairIntervalMs`, and at once when `atStart`. The
 * archiver passes false and sweeps once its stream backlog is consumed: until then the pending articles
 * are the stream's to write, and a sweep racing the consumer would only write the same files twice.
 */
export function startOwnedArchiveRepair(
  ctx: ServiceContext,
  owned: OwnedArchive,
  atStart: boolean,
): ArchiveRepairLoop {
  return startArchiveRepair(
    {
      ...owned,
      store: ctx.store,
      redis: ctx.redis,
      lockKey: createKeys(ctx.config.redis.prefix).archiveRepairLock(),
      // Bodies leave Redis only here, where the files they are dropped for are checked on this disk.
      prune: {
        bodies: createBodyDrop(ctx.redis, ctx.config.redis.prefix),
        window: { limit: ctx.config.feeds.limit, bodyDays: ctx.config.store.bodyDays },
      },
      logger: ctx.logger.child({ module: "archive-repair" }),
      now: Date.now,
    },
    ctx.config.store.repairIntervalMs,
    { atStart },
  );
}

/** The digest builder, writing `<dataDir>/digests/`; `digest.built` goes out through `ops`. */
export function createOwnedDigestBuilder(ctx: ServiceContext, ops: ServiceOps) {
  const { config } = ctx;
  return createBuildDigest({
    redis: ctx.redis,
    prefix: config.redis.prefix,
    dataDir: config.dataDir,
    settings: toDigestJobSettings(config),
    announce: ops.announceDigest,
    logger: ctx.logger.child({ module: "digest" }),
    now: () => new Date(),
  });
}

/** Starts the publish-queue worker that builds the digests of this process's archive. */
export function startOwnedPublishWorker(ctx: ServiceContext, ops: ServiceOps) {
  return createPublishWorker({
    connection: ctx.redis,
    prefix: ctx.config.redis.prefix,
    lockMs: ctx.config.jobs.lockMs,
    logger: ctx.logger,
    buildDigest: createOwnedDigestBuilder(ctx, ops),
    observe: ops.observe,
    now: Date.now,
  });
}
