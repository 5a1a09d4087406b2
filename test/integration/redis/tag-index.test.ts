// The OPML-category tag index against real Redis: tagging, newest-first listing, first time kept on
// re-tagging, the per-tag cap, tag names, and refusal of keys and tags outside their alphabets.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isAppError } from "../../../src/errors.ts";
import { createTagIndex, MAX_KEYS_PER_TAG, type TagIndex } from "../../../src/store/tag-index.ts";
import { createTestRedis, type TestRedis } from "../../support/redis.ts";

describe("tag index", () => {
  let t: TestRedis;
  let index: TagIndex;
  before(async () => {
    t = await createTestRedis();
    index = createTagIndex(t.redis, t.prefix);
  });
  after(async () => {
    await t?.cleanup();
  });

  it("lists tagged keys newest first and keeps a key's first time when tagged again", async () => {
    await index.tagArticles(["k-1", "k-2"], ["科技", "AI"], 1000);
    await index.tagArticles(["k-3"], ["科技"], 3000);
    await index.tagArticles(["k-1"], ["科技"], 5000);
    assert.deepEqual(await index.listTaggedKeys("科技", 10), ["k-3", "k-2", "k-1"]);
    assert.deepEqual(await index.listTaggedKeys("科技", 1), ["k-3"]);
    assert.deepEqual(await index.listTaggedKeys("AI", 10), ["k-2", "k-1"]);
    assert.deepEqual(await index.listTaggedKeys("none", 10), []);
    assert.deepEqual(await index.listTags(), ["AI", "科技"]);
  });

  it("keeps only the newest keys of a tag", async () => {
    const keys = Array.from({ length: MAX_KEYS_PER_TAG + 5 }, (_, i) => `cap-${i}`);
    await index.tagArticles(keys.slice(0, 5), ["cap"], 1);
    await index.tagArticles(keys.slice(5), ["cap"], 2);
    assert.equal(await t.redis.zcard(`${t.prefix}:tag-index:cap`), MAX_KEYS_PER_TAG);
    assert.ok(!(await index.listTaggedKeys("cap", MAX_KEYS_PER_TAG)).includes("cap-0"));
  });

  it("refuses a key or tag that could break out of its Redis key", async () => {
    for (const [keys, tags] of [
      [["a:b"], ["ok"]],
      [["ok"], ["a:b"]],
      [["ok"], ["a b"]],
    ] as const) {
      await assert.rejects(index.tagArticles(keys, tags, 1), (err) => isAppError(err, "STORE_WRITE"));
    }
  });
});
