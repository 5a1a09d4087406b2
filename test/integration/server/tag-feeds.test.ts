// Tag feeds and the grouped OPML against the real HTTP server and real Redis: configured source tags,
// tags OPML categories gave articles (the tag index), feed parameters on a tag feed, a 404 for an
// unknown tag, and /opml.xml with one folder per tag.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseOpml } from "feedsmith";
import { createTagIndex } from "../../../src/store/tag-index.ts";
import { fetchFeedTitles } from "../../support/feed-titles.ts";
import { makeArticle } from "../../support/seed-articles.ts";
import { parseStrictXml } from "../../support/strict-xml.ts";
import { startTestServer, type TestServer } from "../../support/test-server.ts";

const at = (hours: number) => Date.parse("2025-11-19T00:00:00Z") + hours * 3600_000;
const article = (n: number, sourceId: string, title: string) =>
  makeArticle({
    key: `1000000005-${n}-1`,
    title,
    sourceId,
    publishedAt: new Date(at(n)).toISOString(),
    storedAt: at(n) + 60_000,
  });
const ALPHA = article(1, "alpha", "阿尔法：Rust 新闻");
const BETA = article(2, "beta", "贝塔：周末菜谱");
const GAMMA_READ = article(3, "gamma", "伽马：书评一则");
const GAMMA_OTHER = article(4, "gamma", "伽马：其他");

const titles = fetchFeedTitles;

describe("tag feeds", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      articles: [ALPHA, BETA, GAMMA_READ, GAMMA_OTHER],
      settings: {
        sources: [
          { id: "alpha", name: "阿尔法", tags: ["tech"] },
          { id: "beta", name: "贝塔", tags: ["tech", "生活"] },
          { id: "gamma", name: "伽马" },
        ],
      },
      // gamma is an OPML source whose 读书 folder listed one of its articles.
      before: ({ t }) =>
        createTagIndex(t.redis, t.prefix).tagArticles([GAMMA_READ.key, "9-9-9"], ["读书"], at(5)),
    });
  });
  after(async () => {
    await server?.close();
  });

  it("serves a configured tag's sources in one feed, newest first", async () => {
    assert.deepEqual(await titles(server, "/tags/tech.xml"), [BETA.title, ALPHA.title]);
    assert.deepEqual(await titles(server, `/tags/${encodeURIComponent("生活")}.xml`), [BETA.title]);
  });

  it("serves a tag OPML categories gave, with only the tagged articles that are stored", async () => {
    assert.deepEqual(await titles(server, `/tags/${encodeURIComponent("读书")}.xml`), [GAMMA_READ.title]);
  });

  it("takes feed parameters on a tag feed, and answers 404 for an unknown tag", async () => {
    assert.deepEqual(await titles(server, "/tags/tech.xml?filter_title=Rust"), [ALPHA.title]);
    assert.equal((await fetch(`${server.base}/tags/none.xml`)).status, 404);
  });

  it("groups /opml.xml by tag: untagged sources on top, a folder per tag", async () => {
    const xml = await (await fetch(`${server.base}/opml.xml`)).text();
    parseStrictXml(xml);
    const outlines = parseOpml(xml).body?.outlines ?? [];
    const shape = outlines.map((o) =>
      o.xmlUrl !== undefined ? o.xmlUrl : { [o.text ?? ""]: (o.outlines ?? []).map((c) => c.xmlUrl) },
    );
    assert.deepEqual(shape, [
      "http://feeds.test/feeds/gamma.xml",
      { tech: ["http://feeds.test/feeds/alpha.xml", "http://feeds.test/feeds/beta.xml"] },
      { 生活: ["http://feeds.test/feeds/beta.xml"] },
      { 读书: [`http://feeds.test/tags/${encodeURIComponent("读书")}.xml`] },
    ]);
  });
});
