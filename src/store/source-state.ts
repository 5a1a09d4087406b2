/**
 * Operational state kept beside the articles: each source's last poll (for `wechat-feed status` and the
 * boot-time catch-up of missed ticks) and each egress group's verification cool-down (WeChat asks for
 * verification per IP, so one egress's captcha pauses only that egress). Both writes are small
 * Lua scripts so concurrent workers cannot move state backwards: an older poll result never overwrites a
 * newer one, and a cool-down only ever extends (later `until`, higher level) until it is cleared.
 */

import type { Redis, Result } from "ioredis";
import { StoreError } from "../errors.ts";
import type { FeedPollResult } from "../model.ts";
import { guardRedis } from "./guard.ts";
import { createKeys } from "./keys.ts";

declare module "ioredis" {
  interface RedisCommander<Context> {
    /** Defined by `createSourceState`: records one poll result unless a newer one is stored. */
    wfRecordPoll(...args: string[]): Result<number, Context>;
    /** Defined by `createSourceState`: extends the cool-down; answers the effective until and level. */
    wfStartCooldown(...args: string[]): Result<[string, string], Context>;
  }
}

const RECORD_POLL = `
local last = tonumber(redis.call('HGET', KEYS[1], 'lastPollAt') or '')
if last and tonumber(ARGV[1]) < last then return 0 end
redis.call('HSET', KEYS[1], 'lastPollAt', ARGV[1], 'ok', ARGV[2], 'found', ARGV[3], 'added', ARGV[4])
if ARGV[6] == '' then redis.call('HDEL', KEYS[1], 'feeds') else redis.call('HSET', KEYS[1], 'feeds', ARGV[6]) end
if ARGV[2] == '1' then
  redis.call('HSET', KEYS[1], 'lastSuccessAt', ARGV[1], 'failureStreak', '0')
  redis.call('HDEL', KEYS[1], 'error')
else
  redis.call('HINCRBY', KEYS[1], 'failureStreak', 1)
  redis.call('HSET', KEYS[1], 'error', ARGV[5])
end
return 1
`;

// Keeps the ARGV strings rather than Lua numbers, which would print large values in exponent form.
const START_COOLDOWN = `
local cur = redis.call('HMGET', KEYS[1], 'until', 'level')
local u, l = ARGV[1], ARGV[2]
if cur[1] and tonumber(cur[1]) > tonumber(u) then u = cur[1] end
if cur[2] and tonumber(cur[2]) > tonumber(l) then l = cur[2] end
redis.call('HSET', KEYS[1], 'until', u, 'level', l, 'reason', ARGV[3])
return {u, l}
`;

/** One poll of a source, as reported by the discover job. */
export interface PollResult {
  /** When the poll finished (ms since the epoch). */
  readonly at: number;
  readonly ok: boolean;
  /** Article links in the listing. */
  readonly found: number;
  /** Links that were new and got enqueued. */
  readonly added: number;
  /** One-line failure description (error code + message) when `ok` is false. */
  readonly error?: string;
  /** OPML sources: how each outline's feed fared. */
  readonly feeds?: readonly FeedPollResult[];
}

/** A source's recorded state. */
export interface SourceStateRecord {
  readonly lastPollAt: number;
  readonly ok: boolean;
  readonly found: number;
  readonly added: number;
  readonly error: string | null;
  /** Last poll that succeeded (ms), null when none has. */
  readonly lastSuccessAt: number | null;
  /** Failed polls since the last success. */
  readonly failureStreak: number;
  /** OPML sources: each outline's feed in the last poll (empty for other sources). */
  readonly feeds: readonly FeedPollResult[];
}

/** The WeChat verification cool-down: no WeChat fetch before `until` (ms); `level` counts escalations. */
export interface Cooldown {
  readonly until: number;
  readonly level: number;
  readonly reason: string;
}

/** The egress group of workers that do not name one (`worker.egress`). */
export const DEFAULT_EGRESS = "default";

/** Per-source poll state and the per-egress WeChat cool-down (`egress` defaults to `default`). */
export interface SourceState {
  /** Records a poll result (ignored when a later poll is already recorded). */
  recordPoll(sourceId: string, poll: PollResult): Promise<void>;
  /** The last recorded poll of `sourceId`, or null when it was never polled. */
  readSourceState(sourceId: string): Promise<SourceStateRecord | null>;
  /** Starts or extends the cool-down; never shortens it or lowers its level. Returns the effective one. */
  startCooldown(cooldown: Cooldown, egress?: string): Promise<Cooldown>;
  /**
   * The cool-down, also after `until` has passed (the caller compares with its clock), so the level can
   * keep growing while verification persists; null after `clearCooldown`.
   */
  readCooldown(egress?: string): Promise<Cooldown | null>;
  /** Ends the cool-down and resets its level (after WeChat answered normally again). */
  clearCooldown(egress?: string): Promise<void>;
}

function checkCount(name: string, value: number): string {
  if (!Number.isSafeInteger(value) || (name !== "at" && name !== "until" && value < 0)) {
    throw new StoreError("STORE_WRITE", `source-state: invalid ${name}: ${String(value)}`);
  }
  return String(value);
}

/** A feed result as kept: its error on one short line. */
function toStoredFeedResult(f: FeedPollResult): FeedPollResult {
  return f.error === undefined ? f : { ...f, error: f.error.replace(/\s+/g, " ").trim().slice(0, 300) };
}

/** The kept feed results; a malformed field reads as none rather than failing the whole state. */
function parseFeedResults(text: string | undefined): FeedPollResult[] {
  if (text === undefined) return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? (value as FeedPollResult[]) : [];
  } catch {
    return [];
  }
}

function toInt(text: string | undefined): number | null {
  return text !== undefined && /^-?\d{1,16}$/.test(text) ? Number(text) : null;
}

/** Creates the source-state store over `redis` under `prefix`. */
export function createSourceState(redis: Redis, prefix: string): SourceState {
  const keys = createKeys(prefix);
  redis.defineCommand("wfRecordPoll", { lua: RECORD_POLL, numberOfKeys: 1 });
  redis.defineCommand("wfStartCooldown", { lua: START_COOLDOWN, numberOfKeys: 1 });

  return {
    recordPoll: (sourceId, poll) =>
      guardRedis("recordPoll", async () => {
        const error = (poll.error ?? "").replace(/\s+/g, " ").trim().slice(0, 500);
        await redis.wfRecordPoll(
          keys.sourceState(sourceId),
          checkCount("at", poll.at),
          poll.ok ? "1" : "0",
          checkCount("found", poll.found),
          checkCount("added", poll.added),
          error,
          poll.feeds === undefined ? "" : JSON.stringify(poll.feeds.map(toStoredFeedResult)),
        );
      }),

    readSourceState: (sourceId) =>
      guardRedis("readSourceState", async () => {
        const redisKey = keys.sourceState(sourceId);
        const h = await redis.hgetall(redisKey);
        if (Object.keys(h).length === 0) return null;
        const [lastPollAt, found, added] = [toInt(h.lastPollAt), toInt(h.found), toInt(h.added)];
        if (lastPollAt === null || found === null || added === null) {
          throw new StoreError("STORE_UNAVAILABLE", `source-state: malformed record ${redisKey}`);
        }
        return {
          lastPollAt,
          ok: h.ok === "1",
          found,
          added,
          error: h.error ? h.error : null,
          lastSuccessAt: toInt(h.lastSuccessAt),
          failureStreak: toInt(h.failureStreak) ?? 0,
          feeds: parseFeedResults(h.feeds),
        };
      }),

    startCooldown: (c, egress = DEFAULT_EGRESS) =>
      guardRedis("startCooldown", async () => {
        const reason = c.reason.replace(/\s+/g, " ").trim().slice(0, 200);
        const [until, level] = await redis.wfStartCooldown(
          keys.cooldown(egress),
          checkCount("until", c.until),
          checkCount("level", c.level),
          reason,
        );
        return { until: Number(until), level: Number(level), reason };
      }),

    readCooldown: (egress = DEFAULT_EGRESS) =>
      guardRedis("readCooldown", async () => {
        const h = await redis.hgetall(keys.cooldown(egress));
        const [until, level] = [toInt(h.until), toInt(h.level)];
        if (until === null || level === null) return null;
        return { until, level, reason: h.reason ?? "" };
      }),

    clearCooldown: (egress = DEFAULT_EGRESS) =>
      guardRedis("clearCooldown", async () => {
        await redis.unlink(keys.cooldown(egress));
      }),
  };
}
