/**
 * OPML folders and categories as tags, through the real pipeline: the service (worker + server roles)
 * polls an OPML source from the mock origin whose outlines sit in a folder or carry a category, fetches
 * the articles, and serves each tag's feed with the articles of its outlines, and `/opml.xml` with a
 * folder per tag.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseOpml } from "feedsmith";
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

const dir = corpusDir();
const xml = (s: string) => s.replaceAll("&", "&amp;").replaceAll('"', "&quot;");
const rss = (links: readonly string[]) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>feed</title><link>https://example.org/</link><description>d</description>${links
    .map((link) => `<item><title>t</title><link>${xml(link)}</link></item>`)
    .join("")}</channel></rss>`;

describe("tags from an OPML source, after the pipeline", { skip: skipReason(dir, "WeChat corpus") }, () => {
  let redis: TestRedis;
  let mock: MockOrigin;
  let harness: ServiceHarness;
  let service: Service;
  let base: string;
  let articles: CorpusArticle[];

  before(async () => {
    redis = await createTestRedis();
    mock = await startMockOrigin();
    articles = readCorpusArticles(dir ?? "").slice(0, 3);
    routeCorpusArticles(mock, articles);
    const [a0, a1, a2] = articles;
    assert.ok(a0 && a1 && a2);
    const feed = (name: string) => `${mock.origin}/feeds/${name}`;
    mock.route("/feeds/one.xml", {
      contentType: "application/rss+xml",
      body: rss([a0.canonicalUrl, a1.canonicalUrl]),
    });
    mock.route("/feeds/two.xml", { contentType: "application/rss+xml", body: rss([a2.canonicalUrl]) });
    mock.route("/feeds/list.opml", {
      contentType: "text/x-opml",
      body: `<?xml version="1.0"?><opml version="2.0"><head><title>l</title></head><body>
        <outline text="科技"><outline text="one" type="rss" xmlUrl="${xml(feed("one.xml"))}"/></outline>
        <outline text="two" type="rss" category="/读书" xmlUrl="${xml(feed("two.xml"))}"/></body></opml>`,
    });
    const port = await findFreePort();
    base = `http://127.0.0.1:${port}`;
    harness = await createServiceHarness({
      prefix: redis.prefix,
      config: {
        server: { host: "127.0.0.1", port, publicUrl: base },
        fetch: { fetcher: "http", origin: mock.origin, minIntervalMs: 0, jitterMs: 0 },
        sources: [{ id: "list", type: "opml", url: feed("list.opml"), schedule: "0 0 1 1 *" }],
      },
    });
    service = await startService(
      harness.loadConfig(),
      new Set(["worker", "server"]),
      createLogger({ level: process.env.TEST_LOG_LEVEL ?? "warn" }),
    );
    const queues = createQueues(redis.redis, redis.prefix, 1, 1000);
    await queues.discover.add(
      JOB.pollSource,
      { sourceId: "list", reason: "manual", scheduledAt: new Date().toISOString() },
      { jobId: "poll-list-test" },
    );
    await queues.close();
    const store = createArticleStore(redis.redis, redis.prefix);
    await waitFor(async () => ((await store.countArticles()) === 3 ? true : null), {
      timeoutMs: 90_000,
      what: "3 stored articles",
    });
  });

  after(async () => {
    await service?.stop(10_000);
    await harness?.cleanup();
    await mock?.close();
    await redis?.cleanup();
  });

  const guids = async (path: string): Promise<string[] | null> => {
    const res = await fetch(`${base}${path}`);
    if (res.status !== 200) return null;
    const feed = (await res.json()) as { items: { id: string }[] };
    return feed.items.map((i) => i.id).sort();
  };

  it("serves a feed per folder and per category with the articles of their outlines", async () => {
    const [a0, a1, a2] = articles;
    const folder = `/tags/${encodeURIComponent("科技")}.json`;
    const category = `/tags/${encodeURIComponent("读书")}.json`;
    const expected = [a0?.key, a1?.key].sort();
    await waitFor(
      async () => (JSON.stringify(await guids(folder)) === JSON.stringify(expected) ? true : null),
      {
        timeoutMs: 20_000,
        what: "the folder's tag feed with both articles of its outline",
      },
    );
    assert.deepEqual(await guids(category), [a2?.key]);
  });

  it("lists a folder per tag in /opml.xml", async () => {
    const opml = parseOpml(await (await fetch(`${base}/opml.xml`)).text());
    const folders = (opml.body?.outlines ?? []).filter((o) => o.xmlUrl === undefined).map((o) => o.text);
    assert.deepEqual(folders, ["科技", "读书"]);
  });
});
