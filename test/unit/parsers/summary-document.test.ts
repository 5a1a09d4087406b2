import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import {
  extractArticleLinks,
  readSummaryDocument,
  renderSummaryDocument,
  type SummaryDocument,
} from "../../../src/parsers/summary-document.ts";

const doc: SummaryDocument = {
  title: "Fortinet: 多个产品 #1 漏洞",
  url: "https://mp.weixin.qq.com/s?__biz=MzA=&mid=1&idx=1&sn=ab",
  source: "安全圈",
  date: "2024-07-09",
  fetch_date: "2025-10-06T17:46:02.915375",
  category: "Web Security",
  summary: "1. 主题：漏洞。\n2. 要点：升级。",
  links: ["https://example.com/a", "https://example.com/b?x=1"],
};

describe("summary documents (picker's format)", () => {
  it("renders front matter in picker's key order as valid YAML, the 摘要 heading and numbered links", () => {
    const text = renderSummaryDocument(doc);
    const [, front = "", body = ""] = text.split(/^---$/m);
    assert.deepEqual(Object.keys(parseYaml(front) as object), [
      "title",
      "url",
      "source",
      "date",
      "fetch_date",
      "category",
    ]);
    assert.equal((parseYaml(front) as { title: string }).title, doc.title);
    assert.match(
      body,
      /^\n\n# Fortinet: 多个产品 #1 漏洞 - 摘要\n\n1\. 主题：漏洞。\n2\. 要点：升级。\n\n## 参考链接\n\n1\. https:\/\/example\.com\/a\n2\. https:\/\/example\.com\/b\?x=1\n$/,
    );
  });

  it("reads back what it writes, and an empty category as Others", () => {
    assert.deepEqual(readSummaryDocument(renderSummaryDocument(doc)), doc);
    const noLinks = { ...doc, links: [], category: "" };
    const read = readSummaryDocument(renderSummaryDocument(noLinks));
    assert.equal(read?.category, "Others");
    assert.deepEqual(read?.links, []);
    assert.doesNotMatch(renderSummaryDocument(noLinks), /参考链接/);
  });

  it("reads picker's unquoted front matter (a title with ': ') and CRLF", () => {
    const picker = `---\r\ntitle: 预警: Fortinet\r\nurl: https://mp.weixin.qq.com/s/abc\r\nsource: 安全圈\r\ndate: 2024-07-09\r\nfetch_date: 2025-10-06T17:46:02.915375\r\ncategory: Red Team\r\n---\r\n\r\n# 预警: Fortinet - 摘要\r\n\r\n摘要正文\r\n`;
    const read = readSummaryDocument(picker);
    assert.equal(read?.title, "预警: Fortinet");
    assert.equal(read?.category, "Red Team");
    assert.equal(read?.summary, "摘要正文");
  });

  it("is null for an article document (no category, no 摘要 heading) and for text without front matter", () => {
    assert.equal(readSummaryDocument("---\ntitle: a\nurl: u\n---\n\n# a\n\n正文\n"), null);
    assert.equal(readSummaryDocument("# a - 摘要\n"), null);
  });
});

describe("extractArticleLinks", () => {
  it("lists inline links and bare URLs once, in order, leaving images and trailing punctuation out", () => {
    const md = [
      "![cover](https://mmbiz.qpic.cn/a.jpg)",
      "见 [官网](https://example.com/a) 和 https://example.com/b。",
      '再见 https://example.com/a 与 [图](https://example.com/c "t")，',
      "(https://example.com/d).",
    ].join("\n");
    assert.deepEqual(extractArticleLinks(md), [
      "https://example.com/a",
      "https://example.com/b",
      "https://example.com/c",
      "https://example.com/d",
    ]);
  });
});
