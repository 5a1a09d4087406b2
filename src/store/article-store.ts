/**
 * The article store in Redis: one hash per article (document fields + rendered document), a sorted index
 * of all articles and one per source (score = publish time in ms), the set of source ids, plus the dedup
 * state of `dedup-store.ts`. Saving is an atomic upsert by article key (see `save-article-script.ts`),
 * which is the real no-duplicate guarantee since BullMQ delivers jobs at least once.
 *
 * Redis is written first and the archive second (`jobs/ingest.ts` is the one caller that does both): a
 * save marks the article archive-pending, and `markArchived` clears the mark once the file holds that
 * content, so an article whose file write failed is never mistaken for a finished one.
 */

import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { StoreError } from "../errors.ts";
import type { StoredArticle } from "../model.ts";
import { readAllWithBody, readWithBody } from "./article-body.ts";
import {
  type ArticleRecord,
  decodeArticle,
  encodeArticle,
  PACKED_MARK,
  packedArchivePath,
} from "./article-record.ts";
import { createDedupStore, type DedupStore } from "./dedup-store.ts";
import { guardRedis } from "./guard.ts";
import { readHashes } from "./hash-reads.ts";
import { createKeys, type StoreKeys } from "./keys.ts";
import { defineSaveArticle, runSaveArticle } from "./save-article-script.ts";

export type { ArticleRecord } from "./article-record.ts";
export type { Tombstone } from "./dedup-store.ts";

/** What a save did: first store, in-place update of an edited article, or nothing. */
export type SaveOutcome = "stored" | "updated" | "unchanged";

/** Result of `saveArticle`; `previousPath` is the old archive file to delete when an edit moved it. */
export interface SaveResult {
  readonly outcome: SaveOutcome;
  readonly previousPath: string | null;
}

/** Options of `listArticles`: newest first, at most `limit`, scores strictly below `before` (ms). */
export interface ListArticlesOptions {
  readonly sourceId?: string;
  readonly limit: number;
  /**
   * Exclusive upper bound on the index score, for paging: pass the last item's `publishedAt ?? storedAt`.
   * Articles of one push share a publish second, so a page boundary inside a push skips its siblings.
   */
  readonly before?: number;
}

/** What the archive repair needs to know of one article without reading its document. */
export interface ArchiveState {
  readonly key: string;
  readonly archivePath: string;
  /** Byte length of the stored document (what the file must hold). */
  readonly bytes: number;
  /** Saved in Redis and not yet confirmed on disk. */
  readonly pending: boolean;
  /** Redis still holds the body (full form); false once it lives only in the archive (packed form). */
  readonly hasBody: boolean;
  /** When first stored (ms): the body window's `store.bodyDays` counts from it. */
  readonly storedAt: number;
}

/** Articles, indexes and dedup state for one key prefix. */
export interface ArticleStore extends DedupStore {
  /** Atomic upsert by `a.key`, compared by `a.contentHash`; `a.storedAt` is this save's time. */
  saveArticle(a: StoredArticle): Promise<SaveResult>;
  /** The stored article with its types restored (numbers, nulls, `updatedAt`), or null. */
  readArticle(key: string): Promise<StoredArticle | null>;
  /**
   * The stored record without reading the archive: `document` is null once the body left Redis. For
   * callers that need only the metadata (duplicate checks), so they work without the archive volume.
   */
  readArticleRecord(key: string): Promise<ArticleRecord | null>;
  /** True when an article is stored under `key`. */
  hasArticle(key: string): Promise<boolean>;
  /** Stored articles, newest first (by publish time, else store time). */
  listArticles(options: ListArticlesOptions): Promise<StoredArticle[]>;
  /** Number of stored articles, overall or for one source. */
  countArticles(sourceId?: string): Promise<number>;
  /** Sorted ids of the sources that have stored articles. */
  listSourceIds(): Promise<string[]>;
  /** True when the article was saved and its archive file is not yet confirmed written. */
  isArchivePending(key: string): Promise<boolean>;
  /** Confirms the archive holds the content with `contentHash` (ignored when the article changed since). */
  markArchived(key: string, contentHash: string): Promise<void>;
  /** Number of articles whose archive file is not yet confirmed. */
  countArchivePending(): Promise<number>;
  /** Archive states of the articles at positions [start, start + count) of the all-articles index. */
  listArchiveStates(start: number, count: number): Promise<ArchiveState[]>;
}

/**
 * The content hash of an article: sha256 hex of its title and its document body (front matter excluded,
 * so a new `fetch_date` alone never counts as an edit). Line endings and trailing blanks are normalized.
 */
export function contentHash(text: string, title = ""): string {
  const body = text.replace(/\r\n?/g, "\n").trimEnd();
  return createHash("sha256").update(title.trim()).update("\u0000").update(body).digest("hex");
}

/** How a store's saves reach the archive. */
export interface ArticleStoreOptions {
  /**
   * True when this process's saves leave the archive file to the archiver role: each stored or updated
   * article is then also appended to the archive stream, in the save's own atomic step.
   */
  readonly toArchiveStream?: boolean;
}

/** Saves `a` and its indexes in one script run (see save-article-script.ts). */
async function saveArticle(
  redis: Redis,
  keys: StoreKeys,
  a: StoredArticle,
  options: ArticleStoreOptions,
): Promise<SaveResult> {
  const encoded = encodeArticle(a);
  const [outcome, previous, packed] = await runSaveArticle(redis, {
    keys: [
      keys.article(a.key),
      keys.indexAll(),
      keys.indexSource(a.sourceId),
      keys.seen(),
      keys.sourceIds(),
      keys.archivePending(),
      options.toArchiveStream === true ? keys.archiveStream() : undefined,
    ],
    articleKey: a.key,
    contentHash: a.contentHash,
    sourceId: a.sourceId,
    sourceIndexPrefix: keys.indexSourcePrefix(),
    storedAt: a.storedAt,
    publishedAt: a.publishedAt,
    archivePath: a.archivePath,
    set: encoded.set,
    nulls: encoded.nulls,
  });
  if (outcome !== "stored" && outcome !== "updated" && outcome !== "unchanged") {
    throw new StoreError("STORE_UNAVAILABLE", `store: unexpected save outcome: ${String(outcome)}`);
  }
  // Over a packed record the script answers its packed text: only the record module decodes its path.
  const previousPath = packed === "" ? previous : (packedArchivePath(a.key, packed) ?? "");
  return {
    outcome,
    previousPath: previousPath === "" || previousPath === a.archivePath ? null : previousPath,
  };
}

/**
 * Archive states of `found` without reading any document: HSTRLEN counts bytes, so the repair compares
 * sizes without fetching one. Packed records (small, no body) are read whole and decoded.
 */
async function readArchiveStates(
  redis: Redis,
  keys: StoreKeys,
  found: readonly string[],
): Promise<ArchiveState[]> {
  if (found.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const key of found) {
    pipeline.hmget(keys.article(key), "archivePath", "storedAt", PACKED_MARK);
    pipeline.hstrlen(keys.article(key), "document");
    pipeline.sismember(keys.archivePending(), key);
  }
  const replies = (await pipeline.exec()) ?? [];
  const values = replies.map(([err, value]) => {
    if (err !== null) throw err;
    return value;
  });
  const out: ArchiveState[] = [];
  const packed: { key: string; pending: boolean }[] = [];
  found.forEach((key, i) => {
    const [path, storedAt, mark] = values[3 * i] as (string | null)[];
    const pending = Number(values[3 * i + 2]) === 1;
    if (mark != null) packed.push({ key, pending });
    else if (typeof path === "string") {
      const bytes = Number(values[3 * i + 1]);
      out.push({ key, archivePath: path, bytes, pending, hasBody: true, storedAt: Number(storedAt) });
    } // else: deleted since the index was read
  });
  if (packed.length === 0) return out;
  const reads = redis.pipeline();
  for (const { key } of packed) reads.hgetall(keys.article(key));
  const records = (await reads.exec()) ?? [];
  packed.forEach(({ key, pending }, i) => {
    const [err, hash] = records[i] ?? [null, {}];
    if (err) throw err;
    const r = decodeArticle(keys.article(key), hash as Record<string, string>);
    if (r !== null) {
      out.push({
        key,
        archivePath: r.archivePath,
        bytes: r.bytes,
        pending,
        hasBody: false,
        storedAt: r.storedAt,
      });
    }
  });
  return out;
}

/** Creates the article store over `redis` under `prefix` (e.g. `wf`). */
export function createArticleStore(
  redis: Redis,
  prefix: string,
  options: ArticleStoreOptions = {},
): ArticleStore {
  if (redis.options.keyPrefix) {
    // Our keys already carry the prefix, and the save script builds one key itself (see its header).
    throw new StoreError("STORE_UNAVAILABLE", "store: Redis clients with keyPrefix are not supported");
  }
  const keys = createKeys(prefix);
  defineSaveArticle(redis);

  return {
    ...createDedupStore(redis, keys),

    saveArticle: (a) => guardRedis("saveArticle", () => saveArticle(redis, keys, a, options)),

    readArticle: (key) =>
      guardRedis("readArticle", async () => {
        const record = decodeArticle(keys.article(key), await redis.hgetall(keys.article(key)));
        return record === null ? null : readWithBody(record);
      }),

    readArticleRecord: (key) =>
      guardRedis("readArticleRecord", async () =>
        decodeArticle(keys.article(key), await redis.hgetall(keys.article(key))),
      ),

    hasArticle: (key) => guardRedis("hasArticle", async () => (await redis.exists(keys.article(key))) === 1),

    listArticles: (options) =>
      guardRedis("listArticles", async () => {
        const limit = Math.floor(options.limit);
        if (!(limit > 0)) return [];
        const index = options.sourceId === undefined ? keys.indexAll() : keys.indexSource(options.sourceId);
        const max =
          options.before !== undefined && Number.isFinite(options.before) ? `(${options.before}` : "+inf";
        const found = await redis.zrevrangebyscore(index, max, "-inf", "LIMIT", 0, limit);
        const records = await readHashes(
          redis,
          found.map((key) => keys.article(key)),
          decodeArticle,
        );
        return readAllWithBody(records);
      }),

    countArticles: (sourceId) =>
      guardRedis("countArticles", async () =>
        redis.zcard(sourceId === undefined ? keys.indexAll() : keys.indexSource(sourceId)),
      ),

    listSourceIds: () =>
      guardRedis("listSourceIds", async () => (await redis.smembers(keys.sourceIds())).sort()),

    isArchivePending: (key) =>
      guardRedis("isArchivePending", async () => (await redis.sismember(keys.archivePending(), key)) === 1),

    markArchived: (key, hash) =>
      guardRedis("markArchived", async () => {
        await redis.wfMarkArchived(keys.article(key), keys.archivePending(), key, hash);
      }),

    countArchivePending: () =>
      guardRedis("countArchivePending", async () => redis.scard(keys.archivePending())),

    listArchiveStates: (start, count) =>
      guardRedis("listArchiveStates", async () => {
        const found = await redis.zrange(keys.indexAll(), String(start), String(start + count - 1));
        return readArchiveStates(redis, keys, found);
      }),
  };
}
