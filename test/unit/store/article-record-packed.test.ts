import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isAppError } from "../../../src/errors.ts";
import type { StoredArticle } from "../../../src/model.ts";
import {
  decodeArticle,
  encodePackedArticle,
  PACKED_MARK,
  packedArchivePath,
} from "../../../src/store/article-record.ts";

const key = "3226319644-2247504179-1";
const redisKey = `wf:article:${key}`;
const document = "---\ntitle: 两个 AI 圈的明星\n---\n\n# 两个 AI 圈的明星\n\n正文".repeat(20);
const base: StoredArticle = {
  key,
  url: "https://mp.weixin.qq.com/s?__biz=MTMwNDMwODQ0MQ==&mid=2653046990&idx=1&sn=0f16a1981e543e20a01d5aae363bbc48",
  title: '两个 AI 圈的明星，成了阿里云的新「代言人」: "quoted" \\ back',
  source: "极客公园",
  sourceId: "geek-park",
  date: "2024-07-09",
  fetchDate: "2025-10-06T17:46:02.915375",
  publishedAt: 1720483200000,
  account: "极客公园",
  author: "拉风的极客",
  cover: "https://mmbiz.qpic.cn/mmbiz_jpg/lEVMd9YaOWDkwFjJibsYbm7Bo3HxC2w2zdfDbVHyKlt6M9Jw/0?wx_fmt=jpeg",
  description: "今年为云厂商站台的合作企业，大多表达了类似观点：云计算是AI时代的基础设施。".repeat(3),
  itemShowType: 0,
  contentHash: "0f16a1981e543e20a01d5aae363bbc480f16a1981e543e20a01d5aae363bbc48",
  document,
  archivePath: `/data/articles/2024/07/09/${key}.md`,
  storedAt: 1759772762915,
};

const toHash = (a: StoredArticle): Record<string, string> => Object.fromEntries(encodePackedArticle(a));

/** The record a packed hash must decode to: the article without its body. */
function withoutBody(a: StoredArticle) {
  const { document: doc, ...rest } = a;
  return { ...rest, document: null, bytes: Buffer.byteLength(doc), updatedAt: a.updatedAt ?? null };
}

describe("packed article record", () => {
  it("round-trips every field but the body, and keeps the document's byte length", () => {
    const hash = toHash(base);
    assert.ok(PACKED_MARK in hash);
    assert.equal("document" in hash, false);
    assert.deepEqual(decodeArticle(redisKey, hash), withoutBody(base));
  });

  it("keeps every value within 64 bytes, so Redis keeps the hash a listpack", () => {
    for (const [field, value] of encodePackedArticle(base)) {
      assert.ok(Buffer.byteLength(value) <= 64, `${field} is ${Buffer.byteLength(value)} bytes`);
    }
  });

  it("round-trips nulls, updatedAt, truncated, other hosts and a path outside the layout", () => {
    const odd: StoredArticle = {
      ...base,
      url: "https://example.com/a?b=1",
      cover: null,
      account: null,
      author: null,
      description: null,
      publishedAt: null,
      itemShowType: null,
      updatedAt: 1759772799999,
      truncated: true,
      archivePath: "/elsewhere/x.md",
    };
    assert.deepEqual(decodeArticle(redisKey, toHash(odd)), withoutBody(odd));
    assert.deepEqual(
      decodeArticle(redisKey, toHash({ ...base, cover: "" })),
      withoutBody({ ...base, cover: "" }),
    );
  });

  it("splits multi-byte text at character boundaries", () => {
    const a = { ...base, title: "字".repeat(100), description: "😀".repeat(70) };
    assert.deepEqual(decodeArticle(redisKey, toHash(a)), withoutBody(a));
  });

  it("answers the archive path of a packed text, as the save script returns it", () => {
    const hash = toHash(base);
    let text = "";
    for (let i = 0; hash[`p${i}`] !== undefined; i++) text += hash[`p${i}`];
    assert.equal(packedArchivePath(key, text), base.archivePath);
    assert.equal(packedArchivePath(key, "{not json"), null);
  });

  it("throws STORE_UNAVAILABLE on a malformed packed record", () => {
    const hash = toHash(base);
    for (const broken of [
      { ...hash, p0: "[1,2" },
      { ...hash, bytes: "x" },
      { ...hash, p0: '["a"]', p1: undefined },
    ]) {
      const clean = Object.fromEntries(Object.entries(broken).filter(([, v]) => v !== undefined)) as Record<
        string,
        string
      >;
      assert.throws(
        () => decodeArticle(redisKey, clean),
        (e) => isAppError(e, "STORE_UNAVAILABLE"),
      );
    }
  });
});
