/**
 * Publishing after the real pipeline: the service (worker + server roles, in one process) fetches
 * the corpus articles from the mock origin through two configured sources, then /feed.xml must be
 * strict XML that a real feed parser reads, with one right item per article; the per-source feeds
 * partition the items and /opml.xml lists them all.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseOpml, parseRssFeed } from "feedsmith";
import { createQueues, JOB } from "../../src/jobs/queues.ts";
import { createLogger } from "../../src/logger.ts";
import { type Service, startService } from "../../src/main.ts";
import { createArticleStore } from "../../src/store/article-store.ts";
import { corpusDir, skipReason } from "../support/corpus.ts";
import { type CorpusArticle, readCorpusArticles, routeCorpusArticles } from "../support/corpus-articles.ts";
import { type MockOrigin, startMockOrigin } from "../support/mock-wechat-origin.ts";
import { createTestRedis, type TestRedis } from "../support/redis.ts";
import { findFreePort } from "../support/redis-server.ts";
import { createServiceHarness, type ServiceHarness, waitFor } from "../support/service-harness.ts";
import { parseStrictXml } from "../support/strict-xml.ts";

const dir = corpusDir();

describe("feeds after the pipeline stored the corpus", { skip: skipReason(dir, "WeChat corpus") }, () => {
  let redis: TestRedis;
  let mock: MockOrigin;
  let harness: ServiceHarness;
  let service: Service;
  let base: string;
  let articles: CorpusArticle[];
  const bySource = new Map<string, CorpusArticle[]>();

  before(async () => {
    redis = await createTestRedis();
    mock = await startMockOrigin();
    articles = readCorpusArticles(dir ?? "");
    routeCorpusArticles(mock, articles);
    // Two URL-list sources, the articles split between them; long links with tracking junk.
    bySource.set(
      "first",
      articles.filter((_, i) => i % 2 === 0),
    );
    bySource.set(
      "second",
      articles.filter((_, i) => i % 2 === 1),
    );
    const port = await findFreePort();
    base = `http://127.0.0.1:${port}`;
    harness = await createServiceHarness({
      prefix: redis.prefix,
      config: {
        server: { host: "127.0.0.1", port, publicUrl: base },
        fetch: { fetcher: "http", origin: mock.origin, minIntervalMs: 0, jitterMs: 0 },
        sources: [...bySource].map(([id, list]) => ({
          id,
          type: "urls",
          name: `Source ${id}`,
          schedule: "0 0 1 1 *",
          urls: list.map((a) => `${a.canonicalUrl}&chksm=abc&scene=21#rd`),
        })),
      },
    });
    service = await startService(
      harness.loadConfig(),
      new Set(["worker", "server"]),
      createLogger({ level: process.env.TEST_LOG_LEVEL ?? "warn" }),
    );
    const config = harness.loadConfig();
    const queues = createQueues(redis.redis, config.redis.prefix, 1, 1000);
    for (const id of bySource.keys()) {
      await queues.discover.add(
        JOB.pollSource,
        { sourceId: id, reason: "manual", scheduledAt: new Date().toISOString() },
        { jobId: `poll-${id}-test` },
      );
    }
    await queues.close();
    const store = createArticleStore(redis.redis, redis.prefix);
    await waitFor(async () => ((await store.countArticles()) === articles.length ? true : null), {
      timeoutMs: 90_000,
      what: `${articles.length} stored articles`,
    });
    // The cached feed is rebuilt (debounced) after the last article: wait until it shows them all.
    await waitFor(
      async () => {
        const xml = await (await fetch(`${base}/feed.xml`)).text();
        return (parseRssFeed(xml).items ?? []).length === articles.length ? true : null;
      },
      { timeoutMs: 20_000, what: "a feed with every article" },
    );
  });

  after(async () => {
    await service?.stop(10_000);
    await harness?.cleanup();
    await mock?.close();
    await redis?.cleanup();
  });

  it("serves /feed.xml as strict XML with one right item per stored article", async () => {
    const xml = await (await fetch(`${base}/feed.xml`)).text();
    parseStrictXml(xml);
    const items = parseRssFeed(xml).items ?? [];
    assert.equal(items.length, articles.length);
    for (const article of articles) {
      const item = items.find((i) => i.guid?.value === article.key);
      assert.ok(item, `an item with guid ${article.key}`);
      assert.equal(item.link, article.canonicalUrl);
      if (article.title !== null) assert.equal(item.title, article.title);
      else assert.ok(item.title?.startsWith(article.titleStartsWith ?? "\u0000"));
      assert.ok((item.content?.encoded ?? "").length > 100, `full content for ${article.key}`);
      assert.ok(Number.isFinite(Date.parse(item.pubDate ?? "")), `pubDate for ${article.key}`);
    }
  });

  it("partitions the items among the per-source feeds, all listed in /opml.xml", async () => {
    const seen: string[] = [];
    for (const [id, list] of bySource) {
      const xml = await (await fetch(`${base}/feeds/${id}.xml`)).text();
      parseStrictXml(xml);
      const guids = (parseRssFeed(xml).items ?? []).map((i) => i.guid?.value ?? "");
      assert.deepEqual([...guids].sort(), list.map((a) => a.key).sort());
      seen.push(...guids);
    }
    assert.equal(new Set(seen).size, articles.length);
    const opml = parseOpml(await (await fetch(`${base}/opml.xml`)).text());
    const urls = JSON.stringify(opml);
    for (const id of bySource.keys()) assert.ok(urls.includes(`${base}/feeds/${id}.xml`), `OPML lists ${id}`);
  });
});
