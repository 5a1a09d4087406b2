import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stripTitleHeading, toFeedItem } from "../../../src/publish/feed-items.ts";
import { makeArticle } from "../../support/seed-articles.ts";

describe("toFeedItem", () => {
  it("cleans titles, names and text of records stored before the cleaning", () => {
    const a = makeArticle({
      key: "1000000001-1-2",
      title: "旧\u202e标题\u0000",
      sourceId: "alpha",
      source: "来源\u2067",
      publishedAt: "2025-11-01T02:03:04Z",
      storedAt: Date.parse("2025-11-02T00:00:00Z"),
      text: "正文\u0001。",
    });
    const item = toFeedItem({ ...a, account: "\u202d账号\u0008", author: null, description: "摘要\u0000" });
    assert.equal(item.title, "旧标题");
    assert.equal(item.source, "来源");
    assert.equal(item.account, "账号");
    assert.equal(item.author, null);
    assert.equal(item.description, "摘要");
    assert.equal(item.markdown, "正文。");
  });

  it("drops the front matter and the leading # title line, keeping the rest of the body", () => {
    const a = makeArticle({
      key: "1000000001-1-1",
      title: "标题: 带冒号",
      sourceId: "alpha",
      source: "阿尔法",
      publishedAt: "2025-11-01T02:03:04Z",
      storedAt: Date.parse("2025-11-02T00:00:00Z"),
      text: "![cover_image](https://mmbiz.qpic.cn/a/0)\n\n正文第一段。\n\n# 正文里的一级标题",
    });
    const item = toFeedItem(a);
    assert.equal(
      item.markdown,
      "![cover_image](https://mmbiz.qpic.cn/a/0)\n\n正文第一段。\n\n# 正文里的一级标题",
    );
    assert.equal(item.key, "1000000001-1-1");
    assert.equal(item.title, "标题: 带冒号");
    assert.equal(item.sourceId, "alpha");
    assert.equal(item.source, "阿尔法");
    assert.equal(item.publishedAt?.toISOString(), "2025-11-01T02:03:04.000Z");
    assert.equal(item.storedAt.toISOString(), "2025-11-02T00:00:00.000Z");
  });

  it("keeps a document without front matter whole, minus its title line", () => {
    const a = {
      ...makeArticle({
        key: "k1",
        title: "T",
        sourceId: "s",
        publishedAt: "2025-01-01T00:00:00Z",
        storedAt: 1,
      }),
    };
    const item = toFeedItem({ ...a, document: "# T\n\nbody text", publishedAt: null });
    assert.equal(item.markdown, "body text");
    assert.equal(item.publishedAt, null);
  });

  it("only strips a level-one heading at the very start", () => {
    assert.equal(stripTitleHeading("\n# Title\n\n\ntext"), "text");
    assert.equal(stripTitleHeading("## Sub\n\ntext"), "## Sub\n\ntext");
    assert.equal(stripTitleHeading("text\n\n# Later"), "text\n\n# Later");
    assert.equal(stripTitleHeading("#hashtag text"), "#hashtag text");
  });
});
