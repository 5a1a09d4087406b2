import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { decodeHTML } from "entities";
import { parseOpml, parseRssFeed } from "feedsmith";
import { publishArticleChange } from "../../../src/store/change-feed.ts";
import { corpusDir, skipReason } from "../../support/corpus.ts";
import { type CorpusArticle, corpusArticles, makeArticle } from "../../support/seed-articles.ts";
import { parseStrictXml } from "../../support/strict-xml.ts";
import { startTestServer, type TestServer, waitFor } from "../../support/test-server.ts";

const dir = corpusDir();
const SOURCES = ["alpha", "beta", "gamma"];
const STORED_AT = Date.parse("2025-12-01T00:00:00Z");

const textOf = (html: string): string => decodeHTML(html.replace(/<[^>]*>/g, "")).replace(/\s+/g, "");

describe("feeds from corpus articles", { skip: skipReason(dir, "WeChat corpus") }, () => {
  let server: TestServer;
  let corpus: CorpusArticle[];

  before(async () => {
    corpus = corpusArticles(dir ?? "", SOURCES, STORED_AT);
    server = await startTestServer({ articles: corpus.map((c) => c.article) });
  });
  after(async () => {
    await server?.close();
  });

  it("serves /feed.xml as strict XML a feed parser reads, one right item per article", async () => {
    assert.ok(corpus.length >= 5, "the corpus should give several articles");
    const res = await fetch(`${server.base}/feed.xml`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/rss+xml; charset=utf-8");
    assert.equal(res.headers.get("cache-control"), "public, max-age=300");
    assert.match(res.headers.get("etag") ?? "", /^"[A-Za-z0-9_-]{10,}"$/);
    assert.ok(res.headers.get("last-modified"));
    const xml = await res.text();
    parseStrictXml(xml);
    const feed = parseRssFeed(xml);
    const items = feed.items ?? [];
    assert.equal(items.length, corpus.length);
    for (const c of corpus) {
      const item = items.find((i) => i.guid?.value === c.article.key);
      assert.ok(item, `item for ${c.article.key}`);
      assert.equal(item.guid?.isPermaLink, false);
      assert.equal(item.title, c.expected.title);
      assert.equal(item.link, c.expected.canonicalUrl);
      assert.equal(
        Date.parse(item.pubDate ?? ""),
        Date.parse(c.expected.publishedAt),
        `pubDate of ${c.article.key}`,
      );
      const content = item.content?.encoded ?? "";
      assert.ok(
        textOf(content).includes(c.expected.bodyStartNoSpace),
        `content of ${c.article.key}: ${textOf(content).slice(0, 120)}`,
      );
      const headings = [...content.matchAll(/<h1>([\s\S]*?)<\/h1>/g)].map((m) => textOf(m[1] ?? ""));
      assert.ok(
        !headings.includes(textOf(c.expected.title)),
        "the document's own # title line is not repeated",
      );
    }
  });

  it("partitions the items among the per-source feeds", async () => {
    const all = parseRssFeed(await (await fetch(`${server.base}/feed.xml`)).text());
    const seen: string[] = [];
    for (const id of SOURCES) {
      const res = await fetch(`${server.base}/feeds/${id}.xml`);
      assert.equal(res.status, 200, id);
      const xml = await res.text();
      parseStrictXml(xml);
      const guids = (parseRssFeed(xml).items ?? []).map((i) => i.guid?.value ?? "");
      const expected = corpus.filter((c) => c.article.sourceId === id).map((c) => c.article.key);
      assert.deepEqual([...guids].sort(), [...expected].sort(), id);
      seen.push(...guids);
    }
    assert.deepEqual(seen.sort(), (all.items ?? []).map((i) => i.guid?.value ?? "").sort());
    assert.equal((await fetch(`${server.base}/feeds/nope.xml`)).status, 404);
  });

  it("lists every per-source feed in /opml.xml", async () => {
    const res = await fetch(`${server.base}/opml.xml`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/x-opml/);
    const xml = await res.text();
    parseStrictXml(xml);
    const urls = (parseOpml(xml).body?.outlines ?? []).map((o) => o.xmlUrl);
    assert.deepEqual(urls.sort(), SOURCES.map((id) => `http://feeds.test/feeds/${id}.xml`).sort());
  });

  it("answers conditional requests with 304 and HEAD without a body", async () => {
    const first = await fetch(`${server.base}/feed.xml`);
    const etag = first.headers.get("etag") ?? "";
    const lastModified = first.headers.get("last-modified") ?? "";
    for (const inm of [etag, `W/${etag}`, `"other", ${etag}`, "*"]) {
      const res = await fetch(`${server.base}/feed.xml`, { headers: { "If-None-Match": inm } });
      assert.equal(res.status, 304, inm);
      assert.equal(res.headers.get("etag"), etag);
      assert.equal(await res.text(), "");
    }
    const other = await fetch(`${server.base}/feed.xml`, { headers: { "If-None-Match": '"other"' } });
    assert.equal(other.status, 200);
    const ims = await fetch(`${server.base}/feed.xml`, { headers: { "If-Modified-Since": lastModified } });
    assert.equal(ims.status, 304);
    const older = new Date(Date.parse(lastModified) - 1000).toUTCString();
    assert.equal(
      (await fetch(`${server.base}/feed.xml`, { headers: { "If-Modified-Since": older } })).status,
      200,
    );
    const head = await fetch(`${server.base}/feed.xml`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("etag"), etag);
    assert.equal(head.headers.get("content-length"), first.headers.get("content-length"));
    assert.equal(await head.text(), "");
  });

  it("honours ?limit= and refuses bad values", async () => {
    const two = parseRssFeed(await (await fetch(`${server.base}/feed.xml?limit=2`)).text());
    assert.equal(two.items?.length, 2);
    for (const bad of ["0", "1001", "abc", "-1", "2.5"]) {
      assert.equal((await fetch(`${server.base}/feed.xml?limit=${bad}`)).status, 400, bad);
    }
  });

  it("writes the static copies under <dataDir>/public", async () => {
    const body = await (await fetch(`${server.base}/feed.xml`)).text();
    const file = join(server.dataDir, "public", "feed.xml");
    assert.ok(existsSync(file));
    assert.equal(readFileSync(file, "utf8"), body);
    for (const id of SOURCES) assert.ok(existsSync(join(server.dataDir, "public", "feeds", `${id}.xml`)), id);
    assert.ok(existsSync(join(server.dataDir, "public", "opml.xml")));
    assert.ok(existsSync(join(server.dataDir, "public", "digest.xml")));
  });
});

describe("feed rebuilds", () => {
  let server: TestServer;
  const first = makeArticle({
    key: "1000000001-1-1",
    title: "第一篇",
    sourceId: "alpha",
    publishedAt: "2025-11-01T02:00:00Z",
    storedAt: Date.parse("2025-11-01T03:00:00Z"),
  });

  before(async () => {
    server = await startTestServer({ articles: [first] });
  });
  after(async () => {
    await server?.close();
  });

  it("keeps the ETag across a rebuild with no new article and changes it after a change notice", async () => {
    const etagOf = async (path: string) => (await fetch(`${server.base}${path}`)).headers.get("etag");
    const before = await etagOf("/feed.xml");
    const beforeAlpha = await etagOf("/feeds/alpha.xml");
    // A notice without any new article: the debounced rebuild must give the same bytes.
    await publishArticleChange(server.t.redis, server.t.prefix, first.key);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(await etagOf("/feed.xml"), before);
    assert.equal(await etagOf("/feeds/alpha.xml"), beforeAlpha);

    const second = makeArticle({
      key: "1000000001-2-1",
      title: "第二篇",
      sourceId: "beta",
      publishedAt: "2025-11-02T02:00:00Z",
      storedAt: Date.parse("2025-11-02T03:00:00Z"),
    });
    await server.store.saveArticle(second);
    assert.equal(await etagOf("/feed.xml"), before, "nothing is rebuilt per request");
    await publishArticleChange(server.t.redis, server.t.prefix, second.key);
    assert.ok(await waitFor(async () => (await etagOf("/feed.xml")) !== before), "rebuilt after the notice");
    const feed = parseRssFeed(await (await fetch(`${server.base}/feed.xml`)).text());
    assert.deepEqual(
      (feed.items ?? []).map((i) => i.title),
      ["第二篇", "第一篇"],
    );
    assert.equal((await fetch(`${server.base}/feeds/beta.xml`)).status, 200, "the new source got a feed");
    assert.equal(await etagOf("/feeds/alpha.xml"), beforeAlpha, "an untouched source keeps its bytes");
    const res = await fetch(`${server.base}/feed.xml`, { headers: { "If-None-Match": before ?? "" } });
    assert.equal(res.status, 200);
  });

  it("answers 404 for unknown paths and 405 with Allow for a wrong method, without stack traces", async () => {
    const missing = await fetch(`${server.base}/nothing/here`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: "not found" });
    const wrong = await fetch(`${server.base}/feed.xml`, { method: "POST", body: "x" });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get("allow"), "GET, HEAD");
    assert.doesNotMatch(await wrong.text(), /at .*\.ts:\d+/);
    assert.equal((await fetch(`${server.base}/api/enqueue`)).status, 405);
  });
});

describe("missed change notices", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ settings: { checkIntervalMs: 100 } });
  });
  after(async () => {
    await server?.close();
  });

  it("are caught by the periodic check of <prefix>:version", async () => {
    const etagOf = async () => (await fetch(`${server.base}/feed.xml`)).headers.get("etag");
    const empty = await etagOf();
    await server.store.saveArticle(
      makeArticle({
        key: "1000000001-3-1",
        title: "没有通知的文章",
        sourceId: "alpha",
        publishedAt: "2025-11-03T02:00:00Z",
        storedAt: Date.parse("2025-11-03T03:00:00Z"),
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await etagOf(), empty, "no rebuild while the counter is unchanged");
    // The counter moves but the pub/sub message is lost (as during a reconnect).
    await server.t.redis.incr(`${server.t.prefix}:version`);
    assert.ok(await waitFor(async () => (await etagOf()) !== empty, 3000));
    const feed = parseRssFeed(await (await fetch(`${server.base}/feed.xml`)).text());
    assert.deepEqual(
      (feed.items ?? []).map((i) => i.title),
      ["没有通知的文章"],
    );
  });
});
