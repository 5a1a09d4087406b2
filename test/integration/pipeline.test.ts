/**
 * The whole pipeline, all local: real Redis, a `start --role worker` child fetching with real
 * Chromium, and the mock WeChat origin serving corpus pages plus an RSS feed, an Atom feed and an
 * OPML listing them (the same articles in several URL forms), a deleted page and a verification
 * page. One `wechat-feed poll` of every source must store exactly the unique articles with one
 * archive document each, tombstone the deleted one, and hold the verification one back: its job
 * waiting with no attempt spent and WeChat fetching in cool-down, for this worker and a new one.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Queue } from "bullmq";
import { createArticleStore } from "../../src/store/article-store.ts";
import { createSourceState } from "../../src/store/source-state.ts";
import { corpusDir, skipReason } from "../support/corpus.ts";
import { type CorpusArticle, readCorpusArticles, routeCorpusArticles } from "../support/corpus-articles.ts";
import { type MockOrigin, startMockOrigin } from "../support/mock-wechat-origin.ts";
import { createTestRedis, type TestRedis } from "../support/redis.ts";
import {
  createServiceHarness,
  parseFrontMatter,
  type ServiceHarness,
  waitFor,
} from "../support/service-harness.ts";

const dir = corpusDir();
const articles = dir === null ? [] : readCorpusArticles(dir);
const WX = "https://mp.weixin.qq.com";

const RSS_TITLE = "码农札记 RSS 频道";
const ATOM_NAME = "Atom 订阅";
const URLS_NAME = "URL 清单";
const SHORT_TOKEN = "Zk3pQ8vN1aBdRt7yLwXc3k";
// Synthetic identities (biz = base64 of a decimal uin) for the deleted and the verification page.
const DELETED = { biz: btoa("3000000011"), mid: "2650000001", key: "3000000011-2650000001-1" };
const CAPTCHA = { biz: btoa("3000000022"), mid: "2650000002", key: "3000000022-2650000002-1" };
const SN = "0cc175b9c0f1b6a831c399e269772661";

const long = (a: { biz: string; mid: string; idx?: string }, sn = SN) =>
  `${WX}/s?__biz=${a.biz}&mid=${a.mid}&idx=${a.idx ?? "1"}&sn=${sn}`;
/** The URL forms of issue 3: long with chksm/scene/#rd, `http:`, `&amp;`-escaped. */
const withTracking = (a: CorpusArticle) => `${long(a, a.sn)}&chksm=98e1a2b3c4d5e6f7&scene=21#rd`;
const asHttp = (a: CorpusArticle) => long(a, a.sn).replace("https:", "http:");
const ampEscaped = (a: CorpusArticle) => long(a, a.sn).replaceAll("&", "&amp;");

const xml = (s: string) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll('"', "&quot;");

function rssFeed(links: readonly string[]): string {
  const items = links.map(
    (link, i) =>
      `<item><title>item ${i}</title><link>${xml(link)}</link><guid isPermaLink="false">rss-${i}</guid><pubDate>Mon, 10 Nov 2025 04:00:00 GMT</pubDate></item>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>${RSS_TITLE}</title><link>https://example.org/</link><description>test</description>${items.join("")}</channel></rss>`;
}

function atomFeed(links: readonly string[]): string {
  const entries = links.map(
    (link, i) =>
      `<entry><title>entry ${i}</title><id>urn:test:atom-${i}</id><link rel="alternate" href="${xml(link)}"/><updated>2025-11-10T04:00:00Z</updated></entry>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom 频道</title><id>urn:test:atom</id><updated>2025-11-11T00:00:00Z</updated>${entries.join("")}</feed>`;
}

function opml(feeds: readonly string[]): string {
  const outlines = feeds.map((url, i) => `<outline text="feed ${i}" type="rss" xmlUrl="${xml(url)}"/>`);
  return `<?xml version="1.0" encoding="UTF-8"?><opml version="2.0"><head><title>list</title></head><body>${outlines.join("")}</body></opml>`;
}

describe("pipeline", { skip: skipReason(dir, "WeChat corpus") }, () => {
  let t: TestRedis;
  let mock: MockOrigin;
  let h: ServiceHarness;

  before(async () => {
    assert.equal(articles.length, 9, "expected.json has nine articles with a full identity");
    t = await createTestRedis();
    mock = await startMockOrigin();
  });
  after(async () => {
    await h?.cleanup();
    await mock?.close();
    await t?.cleanup();
  });

  it("stores the unique articles once, tombstones the deleted one, cools down on verification", async () => {
    const [a0, a1, a2, a3, a4, a5, a6, a7, a8] = articles as [CorpusArticle, ...CorpusArticle[]];
    assert.ok(a1 && a2 && a3 && a4 && a5 && a6 && a7 && a8);
    routeCorpusArticles(mock, articles);
    mock.route(`/s/${SHORT_TOKEN}`, { file: a3.file });
    mock.route(`/s?__biz=${DELETED.biz}&mid=${DELETED.mid}&idx=1`, { file: "11-deleted.html" });
    mock.route(`/s?__biz=${CAPTCHA.biz}&mid=${CAPTCHA.mid}&idx=1`, { mode: "captchaRedirect" });
    const feedUrl = (name: string) => `${mock.origin}/feeds/${name}`;
    mock.route("/feeds/rss.xml", {
      contentType: "application/rss+xml; charset=utf-8",
      body: rssFeed([withTracking(a0), asHttp(a1), ampEscaped(a2), `${WX}/s/${SHORT_TOKEN}`, long(DELETED)]),
    });
    mock.route("/feeds/atom.xml", {
      contentType: "application/atom+xml; charset=utf-8",
      body: atomFeed([long(a3, a3.sn), withTracking(a4), asHttp(a5), asHttp(a0)]),
    });
    mock.route("/feeds/sources.opml", {
      contentType: "text/x-opml; charset=utf-8",
      body: opml([feedUrl("rss.xml"), feedUrl("atom.xml")]),
    });
    // The verification item comes last in the last listing polled.
    const urlList = [ampEscaped(a6), withTracking(a7), `${asHttp(a8)}#rd`, long(a1, a1.sn), long(CAPTCHA)];

    const never = "0 0 1 1 *"; // midnight on January 1st: no tick during the test
    h = await createServiceHarness({
      prefix: t.prefix,
      config: {
        fetch: {
          fetcher: "browser",
          origin: mock.origin,
          minIntervalMs: 0,
          jitterMs: 0,
          backoffMs: 500,
          cooldown: { initialMs: 600_000, maxMs: 3_600_000 },
        },
        browser: { concurrency: 1 },
        worker: { concurrency: 1 },
        sources: [
          { id: "rss", type: "feed", url: feedUrl("rss.xml"), schedule: never },
          { id: "atom", type: "feed", name: ATOM_NAME, url: feedUrl("atom.xml"), schedule: never },
          { id: "opml", type: "opml", name: "OPML 列表", url: feedUrl("sources.opml"), schedule: never },
          { id: "urls", type: "urls", name: URLS_NAME, urls: urlList, schedule: never },
        ],
      },
    });
    const store = createArticleStore(t.connect(), t.prefix);
    const sourceState = createSourceState(t.connect(), t.prefix);
    const wechat = new Queue("wechat", { connection: t.connect(), prefix: t.prefix });
    const discover = new Queue("discover", { connection: t.connect(), prefix: t.prefix });
    try {
      const worker = await h.startRole("worker", { name: "worker" });
      const poll = await h.runCli(["poll", "rss", "atom", "opml", "urls"]);
      assert.equal(poll.code, 0, poll.stderr);
      assert.equal(poll.stdout.trim().split("\n").length, 4, poll.stdout);

      await waitFor(
        async () => {
          const d = await discover.getJobCounts("waiting", "active", "delayed");
          const w = await wechat.getJobCounts("active", "delayed", "prioritized");
          const pending = Object.values({ ...d, ...w }).some((n) => n > 0);
          return !pending && (await sourceState.readCooldown()) !== null;
        },
        { timeoutMs: 100_000, intervalMs: 250, what: "all fetched and the cool-down recorded" },
      );
      const cooledAt = Date.now();
      const requestsAtCooldown = mock.requests.length;

      // Exactly the unique articles, each with one archive document with the right front matter.
      const expectedSource = new Map<string, readonly string[]>([
        [a0.key, [RSS_TITLE]],
        [a1.key, [RSS_TITLE]],
        [a2.key, [RSS_TITLE]],
        // Listed as a short link by the RSS feed and in long form by the Atom feed.
        [a3.key, [RSS_TITLE, ATOM_NAME]],
        [a4.key, [ATOM_NAME]],
        [a5.key, [ATOM_NAME]],
        [a6.key, [URLS_NAME]],
        [a7.key, [URLS_NAME]],
        [a8.key, [URLS_NAME]],
      ]);
      assert.equal(new Set(articles.map((a) => a.key)).size, articles.length);
      assert.equal(await store.countArticles(), articles.length, "one stored article per identity");
      const files = (await h.listDataFiles()).filter((f) => !f.startsWith("failed/"));
      const expectedFiles = articles.map((a) => `articles/${a.date.replaceAll("-", "/")}/${a.key}.md`);
      assert.deepEqual(files, [...expectedFiles].sort(), "one archive document each, no temp file");
      for (const a of articles) {
        assert.ok(await store.hasArticle(a.key), `${a.file} stored`);
        const text = await readFile(join(h.dataDir, "articles", ...a.date.split("-"), `${a.key}.md`), "utf8");
        const front = parseFrontMatter(text);
        if (a.title !== null) assert.equal(front.title, a.title, a.file);
        else assert.ok(String(front.title).startsWith(a.titleStartsWith ?? "?"), `${a.file}: ${front.title}`);
        assert.equal(front.url, a.canonicalUrl, a.file);
        assert.equal(front.date, a.date, a.file);
        assert.ok(
          expectedSource.get(a.key)?.includes(String(front.source)),
          `${a.file}: source ${front.source}`,
        );
      }
      const opmlPoll = await sourceState.readSourceState("opml");
      assert.deepEqual([opmlPoll?.ok, opmlPoll?.added], [true, 0], "the OPML's feeds added nothing new");

      // The deleted page: tombstoned, never stored, no file.
      assert.equal((await store.readTombstone(DELETED.key))?.pageClass, "deleted");
      assert.equal(await store.hasArticle(DELETED.key), false);
      assert.equal((await wechat.getJobState(`article-${DELETED.key}`)) as string, "failed");

      // The verification page: the job waits with no attempt spent, fetching cools down.
      const held = await wechat.getJob(`article-${CAPTCHA.key}`);
      assert.ok(held !== undefined, "the verification job still exists");
      assert.equal(await held.getState(), "waiting");
      assert.equal(held.attemptsMade, 0, "no attempt spent");
      assert.equal(await store.hasArticle(CAPTCHA.key), false);
      assert.equal(await store.readTombstone(CAPTCHA.key), null);
      const cooldown = await sourceState.readCooldown();
      assert.equal(cooldown?.reason, "WECHAT_VERIFY_REQUIRED");
      assert.equal(cooldown?.level, 1);
      assert.ok((cooldown?.until ?? 0) > cooledAt + 500_000, "a cool-down of about initialMs");
      assert.equal((await wechat.getJobCounts("failed")).failed, 1, "only the deleted article failed");

      const isWeChat = (url: string) => !url.startsWith("/feeds/");
      await sleep(3000);
      assert.deepEqual(
        mock.requests.slice(requestsAtCooldown).filter((r) => isWeChat(r.url)),
        [],
        "no WeChat request during the cool-down",
      );
      const stop = await worker.stop(20_000);
      assert.equal(stop.code, 0, worker.tail());

      // A worker started during the cool-down honours it too (it lives in Redis, not in one process).
      const requestsBefore = mock.requests.length;
      const fresh = await h.startRole("worker", { name: "worker-after-cooldown" });
      await sleep(4000);
      assert.deepEqual(
        mock.requests.slice(requestsBefore).map((r) => r.url),
        [],
        "a new worker sends no WeChat request during the cool-down",
      );
      assert.equal(await held.getState(), "waiting");
      const stopFresh = await fresh.stop(20_000);
      assert.equal(stopFresh.code, 0, fresh.tail());
    } finally {
      await wechat.close();
      await discover.close();
    }
  });
});
