import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isAppError } from "../../../src/errors.ts";
import type { StoredArticle } from "../../../src/model.ts";
import { decodeArticle, encodeArticle } from "../../../src/store/article-record.ts";
import { contentHash } from "../../../src/store/article-store.ts";

const base: StoredArticle = {
  key: "3226319644-2247504179-1",
  url: "https://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&mid=2247504179&idx=1&sn=abc",
  title: "标题: with colon",
  source: "极客公园",
  sourceId: "geek-park",
  date: "2024-07-09",
  fetchDate: "2025-10-06T17:46:02.915375",
  publishedAt: 1720483200000,
  account: "极客公园",
  author: null,
  cover: "",
  description: null,
  itemShowType: 0,
  contentHash: "h1",
  document: "---\ntitle: x\n---\n\nbody",
  archivePath: "/data/articles/2024/07/09/3226319644-2247504179-1.md",
  storedAt: 1759772762915,
};

const bytes = Buffer.byteLength(base.document);

/** Simulates Redis: the fields set, minus the null fields. */
function toHash(a: StoredArticle): Record<string, string> {
  const enc = encodeArticle(a);
  const h: Record<string, string> = Object.fromEntries(enc.set);
  for (const f of enc.nulls) delete h[f];
  return h;
}

describe("article record encoding", () => {
  it("round-trips numbers as numbers, nulls as nulls, empty strings as empty strings", () => {
    const back = decodeArticle("k", toHash(base));
    assert.deepEqual(back, { ...base, updatedAt: null, bytes });
    assert.equal(typeof back?.publishedAt, "number");
    assert.equal(back?.itemShowType, 0);
    assert.equal(back?.cover, "");
  });

  it("writes null fields as deletions, not as 'null' strings", () => {
    const enc = encodeArticle({ ...base, publishedAt: null, itemShowType: null });
    assert.deepEqual([...enc.nulls].sort(), ["author", "description", "itemShowType", "publishedAt"]);
    for (const [, v] of enc.set) assert.notEqual(v, "null");
  });

  it("returns null for an empty hash and throws on malformed numbers", () => {
    assert.equal(decodeArticle("k", {}), null);
    assert.throws(
      () => decodeArticle("k", { ...toHash(base), publishedAt: "1.5e12" }),
      (e) => isAppError(e, "STORE_UNAVAILABLE"),
    );
    const { title: _t, ...noTitle } = toHash(base);
    assert.throws(
      () => decodeArticle("k", noTitle),
      (e) => isAppError(e, "STORE_UNAVAILABLE"),
    );
  });

  it("writes the truncated flag as 1/0 and reads back true or no field", () => {
    const cut = toHash({ ...base, truncated: true });
    assert.equal(cut.truncated, "1");
    assert.deepEqual(decodeArticle("k", cut), { ...base, truncated: true, updatedAt: null, bytes });
    // "0" on every other save, so a full copy saved over a truncated one clears the flag.
    assert.equal(toHash(base).truncated, "0");
    assert.equal(toHash({ ...base, truncated: false }).truncated, "0");
    assert.equal("truncated" in (decodeArticle("k", toHash(base)) ?? {}), false);
    const { truncated: _t, ...older } = toHash(base);
    assert.deepEqual(decodeArticle("k", older), { ...base, updatedAt: null, bytes });
    assert.throws(
      () => decodeArticle("k", { ...toHash(base), truncated: "yes" }),
      (e) => isAppError(e, "STORE_UNAVAILABLE"),
    );
    assert.throws(
      () => encodeArticle({ ...base, truncated: "1" } as unknown as StoredArticle),
      (e) => isAppError(e, "STORE_WRITE"),
    );
  });

  it("rejects invalid input before it reaches Redis", () => {
    const bad: Partial<Record<keyof StoredArticle, unknown>>[] = [
      { key: "../x" },
      { sourceId: "a:b" },
      { date: "2024-02-30" },
      { publishedAt: 1.5 },
      { storedAt: Number.NaN },
      { itemShowType: "8" },
      { contentHash: "" },
      { account: 3 },
    ];
    for (const patch of bad) {
      const a = { ...base, ...patch } as StoredArticle;
      assert.throws(
        () => encodeArticle(a),
        (e) => isAppError(e, "STORE_WRITE"),
        JSON.stringify(patch),
      );
    }
  });
});

describe("contentHash", () => {
  it("is a sha256 hex digest", () => {
    assert.match(contentHash("body", "title"), /^[0-9a-f]{64}$/);
  });

  it("changes with the body and with the title", () => {
    const h = contentHash("body", "title");
    assert.notEqual(contentHash("body!", "title"), h);
    assert.notEqual(contentHash("body", "title!"), h);
    // The separator keeps title/body boundaries apart.
    assert.notEqual(contentHash("b", "ab"), contentHash("ab", "b"));
  });

  it("ignores line-ending style and trailing blanks", () => {
    assert.equal(contentHash("a\r\nb\n\n", "t"), contentHash("a\nb", "t"));
  });
});
