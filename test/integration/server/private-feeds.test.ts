// feeds.token against the real HTTP server and real Redis: every feed, OPML, digest and archive route
// needs ?key=<token> (401 without, 403 with a wrong one, one-line JSON each), the right key works with
// feed parameters, and self links, OPML entries and archive links carry the key.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseOpml, parseRssFeed } from "feedsmith";
import { makeArticle } from "../../support/seed-articles.ts";
import { startTestServer, type TestServer } from "../../support/test-server.ts";

const TOKEN = "Priv4te-Feed_Token-0123456789";
const NOW = new Date("2025-11-20T03:00:00Z");
const ARTICLE = makeArticle({
  key: "1000000004-1-1",
  title: "只给订阅者看的文章",
  sourceId: "alpha",
  publishedAt: "2025-11-19T04:00:00Z",
  storedAt: Date.parse("2025-11-19T05:00:00Z"),
});
const READER_PATHS = [
  "/feed.xml",
  "/feeds/alpha.xml",
  "/opml.xml",
  "/digest.xml",
  "/digest",
  "/digests/2025-11-20",
  `/articles/${ARTICLE.key}`,
  `/articles/${ARTICLE.key}.md`,
];

describe("private feeds", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      articles: [ARTICLE],
      settings: { feeds: { limit: 50, title: "私有订阅", token: TOKEN, link: "archive" } },
      deps: () => ({ now: () => NOW }),
    });
  });
  after(async () => {
    await server?.close();
  });

  it("refuses every reader route without a key (401) and with a wrong one (403)", async () => {
    for (const path of READER_PATHS) {
      const missing = await fetch(`${server.base}${path}`);
      assert.equal(missing.status, 401, path);
      assert.deepEqual(await missing.json(), {
        error: "this feed is private: add ?key=<feeds.token> to the URL",
      });
      const wrong = await fetch(`${server.base}${path}?key=${TOKEN}x`);
      assert.equal(wrong.status, 403, path);
      assert.match(((await wrong.json()) as { error: string }).error, /^wrong feed key/);
    }
  });

  it("serves every reader route with the key", async () => {
    for (const path of READER_PATHS) {
      const res = await fetch(`${server.base}${path}?key=${TOKEN}`);
      assert.equal(res.status, 200, path);
    }
  });

  it("leaves the operational routes alone", async () => {
    assert.equal((await fetch(`${server.base}/livez`)).status, 200);
  });

  it("carries the key in self links, OPML entries and archive links", async () => {
    const xml = await (await fetch(`${server.base}/feed.xml?key=${TOKEN}&filter=文章`)).text();
    assert.match(
      xml,
      new RegExp(`atom:link href="http://feeds\\.test/feed\\.xml\\?filter=[^"]+&amp;key=${TOKEN}"`),
    );
    const item = parseRssFeed(xml).items?.[0];
    assert.equal(item?.link, `http://feeds.test/articles/${ARTICLE.key}?key=${TOKEN}`);
    const opml = parseOpml(await (await fetch(`${server.base}/opml.xml?key=${TOKEN}`)).text());
    const urls = (opml.body?.outlines ?? []).flatMap((o) => [
      o.xmlUrl,
      ...(o.outlines ?? []).map((c) => c.xmlUrl),
    ]);
    assert.ok(urls.includes(`http://feeds.test/feeds/alpha.xml?key=${TOKEN}`), JSON.stringify(urls));
  });
});
