import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { Redis } from "ioredis";
import { isAppError } from "../../../src/errors.ts";
import type { StoredArticle } from "../../../src/model.ts";
import { type ArticleStore, contentHash, createArticleStore } from "../../../src/store/article-store.ts";
import { createKeys } from "../../../src/store/keys.ts";
import { createTestRedis, type TestRedis } from "../../support/redis.ts";

let t: TestRedis;
let store: ArticleStore;

beforeEach(async () => {
  t = await createTestRedis();
  store = createArticleStore(t.redis, t.prefix);
});
afterEach(async () => {
  await t.cleanup();
});

function article(key: string, patch: Partial<StoredArticle> = {}): StoredArticle {
  const body = patch.document ?? `# 标题 ${key}\n\n正文`;
  return {
    key,
    url: `https://mp.weixin.qq.com/s/${key}`,
    title: `标题 ${key}`,
    source: "极客公园",
    sourceId: "geek-park",
    date: "2024-07-09",
    fetchDate: "2025-10-06T17:46:02.915375",
    publishedAt: 1720483200000,
    account: "极客公园",
    author: null,
    cover: null,
    description: "",
    itemShowType: 0,
    contentHash: contentHash(body, `标题 ${key}`),
    document: body,
    archivePath: `/data/articles/2024/07/09/${key}.md`,
    storedAt: 1759772762915,
    ...patch,
  };
}

/** Every key under the test prefix with a dump of its content, for "nothing changed" comparisons. */
async function snapshot(redis: Redis, prefix: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const [, found] = await redis.scan("0", "MATCH", `${prefix}:*`, "COUNT", 10_000);
  for (const key of found.sort()) {
    const type = await redis.type(key);
    if (type === "hash") out[key] = await redis.hgetall(key);
    else if (type === "zset") out[key] = await redis.zrange(key, 0, "-1", "WITHSCORES");
    else if (type === "set") out[key] = (await redis.smembers(key)).sort();
    else out[key] = type;
  }
  return out;
}

describe("article store: save and read", () => {
  it("round-trips every field with its type; nulls stay null", async () => {
    const a = article("3226319644-2247504179-1");
    assert.deepEqual(await store.saveArticle(a), { outcome: "stored", previousPath: null });
    const back = await store.readArticle(a.key);
    assert.deepEqual(back, { ...a, updatedAt: null });
    assert.equal(typeof back?.publishedAt, "number");
    assert.equal(typeof back?.storedAt, "number");
    assert.strictEqual(back?.author, null);
    assert.strictEqual(back?.description, "");
    assert.equal(await store.hasArticle(a.key), true);
    assert.equal(await store.readArticle("missing"), null);
    assert.equal(await store.hasArticle("missing"), false);
  });

  it("keeps null publishedAt/itemShowType null and indexes by storedAt instead", async () => {
    const a = article("u1", { publishedAt: null, itemShowType: null, storedAt: 1000 });
    await store.saveArticle(a);
    const back = await store.readArticle("u1");
    assert.strictEqual(back?.publishedAt, null);
    assert.strictEqual(back?.itemShowType, null);
    assert.equal(await t.redis.zscore(createKeys(t.prefix).indexAll(), "u1"), "1000");
  });

  it("an unchanged re-save changes nothing at all (fields, timestamps, index scores)", async () => {
    await store.saveArticle(article("k1"));
    const before = await snapshot(t.redis, t.prefix);
    const again = article("k1", { fetchDate: "2026-01-01T00:00:00.000000", storedAt: 1800000000000 });
    assert.deepEqual(await store.saveArticle(again), { outcome: "unchanged", previousPath: null });
    assert.deepEqual(await snapshot(t.redis, t.prefix), before);
  });

  it("an edited article updates in place: one key, first storedAt kept, updatedAt set", async () => {
    const first = article("k1");
    await store.saveArticle(first);
    const body = "# 标题 k1\n\n修改后的正文";
    const edited = article("k1", {
      document: body,
      contentHash: contentHash(body, first.title),
      storedAt: 1800000000000,
    });
    assert.deepEqual(await store.saveArticle(edited), { outcome: "updated", previousPath: null });
    const back = await store.readArticle("k1");
    assert.equal(back?.document, body);
    assert.equal(back?.storedAt, first.storedAt);
    assert.equal(back?.updatedAt, 1800000000000);
    assert.equal(await store.countArticles(), 1);
    assert.equal(await store.countArticles("geek-park"), 1);
    assert.deepEqual(
      (await store.listArticles({ limit: 10 })).map((x) => x.key),
      ["k1"],
    );
  });

  it("an edit that moves the date returns the previous archive path and re-scores the index", async () => {
    await store.saveArticle(article("k1"));
    const moved = article("k1", {
      date: "2024-07-10",
      publishedAt: 1720569600000,
      archivePath: "/data/articles/2024/07/10/k1.md",
      contentHash: "other",
    });
    const res = await store.saveArticle(moved);
    assert.deepEqual(res, { outcome: "updated", previousPath: "/data/articles/2024/07/09/k1.md" });
    assert.equal(await t.redis.zscore(createKeys(t.prefix).indexAll(), "k1"), "1720569600000");
  });

  it("an edit from another source moves the article between per-source indexes", async () => {
    await store.saveArticle(article("k1"));
    await store.saveArticle(article("k1", { sourceId: "other", contentHash: "changed" }));
    assert.equal(await store.countArticles("geek-park"), 0);
    assert.equal(await store.countArticles("other"), 1);
    assert.deepEqual(await store.listSourceIds(), ["other"]);
  });

  it("100 concurrent saves of one key on several connections → exactly one 'stored'", async () => {
    const clients = Array.from({ length: 5 }, () => createArticleStore(t.connect(), t.prefix));
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        (clients[i % clients.length] ?? store).saveArticle(article("k1")),
      ),
    );
    const counts = results.reduce<Record<string, number>>((acc, r) => {
      acc[r.outcome] = (acc[r.outcome] ?? 0) + 1;
      return acc;
    }, {});
    assert.deepEqual(counts, { stored: 1, unchanged: 99 });
    assert.equal(await store.countArticles(), 1);
  });

  it("rejects invalid articles with STORE_WRITE before touching Redis", async () => {
    await assert.rejects(store.saveArticle(article("bad:key")), (e) => isAppError(e, "STORE_WRITE"));
    await assert.rejects(store.saveArticle(article("k", { publishedAt: Number.NaN })), (e) =>
      isAppError(e, "STORE_WRITE"),
    );
    assert.deepEqual(await snapshot(t.redis, t.prefix), {});
  });
});

describe("article store: listing", () => {
  beforeEach(async () => {
    await store.saveArticle(article("a1", { publishedAt: 1000 }));
    await store.saveArticle(article("a2", { publishedAt: 3000 }));
    await store.saveArticle(article("b1", { publishedAt: 2000, sourceId: "blog" }));
    await store.saveArticle(article("b2", { publishedAt: null, storedAt: 4000, sourceId: "blog" }));
  });

  it("lists newest first with a limit", async () => {
    const keys = async (o: Parameters<ArticleStore["listArticles"]>[0]) =>
      (await store.listArticles(o)).map((x) => x.key);
    assert.deepEqual(await keys({ limit: 10 }), ["b2", "a2", "b1", "a1"]);
    assert.deepEqual(await keys({ limit: 2 }), ["b2", "a2"]);
    assert.deepEqual(await keys({ limit: 0 }), []);
    assert.deepEqual(await keys({ limit: 10, before: 3000 }), ["b1", "a1"]);
    assert.deepEqual(await keys({ limit: 1, before: 3000 }), ["b1"]);
    assert.deepEqual(await keys({ limit: 10, sourceId: "blog" }), ["b2", "b1"]);
    assert.deepEqual(await keys({ limit: 10, sourceId: "geek-park", before: 3000 }), ["a1"]);
    assert.deepEqual(await keys({ limit: 10, sourceId: "nobody" }), []);
  });

  it("returns full typed articles and counts per source", async () => {
    const [first] = await store.listArticles({ limit: 1 });
    assert.equal(first?.key, "b2");
    assert.strictEqual(first?.publishedAt, null);
    assert.equal(first?.storedAt, 4000);
    assert.equal(await store.countArticles(), 4);
    assert.equal(await store.countArticles("blog"), 2);
    assert.deepEqual(await store.listSourceIds(), ["blog", "geek-park"]);
  });
});

describe("article store: seen, aliases, tombstones", () => {
  it("markSeen is true exactly once under 100 concurrent calls", async () => {
    const clients = Array.from({ length: 5 }, () => createArticleStore(t.connect(), t.prefix));
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => (clients[i % clients.length] ?? store).markSeen("k1")),
    );
    assert.equal(results.filter(Boolean).length, 1);
    assert.equal(await store.isKnown("k1"), true);
  });

  it("isKnown covers stored, seen, tombstoned and aliased keys only", async () => {
    assert.equal(await store.isKnown("k1"), false);
    await store.saveArticle(article("k1"));
    assert.equal(await store.isKnown("k1"), true);
    // Saving also marks the key seen, so discovery racing with a manual enqueue skips it.
    assert.equal(await store.markSeen("k1"), false);
    await store.saveAlias("short-AbC_d-1", "k1");
    assert.equal(await store.isKnown("short-AbC_d-1"), true);
    assert.equal(await store.isKnown("short-other"), false);
  });

  it("a stored truncated article stays unknown until a full copy replaces it", async () => {
    await store.saveArticle(article("k1", { truncated: true }));
    assert.equal(await store.hasArticle("k1"), true);
    assert.equal((await store.readArticle("k1"))?.truncated, true);
    // Stored and seen, yet polls must enqueue it again so the fetch replaces the cut copy.
    assert.equal(await store.isKnown("k1"), false);
    const body = "# 标题 k1\n\n完整的正文";
    const full = article("k1", { document: body, contentHash: contentHash(body, "标题 k1") });
    assert.equal((await store.saveArticle(full)).outcome, "updated");
    const back = await store.readArticle("k1");
    assert.equal(back?.truncated, undefined);
    assert.equal(back?.document, body);
    assert.equal(await store.isKnown("k1"), true);
    // A tombstone still wins: a deleted article is never fetched again, truncated or not.
    await store.saveArticle(article("k2", { truncated: true }));
    await store.saveTombstone({
      key: "k2",
      url: "https://mp.weixin.qq.com/s/k2",
      pageClass: "deleted",
      reason: "WECHAT_DELETED",
      at: 1,
    });
    assert.equal(await store.isKnown("k2"), true);
  });

  it("resolves aliases to article keys", async () => {
    assert.equal(await store.resolveAlias("short-AbC_d-1"), null);
    await store.saveAlias("short-AbC_d-1", "3226319644-2247504179-1");
    await store.saveAlias("u0123abcd", "3226319644-2247504179-1");
    assert.equal(await store.resolveAlias("short-AbC_d-1"), "3226319644-2247504179-1");
    assert.equal(await store.resolveAlias("u0123abcd"), "3226319644-2247504179-1");
    await assert.rejects(store.saveAlias("short-x", "bad/key"), (e) => isAppError(e, "STORE_WRITE"));
  });

  it("tombstones round-trip and make the key known", async () => {
    const tomb = {
      key: "3226319644-2247504179-2",
      url: "https://mp.weixin.qq.com/s/gone",
      pageClass: "deleted",
      reason: "WECHAT_DELETED",
      at: 1759772762915,
    } as const;
    assert.equal(await store.readTombstone(tomb.key), null);
    await store.saveTombstone(tomb);
    assert.deepEqual(await store.readTombstone(tomb.key), tomb);
    assert.equal(await store.isKnown(tomb.key), true);
    assert.equal(await store.hasArticle(tomb.key), false);
  });
});

describe("article store: connection failures", () => {
  it("reports an unreachable Redis as STORE_UNAVAILABLE", async () => {
    const dead = t.connect();
    dead.disconnect();
    const s = createArticleStore(dead, t.prefix);
    await assert.rejects(s.readArticle("k1"), (e) => isAppError(e, "STORE_UNAVAILABLE"));
  });
});
