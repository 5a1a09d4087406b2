import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildCategoryMessages,
  buildSummaryMessages,
  fillPrompt,
  parseChatAnswer,
  toCategory,
} from "../../../src/parsers/summary-answer.ts";

const CATEGORIES = ["Red Team", "Web Security", "AI", "Others"];

describe("summary requests", () => {
  it("fills {title} and {content} once, never inside the article text", () => {
    assert.equal(
      fillPrompt("T={title} C={content}", { title: "{content}", content: "x{title}" }),
      "T={content} C=x{title}",
    );
  });

  it("cuts the content to maxInputChars characters (not UTF-16 units)", () => {
    const [system, user] = buildSummaryMessages(
      { systemPrompt: "S", userPrompt: "{content}", maxInputChars: 3 },
      "t",
      "一二😀四五",
    );
    assert.deepEqual(system, { role: "system", content: "S" });
    assert.equal(user?.content, "一二😀…");
  });

  it("lists every category in the category request", () => {
    const [msg] = buildCategoryMessages("标题", "摘要", CATEGORIES);
    for (const c of CATEGORIES) assert.ok(msg?.content.includes(`- ${c}`));
  });
});

describe("reading answers", () => {
  it("takes the first choice's message text; anything else is null", () => {
    assert.equal(parseChatAnswer('{"choices":[{"message":{"content":"  好  "}}]}'), "好");
    for (const bad of [
      "",
      "{",
      "null",
      '{"choices":[]}',
      '{"choices":[{"message":{"content":7}}]}',
      '{"choices":[{"message":{"content":" "}}]}',
    ]) {
      assert.equal(parseChatAnswer(bad), null, bad);
    }
  });

  it("maps an answer onto the list: exact, quoted, picker's bilingual form, else Others", () => {
    const cases: [string | null, string][] = [
      ["Web Security", "Web Security"],
      ['"web security".', "Web Security"],
      ["- AI", "AI"],
      ["红队技术 (Red Team)", "Red Team"],
      ["Cooking", "Others"],
      ["AI or Web Security", "Others"],
      [null, "Others"],
    ];
    for (const [answer, expected] of cases)
      assert.equal(toCategory(answer, CATEGORIES), expected, String(answer));
  });
});
