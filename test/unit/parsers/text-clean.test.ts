/**
 * text-clean.ts: control characters out of every text, bidi controls out of titles and names, titles
 * capped at MAX_TITLE_CHARS characters with an ellipsis.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cleanName, cleanText, cleanTitle, MAX_TITLE_CHARS } from "../../../src/parsers/text-clean.ts";

describe("cleanText", () => {
  const cases: [string, string, string][] = [
    ["NUL and SOH", "a\u0000b\u0001c", "abc"],
    ["the other C0 controls, DEL and C1", "a\u0008\u000b\u000c\u001b\u007f\u0085\u009fb", "ab"],
    ["tab and newline stay", "a\tb\nc", "a\tb\nc"],
    ["CRLF and a lone CR become LF", "a\r\nb\rc", "a\nb\nc"],
    ["lone surrogates become U+FFFD", "a\ud800b\udc00c", "a\ufffdb\ufffdc"],
    ["pairs, emoji and CJK stay", "😀 极客 \u200d", "😀 极客 \u200d"],
    ["bidi controls stay in body text", "a\u202eb", "a\u202eb"],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.equal(cleanText(input), expected));
  }
});

describe("cleanName", () => {
  it("drops controls and the stateful bidi controls, keeps the marks", () => {
    assert.equal(cleanName("\u202e账号\u0000名\u2066x\u2069\u202c"), "账号名x");
    assert.equal(cleanName("\u200fשלום\u200e"), "\u200fשלום\u200e");
  });

  it("makes one trimmed line", () => {
    assert.equal(cleanName("  a \r\n b\u2028c  "), "a b c");
    assert.equal(cleanName(null), "");
  });
});

describe("cleanTitle", () => {
  it("keeps a title of exactly the cap", () => {
    const title = "标".repeat(MAX_TITLE_CHARS);
    assert.equal(cleanTitle(title), title);
  });

  it("cuts a longer one to the cap, ellipsis included", () => {
    const cut = cleanTitle("标".repeat(MAX_TITLE_CHARS + 1));
    assert.equal(cut, `${"标".repeat(MAX_TITLE_CHARS - 1)}…`);
  });

  it("counts characters, not UTF-16 units, and never splits a pair", () => {
    assert.equal(cleanTitle("😀".repeat(MAX_TITLE_CHARS)), "😀".repeat(MAX_TITLE_CHARS));
    const cut = cleanTitle("😀".repeat(MAX_TITLE_CHARS + 5));
    assert.equal([...cut].length, MAX_TITLE_CHARS);
    assert.ok(cut.endsWith("😀…"));
  });

  it("turns a 1 MB title into 512 characters", () => {
    const cut = cleanTitle("标题\u0000\u202e".repeat(262_144));
    assert.equal([...cut].length, MAX_TITLE_CHARS);
    assert.equal(cleanTitle(cut), cut, "cleaning is idempotent");
  });
});
