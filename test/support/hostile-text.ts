/**
 * Hostile text for publishing property tests: XML-illegal and control characters, lone surrogates,
 * CDATA terminators, markup and script, entities, line separators, emoji and CJK, mixed with random
 * strings; and feed items built from them.
 */
import fc from "fast-check";

/** Fragments that have broken feeds somewhere. */
export const HOSTILE = [
  "\u0000",
  "\u0001",
  "\u0008",
  "\u000B",
  "\u001F",
  "\uFFFE",
  "\uFFFF",
  "\uD800",
  "\uDFFF",
  "]]>",
  "]]",
  ">",
  "<![CDATA[",
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  " onerror=alert(1) ",
  "javascript:alert(1)",
  "[x](javascript:alert(1))",
  "![i](javascript:alert(1))",
  '<a href="javascript:alert(1)">x</a>',
  "<iframe src=//evil.example>",
  "</content:encoded></item>",
  "<lastBuildDate>x</lastBuildDate>",
  "&",
  "&amp;",
  "&#0;",
  "\r\n",
  "\u2028",
  "😀",
  "极客",
];
/** Hostile text: fragments and random strings. */
export const hostile = fc
  .array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: "binary", maxLength: 12 })), {
    maxLength: 14,
  })
  .map((parts) => parts.join(""));
/** A valid instant between 2001 and 2099. */
export const instant = fc.date({
  min: new Date("2001-01-01T00:00:00Z"),
  max: new Date("2099-01-01T00:00:00Z"),
  noInvalidDate: true,
});

/** The text fields of a feed item, all hostile. */
export const hostileItem = fc.record({
  title: hostile,
  url: fc.oneof(hostile, fc.constant("https://mp.weixin.qq.com/s/abc?x=1&y=<2>")),
  source: hostile,
  account: fc.option(hostile),
  author: fc.option(hostile),
  key: hostile,
  publishedAt: fc.option(instant),
  storedAt: instant,
  cover: fc.option(fc.oneof(hostile, fc.constant("https://mmbiz.qpic.cn/a/0?wx_fmt=png&x=]]>"))),
  description: fc.option(hostile),
  markdown: hostile,
});
