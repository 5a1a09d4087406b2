/**
 * The archive stream in Redis (`<prefix>:archive:stream`): the saved changes whose archive file the
 * archiver role writes. The save script appends the entries (`save-article-script.ts`); this module owns
 * the consumer side: the one consumer group, reading new entries, taking over the entries a dead
 * archiver left unacknowledged, acknowledging, and trimming. Trimming removes only entries that every
 * reader has acknowledged (below both the oldest pending entry and the group's last delivered id), so
 * no change is ever dropped before its file is written, however far the archiver falls behind.
 */
import type { Redis } from "ioredis";
import { guardRedis } from "./guard.ts";
import { createKeys } from "./keys.ts";

/** The consumer group every archiver joins. */
export const ARCHIVER_GROUP = "archivers";

/** One change to archive: the article key, the content hash saved, and the path it moved away from. */
export interface ArchiveStreamEntry {
  readonly id: string;
  readonly key: string;
  readonly hash: string;
  /** The old archive path to delete after an edit moved the file; null when none. */
  readonly previousPath: string | null;
}

/** The consumer side of the archive stream, for one named consumer. */
export interface ArchiveStreamReader {
  /** Creates the group (reading from the stream's start) unless it exists. */
  ensureGroup(): Promise<void>;
  /** Removes other consumers idle for `minIdleMs` that hold no entry (archivers gone for good). */
  forgetIdleConsumers(minIdleMs: number): Promise<number>;
  /** Entries delivered to other consumers and unacknowledged for `minIdleMs`, now this consumer's. */
  claimStale(minIdleMs: number, count: number): Promise<ArchiveStreamEntry[]>;
  /** This consumer's own delivered but unacknowledged entries (after a failed write). */
  readOwnPending(count: number): Promise<ArchiveStreamEntry[]>;
  /** New entries, waiting up to `blockMs` for the first (null: answer at once). */
  readNew(count: number, blockMs: number | null): Promise<ArchiveStreamEntry[]>;
  acknowledge(ids: readonly string[]): Promise<void>;
  /** Removes the entries every reader has acknowledged; resolves to how many went. */
  trimAcknowledged(): Promise<number>;
  /** Entries not yet acknowledged: pending plus not yet delivered (for status and tests). */
  countUnacknowledged(): Promise<number>;
}

type RawEntry = [id: string, fields: string[] | null];

function toEntry([id, fields]: RawEntry): ArchiveStreamEntry | null {
  // A claimed entry whose data was trimmed away comes back with null fields.
  if (fields === null) return null;
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i] ?? "", fields[i + 1] ?? "");
  const key = map.get("key");
  const hash = map.get("hash");
  if (key === undefined || hash === undefined) return null;
  const previous = map.get("previous") ?? "";
  return { id, key, hash, previousPath: previous === "" ? null : previous };
}

/** Entries of an XREADGROUP reply (one stream), malformed ones dropped. */
function readReply(reply: unknown): RawEntry[] {
  const streams = reply as [string, RawEntry[]][] | null;
  return streams?.[0]?.[1] ?? [];
}

/** Redis stream ids compare as two numbers, `ms-seq`. */
function compareIds(a: string, b: string): number {
  const [am = 0n, as = 0n] = a.split("-").map(BigInt);
  const [bm = 0n, bs = 0n] = b.split("-").map(BigInt);
  return am === bm ? Number(as - bs) : am < bm ? -1 : 1;
}

/** Creates the reader of consumer `consumer` over `redis` under `prefix`. */
export function createArchiveStreamReader(
  redis: Redis,
  prefix: string,
  consumer: string,
): ArchiveStreamReader {
  const stream = createKeys(prefix).archiveStream();
  const entries = (raw: RawEntry[]) => raw.map(toEntry).filter((e): e is ArchiveStreamEntry => e !== null);
  // Ids handed out whose entries were malformed or trimmed: acknowledged so they never come back.
  const settleUnusable = async (raw: RawEntry[]) => {
    const bad = raw.filter((r) => toEntry(r) === null).map(([id]) => id);
    if (bad.length > 0) await redis.xack(stream, ARCHIVER_GROUP, ...bad);
  };
  // XREADGROUP from `from` ("0": this consumer's pending entries, ">": new ones), blocking when asked.
  const readGroup = async (count: number, from: "0" | ">", blockMs: number | null) => {
    const reply =
      blockMs === null
        ? await redis.xreadgroup("GROUP", ARCHIVER_GROUP, consumer, "COUNT", count, "STREAMS", stream, from)
        : await redis.xreadgroup(
            "GROUP",
            ARCHIVER_GROUP,
            consumer,
            "COUNT",
            count,
            "BLOCK",
            blockMs,
            "STREAMS",
            stream,
            from,
          );
    const raw = readReply(reply);
    await settleUnusable(raw);
    return entries(raw);
  };
  return {
    ensureGroup: () =>
      guardRedis("ensureArchiverGroup", async () => {
        try {
          await redis.xgroup("CREATE", stream, ARCHIVER_GROUP, "0", "MKSTREAM");
        } catch (error) {
          if (!String((error as Error).message).startsWith("BUSYGROUP")) throw error;
        }
      }),
    forgetIdleConsumers: (minIdleMs) =>
      guardRedis("forgetArchiveConsumers", () => deleteIdleConsumers(redis, stream, consumer, minIdleMs)),
    claimStale: (minIdleMs, count) =>
      guardRedis("claimArchiveEntries", async () => {
        const reply = (await redis.xautoclaim(
          stream,
          ARCHIVER_GROUP,
          consumer,
          minIdleMs,
          "0-0",
          "COUNT",
          count,
        )) as [string, RawEntry[], string[]?];
        const raw = reply[1] ?? [];
        await settleUnusable(raw);
        return entries(raw);
      }),
    readOwnPending: (count) => guardRedis("readOwnArchiveEntries", () => readGroup(count, "0", null)),
    readNew: (count, blockMs) => guardRedis("readArchiveEntries", () => readGroup(count, ">", blockMs)),
    acknowledge: (ids) =>
      guardRedis("acknowledgeArchiveEntries", async () => {
        if (ids.length > 0) await redis.xack(stream, ARCHIVER_GROUP, ...ids);
      }),
    trimAcknowledged: () =>
      guardRedis("trimArchiveStream", async () => {
        const floor = await readAcknowledgedFloor(redis, stream);
        return floor === null ? 0 : Number(await redis.xtrim(stream, "MINID", floor));
      }),
    countUnacknowledged: () =>
      guardRedis("countArchiveEntries", async () => {
        const group = await readGroupInfo(redis, stream);
        if (group === null) return Number(await redis.xlen(stream));
        return Number(group.get("pending") ?? 0) + Number(group.get("lag") ?? 0);
      }),
  };
}

/** The XINFO GROUPS fields of the archivers' group; null without the stream or the group. */
async function readGroupInfo(redis: Redis, stream: string): Promise<Map<string, unknown> | null> {
  if ((await redis.exists(stream)) === 0) return null;
  const groups = (await redis.xinfo("GROUPS", stream)) as unknown[][];
  return groups.map(toFieldMap).find((g) => g.get("name") === ARCHIVER_GROUP) ?? null;
}

function toFieldMap(flat: unknown[]): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (let i = 0; i + 1 < flat.length; i += 2) map.set(String(flat[i]), flat[i + 1]);
  return map;
}

/**
 * The lowest id that may still be needed: the oldest pending entry, else the entry after the group's
 * last delivered one (every entry below it is acknowledged). Null when the group does not exist.
 */
async function readAcknowledgedFloor(redis: Redis, stream: string): Promise<string | null> {
  const group = await readGroupInfo(redis, stream);
  if (group === null) return null;
  const delivered = String(group.get("last-delivered-id") ?? "0-0");
  const summary = (await redis.xpending(stream, ARCHIVER_GROUP)) as [number, string | null, ...unknown[]];
  const oldestPending = summary[1];
  // MINID keeps ids >= the floor, so the last delivered entry itself stays when nothing is pending.
  if (oldestPending === null) return delivered;
  return compareIds(oldestPending, delivered) < 0 ? oldestPending : delivered;
}

/** Deletes the consumers other than `self` idle for `minIdleMs` and holding no entry; resolves to how many. */
async function deleteIdleConsumers(
  redis: Redis,
  stream: string,
  self: string,
  minIdleMs: number,
): Promise<number> {
  const listed = (await redis.xinfo("CONSUMERS", stream, ARCHIVER_GROUP)) as unknown[][];
  const idle = listed
    .map(toFieldMap)
    .filter((c) => c.get("name") !== self && Number(c.get("pending")) === 0)
    .filter((c) => Number(c.get("idle")) >= minIdleMs);
  // DELCONSUMER drops a consumer's pending entries too, hence only those holding none.
  for (const c of idle) await redis.xgroup("DELCONSUMER", stream, ARCHIVER_GROUP, String(c.get("name")));
  return idle.length;
}
