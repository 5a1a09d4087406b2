/**
 * One dead feed does not stop an OPML source. The OPML's first outline answers 404; the real worker
 * polls the source once (`wechat-feed poll`), every article of the other feeds is stored, and the
 * source's state keeps each feed's result: the 404 with its error code, the others with their items.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createArticleStore } from "../../../src/store/article-store.ts";
import { createSourceState } from "../../../src/store/source-state.ts";
import { corpusDir, skipReason } from "../../support/corpus.ts";
import { readCorpusArticles, routeCorpusArticles } from "../../support/corpus-articles.ts";
import { type MockOrigin, startMockOrigin } from "../../support/mock-wechat-origin.ts";
import { createTestRedis, type TestRedis } from "../../support/redis.ts";
import { createServiceHarness, type ServiceHarness, waitFor } from "../../support/service-harness.ts";

const dir = corpusDir();
const articles = dir === null ? [] : readCorpusArticles(dir).slice(0, 4);

const xml = (s: string) => s.replaceAll("&", "&amp;").replaceAll('"', "&quot;");

function rss(links: readonly string[]): string {
  const items = links.map((link) => `<item><title>t</title><link>${xml(link)}</link></item>`);
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>feed</title><link>https://example.org/</link><description>d</description>${items.join("")}</channel></rss>`;
}

describe("OPML outlines fail alone", { skip: skipReason(dir, "WeChat corpus") }, () => {
  let t: TestRedis;
  let mock: MockOrigin;
  let h: ServiceHarness;
  before(async () => {
    t = await createTestRedis();
    mock = await startMockOrigin();
  });
  after(async () => {
    await h?.cleanup();
    await mock?.close();
    await t?.cleanup();
  });

  it("stores every other feed's articles when the first outline answers 404", async () => {
    const [a0, a1, a2, a3] = articles;
    assert.ok(a0 && a1 && a2 && a3);
    routeCorpusArticles(mock, articles);
    const feed = (name: string) => `${mock.origin}/feeds/${name}`;
    // /feeds/gone.xml has no route: the mock answers 404.
    mock.route("/feeds/one.xml", {
      contentType: "application/rss+xml",
      body: rss([a0.canonicalUrl, a1.canonicalUrl]),
    });
    mock.route("/feeds/two.xml", {
      contentType: "application/rss+xml",
      body: rss([a2.canonicalUrl, a3.canonicalUrl]),
    });
    const outlines = ["gone.xml", "one.xml", "two.xml"]
      .map((name) => `<outline text="${name}" type="rss" xmlUrl="${xml(feed(name))}"/>`)
      .join("");
    mock.route("/feeds/list.opml", {
      contentType: "text/x-opml",
      body: `<?xml version="1.0"?><opml version="2.0"><head><title>l</title></head><body>${outlines}</body></opml>`,
    });
    h = await createServiceHarness({
      prefix: t.prefix,
      config: {
        fetch: { fetcher: "http", origin: mock.origin, minIntervalMs: 0, jitterMs: 0, backoffMs: 100 },
        sources: [{ id: "list", type: "opml", url: feed("list.opml"), schedule: "0 0 1 1 *" }],
      },
    });
    const worker = await h.startRole("worker");
    const poll = await h.runCli(["poll", "list"]);
    assert.equal(poll.code, 0, poll.stderr);

    const store = createArticleStore(t.connect(), t.prefix);
    await waitFor(async () => (await store.countArticles("list")) === 4, {
      timeoutMs: 60_000,
      what: "the four articles of the live feeds",
    });
    for (const a of articles) assert.notEqual(await store.readArticle(a.key), null, a.key);

    const state = await waitFor(
      async () => (await createSourceState(t.connect(), t.prefix).readSourceState("list")) ?? null,
      { timeoutMs: 10_000, what: "the source's recorded poll" },
    );
    assert.equal(state.ok, true);
    assert.equal(state.found, 4);
    assert.deepEqual(
      state.feeds.map((f) => [f.url, f.ok, f.items, f.code ?? null]),
      [
        [feed("gone.xml"), false, 0, "FETCH_HTTP_STATUS"],
        [feed("one.xml"), true, 2, null],
        [feed("two.xml"), true, 2, null],
      ],
    );
    // One poll, no retry of the whole source because of the dead feed.
    assert.equal(mock.count("/feeds/list.opml"), 1);
    await worker.stop(30_000);
  });
});
