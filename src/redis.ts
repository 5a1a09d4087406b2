/**
 * Redis connections for BullMQ and the store: created lazily (direct, TLS or through Sentinel, see
 * `redis-url.ts`), then connected with a bounded wait, so an unreachable Redis is one clear line
 * instead of a hang.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { StoreError } from "./errors.ts";
import { parseRedisUrl } from "./redis-url.ts";

const CONNECT_TIMEOUT_MS = 5000;

/**
 * A Redis connection for BullMQ (no per-command retry cap: commands wait through reconnects). It
 * carries an error listener from birth: without one ioredis prints "[ioredis] Unhandled error event"
 * with a stack for every failed reconnect. A failed first connect is reported by `connectRedis`, and
 * owners add their own listener (logging) once connected.
 */
export function createRedis(url: string): Redis {
  const target = parseRedisUrl(url);
  if (typeof target === "string") throw new StoreError("STORE_UNAVAILABLE", `redis: ${target}`);
  const options = { maxRetriesPerRequest: null, lazyConnect: true };
  const redis =
    target.kind === "direct" ? new Redis(target.url, options) : new Redis({ ...target.options, ...options });
  redis.on("error", () => undefined);
  return redis;
}

/** Connects, or throws STORE_UNAVAILABLE naming the URL (without its password). */
export async function connectRedis(redis: Redis, url: string): Promise<void> {
  const shown = url.replace(/\/\/[^@/]*@/, "//***@");
  // The socket's error (ECONNREFUSED, ENOTFOUND...) says more than connect()'s "Connection is closed."
  let socketError: string | null = null;
  const onError = (error: Error) => {
    socketError ??= error.message;
  };
  redis.on("error", onError);
  const connecting = redis.connect().then(() => redis.ping());
  const outcome = await Promise.race([
    connecting.then(
      () => "ok" as const,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    ),
    sleep(CONNECT_TIMEOUT_MS, `no answer in ${CONNECT_TIMEOUT_MS} ms`, { ref: false }),
  ]);
  redis.off("error", onError);
  if (outcome !== "ok") {
    redis.disconnect();
    throw new StoreError(
      "STORE_UNAVAILABLE",
      `redis: cannot connect to ${shown} (${socketError ?? outcome})`,
    );
  }
}
