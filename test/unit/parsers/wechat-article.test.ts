import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { isAppError, WeChatPageError } from "../../../src/errors.ts";
import type { PageClass } from "../../../src/model.ts";
import { pageErrorCode, parseArticle } from "../../../src/parsers/wechat-article.ts";

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/synthetic/${name}`, import.meta.url), "utf8");

const CANONICAL =
  "https://mp.weixin.qq.com/s?__biz=MzA4MjQxNjQzMA==&mid=2650000042&idx=1&sn=fedcba9876543210fedcba9876543210";

function thrown(fn: () => unknown): WeChatPageError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof WeChatPageError, `expected a WeChatPageError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected parseArticle to throw");
}

describe("parseArticle: failure pages throw coded errors", () => {
  const table: [string, string, PageClass][] = [
    ["captcha.html", "WECHAT_VERIFY_REQUIRED", "verification"],
    ["account-blocked.html", "WECHAT_ACCOUNT_BLOCKED", "account-blocked"],
    ["account-deregistered.html", "WECHAT_ACCOUNT_GONE", "account-gone"],
    ["under-review.html", "WECHAT_UNDER_REVIEW", "under-review"],
    ["send-failed.html", "WECHAT_SEND_FAILED", "send-failed"],
    ["link-expired.html", "WECHAT_LINK_EXPIRED", "expired"],
  ];
  for (const [file, code, pageClass] of table) {
    it(`${file} → ${code}`, () => {
      const error = thrown(() => parseArticle(fixture(file)));
      assert.ok(isAppError(error, code as never));
      assert.equal(error.details.pageClass, pageClass);
      assert.match(error.message, /^parser: /);
    });
  }

  it("a migrated account carries the normalized target URL", () => {
    const error = thrown(() => parseArticle(fixture("account-migrated.html")));
    assert.equal(error.code, "WECHAT_ACCOUNT_MIGRATED");
    assert.equal(
      error.details.targetUrl,
      "https://mp.weixin.qq.com/s?__biz=MzA4MjQxNjQzMA==&mid=2650000001&idx=1&sn=0123456789abcdef0123456789abcdef",
    );
  });

  it("an unknown page throws WECHAT_UNKNOWN_PAGE", () => {
    assert.equal(thrown(() => parseArticle("<html><body>oops</body></html>")).code, "WECHAT_UNKNOWN_PAGE");
  });

  it("pageErrorCode maps every class, and none for an article", () => {
    assert.equal(pageErrorCode("article"), null);
    assert.equal(pageErrorCode("deleted"), "WECHAT_DELETED");
    assert.equal(pageErrorCode("violation"), "WECHAT_VIOLATION");
    assert.equal(pageErrorCode("unavailable"), "WECHAT_UNAVAILABLE");
    assert.equal(pageErrorCode("migrated"), "WECHAT_ACCOUNT_MIGRATED");
    assert.equal(pageErrorCode("not-article"), "WECHAT_NOT_ARTICLE");
    assert.equal(pageErrorCode("unknown"), "WECHAT_UNKNOWN_PAGE");
  });
});

describe("parseArticle: media shares (synthetic, no real capture exists)", () => {
  it("video share (5): description and a link to the page, never the #js_content shell", () => {
    const a = parseArticle(fixture("video-share.html"));
    assert.equal(a.itemShowType, 5);
    assert.equal(a.title, "合成视频分享");
    assert.equal(a.account, "合成测试号");
    assert.equal(a.cover, "https://mmbiz.qpic.cn/mmbiz_jpg/synthetic5/0?wx_fmt=jpeg&from=appmsg");
    assert.equal(a.canonicalUrl, CANONICAL);
    assert.match(a.content, /^视频的配文：\n\n今天去看了海。/);
    assert.ok(a.content.includes(`](${CANONICAL})`));
    assert.doesNotMatch(a.content, /请在微信客户端打开/);
  });

  it("audio share (7): an enclosure link to the voice endpoint with the duration", () => {
    const a = parseArticle(fixture("audio-share.html"));
    assert.equal(a.itemShowType, 7);
    assert.match(a.content, /^这是一段描述，\n\n第二行。/);
    assert.ok(
      a.content.includes(
        "[音频：合成音频分享（1:35）](https://res.wx.qq.com/voice/getvoice?mediaid=MzA4MjQxNjQzMF8yNjUwMDAwMDQy)",
      ),
    );
  });

  it("music (6) and short content (17): description plus a link", () => {
    for (const [file, type] of [
      ["music-share.html", 6],
      ["short-content.html", 17],
    ] as const) {
      const a = parseArticle(fixture(file));
      assert.equal(a.itemShowType, type);
      assert.ok(a.content.startsWith("这是一段描述，"));
      assert.ok(a.content.endsWith(`](${CANONICAL})`), a.content);
      assert.deepEqual(a.warnings, []);
    }
  });

  it("an unknown item_show_type falls back to description and link, with a warning", () => {
    const html = fixture("short-content.html").replaceAll("'17'", "'99'");
    const a = parseArticle(html);
    assert.equal(a.itemShowType, 99);
    assert.ok(a.warnings.some((w) => w.includes("99")));
    assert.ok(a.content.endsWith(`](${CANONICAL})`));
  });
});

/** A share page: `vars`, a publish time, and `cgi` in cgiDataNew beside the account's nick_name. */
const sharePage = (vars: string, cgi: string): string =>
  `<html><body><script>${vars} window.ct = '1500853064';</script>` +
  `<script>window.cgiDataNew = {nick_name: JsDecode('账号'), ${cgi}};</script></body></html>`;

describe("parseArticle: text and image shares", () => {
  it("text share without a user title derives one from the first line and keeps the whole text", () => {
    const firstLine = "第一行就是一整段很长很长的文字，超过三十个字符以后应该被截断并加上省略号才对";
    const text = `${firstLine}\\x0a** 第二行 https://a.example/x_y_z`;
    const html = sharePage(
      "window.item_show_type = '10' || ''; window.msg_title = 'ignored' || '';",
      `text_page_info: { content_noencode: JsDecode('${text}'), is_user_title: '0' * 1 }`,
    );
    const a = parseArticle(html);
    assert.equal(a.title, `${Array.from(firstLine).slice(0, 30).join("")}…`);
    assert.equal(Array.from(a.title).length, 31);
    assert.equal(a.cover, null);
    assert.equal(
      a.content,
      "第一行就是一整段很长很长的文字，超过三十个字符以后应该被截断并加上省略号才对\n\n\\*\\* 第二行 https://a.example/x_y_z",
    );
  });

  it("text share with a user title keeps msg_title", () => {
    const html = sharePage(
      "window.item_show_type = '10' || ''; window.msg_title = '标题' || '';",
      "text_page_info: { content_noencode: JsDecode('正文'), is_user_title: '1' * 1 }",
    );
    const a = parseArticle(html);
    assert.equal(a.title, "标题");
    assert.equal(a.content, "正文");
  });

  it("image share: text, then every top-level picture URL in order", () => {
    const html = sharePage(
      String.raw`window.item_show_type = '8' || ''; window.msg_title = 't' || '';
      window.picture_page_info_list = [
        { cdn_url: 'https://mmbiz.qpic.cn/a/0?wx_fmt=png\x26amp;from=appmsg',
          watermark_info: { cdn_url: 'http://mmbiz.qpic.cn/wm/0' }, share_cover: { cdn_url: 'https://mmbiz.qpic.cn/sc/0' } },
        { cdn_url: '' },
        { width: '1' * 1, cdn_url: 'https://mmbiz.qpic.cn/b/0' },
      ];`,
      "content_noencode: JsDecode('配文')",
    );
    const a = parseArticle(html);
    assert.equal(
      a.content,
      "配文\n\n![](https://mmbiz.qpic.cn/a/0?wx_fmt=png&from=appmsg)\n\n![](https://mmbiz.qpic.cn/b/0)",
    );
  });
});

describe("parseArticle: metadata rules", () => {
  /** An article page with a title and an account in its header (every article must have both). */
  const article = (scripts: string, head = "", body = "<p>正文</p>"): string =>
    `<html><head>${head}</head><body><h1 id="activity-name">标题</h1><strong class="profile_nickname">账号</strong>` +
    `<div id="js_content">${body}</div><script>${scripts}</script></body></html>`;

  it("never invents a publish time: wall-clock fallbacks are Beijing time, else null", () => {
    assert.equal(parseArticle(article("")).publishedAt, null);
    const wall = parseArticle(article("var createTime = '2025-11-10 12:00';")).publishedAt;
    assert.equal(wall?.toISOString(), "2025-11-10T04:00:00.000Z");
    const day = parseArticle(article('var publish_time = "2017-07-24" || "";')).publishedAt;
    assert.equal(day?.toISOString(), "2017-07-23T16:00:00.000Z");
    const ct = parseArticle(
      article('var ct = "1500853064"; var createTime = "2000-01-01 00:00";'),
    ).publishedAt;
    assert.equal(ct?.toISOString(), "2017-07-23T23:37:44.000Z");
  });

  it("takes identity from og:url (value= meta of scripts-stripped copies), else from options.url", () => {
    const og = `<meta value="http://mp.weixin.qq.com/s?__biz=MzA3ODc4NTMyNw==&amp;mid=2651799162&amp;idx=1&amp;sn=02005c346ae591f880e05146bf04b6d9&amp;chksm=1#rd" name="og:url">`;
    const a = parseArticle(article("", og));
    assert.deepEqual(a.identity, { biz: "MzA3ODc4NTMyNw==", mid: "2651799162", idx: "1" });
    assert.equal(
      a.canonicalUrl,
      "https://mp.weixin.qq.com/s?__biz=MzA3ODc4NTMyNw==&mid=2651799162&idx=1&sn=02005c346ae591f880e05146bf04b6d9",
    );
    const b = parseArticle(article(""), {
      url: "https://mp.weixin.qq.com/s?__biz=MzA3ODc4NTMyNw==&mid=5&idx=2&sn=abcdef0123456789&scene=21",
    });
    assert.equal(
      b.canonicalUrl,
      "https://mp.weixin.qq.com/s?__biz=MzA3ODc4NTMyNw==&mid=5&idx=2&sn=abcdef0123456789",
    );
    assert.equal(parseArticle(article("")).identity, null);
  });

  it("keeps the identity but no canonical URL when sn is unknown (22-article-2020-snapshot.html)", () => {
    const a = parseArticle(
      article(
        'var biz = ""||"MjM5NzE1NTMyNg=="; var sn = "" || ""; var mid = "2650934104"; var idx = "1"; var msg_link = "";',
      ),
      { url: "https://mp.weixin.qq.com/s?src=11&timestamp=1581604662&ver=2156&signature=abc&new=1" },
    );
    assert.deepEqual(a.identity, { biz: "MjM5NzE1NTMyNg==", mid: "2650934104", idx: "1" });
    assert.equal(a.sn, null);
    assert.equal(a.canonicalUrl, null);
  });

  it("reads entity-encoded metas, blanks a description equal to the title, and drops a non-http source", () => {
    const head = `<meta value="&#x5FC3;&#x673A;" name="og:title"><meta name="description" content="&#x5FC3;&#x673A;">`;
    const a = parseArticle(article("var msg_source_url = 'javascript:alert(1)'; var author = '';", head));
    assert.equal(a.title, "心机");
    assert.equal(a.description, null);
    assert.equal(a.sourceUrl, null);
    assert.equal(a.author, null);
    const b = parseArticle(article(String.raw`var msg_source_url = 'http://x.example/?a=1\x26amp;b=2';`));
    assert.equal(b.sourceUrl, "http://x.example/?a=1&b=2");
  });

  it("falls back to header DOM for title, account and byline in old layouts (17, 18, 20)", () => {
    const header = (meta: string): string =>
      `<html><body><h2 class="rich_media_title" id="activity-name"><script>document.write("X");</script>
       标题\n文字 </h2><div id="meta_content">${meta}</div><div id="js_content"><p>正文</p></div></body></html>`;
    const a = parseArticle(
      header(`<em id="post-date" class="rich_media_meta rich_media_meta_text">2016-05-09</em>
        <em class="rich_media_meta rich_media_meta_text">阿登</em>
        <a class="rich_media_meta rich_media_meta_nickname" href="##" id="post-user">再出发</a>`),
    );
    assert.deepEqual([a.title, a.account, a.author], ["标题 文字", "再出发", "阿登"]);
    const b = parseArticle(
      header(`<span id="copyright_logo" class="rich_media_meta rich_media_meta_text meta_tag_text">原创：</span>
        <span class="rich_media_meta rich_media_meta_nickname" id="profileBt"><a href="javascript:void(0);"> 兵兵亮 </a></span>`),
    );
    assert.deepEqual([b.account, b.author, b.original], ["兵兵亮", null, true]);
  });

  it("warns when item_show_type and real_item_show_type disagree", () => {
    const a = parseArticle(
      article('var item_show_type = "0"; var real_item_show_type = "8"; var ct = "1500853064";'),
    );
    assert.equal(a.itemShowType, 0);
    assert.equal(a.warnings.length, 1);
  });
});
