import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseRssFeed } from "feedsmith";
import { makeArticle } from "../../support/seed-articles.ts";
import { parseStrictXml } from "../../support/strict-xml.ts";
import { startTestServer, type TestServer } from "../../support/test-server.ts";

// 11:00 in Beijing on 2025-11-20: the 08:00 digest of that day has run, so the latest digest is
// 2025-11-20, covering articles stored 2025-11-19 08:00 to 2025-11-20 08:00 Beijing (00:00Z to 00:00Z).
const NOW = new Date("2025-11-20T03:00:00Z");

const inLatest = makeArticle({
  key: "1000000001-10-1",
  title: "昨天收录的文章",
  sourceId: "alpha",
  publishedAt: "2025-11-19T04:00:00Z",
  storedAt: Date.parse("2025-11-19T05:00:00Z"),
});
const backfilled = makeArticle({
  key: "1000000001-11-1",
  title: "补录的旧文章",
  sourceId: "beta",
  publishedAt: "2019-03-01T00:00:00Z",
  storedAt: Date.parse("2025-11-19T23:59:59Z"),
});
const dayBefore = makeArticle({
  key: "1000000001-12-1",
  title: "前天收录的文章",
  sourceId: "alpha",
  publishedAt: "2025-11-18T10:00:00Z",
  storedAt: Date.parse("2025-11-18T12:00:00Z"),
});
const afterRun = makeArticle({
  key: "1000000001-13-1",
  title: "摘要之后收录的文章",
  sourceId: "alpha",
  publishedAt: "2025-11-20T00:30:00Z",
  storedAt: Date.parse("2025-11-20T01:00:00Z"),
});

describe("digest pages and /digest.xml", () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({
      articles: [inLatest, backfilled, dayBefore, afterRun],
      deps: () => ({ now: () => NOW }),
    });
  });
  after(async () => {
    await server?.close();
  });

  it("serves the latest digest at /digest: exactly the articles stored in its window", async () => {
    const res = await fetch(`${server.base}/digest`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(res.headers.get("referrer-policy"), "no-referrer");
    assert.match(res.headers.get("content-security-policy") ?? "", /default-src 'none'/);
    const html = await res.text();
    assert.ok(html.includes(inLatest.title));
    assert.ok(html.includes(backfilled.title), "stored in the window, whatever its publish date");
    assert.ok(!html.includes(dayBefore.title));
    assert.ok(!html.includes(afterRun.title));
    const same = await fetch(`${server.base}/digests/2025-11-20`);
    assert.equal(await same.text(), html);
    const cached = await fetch(`${server.base}/digest`, {
      headers: { "If-None-Match": res.headers.get("etag") ?? "" },
    });
    assert.equal(cached.status, 304);
  });

  it("serves earlier days, builds older ones on demand and refuses future or invalid days", async () => {
    const previous = await (await fetch(`${server.base}/digests/2025-11-19`)).text();
    assert.ok(previous.includes(dayBefore.title));
    assert.ok(!previous.includes(inLatest.title));
    // Before the first article no digest was built.
    assert.equal((await fetch(`${server.base}/digests/2025-01-05`)).status, 404);
    assert.equal((await fetch(`${server.base}/digests/2025-11-21`)).status, 404);
    assert.equal((await fetch(`${server.base}/digests/2025-02-30`)).status, 404);
    assert.ok(existsSync(join(server.dataDir, "public", "digests", "2025-11-20.html")));
  });

  it("lists one item per digest day with articles in /digest.xml", async () => {
    const res = await fetch(`${server.base}/digest.xml`);
    assert.equal(res.status, 200);
    const xml = await res.text();
    parseStrictXml(xml);
    const items = parseRssFeed(xml).items ?? [];
    assert.deepEqual(
      items.map((i) => i.guid?.value),
      ["digest-2025-11-20", "digest-2025-11-19"],
    );
    assert.ok((items[0]?.content?.encoded ?? "").includes(inLatest.title));
  });
});
