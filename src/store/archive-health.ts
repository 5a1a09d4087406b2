/**
 * Whether the archive can be written, as the workers last saw it: a failed write sets `failing` with its
 * time and error, the next successful write clears it. It lives in Redis so the status and health
 * endpoints of every process report what the workers met, and the articles still waiting for their file
 * are counted from the store's archive-pending set.
 */

import type { Redis, Result } from "ioredis";
import { guardRedis } from "./guard.ts";
import { createKeys } from "./keys.ts";

/** The archive's health as recorded. */
export interface ArchiveHealthRecord {
  /** True from a failed write until the next successful one. */
  readonly failing: boolean;
  /** The last failed write (ms), null when none is recorded. */
  readonly lastFailureAt: number | null;
  readonly lastError: string | null;
  /** The last successful write after a failure (ms), null when none. */
  readonly recoveredAt: number | null;
}

/** Records and reads the archive's health. */
export interface ArchiveHealth {
  recordFailure(at: number, error: string): Promise<void>;
  /** Clears `failing`; a no-op unless it was set, so the common case is one cheap command. */
  recordSuccess(at: number): Promise<void>;
  read(): Promise<ArchiveHealthRecord>;
}

// Only a failing archive gets a recovery time, so a healthy write is a single HGET-and-compare in Redis.
const RECORD_SUCCESS = `
if redis.call('HGET', KEYS[1], 'failing') == '1' then
  redis.call('HSET', KEYS[1], 'failing', '0', 'recoveredAt', ARGV[1])
end
return 0
`;

declare module "ioredis" {
  interface RedisCommander<Context> {
    /** Defined by `createArchiveHealth`: clears the failing flag and stamps the recovery. */
    wfArchiveRecovered(...args: string[]): Result<number, Context>;
  }
}

function toInt(text: string | undefined): number | null {
  return text !== undefined && /^\d{1,16}$/.test(text) ? Number(text) : null;
}

/** Creates the archive-health record over `redis` under `prefix`. */
export function createArchiveHealth(redis: Redis, prefix: string): ArchiveHealth {
  const key = createKeys(prefix).archiveHealth();
  redis.defineCommand("wfArchiveRecovered", { lua: RECORD_SUCCESS, numberOfKeys: 1 });
  return {
    recordFailure: (at, error) =>
      guardRedis("recordArchiveFailure", async () => {
        const line = error.replace(/\s+/g, " ").trim().slice(0, 500);
        await redis.hset(key, { failing: "1", lastFailureAt: String(at), lastError: line });
      }),
    recordSuccess: (at) =>
      guardRedis("recordArchiveSuccess", async () => {
        await redis.wfArchiveRecovered(key, String(at));
      }),
    read: () =>
      guardRedis("readArchiveHealth", async () => {
        const h = await redis.hgetall(key);
        return {
          failing: h.failing === "1",
          lastFailureAt: toInt(h.lastFailureAt),
          lastError: h.lastError ?? null,
          recoveredAt: toInt(h.recoveredAt),
        };
      }),
  };
}
