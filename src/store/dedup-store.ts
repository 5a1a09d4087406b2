/**
 * What keeps an article from being fetched twice: the seen set (atomic SADD, so two discover jobs racing on
 * one link enqueue it once), aliases (a short link `short-<token>` or a temporary-URL key pointing at the
 * article key it resolved to, so the long link found later deduplicates) and tombstones (deleted, violation
 * and similar pages, never fetched again).
 */

import type { Redis } from "ioredis";
import { StoreError } from "../errors.ts";
import type { PageClass } from "../model.ts";
import { guardRedis } from "./guard.ts";
import { checkId, type StoreKeys } from "./keys.ts";

/** Why an article will never be fetched again. */
export interface Tombstone {
  readonly key: string;
  /** The normalized URL that produced the page. */
  readonly url: string;
  /** How the page was classified (deleted, violation, ...). */
  readonly pageClass: PageClass;
  /** Short human-readable reason, usually the error code. */
  readonly reason: string;
  /** When it was tombstoned (ms since the epoch). */
  readonly at: number;
}

/** Seen set, aliases and tombstones. */
export interface DedupStore {
  /** Adds `key` to the seen set; true only for the one caller that added it first. */
  markSeen(key: string): Promise<boolean>;
  /**
   * True when `key` is stored, tombstoned, seen, or an alias of a stored article; false for a stored
   * article marked truncated (unless tombstoned), so polls enqueue it again and the fetch replaces it.
   */
  isKnown(key: string): Promise<boolean>;
  /** Records that `alias` (short-link key or temporary-URL key) resolves to article `key`. */
  saveAlias(alias: string, key: string): Promise<void>;
  /** The article key an alias resolves to, or null. */
  resolveAlias(alias: string): Promise<string | null>;
  /** Writes (or overwrites) the tombstone of `t.key`. */
  saveTombstone(t: Tombstone): Promise<void>;
  /** The tombstone of `key`, or null. */
  readTombstone(key: string): Promise<Tombstone | null>;
}

/** Creates the dedup half of the article store over `redis` and the given key builders. */
export function createDedupStore(redis: Redis, keys: StoreKeys): DedupStore {
  return {
    markSeen: (key) =>
      guardRedis("markSeen", async () => (await redis.sadd(keys.seen(), checkId("key", key))) === 1),

    isKnown: (key) =>
      guardRedis("isKnown", async () => {
        // One MULTI so the checks see the same moment.
        const replies = await redis
          .multi()
          .exists(keys.article(key))
          .hget(keys.article(key), "truncated")
          .exists(keys.tombstone(key))
          .sismember(keys.seen(), key)
          .hexists(keys.aliases(), key)
          .exec();
        if (replies === null) throw new Error("transaction aborted");
        const [stored, truncated, tombstoned, seen, aliased] = replies.map(([err, value]) => {
          if (err !== null) throw err;
          return value;
        });
        if (Number(tombstoned) > 0 || Number(aliased) > 0) return true;
        // A truncated copy (imported from the old archive) is stored and seen, yet still wanted in full.
        if (truncated === "1") return false;
        return Number(stored) > 0 || Number(seen) > 0;
      }),

    saveAlias: (alias, key) =>
      guardRedis("saveAlias", async () => {
        await redis.hset(keys.aliases(), checkId("alias", alias), checkId("article key", key));
      }),

    resolveAlias: (alias) =>
      guardRedis("resolveAlias", async () => redis.hget(keys.aliases(), checkId("alias", alias))),

    saveTombstone: (t) =>
      guardRedis("saveTombstone", async () => {
        if (!Number.isSafeInteger(t.at)) {
          throw new StoreError("STORE_WRITE", `store: invalid tombstone time for ${t.key}`);
        }
        await redis.hset(keys.tombstone(t.key), {
          key: t.key,
          url: t.url,
          pageClass: t.pageClass,
          reason: t.reason,
          at: String(t.at),
        });
      }),

    readTombstone: (key) =>
      guardRedis("readTombstone", async () => {
        const redisKey = keys.tombstone(key);
        const h = await redis.hgetall(redisKey);
        if (Object.keys(h).length === 0) return null;
        const at = Number(h.at);
        if (h.url === undefined || h.pageClass === undefined || !Number.isSafeInteger(at)) {
          throw new StoreError("STORE_UNAVAILABLE", `store: malformed tombstone ${redisKey}`);
        }
        // pageClass was written from a PageClass by saveTombstone; Redis holds nothing else under this key.
        return { key, url: h.url, pageClass: h.pageClass as PageClass, reason: h.reason ?? "", at };
      }),
  };
}
