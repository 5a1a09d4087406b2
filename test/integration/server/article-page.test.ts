// /articles/<key> against the real HTTP server and real Redis: the archived document as a sanitized
// reading page, a tombstoned article still readable and marked as gone from WeChat, a hostile document
// rendered harmless, 404 pages for unknown and malformed keys, images through the proxy when on, and
// feeds.link: archive pointing items at these pages.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseRssFeed } from "feedsmith";
import { assertSafeFragment } from "../../support/html-safety.ts";
import { makeArticle } from "../../support/seed-articles.ts";
import { startTestServer, type TestServer } from "../../support/test-server.ts";

const STORED = Date.parse("2025-11-19T05:00:00Z");
const normal = makeArticle({
  key: "1000000003-1-1",
  title: "一篇正常的文章",
  sourceId: "alpha",
  publishedAt: "2025-11-19T04:00:00Z",
  storedAt: STORED,
  text: "第一段正文。\n\n![插图](https://mmbiz.qpic.cn/mmbiz_png/abc/640?wx_fmt=png)\n\n| 甲 | 乙 |\n| --- | --- |\n| 1 | 2 |",
});
const deleted = makeArticle({
  key: "1000000003-2-1",
  title: "后来被删除的文章",
  sourceId: "alpha",
  publishedAt: "2025-11-18T04:00:00Z",
  storedAt: STORED - 86_400_000,
  text: "这段文字在微信上已经看不到了。",
});
const hostile = makeArticle({
  key: "1000000003-3-1",
  title: '<script>alert("t")</script><img src=x onerror=alert(1)>',
  sourceId: "alpha",
  publishedAt: "2025-11-17T04:00:00Z",
  storedAt: STORED - 2 * 86_400_000,
  text: [
    '<script>alert("body")</script>',
    '<iframe src="https://evil.example/"></iframe>',
    "[点我](javascript:alert(1)) [数据](data:text/html,<script>alert(2)</script>)",
    '![图](javascript:alert(3)) <a href="javascript:alert(4)" onclick="x()">raw</a>',
    '<svg onload="alert(5)"></svg> <style>body{display:none}</style>',
  ].join("\n\n"),
});

const mainOf = (html: string): string => {
  const match = /<main>\n([\s\S]*)\n<\/main>/.exec(html);
  assert.ok(match, "the page has a <main>");
  return match[1] ?? "";
};

describe("archive reading pages", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      articles: [normal, deleted, hostile],
      before: async ({ store }) => {
        await store.saveTombstone({
          key: deleted.key,
          url: deleted.url,
          pageClass: "deleted",
          reason: "WECHAT_DELETED",
          at: Date.parse("2025-11-20T02:00:00Z"),
        });
      },
    });
  });
  after(async () => {
    await server?.close();
  });

  it("renders the archived document as a sanitized page with a link to the original", async () => {
    const res = await fetch(`${server.base}/articles/${normal.key}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    assert.match(res.headers.get("content-security-policy") ?? "", /default-src 'none'/);
    assert.equal(res.headers.get("referrer-policy"), "no-referrer");
    const html = await res.text();
    const main = mainOf(html);
    assertSafeFragment(main);
    assert.match(main, /<h1>一篇正常的文章<\/h1>/);
    assert.match(main, /第一段正文。/);
    assert.match(main, /<table>/);
    assert.match(main, /<img src="https:\/\/mmbiz\.qpic\.cn\/mmbiz_png\/abc\/640\?wx_fmt=png"/);
    assert.match(
      main,
      /<a href="https:\/\/mp\.weixin\.qq\.com\/s\/1000000003-1-1"[^>]*>在微信中阅读原文<\/a>/,
    );
    assert.doesNotMatch(main, /已被发布者删除/);
    const again = await fetch(`${server.base}/articles/${normal.key}`, {
      headers: { "If-None-Match": res.headers.get("etag") ?? "" },
    });
    assert.equal(again.status, 304);
  });

  it("keeps a tombstoned article readable, marked as deleted at the source", async () => {
    const res = await fetch(`${server.base}/articles/${deleted.key}`);
    assert.equal(res.status, 200);
    const main = mainOf(await res.text());
    assertSafeFragment(main);
    assert.match(
      main,
      /<blockquote>该文章已被发布者删除（2025-11-20 10:00 发现）。以下是本站存档的副本。<\/blockquote>/,
    );
    assert.match(main, /这段文字在微信上已经看不到了。/);
    assert.match(main, /微信原文链接（已失效）/);
    assert.equal(res.headers.get("last-modified"), new Date("2025-11-20T02:00:00Z").toUTCString());
  });

  it("renders a hostile document harmless: no script, handler, frame or javascript: URL", async () => {
    const html = await (await fetch(`${server.base}/articles/${hostile.key}`)).text();
    const main = mainOf(html);
    assertSafeFragment(main);
    // Hostile markup survives only as escaped text: no element or attribute of it is live.
    assert.doesNotMatch(html, /<script|<iframe|<svg|<style>body/i);
    assert.doesNotMatch(html, /<[^>]*\son\w+\s*=|(?:href|src)\s*=\s*"(?:javascript|data:text)/i);
    assert.match(main, /&lt;a href=&quot;javascript:alert\(4\)&quot;/, "raw HTML is shown as text");
    assert.match(
      main,
      /<h1>&lt;script&gt;alert\(&quot;t&quot;\)&lt;\/script&gt;/,
      "the title is shown as text",
    );
  });

  it("answers unknown and malformed keys with a 404 page", async () => {
    for (const key of ["1000000003-9-1", "..%2F..%2Fetc", "a.b", "x".repeat(201), ""]) {
      const res = await fetch(`${server.base}/articles/${key}`);
      assert.equal(res.status, 404, key);
      assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
      assert.match(await res.text(), /<h1>没有这篇文章<\/h1>/);
    }
  });
});

describe("archive links and proxied images", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      articles: [normal],
      settings: {
        feeds: { limit: 50, title: "测试订阅", link: "archive" },
        imageProxy: { enabled: true, secret: "s".repeat(32) },
      },
    });
  });
  after(async () => {
    await server?.close();
  });

  it("points feed items at /articles/<key> when feeds.link is archive", async () => {
    const feed = parseRssFeed(await (await fetch(`${server.base}/feed.xml`)).text());
    assert.equal(feed.items?.[0]?.link, `http://feeds.test/articles/${normal.key}`);
    assert.equal(feed.items?.[0]?.guid?.value, normal.key);
  });

  it("serves the page's images through the signed proxy", async () => {
    const main = mainOf(await (await fetch(`${server.base}/articles/${normal.key}`)).text());
    assert.match(main, /<img src="http:\/\/feeds\.test\/img\?u=[^"]+&amp;s=[^"]+"/);
    assert.doesNotMatch(main, /<img src="https:\/\/mmbiz/);
  });
});
