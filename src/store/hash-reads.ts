/**
 * Batch reads of Redis hashes: every hash of a list of keys in one pipeline, each decoded by the
 * record's own decoder, in order. A key whose hash is gone (deleted between reading an index and
 * reading the records) decodes to null and is skipped.
 */
import type { Redis } from "ioredis";

/** The decoded hashes at `redisKeys`, in order, without the missing ones. */
export async function readHashes<T>(
  redis: Redis,
  redisKeys: readonly string[],
  decode: (redisKey: string, hash: Record<string, string>) => T | null,
): Promise<T[]> {
  if (redisKeys.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const key of redisKeys) pipeline.hgetall(key);
  const replies = (await pipeline.exec()) ?? [];
  const out: T[] = [];
  replies.forEach(([err, value], i) => {
    if (err !== null) throw err;
    const decoded = decode(redisKeys[i] ?? "", value as Record<string, string>);
    if (decoded !== null) out.push(decoded);
  });
  return out;
}
