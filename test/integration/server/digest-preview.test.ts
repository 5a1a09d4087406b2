/**
 * A service started today: three articles stored after this morning's digest run, nothing before.
 * `/digest` shows them under the "today so far" heading, marked as not final, with its own validators,
 * and follows a newly stored article; `/digest.xml` is an empty feed without a made-up 1970 date; and
 * `/digests/<day>` is 404 for every day without a digest (the empty closed window, a day before the
 * first article, the open window).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseRssFeed } from "feedsmith";
import { PREVIEW_TITLE } from "../../../src/publish/digest-preview.ts";
import { publishArticleChange } from "../../../src/store/change-feed.ts";
import { waitFor } from "../../support/child-process.ts";
import { makeArticle } from "../../support/seed-articles.ts";
import { parseStrictXml } from "../../support/strict-xml.ts";
import { startTestServer, type TestServer } from "../../support/test-server.ts";

// 15:00 in Beijing on 2025-11-20: the digest of 2025-11-20 (stored 11-19 08:00 to 11-20 08:00) has run
// and is empty; the open window runs from 2025-11-20 08:00 (00:00Z) to 2025-11-21 08:00 Beijing.
const NOW = new Date("2025-11-20T07:00:00Z");

const today = [1, 2, 3].map((n) =>
  makeArticle({
    key: `1000000002-${n}-1`,
    title: `今天收录的第${n}篇`,
    sourceId: n === 3 ? "beta" : "alpha",
    publishedAt: `2025-11-20T0${n}:00:00Z`,
    storedAt: Date.parse(`2025-11-20T0${n}:30:00Z`),
  }),
);

describe("digest on the first day", () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ articles: today, deps: () => ({ now: () => NOW }) });
  });
  after(async () => {
    await server?.close();
  });

  it("/digest shows today's three articles under 'today so far', marked as not final", async () => {
    const res = await fetch(`${server.base}/digest`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(res.headers.get("cache-control"), "no-cache");
    assert.equal(res.headers.get("last-modified"), new Date(today[2]?.storedAt ?? 0).toUTCString());
    const html = await res.text();
    assert.ok(html.includes(`<h1>${PREVIEW_TITLE}</h1>`), html);
    assert.match(html, /<blockquote>尚未完结[^<]*2025-11-21 08:00[^<]*Not final/);
    assert.match(html, /已收录 3 篇文章，来自 2 个来源/);
    for (const a of today) assert.ok(html.includes(a.title), a.title);
    assert.doesNotMatch(html, /没有收录新文章/);
    const revalidated = await fetch(`${server.base}/digest`, {
      headers: { "If-None-Match": res.headers.get("etag") ?? "" },
    });
    assert.equal(revalidated.status, 304);
  });

  it("/digest follows an article stored later today", async () => {
    const fourth = makeArticle({
      key: "1000000002-4-1",
      title: "刚刚收录的第4篇",
      sourceId: "alpha",
      publishedAt: "2025-11-20T06:00:00Z",
      storedAt: Date.parse("2025-11-20T06:30:00Z"),
    });
    await server.store.saveArticle(fourth);
    // What the fetch job does after storing: tell the servers.
    await publishArticleChange(server.t.redis, server.t.prefix, fourth.key);
    const html = await waitFor(
      async () => {
        const page = await (await fetch(`${server.base}/digest`)).text();
        return page.includes(fourth.title) ? page : null;
      },
      { timeoutMs: 10_000, what: "the fourth article on /digest" },
    );
    assert.match(html, /已收录 4 篇文章/);
  });

  it("/digest.xml has no items and no 1970 lastBuildDate", async () => {
    const res = await fetch(`${server.base}/digest.xml`);
    assert.equal(res.status, 200);
    const xml = await res.text();
    parseStrictXml(xml);
    assert.deepEqual(parseRssFeed(xml).items ?? [], []);
    assert.doesNotMatch(xml, /1970|lastBuildDate/);
    assert.equal(res.headers.get("last-modified"), null);
  });

  it("/digests/<day> is 404 for the empty closed window, days before the first article and the open window", async () => {
    for (const day of ["2025-11-20", "2025-11-19", "2025-01-01", "2025-11-21"]) {
      const res = await fetch(`${server.base}/digests/${day}`);
      assert.equal(res.status, 404, day);
      await res.text();
    }
  });
});
