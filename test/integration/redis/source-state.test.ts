import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { isAppError } from "../../../src/errors.ts";
import { createSourceState, type SourceState } from "../../../src/store/source-state.ts";
import { createTestRedis, type TestRedis } from "../../support/redis.ts";

let t: TestRedis;
let state: SourceState;

beforeEach(async () => {
  t = await createTestRedis();
  state = createSourceState(t.redis, t.prefix);
});
afterEach(async () => {
  await t.cleanup();
});

describe("source state: polls", () => {
  it("is null before the first poll", async () => {
    assert.equal(await state.readSourceState("geek-park"), null);
  });

  it("records the last poll, the last success and the failure streak", async () => {
    await state.recordPoll("geek-park", { at: 1000, ok: true, found: 12, added: 3 });
    assert.deepEqual(await state.readSourceState("geek-park"), {
      lastPollAt: 1000,
      ok: true,
      found: 12,
      added: 3,
      error: null,
      lastSuccessAt: 1000,
      failureStreak: 0,
      feeds: [],
    });
    await state.recordPoll("geek-park", {
      at: 2000,
      ok: false,
      found: 0,
      added: 0,
      error: "FETCH_TIMEOUT\nafter 20 s",
    });
    await state.recordPoll("geek-park", { at: 3000, ok: false, found: 0, added: 0, error: "FETCH_NETWORK" });
    assert.deepEqual(await state.readSourceState("geek-park"), {
      lastPollAt: 3000,
      ok: false,
      found: 0,
      added: 0,
      error: "FETCH_NETWORK",
      lastSuccessAt: 1000,
      failureStreak: 2,
      feeds: [],
    });
    await state.recordPoll("geek-park", { at: 4000, ok: true, found: 5, added: 0 });
    const s = await state.readSourceState("geek-park");
    assert.equal(s?.failureStreak, 0);
    assert.equal(s?.error, null);
    assert.equal(s?.lastSuccessAt, 4000);
  });

  it("keeps each OPML feed's result of the last poll, errors on one line", async () => {
    await state.recordPoll("list", {
      at: 1000,
      ok: true,
      found: 3,
      added: 3,
      feeds: [
        {
          url: "https://a.example/feed.xml",
          ok: false,
          items: 0,
          code: "FETCH_HTTP_STATUS",
          error: "HTTP\n404",
        },
        { url: "https://b.example/feed.xml", ok: true, items: 3 },
      ],
    });
    assert.deepEqual((await state.readSourceState("list"))?.feeds, [
      {
        url: "https://a.example/feed.xml",
        ok: false,
        items: 0,
        code: "FETCH_HTTP_STATUS",
        error: "HTTP 404",
      },
      { url: "https://b.example/feed.xml", ok: true, items: 3 },
    ]);
    await state.recordPoll("list", { at: 2000, ok: true, found: 0, added: 0 });
    assert.deepEqual((await state.readSourceState("list"))?.feeds, []);
  });

  it("ignores a poll result older than the one recorded", async () => {
    await state.recordPoll("a", { at: 5000, ok: true, found: 1, added: 1 });
    await state.recordPoll("a", { at: 4000, ok: false, found: 0, added: 0, error: "late" });
    const s = await state.readSourceState("a");
    assert.equal(s?.lastPollAt, 5000);
    assert.equal(s?.ok, true);
  });

  it("keeps sources apart and rejects invalid ids and counts", async () => {
    await state.recordPoll("a", { at: 1, ok: true, found: 1, added: 1 });
    assert.equal(await state.readSourceState("b"), null);
    await assert.rejects(state.recordPoll("a:b", { at: 1, ok: true, found: 0, added: 0 }), (e) =>
      isAppError(e, "STORE_WRITE"),
    );
    await assert.rejects(state.recordPoll("a", { at: 1, ok: true, found: -1, added: 0 }), (e) =>
      isAppError(e, "STORE_WRITE"),
    );
  });
});

describe("source state: WeChat cool-down", () => {
  const hour = 3_600_000;
  const now = 1_759_772_762_915;

  it("starts, reads and clears the cool-down", async () => {
    assert.equal(await state.readCooldown(), null);
    const c = await state.startCooldown({ until: now + hour, level: 1, reason: "WECHAT_VERIFY_REQUIRED" });
    assert.deepEqual(c, { until: now + hour, level: 1, reason: "WECHAT_VERIFY_REQUIRED" });
    assert.deepEqual(await state.readCooldown(), c);
    await state.clearCooldown();
    assert.equal(await state.readCooldown(), null);
  });

  it("grows while verification persists and never shrinks from a late writer", async () => {
    await state.startCooldown({ until: now + hour, level: 1, reason: "verify" });
    const grown = await state.startCooldown({ until: now + 3 * hour, level: 2, reason: "verify again" });
    assert.deepEqual([grown.until, grown.level], [now + 3 * hour, 2]);
    // A slower worker that saw the first verification page reports level 1 after the escalation.
    const late = await state.startCooldown({ until: now + hour, level: 1, reason: "verify" });
    assert.deepEqual([late.until, late.level], [now + 3 * hour, 2]);
    const read = await state.readCooldown();
    assert.deepEqual([read?.until, read?.level], [now + 3 * hour, 2]);
  });

  it("keeps the level after `until` has passed, so the next escalation builds on it", async () => {
    await state.startCooldown({ until: 1000, level: 3, reason: "old" });
    const c = await state.readCooldown();
    assert.equal(c?.level, 3);
    assert.equal(c?.until, 1000);
  });
});
