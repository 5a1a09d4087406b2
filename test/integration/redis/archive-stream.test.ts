/**
 * The archive stream against real Redis: a store made for the archiver appends one entry per stored or
 * updated save (with the path an edit moved away from) and none for an unchanged one, while a plain
 * store appends nothing; the reader's consumer group hands entries out once, a dead consumer's entries
 * are taken over only after the idle time, and trimming never removes an unacknowledged entry.
 */
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, it } from "node:test";
import { createArticleStore } from "../../../src/store/article-store.ts";
import { createArchiveStreamReader } from "../../../src/store/archive-stream.ts";
import { createTestRedis, type TestRedis } from "../../support/redis.ts";
import { makeArticle } from "../../support/seed-articles.ts";

let t: TestRedis;
beforeEach(async () => {
  t = await createTestRedis();
});
afterEach(async () => {
  await t.cleanup();
});

const streamKey = () => `${t.prefix}:archive:stream`;

function article(key: string, title = `标题 ${key}`, publishedAt = "2026-03-04T02:00:00Z") {
  return makeArticle({ key, title, sourceId: "s1", publishedAt, storedAt: 1_772_000_000_000 });
}

describe("archive stream", () => {
  it("gets one entry per stored or updated save, none for an unchanged one or from a plain store", async () => {
    const plain = createArticleStore(t.redis, t.prefix);
    await plain.saveArticle(article("plain-1"));
    assert.equal(await t.redis.exists(streamKey()), 0, "a store that archives itself appends nothing");

    const store = createArticleStore(t.redis, t.prefix, { toArchiveStream: true });
    const first = article("a-1");
    assert.equal((await store.saveArticle(first)).outcome, "stored");
    assert.equal((await store.saveArticle(first)).outcome, "unchanged");
    const moved = article("a-1", "新标题", "2026-03-05T02:00:00Z");
    assert.equal((await store.saveArticle(moved)).outcome, "updated");

    const reader = createArchiveStreamReader(t.redis, t.prefix, "c1");
    await reader.ensureGroup();
    const entries = await reader.readNew(10, null);
    assert.deepEqual(
      entries.map((e) => [e.key, e.hash, e.previousPath]),
      [
        ["a-1", first.contentHash, null],
        ["a-1", moved.contentHash, first.archivePath],
      ],
    );
    assert.ok(await store.isArchivePending("a-1"), "the entry and the pending mark come together");
  });

  it("hands entries out once, takes a dead consumer's over after the idle time, and trims only acknowledged ones", async () => {
    const store = createArticleStore(t.redis, t.prefix, { toArchiveStream: true });
    for (let i = 0; i < 5; i++) await store.saveArticle(article(`k-${i}`));
    const dead = createArchiveStreamReader(t.redis, t.prefix, "dead");
    const live = createArchiveStreamReader(t.redis, t.prefix, "live");
    await dead.ensureGroup();
    await live.ensureGroup(); // a second creation is no error

    const taken = await dead.readNew(3, null);
    assert.deepEqual(
      taken.map((e) => e.key),
      ["k-0", "k-1", "k-2"],
    );
    const rest = await live.readNew(10, null);
    assert.deepEqual(
      rest.map((e) => e.key),
      ["k-3", "k-4"],
      "delivered entries are not handed out again",
    );
    await live.acknowledge(rest.map((e) => e.id));
    // k-0..k-2 are still pending with the dead consumer: a trim must keep them.
    await live.trimAcknowledged();
    assert.equal(await t.redis.xlen(streamKey()), 5);
    assert.equal(await live.countUnacknowledged(), 3);

    assert.deepEqual(await live.claimStale(60_000, 10), [], "not idle long enough yet");
    await sleep(50);
    const claimed = await live.claimStale(20, 10);
    assert.deepEqual(
      claimed.map((e) => e.key),
      ["k-0", "k-1", "k-2"],
    );
    await live.acknowledge(claimed.map((e) => e.id));
    assert.equal(await live.countUnacknowledged(), 0);
    assert.equal(await live.forgetIdleConsumers(60_000), 0, "not idle long enough yet");
    await sleep(50);
    assert.equal(await live.forgetIdleConsumers(20), 1, "the dead consumer, holding nothing now, is removed");
    const names = ((await t.redis.xinfo("CONSUMERS", streamKey(), "archivers")) as unknown[][]).map(
      (c) => c[1],
    );
    assert.deepEqual(names, ["live"]);
    assert.ok((await live.trimAcknowledged()) >= 4);
    assert.ok((await t.redis.xlen(streamKey())) <= 1, "acknowledged entries trimmed");

    await store.saveArticle(article("k-late"));
    assert.deepEqual(
      (await live.readNew(10, null)).map((e) => e.key),
      ["k-late"],
      "an entry added after a trim is still delivered",
    );
  });
});
