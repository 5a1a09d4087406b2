/**
 * Dropping article bodies from Redis once they are outside the feed window: the window's keys (the newest
 * `limit` of the all-articles index and of every source index, read through the sorted sets only) and the
 * atomic switch of one record from the full form to the packed form (`article-record.ts`). The switch is a
 * compare-and-swap in one Lua step, so a body is never dropped while its archive file is pending (saved
 * in Redis, not yet confirmed on disk) nor after an edit saved since the record was read.
 */
import type { Redis, Result } from "ioredis";
import { decodeArticle, encodePackedArticle } from "./article-record.ts";
import { guardRedis } from "./guard.ts";
import { createKeys } from "./keys.ts";

declare module "ioredis" {
  interface RedisCommander<Context> {
    /** Defined by `createBodyDrop`: replaces a full record by its packed form unless pending or changed. */
    wfPackArticle(...args: string[]): Result<number, Context>;
  }
}

const PACK = `
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 0 end
if redis.call('HGET', KEYS[1], 'contentHash') ~= ARGV[2] then return 0 end
if redis.call('HEXISTS', KEYS[1], 'document') == 0 then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
return 1
`;

/** The window's keys and the body drop, for one key prefix. */
export interface BodyDrop {
  /** Keys of the newest `limit` articles overall and of each source: their bodies stay in Redis. */
  readWindowKeys(limit: number): Promise<Set<string>>;
  /** Drops the body of `key` (packs its record); false when it is pending, changed, packed or gone. */
  dropBody(key: string): Promise<boolean>;
}

/** Creates the body drop over `redis` under `prefix`. */
export function createBodyDrop(redis: Redis, prefix: string): BodyDrop {
  const keys = createKeys(prefix);
  redis.defineCommand("wfPackArticle", { lua: PACK, numberOfKeys: 2 });
  return {
    readWindowKeys: (limit) =>
      guardRedis("readWindowKeys", async () => {
        const sourceIds = await redis.smembers(keys.sourceIds());
        const pipeline = redis.pipeline();
        pipeline.zrevrange(keys.indexAll(), 0, limit - 1);
        for (const id of sourceIds) pipeline.zrevrange(keys.indexSource(id), 0, limit - 1);
        const replies = (await pipeline.exec()) ?? [];
        const window = new Set<string>();
        for (const [err, found] of replies) {
          if (err !== null) throw err;
          for (const key of found as string[]) window.add(key);
        }
        return window;
      }),

    dropBody: (key) =>
      guardRedis("dropBody", async () => {
        const redisKey = keys.article(key);
        const record = decodeArticle(redisKey, await redis.hgetall(redisKey));
        if (record === null || record.document === null) return false;
        const packed = encodePackedArticle({ ...record, document: record.document });
        const args = [redisKey, keys.archivePending(), key, record.contentHash, ...packed.flat()];
        return (await redis.wfPackArticle(...args)) === 1;
      }),
  };
}
