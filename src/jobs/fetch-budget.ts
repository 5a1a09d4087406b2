/**
 * The optional daily budget of WeChat fetches (`fetch.dailyBudget`), counted per egress group and
 * Beijing day in Redis so it holds across every worker of the egress (WeChat counts per IP). When it is
 * spent, a fetch throws FETCH_BUDGET_EXHAUSTED with the time until the next Beijing midnight; the retry
 * policy pauses that egress's workers until then.
 */
import type { Redis } from "ioredis";
import { FetchError } from "../errors.ts";
import { beijingDate } from "../parsers/time.ts";
import { createKeys } from "../store/keys.ts";

const DAY_MS = 86_400_000;
const BEIJING_OFFSET_MS = 8 * 3_600_000;

/** Milliseconds from `now` to the next midnight in Asia/Shanghai (UTC+8, no DST). */
export function msUntilBeijingMidnight(now: number): number {
  return DAY_MS - ((now + BEIJING_OFFSET_MS) % DAY_MS);
}

/** The Redis key counting the WeChat fetches of `egress` on the Beijing day of `now`. */
export function budgetKey(prefix: string, egress: string, now: number): string {
  return createKeys(prefix).egressBudget(egress, beijingDate(new Date(now)));
}

/** Spends one unit of the counter at `key` (kept two days) and resolves to the units spent so far. */
export async function spendBudgetUnit(redis: Redis, key: string): Promise<number> {
  const [[, spent]] = (await redis
    .multi()
    .incr(key)
    .pexpire(key, 2 * DAY_MS)
    .exec()) as [[null, number]];
  return spent;
}

/** Wraps `fetch` so each call spends one unit of today's budget; without a limit it is `fetch` itself. */
export function withDailyBudget<A extends unknown[], R>(
  fetch: (...args: A) => Promise<R>,
  budget: {
    readonly redis: Redis;
    readonly prefix: string;
    readonly egress: string;
    readonly limit: number | undefined;
    now(): number;
  },
): (...args: A) => Promise<R> {
  const { limit } = budget;
  if (limit === undefined) return fetch;
  return async (...args) => {
    const now = budget.now();
    const key = budgetKey(budget.prefix, budget.egress, now);
    const spent = await spendBudgetUnit(budget.redis, key);
    if (spent > limit) {
      const retryInMs = msUntilBeijingMidnight(now);
      throw new FetchError(
        "FETCH_BUDGET_EXHAUSTED",
        `fetch: daily budget of ${limit} WeChat fetches spent on egress ${budget.egress}`,
        {
          retryInMs,
        },
      );
    }
    return fetch(...args);
  };
}
