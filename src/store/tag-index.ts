/**
 * Article tags that come from OPML categories (a feed's folders and `category` attribute,
 * parsers/listing-opml.ts): one sorted set per tag of the article keys found through a tagged outline,
 * scored by when they were found, plus the set of tag names. Polls write it before the articles are
 * fetched (the keys may never be stored: readers skip keys without an article); each tag keeps its
 * newest `MAX_KEYS_PER_TAG` keys so the index cannot grow without bound. Tags configured on sources
 * (`sources[].tags`) need no index: they are read from the config.
 */
import type { Redis } from "ioredis";
import { guardRedis } from "./guard.ts";
import { checkId, createKeys } from "./keys.ts";

/** Keys kept per tag (the newest). */
export const MAX_KEYS_PER_TAG = 10_000;

/** Reads and writes the OPML-category tag index. */
export interface TagIndex {
  /** Records that `keys` carry `tags`, found at `at` (ms); re-tagging keeps the first time. */
  tagArticles(keys: readonly string[], tags: readonly string[], at: number): Promise<void>;
  /** The newest `limit` keys tagged `tag`, newest first. */
  listTaggedKeys(tag: string, limit: number): Promise<string[]>;
  /** Every tag that has keys, sorted. */
  listTags(): Promise<string[]>;
}

/** Creates the tag index over `redis` under `prefix`. */
export function createTagIndex(redis: Redis, prefix: string): TagIndex {
  const keys = createKeys(prefix);
  return {
    tagArticles: (articleKeys, tags, at) =>
      guardRedis("tagArticles", async () => {
        if (articleKeys.length === 0 || tags.length === 0) return;
        for (const key of articleKeys) checkId("article key", key);
        const multi = redis.multi();
        for (const tag of tags) {
          const index = keys.tagIndex(tag);
          // NX: a key found again keeps its first time, so old articles do not jump to the front.
          multi.zadd(index, "NX", ...articleKeys.flatMap((key) => [at, key]));
          multi.zremrangebyrank(index, 0, -(MAX_KEYS_PER_TAG + 1));
          multi.sadd(keys.tagNames(), tag);
        }
        const failed = (await multi.exec())?.find(([err]) => err !== null)?.[0];
        if (failed) throw failed;
      }),
    listTaggedKeys: (tag, limit) =>
      guardRedis("listTaggedKeys", () => redis.zrevrange(keys.tagIndex(tag), 0, limit - 1)),
    listTags: () => guardRedis("listTags", async () => (await redis.smembers(keys.tagNames())).sort()),
  };
}
