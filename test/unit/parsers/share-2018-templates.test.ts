/**
 * The 2018 share templates on pages other than the corpus ones (wechat-more/01, 02, 04): synthetic
 * pages of the same templates for other accounts and years, so the extraction is the template's and
 * not one page's (single-quoted values, identity in d.* or in msg_link, several pictures, cover and
 * description in the metas, the later profile page).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { WeChatPageError } from "../../../src/errors.ts";
import { classifyPage } from "../../../src/parsers/page-kind.ts";
import { parseArticle } from "../../../src/parsers/wechat-article.ts";

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/synthetic/${name}`, import.meta.url), "utf8");

describe("2018 share templates", () => {
  it("image share: values from d.* and _g.*, the document.write text, then every picture", () => {
    const a = parseArticle(fixture("share-2018-image.html"));
    assert.deepEqual(
      [a.title, a.account, a.itemShowType, a.publishedAt?.toISOString()],
      ["分享图片", "测试号甲", 8, "2017-03-02T02:00:00.000Z"],
    );
    assert.deepEqual(a.identity, { biz: "MzA5NjY4MDA4Mw==", mid: "2650000001", idx: "2" });
    assert.equal(
      a.canonicalUrl,
      "https://mp.weixin.qq.com/s?__biz=MzA5NjY4MDA4Mw==&mid=2650000001&idx=2&sn=aabbccddeeff00112233445566778899",
    );
    assert.equal(
      a.content,
      [
        "第一行配文",
        "第二行 & 更多",
        "![](https://mmbiz.qpic.cn/mmbiz_png/AAAA/0?wx_fmt=png)",
        "![](https://mmbiz.qpic.cn/mmbiz_jpg/BBBB/0?wx_fmt=jpeg)",
        "![](https://mmbiz.qpic.cn/mmbiz_jpg/CCCC/0?wx_fmt=jpeg)",
      ].join("\n\n"),
    );
  });

  it("video share: the description, then the video linked to its Tencent page with its cover", () => {
    const a = parseArticle(fixture("share-2018-video.html"));
    assert.deepEqual(
      [a.title, a.account, a.itemShowType, a.publishedAt?.toISOString(), a.description],
      ["另一个视频", "测试号乙", 5, "2019-06-01T12:00:00.000Z", "视频的简介，第一句。"],
    );
    assert.equal(a.cover, "http://mmbiz.qpic.cn/mmbiz_jpg/VIDEOCOVER/0?wx_fmt=jpeg");
    assert.equal(
      a.canonicalUrl,
      "https://mp.weixin.qq.com/s?__biz=MzI0MDAwMDAwMQ==&mid=2247480001&idx=1&sn=0011223344556677889900aabbccddee",
    );
    assert.equal(
      a.content,
      "视频的简介，第一句。\n\n[![视频：另一个视频](https://mmbiz.qpic.cn/mmbiz_jpg/VIDEOCOVER/0?wx_fmt=jpeg)](https://v.qq.com/x/page/w0123abcd45.html)",
    );
  });

  it("video share without a vid links the video to the article itself", () => {
    const html = fixture("share-2018-video.html").replace("vid : 'w0123abcd45',", "");
    const a = parseArticle(html);
    assert.match(
      a.content,
      /\[!\[视频：请在原文中观看\]\([^)]+\)\]\(https:\/\/mp\.weixin\.qq\.com\/s\?__biz=MzI0MDAwMDAwMQ==&/,
    );
  });

  it("the later profile page (msgList as a JSON string) is not-article", () => {
    const html = fixture("profile-2019.html");
    assert.equal(classifyPage(html), "not-article");
    assert.throws(
      () => parseArticle(html),
      (e: unknown) => e instanceof WeChatPageError && e.code === "WECHAT_NOT_ARTICLE",
    );
  });

  it("d.* members outside their template block are not read", () => {
    // A stray `d.title = …` in library code, with no `var d = _g.cgiData;` before it.
    const html = fixture("share-2018-image.html").replace("var d = _g.cgiData;", "var d = {};");
    assert.throws(
      () => parseArticle(html),
      // The account still shows in the header; title and time were only on d.*.
      (e: unknown) => e instanceof Error && /without title, publish time$/.test(e.message),
    );
  });
});
