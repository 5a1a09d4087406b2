/**
 * The archiver's loop over the archive stream (`store/archive-stream.ts`): every change a worker saved
 * without writing its file is finished here through the one ingest path (`ingest.ts` `ensureArchived`),
 * and its entry is acknowledged only after the atomic write and the archive-pending mark are done. So a
 * crash at any point leaves the entry pending; the restarted (or another) archiver takes it over after
 * `claimIdleMs`, and `ensureArchived` writes it again only while the mark is still set, from the text
 * Redis holds now. A change is therefore written once, or, when the crash fell between the rename and
 * the mark, twice with the same bytes; never a stale text over a newer one. A failed write (disk full)
 * leaves its entry pending and is retried every `RETRY_MS` while new entries keep flowing.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../logger.ts";
import type { ArchiveFiles } from "../store/archive.ts";
import type { ArchiveStreamEntry, ArchiveStreamReader } from "../store/archive-stream.ts";
import type { StoredArticle } from "../model.ts";
import { describeError } from "../store/guard.ts";
import { archivePath } from "../store/keys.ts";
import { ensureArchived, type IngestDeps } from "./ingest.ts";

/** What the consumer needs: the ingest deps with a real archive, the stream reader and a logger. */
export interface ArchiveStreamConsumerDeps extends IngestDeps {
  readonly archive: ArchiveFiles;
  /** This archiver's DATA_DIR, to notice documents stored with another one's paths. */
  readonly dataDir: string;
  readonly reader: ArchiveStreamReader;
  readonly logger: Logger;
}

/** Timing of the loop. */
export interface ArchiveStreamConsumerSettings {
  /** An entry unacknowledged this long belongs to a dead archiver and is taken over. */
  readonly claimIdleMs: number;
  /** How long one read waits for new entries (also bounds how long `stop` waits). */
  readonly blockMs: number;
  /** Called once, the first time the stream has nothing left to archive (the backlog is done). */
  readonly onCaughtUp?: () => void;
}

/** The running loop. */
export interface ArchiveStreamConsumer {
  stop(): Promise<void>;
}

const BATCH = 100;
/** Wait before the entries of a failed write are tried again. */
const RETRY_MS = 5000;

/** What archiving one entry did. */
type EntryOutcome = "written" | "in-place" | "gone";

/**
 * Warns (once per process) when a worker stored a path under another DATA_DIR than this archiver's (the
 * workers must be given the same DATA_DIR path): the file goes under this one, but every sweep would
 * then find the stored path empty and write it again.
 */
function warnOnForeignPath(
  deps: ArchiveStreamConsumerDeps,
  stored: StoredArticle,
  warned: { done: boolean },
) {
  if (warned.done || stored.archivePath === archivePath(deps.dataDir, stored.date, stored.key)) return;
  warned.done = true;
  deps.logger.warn(
    {
      articleKey: stored.key,
      path: stored.archivePath,
      dataDir: deps.dataDir,
    },
    "stored archive path found under another data dir",
  );
}

/** Finishes one change: the file of the article as Redis holds it now, and the removal of a moved file. */
async function archiveEntry(
  deps: ArchiveStreamConsumerDeps,
  entry: ArchiveStreamEntry,
  warned: { done: boolean },
): Promise<EntryOutcome> {
  const stored = await deps.store.readArticle(entry.key);
  if (stored === null) return "gone";
  warnOnForeignPath(deps, stored, warned);
  const wrote = await ensureArchived(deps, stored);
  if (entry.previousPath !== null && entry.previousPath !== stored.archivePath) {
    await deps.archive.remove(entry.previousPath);
  }
  if (wrote) {
    deps.logger.info(
      {
        articleKey: stored.key,
        contentHash: stored.contentHash,
        entryId: entry.id,
        path: stored.archivePath,
      },
      "archive file written",
    );
  }
  return wrote ? "written" : "in-place";
}

/** Archives a batch in order, acknowledging what succeeded; resolves true when every entry did. */
async function archiveBatch(
  deps: ArchiveStreamConsumerDeps,
  batch: readonly ArchiveStreamEntry[],
  warned: { done: boolean },
): Promise<boolean> {
  const done: string[] = [];
  let ok = true;
  for (const entry of batch) {
    try {
      await archiveEntry(deps, entry, warned);
      done.push(entry.id);
    } catch (error) {
      ok = false;
      deps.logger.warn(
        { articleKey: entry.key, entryId: entry.id, err: describeError(error) },
        "archive entry failed",
      );
    }
  }
  await deps.reader.acknowledge(done);
  if (done.length > 0) await deps.reader.trimAcknowledged();
  return ok;
}

/** Starts consuming the archive stream; `stop` ends the loop after the current read or batch. */
export function startArchiveStreamConsumer(
  deps: ArchiveStreamConsumerDeps,
  settings: ArchiveStreamConsumerSettings,
): ArchiveStreamConsumer {
  let stopping = false;
  // Our own unacknowledged entries are read at start (an earlier run of this consumer) and after failures.
  let retryAt: number | null = 0;
  let caughtUp = false;
  const warned = { done: false };
  const turn = async (): Promise<void> => {
    const retryDue = retryAt !== null && deps.now() >= retryAt;
    if (retryDue) retryAt = null;
    const again = [
      ...(await deps.reader.claimStale(settings.claimIdleMs, BATCH)),
      ...(retryDue ? await deps.reader.readOwnPending(BATCH) : []),
    ];
    const fresh = await deps.reader.readNew(BATCH, again.length > 0 ? null : settings.blockMs);
    if (again.length === 0 && fresh.length === 0 && !caughtUp) {
      caughtUp = true;
      settings.onCaughtUp?.();
    }
    // A claimed entry is also our own pending one now: each id once.
    const batch = [...new Map([...again, ...fresh].map((e) => [e.id, e])).values()];
    if (!(await archiveBatch(deps, batch, warned))) retryAt = deps.now() + RETRY_MS;
  };
  const loop = async (): Promise<void> => {
    while (!stopping) {
      try {
        await deps.reader.ensureGroup();
        // Archivers that restarted under a new name leave their old names behind.
        await deps.reader.forgetIdleConsumers(settings.claimIdleMs);
        while (!stopping) await turn();
      } catch (error) {
        // Redis away: the entries stay pending in the stream; try again shortly.
        deps.logger.error({ err: error }, "archive stream read failed");
        if (!stopping) await sleep(Math.min(RETRY_MS, settings.blockMs));
      }
    }
  };
  const running = loop();
  return {
    async stop() {
      stopping = true;
      await running;
    },
  };
}
