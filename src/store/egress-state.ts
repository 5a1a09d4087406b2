/**
 * Redis state of the egress groups (workers that share one outbound IP towards WeChat): the pace of
 * each egress (the earliest time its next fetch may start, granted by a Lua script on Redis's own clock
 * so workers on several machines agree) and the registry of live workers (heartbeats scored by time,
 * read as live while younger than a TTL). The cool-down and the daily budget per egress live beside it
 * in `source-state.ts` and `jobs/fetch-budget.ts`.
 */
import type { Redis, Result } from "ioredis";
import { guardRedis } from "./guard.ts";
import { checkEgress, createKeys } from "./keys.ts";

declare module "ioredis" {
  interface RedisCommander<Context> {
    /** Defined by `createEgressState`: grants a fetch slot (0) or answers the ms to wait for one. */
    wfClaimFetchSlot(...args: string[]): Result<number, Context>;
  }
}

// Redis's clock, not the callers': workers of one egress may run on machines whose clocks differ.
// A grant moves the next slot to now + interval + jitter, so two grants are never closer than the
// interval; a refusal changes nothing, so the caller sleeps and asks again.
const CLAIM_FETCH_SLOT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nextAt = tonumber(redis.call('GET', KEYS[1]) or '0')
if now < nextAt then return nextAt - now end
local gap = tonumber(ARGV[1])
redis.call('SET', KEYS[1], tostring(now + gap), 'PX', gap + 60000)
return 0
`;

/** How long a worker's heartbeat keeps it in the registry's live count. */
export const EGRESS_LIVE_TTL_MS = 15_000;
/** Registry members older than this are forgotten (the egress then disappears from the status). */
const FORGET_AFTER_MS = 24 * 3_600_000;

/** One egress group as the registry sees it. */
export interface EgressPresence {
  readonly egress: string;
  /** Workers whose last heartbeat is younger than the TTL. */
  readonly liveWorkers: number;
  /** Last heartbeat of any of its workers (ms). */
  readonly lastSeenAt: number;
}

/** The egress pace and live-worker registry. */
export interface EgressState {
  /**
   * Asks for the next fetch slot of `egress`: 0 means granted now (the next one is `gapMs` later),
   * a positive number is the ms until the current slot ends (ask again then).
   */
  claimFetchSlot(egress: string, gapMs: number): Promise<number>;
  /** Records that `workerId` of `egress` is alive at `now`. */
  writeHeartbeat(egress: string, workerId: string, now: number): Promise<void>;
  /** Removes `workerId` from the registry (a clean stop). */
  removeWorker(egress: string, workerId: string): Promise<void>;
  /** Every egress seen in the last day, with its live workers at `now`, sorted by name. */
  readPresence(now: number): Promise<EgressPresence[]>;
}

/** Creates the egress state over `redis` under `prefix`. */
export function createEgressState(redis: Redis, prefix: string): EgressState {
  const keys = createKeys(prefix);
  redis.defineCommand("wfClaimFetchSlot", { lua: CLAIM_FETCH_SLOT, numberOfKeys: 1 });
  const member = (egress: string, workerId: string) => `${checkEgress(egress)}/${workerId}`;
  return {
    claimFetchSlot: (egress, gapMs) =>
      guardRedis("claimFetchSlot", async () =>
        Number(await redis.wfClaimFetchSlot(keys.egressPace(egress), String(Math.max(0, Math.round(gapMs))))),
      ),
    writeHeartbeat: (egress, workerId, now) =>
      guardRedis("writeHeartbeat", async () => {
        await redis
          .multi()
          .zadd(keys.egressWorkers(), now, member(egress, workerId))
          .zremrangebyscore(keys.egressWorkers(), "-inf", now - FORGET_AFTER_MS)
          .exec();
      }),
    removeWorker: (egress, workerId) =>
      guardRedis("removeWorker", async () => {
        await redis.zrem(keys.egressWorkers(), member(egress, workerId));
      }),
    readPresence: (now) =>
      guardRedis("readPresence", async () => {
        const flat = await redis.zrangebyscore(
          keys.egressWorkers(),
          now - FORGET_AFTER_MS,
          "+inf",
          "WITHSCORES",
        );
        const byEgress = new Map<string, { liveWorkers: number; lastSeenAt: number }>();
        for (let i = 0; i + 1 < flat.length; i += 2) {
          const egress = (flat[i] ?? "").split("/")[0] ?? "";
          const at = Number(flat[i + 1]);
          const entry = byEgress.get(egress) ?? { liveWorkers: 0, lastSeenAt: 0 };
          if (now - at < EGRESS_LIVE_TTL_MS) entry.liveWorkers++;
          entry.lastSeenAt = Math.max(entry.lastSeenAt, at);
          byEgress.set(egress, entry);
        }
        return [...byEgress]
          .map(([egress, e]) => ({ egress, ...e }))
          .sort((a, b) => a.egress.localeCompare(b.egress));
      }),
  };
}
