import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { XMLValidator } from "fast-xml-parser";
import { sanitizeHtml, toHttpUrl } from "../../../src/publish/sanitize.ts";
import { assertSafeFragment, fragmentElements } from "../../support/html-safety.ts";

/** Elements of a sanitized fragment as `tag[attr=value,...]` strings, for compact expectations. */
function shape(html: string): string[] {
  return fragmentElements(html).map((el) => {
    const attrs = [...el.attributes].map((a) => `${a.name}=${a.value}`).sort();
    return `${el.tagName}[${attrs.join(",")}]`;
  });
}

const textOf = (html: string): string => fragmentElements(`<p>${html}</p>`)[0]?.textContent ?? "";

describe("sanitizeHtml table", () => {
  const cases: { name: string; input: string; shape?: string[]; text?: string; lacks?: string[] }[] = [
    { name: "plain paragraph", input: "<p>hi</p>", shape: ["p[]"], text: "hi" },
    { name: "script dropped with content", input: "a<script>alert(1)</script>b", shape: [], text: "ab" },
    { name: "uppercase SCRIPT", input: "<SCRIPT SRC=//evil.js></SCRIPT>x", shape: [], text: "x" },
    { name: "style element dropped", input: "<style>p{}</style>x", shape: [], text: "x" },
    {
      name: "onerror dropped, image kept with no-referrer and lazy",
      input: '<img src="https://mmbiz.qpic.cn/a.png" onerror="alert(1)" alt="图">',
      shape: ["img[alt=图,loading=lazy,referrerpolicy=no-referrer,src=https://mmbiz.qpic.cn/a.png]"],
    },
    { name: "image without usable src dropped", input: '<img src="x" onerror="alert(1)">', shape: [] },
    {
      name: "javascript: link unwrapped",
      input: '<a href="javascript:alert(1)">click</a>',
      shape: [],
      text: "click",
    },
    { name: "entity-obfuscated javascript:", input: '<a href="&#106;avascript:alert(1)">x</a>', shape: [] },
    { name: "tab-obfuscated javascript:", input: '<a href="java\tscript:alert(1)">x</a>', shape: [] },
    { name: "vbscript: link", input: '<a href="vbscript:msgbox(1)">x</a>', shape: [] },
    { name: "data: link", input: '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', shape: [] },
    {
      name: "data:image link is still not a link",
      input: '<a href="data:image/png;base64,AAAA">x</a>',
      shape: [],
    },
    {
      name: "data:image in img src kept",
      input: '<img src="data:image/png;base64,iVBORw0KGgo=">',
      shape: ["img[loading=lazy,referrerpolicy=no-referrer,src=data:image/png;base64,iVBORw0KGgo=]"],
    },
    {
      name: "data:image/svg+xml in img dropped",
      input: '<img src="data:image/svg+xml;base64,PHN2Zz4=">',
      shape: [],
    },
    {
      name: "data:text/html in img dropped",
      input: '<img src="data:text/html,<script>x</script>">',
      shape: [],
    },
    {
      name: "http link gets rel",
      input: '<a href="https://example.com/a?b=1&amp;c=2" title="t" target="_blank">x</a>',
      shape: ["a[href=https://example.com/a?b=1&c=2,rel=noopener noreferrer,title=t]"],
    },
    {
      name: "protocol-relative link upgraded",
      input: '<a href="//example.com/x">x</a>',
      shape: ["a[href=https://example.com/x,rel=noopener noreferrer]"],
    },
    { name: "relative link unwrapped", input: '<a href="/local">x</a>', shape: [], text: "x" },
    {
      name: "allowlisted iframe kept with sandbox",
      input: '<iframe src="https://v.qq.com/txp/iframe/player.html?vid=x" onload="x" srcdoc="<b>"></iframe>',
      shape: [
        "iframe[allowfullscreen=,referrerpolicy=no-referrer,sandbox=allow-scripts allow-same-origin allow-popups allow-presentation,src=https://v.qq.com/txp/iframe/player.html?vid=x]",
      ],
    },
    {
      name: "bilibili iframe, protocol-relative",
      input: '<iframe src="//player.bilibili.com/player.html?bvid=BV1" width="640"></iframe>',
      shape: [
        "iframe[allowfullscreen=,referrerpolicy=no-referrer,sandbox=allow-scripts allow-same-origin allow-popups allow-presentation,src=https://player.bilibili.com/player.html?bvid=BV1,width=640]",
      ],
    },
    {
      name: "other iframe dropped with content",
      input: '<iframe src="https://evil.com/">t</iframe>x',
      text: "x",
    },
    {
      name: "look-alike iframe host dropped",
      input: '<iframe src="https://v.qq.com.evil.com/"></iframe>',
      shape: [],
    },
    {
      name: "object/embed/form dropped",
      input: "<object>o</object><embed src=x><form><input></form>k",
      text: "k",
    },
    { name: "style attribute dropped", input: '<p style="color:red" class="x" id="y">a</p>', shape: ["p[]"] },
    {
      name: "unclosed tags closed",
      input: "<p>one<b>bold<i>it",
      shape: ["p[]", "b[]", "i[]"],
      text: "oneboldit",
    },
    { name: "stray close tags ignored", input: "</b></span>a</div>", shape: [], text: "a" },
    {
      name: "unknown tags unwrapped, text kept",
      input: "<section><mpvoice>语音</mpvoice><p>段落</p></section>",
      shape: ["p[]"],
      text: "语音段落",
    },
    {
      name: "nested junk",
      input:
        '<div><svg onload=alert(1)><script>x</script></svg><a href="javascript:x"><img src=x onerror=y>t</a></div>',
      shape: ["div[]"],
      text: "t",
    },
    { name: "comments and CDATA dropped", input: "a<!-- <script>x</script> --><![CDATA[<b>]]>b", text: "ab" },
    {
      name: "escaped text stays text",
      input: "&lt;script&gt;alert(1)&lt;/script&gt;",
      shape: [],
      text: "<script>alert(1)</script>",
    },
    {
      name: "table cell attributes, style alignment converted",
      input:
        '<table><tr><td colspan="2" rowspan="x" align="CENTER" onclick="x">a</td><th style="text-align:right">b</th></tr></table>',
      shape: ["table[]", "tr[]", "td[align=center,colspan=2]", "th[align=right]"],
    },
    {
      name: "video keeps http src, drops javascript poster, gains controls",
      input:
        '<video src="https://v.example/v.mp4" poster="javascript:x" autoplay onplay="x"><source src="https://v.example/v.webm" type="video/webm"></video>',
      shape: [
        "video[controls=,src=https://v.example/v.mp4]",
        "source[src=https://v.example/v.webm,type=video/webm]",
      ],
    },
    {
      name: "code keeps a language class only",
      input: '<pre><code class="language-ts evil">x</code></pre>',
      shape: ["pre[]", "code[]"],
    },
    { name: "NUL and U+FFFE removed from text", input: "<p>a\u0000b\uFFFEc</p>", text: "abc" },
    {
      name: "__proto__ tag is harmless",
      input: "<__proto__ href=x>t</__proto__><constructor>u</constructor>",
      lacks: ["<constructor"],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const out = sanitizeHtml(c.input);
      assertSafeFragment(out);
      if (c.shape !== undefined) assert.deepEqual(shape(out), c.shape);
      if (c.text !== undefined) assert.equal(textOf(out), c.text);
      for (const bad of c.lacks ?? []) assert.ok(!out.includes(bad), `output contains ${bad}: ${out}`);
    });
  }
});

describe("sanitizeHtml options and limits", () => {
  it("rewrites http(s) image sources and video posters, not links or data: images", () => {
    const out = sanitizeHtml(
      '<img src="https://mmbiz.qpic.cn/a.png"><img src="data:image/gif;base64,R0lG"><a href="https://mmbiz.qpic.cn/b.png">l</a><video poster="https://mmbiz.qpic.cn/p.jpg"></video>',
      { imageUrl: (u) => `https://proxy.test/img?u=${encodeURIComponent(u)}` },
    );
    const els = fragmentElements(out);
    assert.equal(els[0]?.getAttribute("src"), "https://proxy.test/img?u=https%3A%2F%2Fmmbiz.qpic.cn%2Fa.png");
    assert.equal(els[1]?.getAttribute("src"), "data:image/gif;base64,R0lG");
    assert.equal(els[2]?.getAttribute("href"), "https://mmbiz.qpic.cn/b.png");
    assert.equal(
      els[3]?.getAttribute("poster"),
      "https://proxy.test/img?u=https%3A%2F%2Fmmbiz.qpic.cn%2Fp.jpg",
    );
  });

  it("survives 20,000 levels of nesting and caps the kept depth", () => {
    const depth = 20_000;
    const out = sanitizeHtml(`${"<div>".repeat(depth)}deep${"</div>".repeat(depth)}`);
    const els = fragmentElements(out);
    assert.ok(els.length > 0 && els.length < 1000, `kept ${els.length} elements`);
    assert.equal(textOf(out), "deep");
  });

  it("handles 200,000 siblings", () => {
    // Counted with a regex and checked by XMLValidator: jsdom needs minutes for a tree this wide.
    const out = sanitizeHtml("<b>x</b>".repeat(200_000));
    assert.equal(out.match(/<b>x<\/b>/g)?.length, 200_000);
    assert.equal(XMLValidator.validate(`<root>${out}</root>`), true);
  });

  it("always yields a safe, well-formed fragment (property)", () => {
    const token = fc.constantFrom(
      "<script>",
      "</script>",
      "<img src=x onerror=alert(1)>",
      '<img src="https://mmbiz.qpic.cn/x.jpg" onload="x">',
      "<a href='javascript:alert(1)'>",
      '<a href="jav&#x09;ascript:alert(1)">',
      '<a href="https://ok.example/">',
      "</a>",
      "<iframe src='https://evil.com'>",
      '<iframe src="https://v.qq.com/x">',
      "<p>",
      "</p>",
      "<b><i>",
      "<table><td>",
      "]]>",
      "\u0000",
      "\uFFFE",
      "\uD800",
      "<!--",
      "-->",
      "<![CDATA[",
      "<svg onload=alert(1)>",
      "<style>",
      "<div onclick=x style='x'>",
      "<textarea>",
      "<math>",
      "&",
      "<",
      ">",
      '"',
      "&#0;",
      "<br/>",
    );
    const input = fc.array(fc.oneof(token, fc.string({ unit: "binary", maxLength: 8 })), { maxLength: 30 });
    fc.assert(
      fc.property(input, (parts) => {
        assertSafeFragment(sanitizeHtml(parts.join("")));
      }),
      { numRuns: 150 },
    );
  });
});

describe("toHttpUrl", () => {
  const cases: [string, string | null][] = [
    ["https://a.example/x y", "https://a.example/x%20y"],
    ["  http://a.example/  ", "http://a.example/"],
    ["//a.example/p", "https://a.example/p"],
    ["JAVASCRIPT:alert(1)", null],
    ["\u0001javascript:alert(1)", null],
    ["java\nscript:alert(1)", null],
    ["mailto:a@b.c", null],
    ["ftp://a.example/", null],
    ["/relative", null],
    ["", null],
  ];
  for (const [input, expected] of cases) {
    it(JSON.stringify(input), () => assert.equal(toHttpUrl(input), expected));
  }
});
