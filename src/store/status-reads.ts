/**
 * Light reads for the status views: the newest articles' headline fields (never their documents, which
 * can be large) and the index times of a source's newest articles (its cadence). Read-only.
 */
import type { Redis } from "ioredis";
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

const HEAD_FIELDS = ["title", "account", "sourceId", "url", "storedAt"] as const;

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
    return entries.flatMap(([key, at], i) => {
      const values = rows[i]?.[1] as (string | null)[] | undefined;
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
