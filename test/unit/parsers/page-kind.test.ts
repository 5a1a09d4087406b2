import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { PageClass } from "../../../src/model.ts";
import { classifyPage } from "../../../src/parsers/page-kind.ts";

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/synthetic/${name}`, import.meta.url), "utf8");

describe("classifyPage: synthetic pages", () => {
  const table: [string, PageClass][] = [
    ["captcha.html", "verification"],
    ["account-migrated.html", "migrated"],
    ["account-blocked.html", "account-blocked"],
    ["account-deregistered.html", "account-gone"],
    ["under-review.html", "under-review"],
    ["send-failed.html", "send-failed"],
    ["link-expired.html", "expired"],
    ["video-share.html", "article"],
    ["audio-share.html", "article"],
    ["music-share.html", "article"],
    ["short-content.html", "article"],
  ];
  for (const [file, want] of table) {
    it(`${file} → ${want}`, () => assert.equal(classifyPage(fixture(file)), want));
  }
});

describe("classifyPage: success first", () => {
  it("an article quoting 已被删除 and other failure phrases stays an article", () => {
    const html = fixture("article-quotes-deleted.html");
    assert.match(html, /该内容已被发布者删除/);
    assert.equal(classifyPage(html), "article");
  });

  it("a page without metadata is an article when #js_content holds text, whatever it quotes", () => {
    const html = fixture("article-no-metadata-quotes-violation.html");
    assert.equal(classifyPage(html), "article");
    // The same text outside a #js_content: now its markers decide.
    const withoutBody = html.replace('id="js_content"', 'id="not_content"');
    assert.ok(["deleted", "violation"].includes(classifyPage(withoutBody)));
  });

  it("a #js_content holding only pictures is an article", () => {
    const html = `<div id="js_content"><p><img data-src="https://mmbiz.qpic.cn/a/640?wx_fmt=png"></p></div>`;
    assert.equal(classifyPage(html), "article");
  });

  it("an empty #js_content alone does not make an article", () => {
    assert.equal(classifyPage(`<html><body><div id="js_content">  &nbsp; </div></body></html>`), "unknown");
  });

  it("markup quoted inside a script is not the page's #js_content", () => {
    const html = `<html><body><script>var tpl = '<div id="js_content">正文</div>';</script><p>x</p></body></html>`;
    assert.equal(classifyPage(html), "unknown");
  });

  it("an item_show_type metadata block makes an article even with an empty body (10-share-repost.html)", () => {
    const html = `<div id="js_content"></div><script>var item_show_type = "0";</script><p>该内容已被发布者删除</p>`;
    assert.equal(classifyPage(html), "article");
  });
});

describe("classifyPage: markers", () => {
  const page = (title: string, body: string): string =>
    `<html><head><title>${title}</title></head><body>${body}</body></html>`;

  it("reads markers in the visible text, not in scripts, styles or comments", () => {
    const hidden = page(
      "",
      "<script>var s = '该内容已被发布者删除';</script><style>/* 此内容因违规无法查看 */</style><!-- 环境异常 --><p>hello</p>",
    );
    assert.equal(classifyPage(hidden), "unknown");
  });

  it("reads markers in <title> (15-unavailable.html has the phrase there)", () => {
    assert.equal(classifyPage(page("该内容暂时无法查看", "")), "unavailable");
  });

  it("matches the English UI", () => {
    assert.equal(classifyPage(page("", "<h2>The content has been deleted by the author.</h2>")), "deleted");
    assert.equal(
      classifyPage(page("", "<h2>Unable to view this content because it violates regulation</h2>")),
      "violation",
    );
  });

  it("treats a captcha final URL as verification even without text markers", () => {
    const html = page("", "<p>请稍候</p>");
    assert.equal(classifyPage(html), "unknown");
    assert.equal(
      classifyPage(html, "https://mp.weixin.qq.com/mp/wappoc_appmsgcaptcha?poc_token=x"),
      "verification",
    );
  });

  it("treats a #js_verify element as verification", () => {
    assert.equal(classifyPage(page("", `<div id="js_verify"></div>`)), "verification");
  });

  it("recognises a migrated account by its transferTargetLink variable", () => {
    assert.equal(
      classifyPage(`<script>var transferTargetLink = 'https://mp.weixin.qq.com/s/abc';</script>`),
      "migrated",
    );
  });

  it("recognises the account about page as not an article", () => {
    assert.equal(classifyPage(page("关于公众号", "<div class='item-desc'>x</div>")), "not-article");
  });

  it("verification outranks every other marker", () => {
    assert.equal(classifyPage(page("", "<p>环境异常</p><p>参数错误</p>")), "verification");
  });

  it("leaves an unrecognised page unknown", () => {
    assert.equal(classifyPage(page("502 Bad Gateway", "<h1>502 Bad Gateway</h1>")), "unknown");
    assert.equal(classifyPage(""), "unknown");
  });
});
