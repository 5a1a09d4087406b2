/**
 * The archiver role: the one writer of DATA_DIR for workers that have none (`worker.archive: false`).
 * It consumes the archive stream as a member of the archivers' consumer group, writing each saved
 * change's file (`archive-stream-consumer.ts`), runs the repair sweep, builds the digests (the
 * publish queue) and keeps the static copies (`<dataDir>/public/`) current. Its blocking stream reads
 * use their own Redis connection so they never hold up the shared one.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { startArchiveStreamConsumer } from "../jobs/archive-stream-consumer.ts";
import type { ServiceOps } from "../ops/service-ops.ts";
import { startStaticCopies } from "../server/app.ts";
import { createArchiveStreamReader } from "../store/archive-stream.ts";
import { openOwnedArchive, startOwnedArchiveRepair, startOwnedPublishWorker } from "./archive-owner.ts";
import { toHttpServerSettings } from "./server-role.ts";
import type { RunningRole, ServiceContext } from "./service-context.ts";

/** How long one stream read waits for new entries; also the longest wait of a stop. */
const BLOCK_MS = 2000;

/**
 * Starts the stream consumer, the repair sweep, the digest worker and the static copies under
 * `<dataDir>/public/` (a server in the same process then writes none).
 */
export async function startArchiverRole(ctx: ServiceContext, ops: ServiceOps): Promise<RunningRole> {
  const { config, logger } = ctx;
  const owned = openOwnedArchive(ctx, ops);
  const consumerName = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const streamRedis = ctx.redis.duplicate();
  streamRedis.on("error", (error) => logger.warn({ err: error }, "redis connection error"));
  const consumer = startArchiveStreamConsumer(
    {
      ...owned,
      dataDir: config.dataDir,
      store: ctx.store,
      reader: createArchiveStreamReader(streamRedis, config.redis.prefix, consumerName),
      logger: logger.child({ module: "archiver" }),
      now: Date.now,
    },
    {
      claimIdleMs: config.archiver.claimIdleMs,
      blockMs: BLOCK_MS,
      // The start-up sweep waits for the backlog: those pending files are the stream's to write.
      onCaughtUp: () => void repair.runNow(),
    },
  );
  const repair = startOwnedArchiveRepair(ctx, owned, false);
  const publish = startOwnedPublishWorker(ctx, ops);
  const copies = await startStaticCopies({
    settings: toHttpServerSettings(config, true),
    store: ctx.store,
    redis: ctx.redis,
    logger: logger.child({ module: "static-copies" }),
  });
  logger.info({ consumer: consumerName, dataDir: config.dataDir }, "archiver started");
  return {
    async stop() {
      await copies.close();
      await publish.close();
      await consumer.stop();
      await repair.stop();
      await streamRedis.quit().catch(() => streamRedis.disconnect());
    },
  };
}
