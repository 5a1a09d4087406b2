/**
 * buildDocument per document-format.md: the body's block order (title, cover, byline, content, 阅读原文),
 * the byline rules, and the fallback chains for title, url, source and date.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ParsedArticle } from "../../../src/model.ts";
import { buildDocument } from "../../../src/parsers/document.ts";
import { readDocument, renderDocument } from "../../../src/parsers/front-matter.ts";

const FETCHED_AT = new Date("2025-10-06T17:46:02.915Z");
const FETCHED_URL = "https://mp.weixin.qq.com/s/AbCdEf123";
const CANONICAL =
  "https://mp.weixin.qq.com/s?__biz=MTMwNDMwODQ0MQ==&mid=2653046990&idx=1&sn=0f16a1981e543e20a01d5aae363bbc48";
const COVER = "https://mmbiz.qpic.cn/mmbiz_jpg/abc/0?wx_fmt=jpeg";

function article(overrides: Partial<ParsedArticle> = {}): ParsedArticle {
  return {
    title: "两个 AI 圈的明星，成了阿里云的新「代言人」",
    account: "极客公园",
    author: "拉风的极客",
    original: true,
    // 2024-07-08T16:30:00Z is 2024-07-09 00:30 in Beijing.
    publishedAt: new Date("2024-07-08T16:30:00Z"),
    identity: { biz: "MTMwNDMwODQ0MQ==", mid: "2653046990", idx: "1" },
    sn: "0f16a1981e543e20a01d5aae363bbc48",
    canonicalUrl: CANONICAL,
    cover: COVER,
    description: null,
    sourceUrl: null,
    itemShowType: 0,
    originalAccount: null,
    content: "今年为云厂商站台的合作企业……\n\n第二段。",
    warnings: [],
    ...overrides,
  };
}

const ctx = { source: "极客公园 RSS", fetchedAt: FETCHED_AT, fetchedUrl: FETCHED_URL };

describe("buildDocument", () => {
  it("writes title, cover, 原创, author, account and content for an original article", () => {
    const doc = buildDocument(article(), ctx);
    assert.equal(doc.title, "两个 AI 圈的明星，成了阿里云的新「代言人」");
    assert.equal(doc.url, CANONICAL);
    assert.equal(doc.source, "极客公园 RSS");
    assert.equal(doc.date, "2024-07-09");
    assert.equal(doc.fetch_date, "2025-10-06T17:46:02.915000");
    assert.equal(
      doc.body,
      [
        "# 两个 AI 圈的明星，成了阿里云的新「代言人」",
        "",
        `![cover_image](${COVER})`,
        "",
        "原创",
        "",
        "拉风的极客",
        "",
        "极客公园",
        "",
        "今年为云厂商站台的合作企业……",
        "",
        "第二段。",
      ].join("\n"),
    );
  });

  it("omits the cover line, the badge and an author equal to the account", () => {
    const doc = buildDocument(article({ cover: null, original: false, author: "极客公园" }), ctx);
    assert.equal(
      doc.body,
      "# 两个 AI 圈的明星，成了阿里云的新「代言人」\n\n极客公园\n\n今年为云厂商站台的合作企业……\n\n第二段。",
    );
  });

  it("omits absent author and account and ends with the 阅读原文 link", () => {
    const doc = buildDocument(
      article({
        cover: null,
        original: false,
        author: null,
        account: null,
        sourceUrl: "https://example.com/a (1)",
      }),
      ctx,
    );
    assert.equal(
      doc.body,
      "# 两个 AI 圈的明星，成了阿里云的新「代言人」\n\n今年为云厂商站台的合作企业……\n\n第二段。\n\n[阅读原文](https://example.com/a%20%281%29)",
    );
  });

  it("trims blank lines around the content and skips an empty one", () => {
    const doc = buildDocument(
      article({ cover: null, original: false, author: null, content: "\n\n正文\n\n" }),
      ctx,
    );
    assert.equal(doc.body, "# 两个 AI 圈的明星，成了阿里云的新「代言人」\n\n极客公园\n\n正文");
    const empty = buildDocument(article({ cover: null, original: false, author: null, content: "" }), ctx);
    assert.equal(empty.body, "# 两个 AI 圈的明星，成了阿里云的新「代言人」\n\n极客公园");
  });

  it("turns newlines in the title into spaces and trims it", () => {
    const doc = buildDocument(article({ title: "  第一行\n 第二行\r\n第三行 " }), ctx);
    assert.equal(doc.title, "第一行 第二行 第三行");
    assert.ok(doc.body.startsWith("# 第一行 第二行 第三行\n"));
  });

  it("falls back to the feed item's title when the page has none", () => {
    const doc = buildDocument(article({ title: "  " }), { ...ctx, itemTitle: "条目\n标题" });
    assert.equal(doc.title, "条目 标题");
  });

  it("falls back to the fetched URL without a canonical one", () => {
    assert.equal(buildDocument(article({ canonicalUrl: null }), ctx).url, FETCHED_URL);
  });

  it("takes source from the context, else the account, else ''", () => {
    assert.equal(buildDocument(article(), { ...ctx, source: null }).source, "极客公园");
    assert.equal(
      buildDocument(article(), { fetchedAt: FETCHED_AT, fetchedUrl: FETCHED_URL }).source,
      "极客公园",
    );
    assert.equal(buildDocument(article({ account: null }), { ...ctx, source: undefined }).source, "");
  });

  it("dates by publish time, else the item date, else the fetch time, all in Beijing", () => {
    // 2024-12-31T16:00:00Z is already 2025-01-01 in Beijing.
    const itemDate = new Date("2024-12-31T16:00:00Z");
    assert.equal(buildDocument(article(), { ...ctx, itemDate }).date, "2024-07-09");
    assert.equal(buildDocument(article({ publishedAt: null }), { ...ctx, itemDate }).date, "2025-01-01");
    assert.equal(
      buildDocument(article({ publishedAt: null }), { ...ctx, itemDate: null }).date,
      "2025-10-07",
    );
    assert.equal(buildDocument(article({ publishedAt: new Date(Number.NaN) }), ctx).date, "2025-10-07");
  });

  it("says so in its warnings whenever the date is not the page's own, never silently", () => {
    const itemDate = new Date("2024-12-31T16:00:00Z");
    assert.deepEqual(buildDocument(article(), { ...ctx, itemDate }).warnings, []);
    assert.deepEqual(buildDocument(article({ publishedAt: null }), { ...ctx, itemDate }).warnings, [
      "page states no publish time; dated by the feed item",
    ]);
    assert.deepEqual(buildDocument(article({ publishedAt: null }), { ...ctx, itemDate: null }).warnings, [
      "page states no publish time; dated by the fetch day",
    ]);
  });

  it("rejects an invalid fetch time", () => {
    assert.throws(() => buildDocument(article(), { ...ctx, fetchedAt: new Date(Number.NaN) }), {
      code: "PARSE_ARTICLE",
    });
  });

  it("renders to a document that reads back the same", () => {
    const doc = buildDocument(article({ title: "MEGR-APT: 基于攻击表示学习" }), ctx);
    const back = readDocument(renderDocument(doc));
    // warnings are for the log, not part of the written document.
    assert.deepEqual({ ...back, fields: undefined, warnings: [] }, { ...doc, fields: undefined });
  });

  it("removes control characters from every field and the body", () => {
    const doc = buildDocument(
      article({
        title: "标题\u0000控制\u0001",
        account: "账号\u0007",
        author: "作者\u001b\u0085",
        content: "正文\u0000第一段。\r\n\t缩进",
      }),
      { ...ctx, source: "来源\u0002" },
    );
    assert.equal(doc.title, "标题控制");
    assert.equal(doc.source, "来源");
    assert.equal(
      doc.body,
      `# 标题控制\n\n![cover_image](${COVER})\n\n原创\n\n作者\n\n账号\n\n正文第一段。\n\t缩进`,
    );
  });

  it("escapes the title, byline and account lines like body text", () => {
    const doc = buildDocument(
      article({
        title: "<script>alert(1)</script> #",
        cover: null,
        original: false,
        author: "1. *作者*",
        account: "<img src=x onerror=alert(1)>",
      }),
      ctx,
    );
    const [heading, author, account] = doc.body.split("\n\n");
    assert.equal(heading, "# \\<script>alert(1)\\</script> \\#");
    assert.equal(author, "1\\. \\*作者\\*");
    assert.equal(account, "\\<img src=x onerror=alert(1)>");
  });

  it("drops bidi controls from title and names and caps the title", () => {
    const doc = buildDocument(article({ title: `\u202e${"长".repeat(2000)}`, account: "\u202e账号\u202c" }), {
      ...ctx,
      source: null,
    });
    assert.equal([...doc.title].length, 512);
    assert.ok(doc.title.startsWith("长") && doc.title.endsWith("…"));
    assert.equal(doc.source, "账号");
    assert.ok(doc.body.startsWith(`# ${doc.title}\n\n`));
  });
});
