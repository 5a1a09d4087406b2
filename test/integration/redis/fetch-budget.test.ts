import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isAppError } from "../../../src/errors.ts";
import { msUntilBeijingMidnight, withDailyBudget } from "../../../src/jobs/fetch-budget.ts";
import { createTestRedis, type TestRedis } from "../../support/redis.ts";

describe("daily fetch budget", () => {
  let t: TestRedis;
  before(async () => {
    t = await createTestRedis();
  });
  after(async () => t.cleanup());

  it("counts to midnight in Beijing", () => {
    // 2026-01-03T15:30:00Z is 23:30 in Beijing: half an hour to go.
    assert.equal(msUntilBeijingMidnight(Date.parse("2026-01-03T15:30:00Z")), 30 * 60_000);
    assert.equal(msUntilBeijingMidnight(Date.parse("2026-01-03T16:00:00Z")), 86_400_000);
  });

  it("lets `limit` fetches through per Beijing day, across callers, then pauses until midnight", async () => {
    let now = Date.parse("2026-01-03T15:30:00Z");
    let calls = 0;
    const fetch = async (n: number) => {
      calls++;
      return n * 2;
    };
    const budget = { redis: t.redis, prefix: t.prefix, egress: "default", limit: 3, now: () => now };
    const workerA = withDailyBudget(fetch, budget);
    const workerB = withDailyBudget(fetch, budget);
    assert.deepEqual(await Promise.all([workerA(1), workerB(2), workerA(3)]), [2, 4, 6]);
    await assert.rejects(workerB(4), (error: unknown) => {
      assert.ok(isAppError(error, "FETCH_BUDGET_EXHAUSTED"));
      assert.equal(error.details.retryInMs, 30 * 60_000);
      return true;
    });
    assert.equal(calls, 3);
    now = Date.parse("2026-01-03T16:00:01Z"); // a new Beijing day
    assert.equal(await workerB(5), 10);
  });

  it("keeps one budget per egress group: a spent one does not stop another", async () => {
    const now = () => Date.parse("2026-02-03T08:00:00Z");
    const fetch = async () => "page";
    const common = { redis: t.redis, prefix: t.prefix, limit: 1, now };
    const east = withDailyBudget(fetch, { ...common, egress: "east" });
    const west = withDailyBudget(fetch, { ...common, egress: "west" });
    assert.equal(await east(), "page");
    await assert.rejects(east(), (error: unknown) => isAppError(error, "FETCH_BUDGET_EXHAUSTED"));
    assert.equal(await west(), "page");
    await assert.rejects(west(), (error: unknown) => isAppError(error, "FETCH_BUDGET_EXHAUSTED"));
  });

  it("is a no-op without a limit", async () => {
    const fetch = async () => "page";
    assert.equal(
      withDailyBudget(fetch, {
        redis: t.redis,
        prefix: t.prefix,
        egress: "default",
        limit: undefined,
        now: Date.now,
      }),
      fetch,
    );
  });
});
