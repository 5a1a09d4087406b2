/**
 * Real-Redis test helper. The Redis at REDIS_URL (default redis://127.0.0.1:6379) may be shared, so each
 * call gets its own `test-<uuid>` prefix and `cleanup()` deletes only keys under that prefix, with
 * SCAN + UNLINK (never FLUSHDB). Integration suites fail, not skip, when Redis is down (architecture.md 6).
 */

import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";

/** A connected client, the run's unique key prefix, and a cleanup that also closes the client. */
export interface TestRedis {
  readonly redis: Redis;
  readonly prefix: string;
  /** Opens another connection to the same Redis (closed by `cleanup`). */
  connect(): Redis;
  cleanup(): Promise<void>;
}

/** The Redis URL tests use. */
export function testRedisUrl(): string {
  return process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
}

/** Deletes every key starting with `<prefix>:` using SCAN + UNLINK; returns how many were deleted. */
export async function deletePrefix(redis: Redis, prefix: string): Promise<number> {
  if (!/^(?:\{[A-Za-z0-9_-]+\}|[A-Za-z0-9_-]+)$/.test(prefix))
    throw new Error(`refusing to clean unsafe prefix ${prefix}`);
  let cursor = "0";
  let deleted = 0;
  do {
    const [next, found] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
    cursor = next;
    if (found.length > 0) deleted += await redis.unlink(...found);
  } while (cursor !== "0");
  return deleted;
}

/**
 * Connects to the test Redis (failing fast when it is unreachable) under a fresh prefix; `hashTag`
 * wraps it in braces (`{test-<uuid>}`), as deployments on managed Redis services do.
 */
export async function createTestRedis(options: { hashTag?: boolean } = {}): Promise<TestRedis> {
  const prefix = options.hashTag === true ? `{test-${randomUUID()}}` : `test-${randomUUID()}`;
  const extra: Redis[] = [];
  const open = (): Redis => new Redis(testRedisUrl(), { maxRetriesPerRequest: 1, lazyConnect: false });
  const redis = open();
  try {
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new Error(`Redis not reachable at ${testRedisUrl()} (integration tests need it)`, { cause: err });
  }
  return {
    redis,
    prefix,
    connect() {
      const client = open();
      extra.push(client);
      return client;
    },
    async cleanup() {
      await Promise.all(extra.map((c) => c.quit().catch(() => c.disconnect())));
      await deletePrefix(redis, prefix);
      await redis.quit();
    },
  };
}
