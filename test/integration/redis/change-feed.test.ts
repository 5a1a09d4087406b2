import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import {
  type ArticleChange,
  changeFeedKeys,
  publishArticleChange,
  readChangeVersion,
  watchArticleChanges,
} from "../../../src/store/change-feed.ts";
import { createTestRedis, type TestRedis } from "../../support/redis.ts";

let t: TestRedis;
beforeEach(async () => {
  t = await createTestRedis();
});
afterEach(async () => {
  await t.cleanup();
});

describe("change feed", () => {
  it("bumps <prefix>:version and delivers each change to watchers of the same prefix only", async () => {
    assert.deepEqual(changeFeedKeys(t.prefix), {
      version: `${t.prefix}:version`,
      events: `${t.prefix}:events`,
    });
    assert.equal(await readChangeVersion(t.redis, t.prefix), 0);
    const received: ArticleChange[] = [];
    const other: ArticleChange[] = [];
    const watch = await watchArticleChanges(t.connect(), t.prefix, (c) => received.push(c));
    const otherWatch = await watchArticleChanges(t.connect(), `${t.prefix}-other`, (c) => other.push(c));
    assert.equal(await publishArticleChange(t.redis, t.prefix, "k-1"), 1);
    assert.equal(await publishArticleChange(t.redis, t.prefix, "k-2"), 2);
    const deadline = Date.now() + 2000;
    while (received.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(received, [
      { key: "k-1", version: 1 },
      { key: "k-2", version: 2 },
    ]);
    assert.deepEqual(other, []);
    assert.equal(await t.redis.get(`${t.prefix}:version`), "2");
    assert.equal(await readChangeVersion(t.redis, t.prefix), 2);
    await watch.close();
    await otherWatch.close();
    await t.redis.del(`${t.prefix}-other:version`);
  });

  it("ignores malformed messages on the channel", async () => {
    const received: ArticleChange[] = [];
    const watch = await watchArticleChanges(t.connect(), t.prefix, (c) => received.push(c));
    await t.redis.publish(`${t.prefix}:events`, "not json");
    await t.redis.publish(`${t.prefix}:events`, JSON.stringify({ key: 5 }));
    await publishArticleChange(t.redis, t.prefix, "good");
    const deadline = Date.now() + 2000;
    while (received.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(received, [{ key: "good", version: 1 }]);
    await watch.close();
  });
});
