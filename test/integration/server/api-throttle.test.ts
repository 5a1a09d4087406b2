/**
 * Failed-authentication throttling of POST /api/enqueue on the real server: after 10 failures within a
 * minute a client gets 429 with Retry-After (right token included) until the window has passed.
 * The server's clock is injected, so the window is crossed without waiting.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createAuthThrottle } from "../../../src/server/auth-throttle.ts";
import { startTestServer, type TestServer } from "../../support/test-server.ts";

const TOKEN = "s3cret-token-for-tests";
const BODY = JSON.stringify({ url: "https://mp.weixin.qq.com/s/AbC-12_x" });

describe("API authentication throttle", () => {
  let server: TestServer;
  let clock = Date.parse("2026-01-01T00:00:00Z");

  before(async () => {
    server = await startTestServer({
      settings: { apiToken: TOKEN },
      deps: () => ({
        now: () => new Date(clock),
        enqueue: async (url) => ({ status: "duplicate", key: "k", url }),
      }),
    });
  });
  after(async () => server?.close());

  const post = (token: string) =>
    fetch(`${server.base}/api/enqueue`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: BODY,
    });

  it("answers 429 with Retry-After after repeated failures, until the window passes", async () => {
    for (let i = 0; i < 10; i++) assert.equal((await post(`wrong-${i}`)).status, 401, `failure ${i + 1}`);
    const blocked = await post("wrong-again");
    assert.equal(blocked.status, 429);
    assert.equal(blocked.headers.get("retry-after"), "60");
    assert.match(((await blocked.json()) as { error: string }).error, /too many failed authentications/);
    // The right token does not get through while the client is blocked: guessing must cost the window.
    assert.equal((await post(TOKEN)).status, 429);
    clock += 45_000;
    const later = await post(TOKEN);
    assert.equal(later.status, 429);
    assert.equal(later.headers.get("retry-after"), "15");
    clock += 15_000;
    // Window over: the right token gets through to the enqueue again.
    assert.equal((await post(TOKEN)).status, 200);
    assert.equal((await post("wrong")).status, 401, "a fresh window counts from one again");
  });
});

describe("createAuthThrottle", () => {
  it("tracks clients separately and forgets the oldest beyond maxClients", () => {
    let now = 0;
    const throttle = createAuthThrottle({ maxFailures: 2, windowMs: 1000, maxClients: 2, now: () => now });
    assert.equal(throttle.recordFailure("a"), false);
    assert.equal(throttle.recordFailure("a"), true, "the second failure blocks");
    assert.equal(throttle.retryAfterSeconds("a"), 1);
    assert.equal(throttle.retryAfterSeconds("b"), null, "another client is not blocked");
    throttle.recordFailure("b");
    throttle.recordFailure("c"); // a third client evicts the oldest window ("a")
    assert.equal(throttle.retryAfterSeconds("a"), null);
    now = 999;
    throttle.recordFailure("c");
    assert.equal(throttle.retryAfterSeconds("c"), 1);
    now = 1000;
    assert.equal(throttle.retryAfterSeconds("c"), null, "the window has passed");
  });
});
