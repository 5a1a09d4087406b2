import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toExcerpt, toPlainText } from "../../../src/parsers/plain-text.ts";

describe("toPlainText", () => {
  const table: [string, string, string][] = [
    ["drops images", "前文![cover_image](https://mmbiz.qpic.cn/a/0?wx_fmt=jpeg)后文", "前文后文"],
    ["keeps link text", "见[阅读原文](https://example.org/x)。", "见阅读原文。"],
    ["drops heading and quote markers", "## 标题\n\n> 引用", "标题\n\n引用"],
    ["drops list markers", "- 一\n2. 二", "一\n二"],
    ["drops emphasis", "**粗体**和*斜体*", "粗体和斜体"],
    ["unescapes", "1\\. 不是列表 \\*星\\*", "1. 不是列表 *星*"],
    ["keeps a pipe in text", "作者 | 不一", "作者 | 不一"],
    ["flattens table rows", "| 甲 | 乙 |\n| --- | --- |\n| 1 | 2 |", "甲 乙\n\n1 2"],
    ["drops code fences", "```js\nconst a = 1;\n```", "const a = 1;"],
  ];
  for (const [name, input, expected] of table) it(name, () => assert.equal(toPlainText(input), expected));
});

describe("toExcerpt", () => {
  it("returns short text whole", () => assert.equal(toExcerpt("短文。", 50), "短文。"));
  it("cuts at a sentence end when one is near", () => {
    assert.equal(toExcerpt("第一句话说完了。第二句话还很长很长很长很长很长", 14), "第一句话说完了。");
  });
  it("marks a hard cut with an ellipsis", () => {
    assert.equal(toExcerpt("没有句号的一段很长的文字没有句号的一段很长的文字", 10), "没有句号的一段很长的…");
  });
});
