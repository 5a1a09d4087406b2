/**
 * Articles whose fetch failed for good: what failed, why, how often, and when it is tried again. A job
 * that ran out of attempts is not the end of an article. Its record stays here (visible in `status`, the
 * status page and the JSON API) until a later fetch stores it, and transient failures carry the time of
 * their next automatic retry. A record is one hash plus two sorted sets (newest failures, due retries),
 * written in one MULTI so a reader never sees one without the other.
 */

import type { Redis } from "ioredis";
import { StoreError } from "../errors.ts";
import { guardRedis } from "./guard.ts";
import { readHashes } from "./hash-reads.ts";
import { createKeys, type StoreKeys } from "./keys.ts";

/** Whether a failure may pass by itself (network, 5xx, timeouts) or needs a change (parse, too large). */
export type FailureClass = "transient" | "permanent";

/** One failed article. */
export interface FailedArticle {
  /** The key the fetch job used (`<uin>-<mid>-<idx>`, `short-<token>` or `u<hash>`). */
  readonly key: string;
  /** The normalized URL that was fetched. */
  readonly url: string;
  readonly sourceId: string;
  /** The error code of the last failure (`FETCH_HTTP_STATUS`, `PARSE_ARTICLE`...), `UNEXPECTED` otherwise. */
  readonly code: string;
  readonly errorClass: FailureClass;
  /** One line: the last error's message. */
  readonly reason: string;
  /** Attempts the last run made before giving up. */
  readonly attempts: number;
  /** When the last run gave up (ms). */
  readonly failedAt: number;
  /** When the article first failed (ms); kept across automatic retries. */
  readonly firstFailedAt: number;
  /** Automatic retries made so far. */
  readonly retries: number;
  /** When the next automatic retry is due (ms); null when none is planned. */
  readonly nextRetryAt: number | null;
  /** The fetch-article job payload, so a retry can re-create the job when BullMQ no longer has it. */
  readonly job: Readonly<Record<string, unknown>>;
}

/** The failed-article records of one prefix. */
export interface FailedArticles {
  /** Writes (or replaces) the record of `f.key`; `firstFailedAt` of an existing record is kept. */
  recordFailure(f: FailedArticle): Promise<FailedArticle>;
  readFailure(key: string): Promise<FailedArticle | null>;
  /** The most recent failures, newest first. */
  listFailures(options: { readonly limit: number }): Promise<FailedArticle[]>;
  countFailures(): Promise<number>;
  /** Keys whose automatic retry is due at `now`, oldest first. */
  dueFailures(now: number, limit: number): Promise<string[]>;
  /** Sets or clears (null) the next automatic retry of a recorded failure; false when there is none. */
  scheduleRetry(key: string, nextRetryAt: number | null, retries: number): Promise<boolean>;
  /** Drops the record (the article was stored, tombstoned or given up). */
  clearFailure(key: string): Promise<void>;
}

const LINE_MAX = 500;

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, LINE_MAX);
}

function toInt(text: string | undefined): number | null {
  return text !== undefined && /^-?\d{1,16}$/.test(text) ? Number(text) : null;
}

function decode(redisKey: string, h: Record<string, string>): FailedArticle | null {
  if (Object.keys(h).length === 0) return null;
  const [attempts, failedAt, firstFailedAt, retries] = [
    toInt(h.attempts),
    toInt(h.failedAt),
    toInt(h.firstFailedAt),
    toInt(h.retries),
  ];
  let job: unknown;
  try {
    job = JSON.parse(h.job ?? "");
  } catch {
    job = undefined;
  }
  const errorClass = h.errorClass;
  if (
    h.key === undefined ||
    h.url === undefined ||
    h.sourceId === undefined ||
    (errorClass !== "transient" && errorClass !== "permanent") ||
    attempts === null ||
    failedAt === null ||
    firstFailedAt === null ||
    retries === null ||
    typeof job !== "object" ||
    job === null
  ) {
    throw new StoreError("STORE_UNAVAILABLE", `failed-articles: malformed record ${redisKey}`);
  }
  return {
    key: h.key,
    url: h.url,
    sourceId: h.sourceId,
    code: h.code ?? "UNEXPECTED",
    errorClass,
    reason: h.reason ?? "",
    attempts,
    failedAt,
    firstFailedAt,
    retries,
    nextRetryAt: toInt(h.nextRetryAt),
    job: job as Record<string, unknown>,
  };
}

/** Writes (or replaces) the record of `f.key`, keeping an existing record's `firstFailedAt`. */
async function writeFailure(redis: Redis, keys: StoreKeys, f: FailedArticle): Promise<FailedArticle> {
  const redisKey = keys.failed(f.key);
  const kept = toInt((await redis.hget(redisKey, "firstFailedAt")) ?? undefined);
  const record: FailedArticle = {
    ...f,
    reason: oneLine(f.reason),
    firstFailedAt: Math.min(kept ?? f.firstFailedAt, f.firstFailedAt),
  };
  const tx = redis
    .multi()
    .del(redisKey)
    .hset(redisKey, {
      key: record.key,
      url: record.url,
      sourceId: record.sourceId,
      code: record.code,
      errorClass: record.errorClass,
      reason: record.reason,
      attempts: String(record.attempts),
      failedAt: String(record.failedAt),
      firstFailedAt: String(record.firstFailedAt),
      retries: String(record.retries),
      job: JSON.stringify(record.job),
      ...(record.nextRetryAt === null ? {} : { nextRetryAt: String(record.nextRetryAt) }),
    })
    .zadd(keys.failedIndex(), record.failedAt, record.key);
  if (record.nextRetryAt === null) tx.zrem(keys.failedDue(), record.key);
  else tx.zadd(keys.failedDue(), record.nextRetryAt, record.key);
  await tx.exec();
  return record;
}

/** Creates the failed-article records over `redis` under `prefix`. */
export function createFailedArticles(redis: Redis, prefix: string): FailedArticles {
  const keys = createKeys(prefix);

  return {
    recordFailure: (f) => guardRedis("recordFailure", () => writeFailure(redis, keys, f)),

    readFailure: (key) =>
      guardRedis("readFailure", async () => decode(keys.failed(key), await redis.hgetall(keys.failed(key)))),

    listFailures: ({ limit }) =>
      guardRedis("listFailures", async () => {
        const n = Math.floor(limit);
        if (!(n > 0)) return [];
        const found = await redis.zrevrange(keys.failedIndex(), 0, n - 1);
        return readHashes(
          redis,
          found.map((key) => keys.failed(key)),
          decode,
        );
      }),

    countFailures: () => guardRedis("countFailures", async () => redis.zcard(keys.failedIndex())),

    dueFailures: (now, limit) =>
      guardRedis("dueFailures", async () =>
        redis.zrangebyscore(keys.failedDue(), "-inf", now, "LIMIT", 0, Math.max(1, Math.floor(limit))),
      ),

    scheduleRetry: (key, nextRetryAt, retries) =>
      guardRedis("scheduleRetry", async () => {
        const redisKey = keys.failed(key);
        if ((await redis.exists(redisKey)) === 0) return false;
        const tx = redis.multi().hset(redisKey, "retries", String(retries));
        if (nextRetryAt === null) tx.hdel(redisKey, "nextRetryAt").zrem(keys.failedDue(), key);
        else tx.hset(redisKey, "nextRetryAt", String(nextRetryAt)).zadd(keys.failedDue(), nextRetryAt, key);
        await tx.exec();
        return true;
      }),

    clearFailure: (key) =>
      guardRedis("clearFailure", async () => {
        await redis
          .multi()
          .unlink(keys.failed(key))
          .zrem(keys.failedIndex(), key)
          .zrem(keys.failedDue(), key)
          .exec();
      }),
  };
}
