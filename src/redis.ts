/**
 * Redis connections for BullMQ and the store: created lazily, then connected with a bounded wait,
 * so an unreachable Redis is one clear line instead of a hang.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { StoreError } from "./errors.ts";

const CONNECT_TIMEOUT_MS = 5000;

/** A Redis connection for BullMQ (no per-command retry cap: commands wait through reconnects). */
export function createRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
}

/** Connects, or throws STORE_UNAVAILABLE naming the URL (without its password). */
export async function connectRedis(redis: Redis, url: string): Promise<void> {
  const shown = url.replace(/\/\/[^@/]*@/, "//***@");
  const connecting = redis.connect().then(() => redis.ping());
  const outcome = await Promise.race([
    connecting.then(
      () => "ok" as const,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    ),
    sleep(CONNECT_TIMEOUT_MS, `no answer in ${CONNECT_TIMEOUT_MS} ms`, { ref: false }),
  ]);
  if (outcome !== "ok") {
    redis.disconnect();
    throw new StoreError("STORE_UNAVAILABLE", `redis: cannot connect to ${shown} (${outcome})`);
  }
}
