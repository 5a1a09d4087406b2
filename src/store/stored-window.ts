/**
 * Articles by *store* time, for the daily digest ("the articles stored in the window"). The store's
 * indexes are ordered by publish time, and a backfill stores articles published years ago, so the
 * publish index cannot bound the search. Instead this reads one small field (`storedAt`) of every indexed
 * article in pipelined batches, keeps those inside the windows, and loads only those in full. That is a
 * light O(articles) scan, run when a digest window closes or on a full rebuild, never per request. A body
 * outside the feed window comes from the archive (`article-body.ts`).
 */

import type { Redis } from "ioredis";
import type { StoredArticle } from "../model.ts";
import { readAllWithBody } from "./article-body.ts";
import { type ArticleRecord, decodeArticle } from "./article-record.ts";
import { guardRedis } from "./guard.ts";
import { createKeys } from "./keys.ts";

const BATCH = 1000;

/** A half-open stored-at range [from, to) in ms since the epoch. */
export interface StoredRange {
  readonly from: number;
  readonly to: number;
}

/** Every stored article whose `storedAt` lies in one of `ranges`, in no particular order. */
export async function listArticlesStoredIn(
  redis: Redis,
  prefix: string,
  ranges: readonly StoredRange[],
): Promise<StoredArticle[]> {
  const keys = createKeys(prefix);
  if (ranges.length === 0) return [];
  const inRange = (t: number): boolean => ranges.some((r) => t >= r.from && t < r.to);
  return guardRedis("listArticlesStoredIn", async () => {
    const all = await redis.zrange(keys.indexAll(), 0, "-1");
    const hits: string[] = [];
    for (let i = 0; i < all.length; i += BATCH) {
      const batch = all.slice(i, i + BATCH);
      const pipeline = redis.pipeline();
      for (const key of batch) pipeline.hget(keys.article(key), "storedAt");
      const replies = (await pipeline.exec()) ?? [];
      replies.forEach(([err, value], j) => {
        if (err !== null) throw err;
        const t = typeof value === "string" ? Number(value) : Number.NaN;
        const key = batch[j];
        if (key !== undefined && Number.isSafeInteger(t) && inRange(t)) hits.push(key);
      });
    }
    const out: ArticleRecord[] = [];
    for (let i = 0; i < hits.length; i += BATCH) {
      const batch = hits.slice(i, i + BATCH);
      const pipeline = redis.pipeline();
      for (const key of batch) pipeline.hgetall(keys.article(key));
      const replies = (await pipeline.exec()) ?? [];
      replies.forEach(([err, value], j) => {
        if (err !== null) throw err;
        const decoded = decodeArticle(keys.article(batch[j] ?? ""), value as Record<string, string>);
        if (decoded !== null) out.push(decoded);
      });
    }
    return readAllWithBody(out);
  });
}
