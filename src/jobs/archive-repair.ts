/**
 * The archive repair sweep: at start and every `store.repairIntervalMs`, every stored article is compared
 * with its archive file, and a file that is missing, of another size than the stored document, or not yet
 * confirmed (archive-pending: its write failed, the disk was full or read-only) is rewritten from Redis
 * through `ingest.ts` `ensureArchived`. So after the disk is freed every document reaches the archive
 * with no restart and no command. Sizes come from Redis (HSTRLEN) and the file system (stat), so a sweep
 * reads no document that is already in place. A Redis lock lets one worker of a deployment sweep at a
 * time; a sweep that meets many failed writes in a row stops early (the disk is still full) and the next
 * one tries again. After each sweep, under the same lock, the prune step (`body-prune.ts`) drops the Redis
 * bodies outside the feed window whose files the sweep has just confirmed. A packed record (its body is
 * only in the archive) whose file is lost or changed cannot be rewritten from Redis: it is logged.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Logger } from "../logger.ts";
import type { ArchiveFiles } from "../store/archive.ts";
import { describeError } from "../store/guard.ts";
import type { BodyDrop } from "../store/body-drop.ts";
import { type BodyWindow, pruneBodies } from "./body-prune.ts";
import { ensureArchived, type IngestDeps } from "./ingest.ts";

/** What a sweep needs. */
export interface ArchiveRepairDeps extends IngestDeps {
  /** Only a process that owns the archive sweeps it. */
  readonly archive: ArchiveFiles;
  readonly logger: Logger;
  /** When set, each sweep ends with the prune step over this window. */
  readonly prune?: { readonly bodies: BodyDrop; readonly window: BodyWindow };
}

/** What one sweep found and did. */
export interface RepairSummary {
  readonly checked: number;
  readonly rewritten: number;
  readonly failed: number;
}

const BATCH = 500;
/** Consecutive failed writes after which a sweep gives up until the next one. */
const MAX_FAILURES_IN_A_ROW = 20;

/** Compares every stored article with its archive file and rewrites what is missing or stale. */
export async function repairArchive(deps: ArchiveRepairDeps): Promise<RepairSummary> {
  let checked = 0;
  let rewritten = 0;
  let failed = 0;
  let inARow = 0;
  for (let start = 0; inARow < MAX_FAILURES_IN_A_ROW; start += BATCH) {
    const states = await deps.store.listArchiveStates(start, BATCH);
    if (states.length === 0) break;
    for (const state of states) {
      checked++;
      if (!state.pending && (await deps.archive.size(state.archivePath)) === state.bytes) continue;
      if (!state.hasBody) {
        deps.logger.warn({ articleKey: state.key, path: state.archivePath }, "archived body lost");
        continue;
      }
      const stored = await deps.store.readArticle(state.key);
      if (stored === null) continue;
      try {
        if (await ensureArchived(deps, stored)) rewritten++;
        inARow = 0;
      } catch (error) {
        failed++;
        inARow++;
        deps.logger.debug({ articleKey: state.key, err: describeError(error) }, "archive repair failed");
        if (inARow >= MAX_FAILURES_IN_A_ROW) break;
      }
    }
  }
  return { checked, rewritten, failed };
}

/** The running sweep timer. */
export interface ArchiveRepairLoop {
  /** Runs one sweep now (when no other process holds the lock); resolves to its summary or null. */
  runNow(): Promise<RepairSummary | null>;
  stop(): Promise<void>;
}

/**
 * Sweeps at start (unless `atStart` is false) and every `intervalMs`, holding `<lockKey>` in Redis while
 * it runs so concurrent workers don't sweep the same archive twice. Failures are logged; the next sweep
 * tries again.
 */
export function startArchiveRepair(
  deps: ArchiveRepairDeps & { readonly redis: Redis; readonly lockKey: string },
  intervalMs: number,
  options: { readonly atStart?: boolean } = {},
): ArchiveRepairLoop {
  let running: Promise<RepairSummary | null> | null = null;
  const sweep = async (): Promise<RepairSummary | null> => {
    const token = randomUUID();
    // The lock outlives a crashed holder by at most one interval.
    const locked = await deps.redis.set(deps.lockKey, token, "PX", intervalMs, "NX");
    if (locked !== "OK") return null;
    try {
      const summary = await repairArchive(deps);
      if (deps.prune !== undefined) {
        await pruneBodies({ ...deps, bodies: deps.prune.bodies }, deps.prune.window);
      }
      const pending = await deps.store.countArchivePending();
      const level = summary.rewritten > 0 || summary.failed > 0 ? "info" : "debug";
      deps.logger[level]({ ...summary, pending }, "archive repaired");
      return summary;
    } finally {
      if ((await deps.redis.get(deps.lockKey)) === token) await deps.redis.del(deps.lockKey);
    }
  };
  const runNow = (): Promise<RepairSummary | null> => {
    running ??= sweep()
      .catch((err: unknown) => {
        deps.logger.error({ err }, "archive repair not run");
        return null;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  if (options.atStart !== false) void runNow();
  const timer = setInterval(() => void runNow(), intervalMs);
  timer.unref();
  return {
    runNow,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
