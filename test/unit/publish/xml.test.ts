import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { cdata, escapeXml, stripXmlIllegal } from "../../../src/publish/xml.ts";
import { firstIllegalChar, parseStrictXml } from "../../support/strict-xml.ts";

describe("stripXmlIllegal", () => {
  const cases: [string, string, string][] = [
    ["keeps tab, LF, CR", "a\tb\nc\rd", "a\tb\nc\rd"],
    ["drops NUL and other C0 controls", "a\u0000b\u0001c\u0008d\u000Be\u000Cf\u001Fg", "abcdefg"],
    ["drops U+FFFE and U+FFFF", "x\uFFFEy\uFFFFz", "xyz"],
    ["drops a lone high surrogate", "a\uD83Db", "ab"],
    ["drops a lone low surrogate", "a\uDE00b", "ab"],
    ["drops a reversed pair", "a\uDE00\uD83Db", "ab"],
    ["keeps a surrogate pair (emoji)", "a😀b", "a😀b"],
    ["keeps C1 controls and U+FFFD (allowed by XML 1.0)", "a\u0085\uFFFDb", "a\u0085\uFFFDb"],
    ["keeps CJK", "极客公园", "极客公园"],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.equal(stripXmlIllegal(input), expected));
  }

  it("leaves no illegal character in any string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        assert.equal(firstIllegalChar(stripXmlIllegal(text)), null);
      }),
    );
  });
});

describe("escapeXml", () => {
  it("escapes the five XML specials", () => {
    assert.equal(escapeXml(`<a href="x">&'</a>`), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
  });

  it("reads back as the original text in elements and attributes", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        const doc = parseStrictXml(`<r a="${escapeXml(text)}" b='${escapeXml(text)}'>${escapeXml(text)}</r>`);
        const clean = stripXmlIllegal(text);
        // XML normalizes CR (and CRLF) to LF in text, and whitespace to spaces in attribute values.
        assert.equal(doc.documentElement.textContent, clean.replace(/\r\n?/g, "\n"));
        assert.equal(doc.documentElement.getAttribute("a"), clean.replace(/\r\n|[\t\n\r]/g, " "));
      }),
    );
  });
});

describe("cdata", () => {
  it("splits ]]> so the section cannot end early", () => {
    const doc = parseStrictXml(`<r>${cdata("a]]>b]]]]>c<script>")}</r>`);
    assert.equal(doc.documentElement.textContent, "a]]>b]]]]>c<script>");
  });

  it("round-trips any text (minus illegal characters)", () => {
    const hostile = fc.oneof(
      fc.string({ unit: "binary" }),
      fc
        .array(fc.constantFrom("]]>", "]", ">", "<![CDATA[", "\u0000", "\uFFFE", "x"), { maxLength: 12 })
        .map((parts) => parts.join("")),
    );
    fc.assert(
      fc.property(hostile, (text) => {
        const doc = parseStrictXml(`<r>${cdata(text)}</r>`);
        assert.equal(doc.documentElement.textContent, stripXmlIllegal(text).replace(/\r\n?/g, "\n"));
      }),
    );
  });
});
