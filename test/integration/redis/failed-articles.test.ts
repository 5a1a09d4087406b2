import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import {
  createFailedArticles,
  type FailedArticle,
  type FailedArticles,
} from "../../../src/store/failed-articles.ts";
import { createTestRedis, type TestRedis } from "../../support/redis.ts";

let t: TestRedis;
let failed: FailedArticles;

beforeEach(async () => {
  t = await createTestRedis();
  failed = createFailedArticles(t.redis, t.prefix);
});
afterEach(async () => {
  await t.cleanup();
});

function failure(key: string, overrides: Partial<FailedArticle> = {}): FailedArticle {
  return {
    key,
    url: `https://mp.weixin.qq.com/s/${key}`,
    sourceId: "manual",
    code: "FETCH_HTTP_STATUS",
    errorClass: "transient",
    reason: "fetch: HTTP 500\nfrom origin",
    attempts: 5,
    failedAt: 10_000,
    firstFailedAt: 10_000,
    retries: 0,
    nextRetryAt: 20_000,
    job: { url: `https://mp.weixin.qq.com/s/${key}`, key, sourceId: "manual" },
    ...overrides,
  };
}

describe("failed articles", () => {
  it("records a failure and reads it back, reason on one line", async () => {
    await failed.recordFailure(failure("short-a"));
    const read = await failed.readFailure("short-a");
    assert.equal(read?.reason, "fetch: HTTP 500 from origin");
    assert.equal(read?.nextRetryAt, 20_000);
    assert.deepEqual(read?.job, {
      url: "https://mp.weixin.qq.com/s/short-a",
      key: "short-a",
      sourceId: "manual",
    });
    assert.equal(await failed.countFailures(), 1);
  });

  it("keeps the first failure time across later failures", async () => {
    await failed.recordFailure(failure("short-a", { failedAt: 1000, firstFailedAt: 1000 }));
    await failed.recordFailure(failure("short-a", { failedAt: 5000, firstFailedAt: 5000, retries: 1 }));
    const read = await failed.readFailure("short-a");
    assert.equal(read?.firstFailedAt, 1000);
    assert.equal(read?.failedAt, 5000);
    assert.equal(read?.retries, 1);
  });

  it("lists newest first and answers due retries in time order", async () => {
    await failed.recordFailure(failure("short-a", { failedAt: 1000, nextRetryAt: 9000 }));
    await failed.recordFailure(failure("short-b", { failedAt: 2000, nextRetryAt: 3000 }));
    await failed.recordFailure(
      failure("short-c", { failedAt: 3000, nextRetryAt: null, errorClass: "permanent" }),
    );
    assert.deepEqual(
      (await failed.listFailures({ limit: 10 })).map((f) => f.key),
      ["short-c", "short-b", "short-a"],
    );
    assert.deepEqual(await failed.dueFailures(5000, 10), ["short-b"]);
    assert.deepEqual(await failed.dueFailures(10_000, 10), ["short-b", "short-a"]);
  });

  it("reschedules or stops automatic retries", async () => {
    await failed.recordFailure(failure("short-a", { nextRetryAt: 1000 }));
    assert.equal(await failed.scheduleRetry("short-a", null, 1), true);
    assert.deepEqual(await failed.dueFailures(50_000, 10), []);
    assert.equal((await failed.readFailure("short-a"))?.nextRetryAt, null);
    assert.equal(await failed.scheduleRetry("short-a", 40_000, 2), true);
    assert.deepEqual(await failed.dueFailures(50_000, 10), ["short-a"]);
    assert.equal(await failed.scheduleRetry("short-none", 40_000, 1), false);
  });

  it("clears a record from every index", async () => {
    await failed.recordFailure(failure("short-a"));
    await failed.clearFailure("short-a");
    assert.equal(await failed.readFailure("short-a"), null);
    assert.equal(await failed.countFailures(), 0);
    assert.deepEqual(await failed.dueFailures(Number.MAX_SAFE_INTEGER, 10), []);
  });
});
