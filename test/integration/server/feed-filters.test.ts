// Feed parameters and source filters against the real HTTP server and real Redis: RSSHub-named
// filters, limit, brief mode, one-line 400s for bad patterns, the pattern-length cap within the
// issue's 50 ms bound, the canonical-query cache, and config filters holding articles back.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseAtomFeed } from "feedsmith";
import { fetchFeedTitles } from "../../support/feed-titles.ts";
import { makeArticle } from "../../support/seed-articles.ts";
import { startTestServer, type TestServer } from "../../support/test-server.ts";

const NOW = new Date("2025-11-20T03:00:00Z");
const article = (n: number, sourceId: string, title: string, text: string, hoursAgo: number) =>
  makeArticle({
    key: `1000000002-${n}-1`,
    title,
    sourceId,
    publishedAt: new Date(NOW.getTime() - hoursAgo * 3600_000).toISOString(),
    storedAt: NOW.getTime() - hoursAgo * 3600_000 + 60_000,
    text,
  });
const ARTICLES = [
  article(1, "alpha", "Redis 7.4 发布说明", "新版本带来哈希字段过期。", 1),
  article(2, "alpha", "广告：限时优惠", "点击购买。", 2),
  article(3, "beta", "Kubernetes 调度深入", "本文讨论 Redis 之外的调度器。".repeat(10), 3),
  article(4, "beta", "招聘：后端工程师", "我们在招人。", 30),
  article(5, "gamma", "周末随笔", "短。", 50),
];

const titles = fetchFeedTitles;

describe("feed parameters", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ articles: ARTICLES, deps: () => ({ now: () => NOW }) });
  });
  after(async () => {
    await server?.close();
  });

  it("filters by title or body, by title only, and filters out", async () => {
    assert.deepEqual(await titles(server, "/feed.xml?filter=Redis"), [
      "Redis 7.4 发布说明",
      "Kubernetes 调度深入",
    ]);
    assert.deepEqual(await titles(server, "/feed.xml?filter_title=Redis"), ["Redis 7.4 发布说明"]);
    assert.deepEqual(await titles(server, `/feed.xml?filterout=${encodeURIComponent("广告|招聘")}`), [
      "Redis 7.4 发布说明",
      "Kubernetes 调度深入",
      "周末随笔",
    ]);
  });

  it("applies filters per source feed, case-insensitively on request, with filter_time and limit", async () => {
    assert.deepEqual(await titles(server, "/feeds/beta.xml?filter_title=kubernetes"), []);
    assert.deepEqual(
      await titles(server, "/feeds/beta.xml?filter_title=kubernetes&filter_case_sensitive=false"),
      ["Kubernetes 调度深入"],
    );
    assert.deepEqual(await titles(server, "/feed.xml?filter_time=14400"), [
      "Redis 7.4 发布说明",
      "广告：限时优惠",
      "Kubernetes 调度深入",
    ]);
    assert.deepEqual(await titles(server, "/feed.xml?filter_time=14400&limit=1"), ["Redis 7.4 发布说明"]);
  });

  it("mode=brief serves summaries without full text, and the self link carries the canonical query", async () => {
    const res = await fetch(`${server.base}/feed.xml?mode=brief&filter_title=Redis`);
    const xml = await res.text();
    assert.doesNotMatch(xml, /content:encoded/);
    assert.match(xml, /新版本带来哈希字段过期/);
    assert.match(xml, /atom:link href="http:\/\/feeds\.test\/feed\.xml\?filter_title=Redis&amp;mode=brief"/);
  });

  it("filters and cuts to summaries the same way in Atom and JSON Feed", async () => {
    const atom = parseAtomFeed(
      await (await fetch(`${server.base}/feed.atom?filter=Redis&mode=brief`)).text(),
    );
    assert.deepEqual(
      atom.entries?.map((e) => (typeof e.title === "string" ? e.title : e.title?.value)),
      ["Redis 7.4 发布说明", "Kubernetes 调度深入"],
    );
    assert.equal(atom.entries?.[0]?.content, undefined);
    const summary = atom.entries?.[0]?.summary;
    assert.match(typeof summary === "string" ? summary : (summary?.value ?? ""), /新版本带来哈希字段过期/);
    const json = (await (
      await fetch(`${server.base}/feeds/alpha.json?filterout=广告&mode=brief`)
    ).json()) as {
      items: { title: string; content_html?: string; content_text?: string }[];
    };
    assert.deepEqual(
      json.items.map((i) => i.title),
      ["Redis 7.4 发布说明"],
    );
    assert.equal(json.items[0]?.content_html, undefined);
    assert.match(json.items[0]?.content_text ?? "", /新版本带来哈希字段过期/);
  });

  it("answers bad parameters with a one-line JSON 400", async () => {
    for (const [query, message] of [
      ["filter=a(", /^filter: invalid pattern "a\(": /],
      ["filter_author=(?<=x)y", /^filter_author: invalid pattern/],
      ["limit=0", /^limit must be an integer from 1 to 1000$/],
      ["filter_time=soon", /^filter_time must be/],
    ] as const) {
      const res = await fetch(`${server.base}/feed.xml?${query}`);
      assert.equal(res.status, 400, query);
      const body = await res.text();
      assert.equal(body.trim().split("\n").length, 1);
      assert.match((JSON.parse(body) as { error: string }).error, message);
    }
  });

  it("answers a filter of 10,000 'a?'s then 10,000 'a's within 50 ms (the pattern cap, no engine work)", async () => {
    const pattern = `${"a?".repeat(10_000)}${"a".repeat(10_000)}`;
    await fetch(`${server.base}/feed.xml?filter=a`); // warm the server and the route
    const started = performance.now();
    const res = await fetch(`${server.base}/feed.xml?filter=${pattern}`);
    const body = await res.text();
    const elapsed = performance.now() - started;
    assert.equal(res.status, 400);
    assert.match(body, /filter is longer than 256 characters/);
    assert.ok(elapsed < 50, `took ${elapsed.toFixed(1)} ms`);
  });

  it("answers a request line past 64 KiB with a one-line JSON 431, not a bare parser error", async () => {
    const res = await fetch(`${server.base}/feed.xml?filter=${"a".repeat(70 * 1024)}`);
    assert.equal(res.status, 431);
    assert.deepEqual(await res.json(), { error: "request line or headers too large" });
  });

  it("runs a capped pathological pattern in linear time (a backtracking engine takes seconds)", async () => {
    // 2^40 paths for a backtracking engine; RE2 walks each text once.
    const pattern = `${"a?".repeat(40)}${"a".repeat(40)}b`;
    const text = "a".repeat(5000);
    const hostile = await startTestServer({
      articles: [article(9, "alpha", text, text, 1)],
      deps: () => ({ now: () => NOW }),
    });
    try {
      const started = performance.now();
      assert.deepEqual(await titles(hostile, `/feed.xml?filter=${pattern}`), []);
      assert.ok(performance.now() - started < 2000, "a linear-time engine answers well within 2 s");
    } finally {
      await hostile.close();
    }
  });

  it("caches a filtered feed by its canonical query: reordered parameters give the same ETag and a 304", async () => {
    const a = await fetch(`${server.base}/feed.xml?filter=Redis&limit=5`);
    const b = await fetch(`${server.base}/feed.xml?limit=5&filter=Redis&utm_source=x`, {
      headers: { "If-None-Match": a.headers.get("etag") ?? "" },
    });
    assert.equal(b.status, 304);
  });
});

describe("source filters from the config", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      articles: ARTICLES,
      settings: {
        sources: [
          { id: "alpha", filter: { exclude: ["广告"] } },
          { id: "beta", filter: { include: ["/^Kube/"] } },
          { id: "gamma", filter: { minChars: 10 } },
        ],
      },
      deps: () => ({ now: () => NOW }),
    });
  });
  after(async () => {
    await server?.close();
  });

  it("holds filtered articles back from the combined and per-source feeds", async () => {
    assert.deepEqual(await titles(server, "/feed.xml"), ["Redis 7.4 发布说明", "Kubernetes 调度深入"]);
    assert.deepEqual(await titles(server, "/feeds/alpha.xml"), ["Redis 7.4 发布说明"]);
    assert.deepEqual(await titles(server, "/feeds/gamma.xml"), []);
  });

  it("applies request filters on top of them", async () => {
    assert.deepEqual(await titles(server, "/feed.xml?filter=Redis&limit=1"), ["Redis 7.4 发布说明"]);
    assert.deepEqual(await titles(server, "/feed.xml?filter_title=招聘"), []);
  });
});

describe("source filters page through the index", () => {
  let server: TestServer;
  before(async () => {
    // Five alpha articles, the three newest held back: with feeds.limit 2 the feed must page past them.
    const five = [1, 2, 3, 4, 5].map((n) =>
      article(20 + n, "alpha", n <= 3 ? `广告 ${n}` : `正文 ${n}`, "内容。", n),
    );
    server = await startTestServer({
      articles: five,
      settings: {
        feeds: { limit: 2, title: "测试订阅" },
        sources: [{ id: "alpha", filter: { exclude: ["广告"] } }],
      },
      deps: () => ({ now: () => NOW }),
    });
  });
  after(async () => {
    await server?.close();
  });

  it("fills the feed from older pages when the newest articles are filtered out", async () => {
    assert.deepEqual(await titles(server, "/feeds/alpha.xml"), ["正文 4", "正文 5"]);
    assert.deepEqual(await titles(server, "/feed.xml?limit=1"), ["正文 4"]);
  });
});
