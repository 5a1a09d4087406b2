/**
 * Names of everything the store keeps: Redis keys (`<prefix>:<area>:<id>`, architecture.md section 7) and
 * archive file paths (`<dataDir>/articles/YYYY/MM/DD/<key>.md`, document-format.md "Archive layout").
 * Every id that ends up in a key or a file name is validated here, once, so a stray `:` cannot make two
 * areas collide and a `../` or a title can never become a path.
 */

import path from "node:path";
import { StoreError } from "../errors.ts";

/** Article keys, source ids and alias tokens are limited to these characters (no `:`, `/`, `.`). */
const ID_PATTERN = /^[A-Za-z0-9_-]{1,200}$/;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Tags (config `sources[].tags`, OPML categories): letters of any script, digits, `_`, `-`. */
const TAG_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N}_-]{0,63}$/u;

/** Redis key builders for one deployment (or one test run) prefix. */
export interface StoreKeys {
  readonly prefix: string;
  /** Hash holding one stored article's fields. */
  article(key: string): string;
  /** Sorted set of every article key, scored by publish time (ms). */
  indexAll(): string;
  /** Sorted set of one source's article keys, scored like `indexAll`. */
  indexSource(sourceId: string): string;
  /** Key prefix of the per-source indexes; the save script appends the old source id to it. */
  indexSourcePrefix(): string;
  /** Set of source ids that have at least one stored article. */
  sourceIds(): string;
  /** Set of article keys already discovered (enqueued, stored or tombstoned). */
  seen(): string;
  /** Hash mapping an alias (`short-<token>`, temporary-URL key) to its article key. */
  aliases(): string;
  /** Hash describing why an article will never be fetched again. */
  tombstone(key: string): string;
  /** Hash with one source's last poll and failure streak. */
  sourceState(sourceId: string): string;
  /** Hash with one egress group's verification cool-down. */
  cooldown(egress: string): string;
  /** String holding the earliest time (ms) one egress group may start its next WeChat fetch. */
  egressPace(egress: string): string;
  /** Sorted set of `<egress>/<worker id>` members scored by their last heartbeat (ms). */
  egressWorkers(): string;
  /** Counter of one egress group's WeChat fetches on one Beijing day (`YYYY-MM-DD`). */
  egressBudget(egress: string, day: string): string;
  /** Hash describing an article whose fetch failed for good (until it is retried or stored). */
  failed(key: string): string;
  /** Sorted set of failed article keys, scored by the time of their last failure. */
  failedIndex(): string;
  /** Sorted set of failed article keys due for an automatic retry, scored by when. */
  failedDue(): string;
  /** Set of article keys stored in Redis whose archive file is not yet written. */
  archivePending(): string;
  /** Hash with the archive's health: the last failed write and whether writes fail now. */
  archiveHealth(): string;
  /** Lock held by the one worker running the archive repair sweep. */
  archiveRepairLock(): string;
  /** Sorted set of the article keys an OPML category tagged with `tag`, scored by when (ms). */
  tagIndex(tag: string): string;
  /** Set of the tags that have a tag index. */
  tagNames(): string;
  /** Stream of saved changes the archiver role writes to disk (`archive-stream.ts`). */
  archiveStream(): string;
}

/** Throws STORE_WRITE unless `id` is a safe key/file-name component; returns it unchanged. */
export function checkId(kind: string, id: string): string {
  if (!ID_PATTERN.test(id)) {
    throw new StoreError("STORE_WRITE", `store: invalid ${kind}: ${JSON.stringify(id.slice(0, 80))}`, {
      kind,
    });
  }
  return id;
}

/** Throws STORE_WRITE unless `tag` is in the tag alphabet; returns it unchanged. */
export function checkTag(tag: string): string {
  if (!TAG_PATTERN.test(tag)) {
    throw new StoreError("STORE_WRITE", `store: invalid tag: ${JSON.stringify(tag.slice(0, 80))}`);
  }
  return tag;
}

/** Egress group names: like source ids, lower-case letters, digits and `-`. */
export const EGRESS_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Throws STORE_WRITE unless `egress` is a valid egress group name; returns it unchanged. */
export function checkEgress(egress: string): string {
  if (!EGRESS_PATTERN.test(egress)) {
    throw new StoreError("STORE_WRITE", `store: invalid egress: ${JSON.stringify(egress.slice(0, 80))}`);
  }
  return egress;
}

/** Throws STORE_WRITE unless `date` is a real calendar day written `YYYY-MM-DD`. */
export function checkDate(date: string): string {
  const m = DATE_PATTERN.exec(date);
  const ok =
    m !== null &&
    (() => {
      const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const t = new Date(Date.UTC(y, mo - 1, d));
      return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
    })();
  if (!ok) {
    throw new StoreError("STORE_WRITE", `store: invalid date: ${JSON.stringify(date.slice(0, 40))}`);
  }
  return date;
}

/** Creates the Redis key builders for `prefix` (e.g. `wf`, or `test-<uuid>` in tests). */
export function createKeys(prefix: string): StoreKeys {
  if (prefix === "" || /[\s:*?[\]]/.test(prefix)) {
    // `:` would shift every area; glob characters would break the SCAN-based test cleanup.
    throw new StoreError("STORE_WRITE", `store: invalid key prefix: ${JSON.stringify(prefix)}`);
  }
  const k = (area: string, id?: string): string =>
    id === undefined ? `${prefix}:${area}` : `${prefix}:${area}:${id}`;
  return {
    prefix,
    article: (key) => k("article", checkId("article key", key)),
    indexAll: () => k("index", "all"),
    indexSource: (sourceId) => k("source-index", checkId("source id", sourceId)),
    indexSourcePrefix: () => `${prefix}:source-index:`,
    sourceIds: () => k("index", "sources"),
    seen: () => k("seen"),
    aliases: () => k("alias"),
    tombstone: (key) => k("tombstone", checkId("article key", key)),
    sourceState: (sourceId) => k("source-state", checkId("source id", sourceId)),
    cooldown: (egress) => k("cooldown", checkEgress(egress)),
    egressPace: (egress) => k("egress-pace", checkEgress(egress)),
    egressWorkers: () => k("egress", "workers"),
    egressBudget: (egress, day) => k("budget", `${checkEgress(egress)}:${checkDate(day)}`),
    failed: (key) => k("failed", checkId("article key", key)),
    failedIndex: () => k("failed-index", "all"),
    failedDue: () => k("failed-index", "due"),
    archivePending: () => k("archive", "pending"),
    archiveHealth: () => k("archive", "health"),
    archiveRepairLock: () => k("archive", "repair-lock"),
    tagIndex: (tag) => k("tag-index", checkTag(tag)),
    tagNames: () => k("index", "tags"),
    archiveStream: () => k("archive", "stream"),
  };
}

/**
 * The archive path of an article: `<dataDir>/articles/YYYY/MM/DD/<key>.md` from the document's `date`
 * and the article key (never a title), resolved to an absolute path.
 */
export function archivePath(dataDir: string, date: string, key: string): string {
  checkDate(date);
  checkId("article key", key);
  const [y, m, d] = date.split("-") as [string, string, string];
  const root = path.resolve(dataDir);
  const file = path.join(root, "articles", y, m, d, `${key}.md`);
  // The checks above already rule out traversal; this keeps the invariant explicit for future edits.
  if (path.relative(root, file).startsWith("..")) {
    throw new StoreError("STORE_WRITE", `store: archive path escapes the data dir: ${key}`);
  }
  return file;
}
