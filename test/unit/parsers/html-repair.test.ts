/**
 * repairContent on small parsed trees: each repair of wechat-pages.md section 5 checked on the tree it
 * leaves behind (the markdown it leads to is covered by markdown.test.ts).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type AnyNode, type Element, isTag, type ParentNode } from "domhandler";
import { findAll, findOne, textContent } from "domutils";
import { repairContent } from "../../../src/parsers/html-repair.ts";
import { parseHtmlFragment } from "../../../src/parsers/markdown.ts";

const CANON = "https://mp.weixin.qq.com/s?__biz=MzA5NzAw&mid=1&idx=1&sn=abc";

function repaired(html: string, canonicalUrl: string | null = CANON): Element {
  const root = parseHtmlFragment(html);
  repairContent(root, { canonicalUrl });
  return root;
}

function names(root: Element): string[] {
  return findAll(() => true, root.children).map((el) => el.name);
}

function byName(root: Element, name: string): Element[] {
  return findAll((el) => el.name === name, root.children);
}

/** Every node's parent and sibling pointers agree with its parent's child list. */
function assertLinked(parent: ParentNode): void {
  parent.children.forEach((child: AnyNode, i) => {
    assert.equal(child.parent, parent);
    assert.equal(child.prev, parent.children[i - 1] ?? null);
    assert.equal(child.next, parent.children[i + 1] ?? null);
    if (isTag(child)) assertLinked(child);
  });
}

describe("repairContent", () => {
  it("unhides the #js_content root and keeps its other styles", () => {
    const root = repaired('<div id="js_content" style="visibility: hidden; opacity: 0; color: red">x</div>');
    const body = findOne((el) => el.attribs.id === "js_content", root.children);
    assert.ok(body);
    assert.equal(body.attribs.style?.trim(), "color: red");
  });

  it("drops hidden descendants, non-content elements and comments", () => {
    const root = repaired(
      '<p>a</p><p style="display: none;"><mp-style-type data-value="3"></mp-style-type>h1</p>' +
        '<section style="visibility : hidden">h2</section><span hidden>h3</span><script>s</script>' +
        "<style>.x{}</style><noscript>n</noscript><template>t</template><svg><text>v</text></svg><!-- c -->" +
        '<p style="border: none; overflow: hidden">b</p>',
    );
    assert.equal(textContent(root), "ab");
    assert.deepEqual(names(root), ["p", "p"]);
    assertLinked(root);
  });

  it("turns sections into p without block descendants and into div with them; unwraps span[leaf]", () => {
    const root = repaired(
      "<section><section><span leaf>一</span><span leaf>二</span></section><section><p>三</p></section></section>",
    );
    assert.deepEqual(names(root), ["div", "p", "div", "p"]);
    assert.equal(byName(root, "span").length, 0);
    assert.equal(textContent(root), "一二三");
    assertLinked(root);
  });

  it("treats inline wrappers around blocks, and display:block spans, as containers", () => {
    const root = repaired(
      '<p><strong><section>x</section></strong><span style="display: block">y</span></p>',
    );
    assert.deepEqual(names(root), ["p", "div", "p", "div"]);
  });

  it("puts the real image URL into src and drops placeholders", () => {
    const root = repaired(
      '<img data-src="https://mmbiz.qpic.cn/a/640?wx_fmt=png" src="data:image/svg+xml,%3Csvg%3E">' +
        '<img data-original="http://mmbiz.qpic.cn/b/0">' +
        '<img src="//mmbiz.qpic.cn/c/0#imgIndex=1">' +
        '<img src="data:image/gif;base64,R0lGOD">' +
        '<img src="./x_files/640.png">' +
        '<img data-src="https://mmbiz.qpic.cn/d/0" alt="扫描二维码">',
    );
    assert.deepEqual(
      byName(root, "img").map((img) => img.attribs.src),
      ["https://mmbiz.qpic.cn/a/640?wx_fmt=png", "https://mmbiz.qpic.cn/b/0", "https://mmbiz.qpic.cn/c/0"],
    );
  });

  it("removes code-snippet gutters and joins per-line code elements", () => {
    const root = repaired(
      '<section class="code-snippet__fix"><ul class="code-snippet__line-index"><li>1</li><li>2</li><li>3</li></ul>' +
        '<pre data-lang="go">\n<code><span>a := 1</span></code>\n<code><span><br></span></code>' +
        "<code><span>&nbsp;&nbsp;b()</span></code></pre></section>",
    );
    assert.equal(byName(root, "ul").length, 0);
    const pre = byName(root, "pre")[0];
    assert.ok(pre);
    assert.equal(pre.children.length, 1);
    assert.equal(textContent(pre), "a := 1\n\n  b()");
    assert.equal(pre.attribs["data-lang"], "go");
  });

  it("replaces audio cards by links to the voice endpoint", () => {
    const root = repaired(
      '<mp-common-mpaudio name="节目" play_length="61000" voice_encode_fileid="ID1"></mp-common-mpaudio>' +
        '<mpvoice name="旧版" voice_encode_fileid="ID2"></mpvoice><mpvoice name="无编号"></mpvoice>',
    );
    const links = byName(root, "a");
    assert.deepEqual(
      links.map((a) => a.attribs.href),
      [
        "https://res.wx.qq.com/voice/getvoice?mediaid=ID1",
        "https://res.wx.qq.com/voice/getvoice?mediaid=ID2",
      ],
    );
    assert.equal(textContent(links[0] as Element), "音频：节目（1:01）");
    assert.equal(textContent(links[1] as Element), "音频：旧版");
    assertLinked(root);
  });

  it("replaces video embeds by a v.qq.com link or the article link", () => {
    const root = repaired(
      '<iframe class="video_iframe" data-src="https://v.qq.com/iframe/preview.html?vid=k0123abcd&amp;auto=0"></iframe>' +
        '<iframe class="video_iframe" data-src="https://mp.weixin.qq.com/mp/readtemplate?vid=wxv_1"></iframe>',
    );
    assert.deepEqual(
      byName(root, "a").map((a) => a.attribs.href),
      ["https://v.qq.com/x/page/k0123abcd.html", CANON],
    );
    const plain = repaired('<iframe src="player.html"></iframe>', null);
    assert.equal(byName(plain, "a").length, 0);
    assert.equal(textContent(plain), "视频：请在原文中观看");
  });

  it("unwraps dead links and normalizes the others", () => {
    const root = repaired(
      '<a href="javascript:;">一</a><a href="##">二</a><a href=" ">三</a><a>四</a>' +
        '<a href="http://mp.weixin.qq.com/s?__biz=B&amp;mid=2&amp;idx=1&amp;sn=s&amp;scene=21#wechat_redirect">五</a>' +
        '<a href="/s/Token?from=x">六</a>',
    );
    assert.equal(textContent(root), "一二三四五六");
    assert.deepEqual(
      byName(root, "a").map((a) => a.attribs.href),
      ["https://mp.weixin.qq.com/s?__biz=B&mid=2&idx=1&sn=s", "https://mp.weixin.qq.com/s/Token"],
    );
  });

  it("reduces account cards to their name and drops mini-program cards", () => {
    const root = repaired(
      '<mp-common-profile data-nickname="某公众号"></mp-common-profile><mp-common-profile></mp-common-profile>' +
        '<mp-miniprogram data-miniprogram-title="卡片"></mp-miniprogram>',
    );
    assert.equal(textContent(root), "公众号：某公众号");
  });

  it("turns &nbsp; into spaces and removes zero-width characters, keeping emoji joiners", () => {
    const root = repaired("<p>a&nbsp;b\u200bc\ufeffd\u2060e 👨\u200d👩</p>");
    assert.equal(textContent(root), "a bcde 👨\u200d👩");
  });
});
