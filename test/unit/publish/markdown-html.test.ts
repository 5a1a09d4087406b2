import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderArticleHtml } from "../../../src/publish/markdown-html.ts";
import { assertSafeFragment } from "../../support/html-safety.ts";

function render(markdown: string, imageUrl?: (u: string) => string): { html: string; els: Element[] } {
  const html = renderArticleHtml(markdown, imageUrl === undefined ? {} : { imageUrl });
  return { html, els: assertSafeFragment(html) };
}

const tags = (els: Element[]): string[] => els.map((el) => el.tagName);

describe("renderArticleHtml", () => {
  it("renders headings, emphasis, lists, quotes and strikethrough", () => {
    const { els } = render("## 小标题\n\n**粗** *斜* ~~删~~\n\n- 一\n- 二\n\n1. 甲\n\n> 引用");
    assert.deepEqual(tags(els), [
      "h2",
      "p",
      "strong",
      "em",
      "s",
      "ul",
      "li",
      "li",
      "ol",
      "li",
      "blockquote",
      "p",
    ]);
  });

  it("renders GFM tables with column alignment", () => {
    const { els } = render("| 名称 | 数量 |\n|:--|--:|\n| 甲 | 1 |");
    assert.deepEqual(tags(els), ["table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td"]);
    const cells = els.filter((el) => el.tagName === "td");
    assert.deepEqual(
      cells.map((el) => el.getAttribute("align")),
      ["left", "right"],
    );
  });

  it("keeps fenced code verbatim with its language class", () => {
    const { els } = render("```js\nif (a < b && c]]>d) {}\n```");
    const code = els.find((el) => el.tagName === "code");
    assert.equal(code?.getAttribute("class"), "language-js");
    assert.equal(code?.textContent, "if (a < b && c]]>d) {}\n");
  });

  it("gives every image no-referrer and lazy loading", () => {
    const { els } = render(
      "![a](https://mmbiz.qpic.cn/mmbiz_png/x/640?wx_fmt=png)\n\n![b](https://mmbiz.qpic.cn/y/0)",
    );
    const imgs = els.filter((el) => el.tagName === "img");
    assert.equal(imgs.length, 2);
    for (const img of imgs) {
      assert.equal(img.getAttribute("referrerpolicy"), "no-referrer");
      assert.equal(img.getAttribute("loading"), "lazy");
    }
    assert.equal(imgs[0]?.getAttribute("src"), "https://mmbiz.qpic.cn/mmbiz_png/x/640?wx_fmt=png");
    assert.equal(imgs[0]?.getAttribute("alt"), "a");
  });

  it("rewrites image sources with imageUrl, but not link targets", () => {
    const seen: string[] = [];
    const { els } = render("![a](https://mmbiz.qpic.cn/a.png) [l](https://mmbiz.qpic.cn/b.png)", (u) => {
      seen.push(u);
      return `https://proxy.test/img?u=${encodeURIComponent(u)}`;
    });
    assert.deepEqual(seen, ["https://mmbiz.qpic.cn/a.png"]);
    assert.equal(
      els.find((el) => el.tagName === "img")?.getAttribute("src"),
      `https://proxy.test/img?u=${encodeURIComponent(seen[0] ?? "")}`,
    );
    assert.equal(els.find((el) => el.tagName === "a")?.getAttribute("href"), "https://mmbiz.qpic.cn/b.png");
  });

  it("treats raw HTML as text", () => {
    const { html, els } = render('<script>alert(1)</script>\n\n<img src=x onerror="alert(1)">');
    assert.deepEqual(tags(els), ["p", "p"]);
    assert.ok(html.includes("&lt;script&gt;"));
  });

  it("does not link javascript:, vbscript: or data: targets", () => {
    const { els } = render(
      "[a](javascript:alert(1)) [b](vbscript:x) [c](data:text/html,x) [d](JavaScript:alert(1))",
    );
    assert.deepEqual(tags(els), ["p"]);
  });

  it("keeps data:image sources on images", () => {
    const { els } = render("![px](data:image/png;base64,iVBORw0KGgo=)");
    assert.equal(
      els.find((el) => el.tagName === "img")?.getAttribute("src"),
      "data:image/png;base64,iVBORw0KGgo=",
    );
  });

  it("has linkify and typographer off", () => {
    const { els } = render('see https://example.com (c) "quoted" -- x');
    assert.deepEqual(tags(els), ["p"]);
    assert.equal(els[0]?.textContent, 'see https://example.com (c) "quoted" -- x');
  });

  it("adds rel to links", () => {
    const { els } = render("[阅读原文](https://example.com/a)");
    const a = els.find((el) => el.tagName === "a");
    assert.equal(a?.getAttribute("href"), "https://example.com/a");
    assert.equal(a?.getAttribute("rel"), "noopener noreferrer");
  });

  it("strips XML-illegal characters from the Markdown", () => {
    const { els } = render("a\u0001b\uFFFEc\uD800d");
    assert.equal(els[0]?.textContent, "abcd");
  });
});
