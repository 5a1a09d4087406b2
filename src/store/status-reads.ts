/**
 * Light reads for the status views: the newest articles' headline fields (never their documents, which
 * can be large) and the index times of a source's newest articles (its cadence). Read-only. A packed
 * record (body dropped, `article-record.ts`) keeps its headline in packed chunks and is read whole.
 */
import type { Redis } from "ioredis";
import { decodeArticle, PACKED_MARK } from "./article-record.ts";
import { guardRedis } from "./guard.ts";
import { createKeys } from "./keys.ts";

/** The headline of a stored article. */
export interface ArticleHead {
  readonly key: string;
  readonly title: string;
  readonly account: string | null;
  readonly sourceId: string;
  readonly url: string;
  /** Publish time, else store time (ms): the index score. */
  readonly at: number;
  readonly storedAt: number | null;
}

const HEAD_FIELDS = ["title", "account", "sourceId", "url", "storedAt", PACKED_MARK] as const;

/** The headline fields of one article hash: HMGET for the full form, decoded whole for the packed form. */
async function readHeadFields(redis: Redis, redisKey: string, values: (string | null)[]) {
  if (values[0] != null || values[5] == null) return values;
  const record = decodeArticle(redisKey, await redis.hgetall(redisKey));
  if (record === null) return values;
  return [record.title, record.account, record.sourceId, record.url, String(record.storedAt)];
}

/** The newest `limit` articles overall (by publish time), headline fields only. */
export function readRecentHeads(redis: Redis, prefix: string, limit: number): Promise<ArticleHead[]> {
  const keys = createKeys(prefix);
  return guardRedis("readRecentHeads", async () => {
    const flat = await redis.zrevrange(keys.indexAll(), 0, limit - 1, "WITHSCORES");
    const pipeline = redis.pipeline();
    const entries: [string, number][] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const key = flat[i] ?? "";
      entries.push([key, Number(flat[i + 1])]);
      pipeline.hmget(keys.article(key), ...HEAD_FIELDS);
    }
    const rows = (await pipeline.exec()) ?? [];
    const heads = await Promise.all(
      entries.map(([key], i) =>
        readHeadFields(redis, keys.article(key), (rows[i]?.[1] ?? []) as (string | null)[]),
      ),
    );
    return entries.flatMap(([key, at], i) => {
      const values = heads[i];
      if (values === undefined || values[0] == null) return [];
      const [title, account, sourceId, url, storedAt] = values;
      return [
        {
          key,
          title: title ?? "",
          account: account ?? null,
          sourceId: sourceId ?? "",
          url: url ?? "",
          at,
          storedAt: storedAt == null ? null : Number(storedAt),
        },
      ];
    });
  });
}

/** The index times (publish time, else store time; ms) of a source's newest `limit` articles. */
export function readSourceTimes(
  redis: Redis,
  prefix: string,
  sourceId: string,
  limit: number,
): Promise<number[]> {
  const keys = createKeys(prefix);
  return guardRedis("readSourceTimes", async () => {
    const flat = await redis.zrevrange(keys.indexSource(sourceId), 0, limit - 1, "WITHSCORES");
    return flat.filter((_, i) => i % 2 === 1).map(Number);
  });
}
