/**
 * toMarkdown on the synthetic body fixtures (one feature each, test/fixtures/synthetic/body-*.html), on
 * small inline snippets (escaping, CJK emphasis), and on every corpus page that has a `#js_content`.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { type AnyNode, type Element, isTag, isText } from "domhandler";
import { findOne } from "domutils";
import { parseDocument } from "htmlparser2";
import { parseHtmlFragment, toMarkdown } from "../../../src/parsers/markdown.ts";
import { corpusDir, skipReason } from "../../support/corpus.ts";

const FIXTURES = new URL("../../fixtures/synthetic/", import.meta.url);
const CANON = "https://mp.weixin.qq.com/s?__biz=MzA5NzAw&mid=1&idx=1&sn=abc";

function findBody(nodes: AnyNode[]): Element | null {
  return findOne((el) => el.attribs.id === "js_content", nodes, true);
}

function render(fixture: string, canonicalUrl: string | null = CANON): string {
  const root = parseHtmlFragment(readFileSync(new URL(fixture, FIXTURES), "utf8"));
  const body = findBody(root.children);
  assert.ok(body, `${fixture} has #js_content`);
  return toMarkdown(body, { canonicalUrl });
}

function renderHtml(html: string): string {
  return toMarkdown(parseHtmlFragment(html), { canonicalUrl: null });
}

describe("toMarkdown on synthetic body fixtures", () => {
  it("joins a code-snippet into one fenced block without the line-number gutter", () => {
    const md = render("body-code-snippet.html");
    const code = ["const a = 1;", "", "if (a < 2) {", '  console.log("a*b_c [x](y)");', "}"].join("\n");
    assert.ok(md.includes(`\`\`\`javascript\n${code}\n\`\`\``), md);
    assert.doesNotMatch(md, /^[1-5]$/m);
    assert.ok(md.includes("````\n```markdown\n# title\n```\n````"), "a longer fence around backticks");
    assert.ok(md.startsWith("下面是代码：") && md.endsWith("代码结束。"));
  });

  it("turns legacy mpvoice into a titled link with its duration", () => {
    const md = render("body-mpvoice.html");
    assert.ok(
      md.includes(
        "[音频：晨读：春天的故事（2:05）](https://res.wx.qq.com/voice/getvoice?mediaid=MzA4ODAxMzQ4NV8yNjUxNDk5NzYx)",
      ),
      md,
    );
  });

  it("turns mp-common-mpaudio into a titled link, decoding the double-escaped name", () => {
    const md = render("body-mpaudio.html");
    assert.ok(
      md.includes(
        "[音频：第 3 期：定积分（1:06）](https://res.wx.qq.com/voice/getvoice?mediaid=MzIzNDcyMTI5MV8yMjQ3NjY0NTQ1)",
      ),
      md,
    );
    assert.doesNotMatch(md, /nbsp/);
  });

  it("links v.qq.com videos by vid and other videos to the article", () => {
    const md = render("body-video-iframe.html");
    assert.ok(md.includes("(https://v.qq.com/x/page/w0930z8xk1m.html)"), md);
    assert.equal(md.split(`[视频：请在原文中观看](${CANON})`).length - 1, 2, md);
    const plain = render("body-video-iframe.html", null);
    assert.match(plain, /^视频：请在原文中观看$/m);
    assert.doesNotMatch(plain, /\]\(https:\/\/mp\.weixin/);
  });

  it("flattens nested sections into paragraphs", () => {
    const md = render("body-nested-sections.html");
    const paragraphs = md.split("\n\n");
    for (const p of ["第一段", "第二段", "第三段**加粗**", "行内拼接", "块状一", "块状二", "加粗里的段落"]) {
      assert.ok(paragraphs.includes(p), `${p} in ${JSON.stringify(paragraphs)}`);
    }
    assert.ok(paragraphs.includes("![](https://mmbiz.qpic.cn/mmbiz_png/SECTIONIMG/640?wx_fmt=png)"));
  });

  it("drops hidden and non-content elements", () => {
    const md = render("body-hidden-nodes.html");
    assert.equal(md, "可见一\n\n可见二\n\n## 标题\n\n可见三");
  });

  it("renders a table with thead as a GFM table, escaping pipes and flattening cells", () => {
    const md = render("body-table-thead.html");
    const lines = md.split("\n");
    assert.equal(lines[0], "| 名称 | 说明 |");
    assert.match(lines[1] ?? "", /^\| -{3,} \| -{3,} \|$/);
    assert.equal(lines[2], "| a\\|b | 第一行 第二行 换行 |");
    assert.match(lines[3] ?? "", /^\| \*\*合并\*\* \| +\|$/);
    assert.equal(lines.length, 4);
  });

  it("uses the first row as header when there is no thead and pads short rows", () => {
    const [table, ...rest] = render("body-table-plain.html").split("\n\n");
    assert.deepEqual(rest, ["框内第一段", "框内第二段"], "a one-cell table is a box, not a table");
    const lines = (table ?? "").split("\n");
    assert.equal(lines.length, 4);
    assert.equal(lines[0], "| 年份 | 收入 | 备注 |");
    assert.match(lines[1] ?? "", /^(\| -{3,} ){3}\|$/);
    assert.ok(lines[2]?.includes("![](https://mmbiz.qpic.cn/mmbiz_png/CELLIMG/640?wx_fmt=png)"));
    assert.match(lines[3] ?? "", /^\| 2025 \|( +\|){2}$/);
  });

  it("takes images from data-src/data-original, upgrades to https and drops placeholders and QR codes", () => {
    const md = render("body-images.html");
    const urls = [...md.matchAll(/!\[([^\]]*)\]\(([^)]*)\)/g)].map((m) => m[2]);
    assert.deepEqual(urls, [
      "https://mmbiz.qpic.cn/mmbiz_png/AAA/640?wx_fmt=png&from=appmsg",
      "https://mmbiz.qpic.cn/mmbiz_jpg/BBB/0?wx_fmt=jpeg",
      "https://mmbiz.qpic.cn/mmbiz_gif/CCC/640?wx_fmt=gif",
    ]);
    assert.ok(md.startsWith("![示意图1 第二行]("), "alt text without brackets or newlines");
    assert.doesNotMatch(md, /data:|DECOR|QRCODE|page_files/);
    assert.ok(md.endsWith("图文结束"));
  });

  it("unwraps dead links, keeps and normalizes WeChat links", () => {
    const md = render("body-links.html");
    const paragraphs = md.split("\n\n");
    assert.equal(paragraphs[0], "前脚本链接中井号链接后空链接锚点尾");
    assert.ok(
      md.includes(
        "[相关阅读\\[上\\]](https://mp.weixin.qq.com/s?__biz=MzA5NzAw&mid=2650000001&idx=1&sn=abcdef0123)",
      ),
      md,
    );
    assert.ok(md.includes("[短链接](https://mp.weixin.qq.com/s/AbCdEf123)"));
    assert.ok(md.includes("[外部链接](https://example.com/a%20b%28c%29)"));
    assert.ok(md.includes("[双重转义](https://example.com/x?a=1&b=2)"));
    assert.ok(paragraphs.includes("微信协议") && paragraphs.includes("空文字链接"));
    assert.doesNotMatch(md, /javascript|##|weixin:|&amp;|\[\]/);
  });

  it("renders nested unordered and ordered lists", () => {
    const md = render("body-lists.html");
    assert.ok(md.includes("- 苹果\n- 香蕉\n  - 小香蕉\n  - 大香蕉"), md);
    assert.ok(md.includes("3. 第三\n4. 第四\n   1. 四点一"), md);
    assert.ok(md.includes("- \\- 以连字符开头\n- 1\\. 数字开头"), md);
    assert.doesNotMatch(md, /^- *$/m, "no empty item");
  });

  it("renders blockquotes, nested ones included", () => {
    const md = render("body-blockquote.html");
    assert.equal(md, "正文前\n\n> 引用第一段\n>\n> 引用**第二段**\n>\n> > 嵌套引用\n\n正文后");
  });

  it("reduces account cards to one line and drops mini-program cards", () => {
    const md = render("body-cards.html");
    assert.equal(md.split("公众号：测试公众号").length - 1, 1, md);
    assert.doesNotMatch(md, /小程序卡片标题|一个签名/);
    assert.ok(md.includes("小程序文字链接"));
  });

  it("escapes markdown-looking text but not Chinese punctuation", () => {
    const md = render("body-text-escaping.html");
    const paragraphs = md.split("\n\n");
    for (const p of [
      "## 一、背景",
      "**注意**：这是重点。",
      "**前半后半**合并",
      "空加粗",
      "\\# 不是标题",
      "\\> 不是引用",
      "\\- 不是列表",
      "\\+ 也不是列表",
      "1\\. 不是有序列表",
      "a\\*b\\*c 和 \\_\\_init\\_\\_ 和 snake_case 和 [链接\\](x) 和 \\`代码\\` 和 \\<div>",
      "中文标点，“引号”、（括号）！《书名》……不转义。",
      "行一  \n行二",
      "新段落",
      "x2 与 H2O",
      "---",
      "前导空格 与零宽字符",
      "调用 ``f(`x`)`` 和脚注[1]",
      "```python\ndef f(x):\n    return x * 2\n```",
    ]) {
      assert.ok(paragraphs.includes(p), `${JSON.stringify(p)} in ${JSON.stringify(paragraphs)}`);
    }
    assert.doesNotMatch(md, /\*\*\*\*|\u200b|\ufeff|\u00a0/);
  });
});

describe("toMarkdown inline rules", () => {
  it("keeps emphasis parseable next to CJK punctuation", () => {
    assert.equal(renderHtml("<p>前文<strong>「重点」</strong>后文</p>"), "前文「**重点**」后文");
    assert.equal(renderHtml("<p><em>斜体，</em>后文</p>"), "*斜体*，后文");
    assert.equal(renderHtml("<p><strong>结尾。</strong></p>"), "**结尾。**");
  });

  it("keeps a line break at the edge of an emphasis run and drops bold around images only", () => {
    assert.equal(renderHtml("<p><strong>标题<br></strong>正文</p>"), "**标题**  \n正文");
    assert.equal(
      renderHtml('<p><strong><img src="https://mmbiz.qpic.cn/x/0"></strong></p>'),
      "![](https://mmbiz.qpic.cn/x/0)",
    );
  });

  it("renders emphasis nested in emphasis as plain text, never as ambiguous `***` runs", () => {
    assert.equal(
      renderHtml("<p><strong><em>“方言”</em>中文<em>中文</em></strong>后</p>"),
      "**“方言”中文中文**后",
    );
  });

  it("merges emphasis runs split only by a source line break", () => {
    assert.equal(
      renderHtml("<p><strong>网络热梗，</strong>\n  <strong>“方言”</strong></p>"),
      "**网络热梗，“方言”**",
    );
    assert.equal(renderHtml("<p><b>one</b>\n<b>two</b></p>"), "**one two**");
  });

  it("drops source line breaks between CJK characters but not between words", () => {
    assert.equal(renderHtml("<p><span>事实上</span>\n    <span>成了</span></p>"), "事实上成了");
    assert.equal(renderHtml("<p><span>hello</span>\n<span>world</span></p>"), "hello world");
    assert.equal(renderHtml("<p>中文 空格</p>"), "中文 空格");
  });

  it("escapes a closing bracket only when a link could form across nodes", () => {
    assert.equal(renderHtml("<p><span>[注]</span><span>(见下)</span></p>"), "[注\\](见下)");
    assert.equal(renderHtml("<p>[1] 开源</p>"), "[1] 开源");
  });

  it("keeps text lines from forming a GFM table", () => {
    assert.equal(renderHtml("<p>a | b<br>--- | ---</p>"), "a | b  \n\\--- | ---");
  });

  it("never emits HTML or empty links", () => {
    const md = renderHtml(
      '<div><a href="https://x.example/"><img src="data:image/png;base64,AA"></a><p>正文</p></div>',
    );
    assert.equal(md, "正文");
  });
});

/** Visible text of a raw body, computed independently of the repair code. */
function visibleText(node: AnyNode): string {
  if (isText(node)) return node.data;
  if (!isTag(node)) return "";
  if (/^(script|style|noscript|template|svg)$/.test(node.name)) return "";
  const style = (node.attribs.style ?? "").replace(/\s/g, "").toLowerCase();
  if (/display:none|visibility:hidden/.test(style) && node.attribs.id !== "js_content") return "";
  return node.children.map(visibleText).join("");
}

function stripSyntax(text: string): string {
  return text.replace(/[\s\\*_#>|`~[\]()-]/g, "");
}

const CORPUS = corpusDir();

describe("toMarkdown on the WeChat corpus", { skip: skipReason(CORPUS, "WeChat corpus") }, () => {
  const dir = CORPUS ?? "";
  const files = CORPUS === null ? [] : readdirSync(dir).filter((f) => f.endsWith(".html"));
  for (const file of files) {
    const body = findBody(parseDocument(readFileSync(join(dir, file), "utf8")).children);
    const visible = body === null ? "" : visibleText(body);
    if (body === null || visible.trim() === "") continue;
    it(`${file}: clean markdown that keeps the text`, () => {
      const hasSnippet =
        findOne((el) => (el.attribs.class ?? "").includes("code-snippet__"), [body], true) !== null;
      const md = toMarkdown(body, { canonicalUrl: CANON });
      assert.notEqual(md, "");
      const prose = md.replace(/^(`{3,}).*\n[\s\S]*?^\1$/gm, "CODE").replace(/(`+)[^`]*?\1/g, "code");
      assert.doesNotMatch(prose, /(?<!\\)<\/?[A-Za-z][\w:-]*[^>]*>/, "no HTML tags outside code");
      assert.doesNotMatch(md, /!\[[^\]]*\]\(data:/);
      for (const m of md.matchAll(/!\[[^\]]*\]\(([^)\s]*)/g)) assert.match(m[1] ?? "", /^https:\/\//);
      assert.doesNotMatch(prose, /\*\*\*\*|\n{3,}/, "no empty emphasis, no runs of blank lines outside code");
      if (!hasSnippet) {
        const kept = stripSyntax(md.replace(/!\[[^\]]*\]\([^)]*\)/g, "").replace(/\]\([^)]*\)/g, "]"));
        const source = stripSyntax(visible);
        assert.ok(kept.length >= source.length * 0.9, `kept ${kept.length} of ${source.length} characters`);
      }
      if (file.startsWith("01-"))
        assert.ok(md.replace(/\s/g, "").startsWith("大家好，我是轩辕"), md.slice(0, 80));
    });
  }
});
