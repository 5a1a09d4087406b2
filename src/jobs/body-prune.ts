/**
 * The prune step of bounded Redis: bodies of articles outside the feed window are dropped from Redis once
 * their archive file is on disk, and read from the archive from then on (`store/article-body.ts`). The
 * window is the newest `limit` articles of every feed (the combined feed and each source's), or those
 * stored within `bodyDays`, whichever keeps more. An article whose file is archive-pending or not yet of
 * the document's size keeps its body: the repair sweep writes the file first, a later prune drops it.
 */
import type { Logger } from "../logger.ts";
import type { ArchiveFiles } from "../store/archive.ts";
import type { ArticleStore } from "../store/article-store.ts";
import type { BodyDrop } from "../store/body-drop.ts";

/** Which bodies stay in Redis. */
export interface BodyWindow {
  /** Items per feed (`feeds.limit`): the newest this many of every feed keep their bodies. */
  readonly limit: number;
  /** Articles stored within this many days keep their bodies (`store.bodyDays`). */
  readonly bodyDays: number;
}

/** What the prune reads and writes. */
export interface BodyPruneDeps {
  readonly store: ArticleStore;
  readonly archive: ArchiveFiles;
  readonly bodies: BodyDrop;
  readonly logger: Logger;
  now(): number;
}

/** What one prune did. */
export interface PruneSummary {
  readonly checked: number;
  readonly dropped: number;
}

const BATCH = 500;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Drops the Redis bodies of every article outside `window` whose archive file is confirmed on disk. */
export async function pruneBodies(deps: BodyPruneDeps, window: BodyWindow): Promise<PruneSummary> {
  const keep = await deps.bodies.readWindowKeys(window.limit);
  const storedSince = deps.now() - window.bodyDays * DAY_MS;
  let checked = 0;
  let dropped = 0;
  for (let start = 0; ; start += BATCH) {
    const states = await deps.store.listArchiveStates(start, BATCH);
    if (states.length === 0) break;
    for (const s of states) {
      checked++;
      if (!s.hasBody || s.pending || keep.has(s.key) || s.storedAt >= storedSince) continue;
      // The pending mark is the guarantee; the size check also spares a file lost since it was written.
      if ((await deps.archive.size(s.archivePath)) !== s.bytes) continue;
      if (await deps.bodies.dropBody(s.key)) dropped++;
    }
  }
  deps.logger[dropped > 0 ? "info" : "debug"]({ checked, dropped }, "bodies pruned");
  return { checked, dropped };
}
