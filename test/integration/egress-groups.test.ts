/**
 * Egress groups, with real worker processes: two groups (`east` sending from 127.0.0.2, `west` from
 * 127.0.0.3, through `fetch.localAddress`) of two workers each fetch the corpus articles from the mock
 * origin, which tells the groups apart by client address. Each group keeps its own minimum interval
 * (measured from the mock's arrival times per address), a verification page on `east` pauses east only
 * while west keeps fetching to the end, and every article is stored once.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Queue } from "bullmq";
import { enqueueArticle, MANUAL_SOURCE_ID } from "../../src/jobs/enqueue.ts";
import { createArticleStore } from "../../src/store/article-store.ts";
import { createEgressState } from "../../src/store/egress-state.ts";
import { corpusDir, skipReason } from "../support/corpus.ts";
import { readCorpusArticles } from "../support/corpus-articles.ts";
import { type MockOrigin, type MockRequest, startMockOrigin } from "../support/mock-wechat-origin.ts";
import { createTestRedis, type TestRedis } from "../support/redis.ts";
import {
  createServiceHarness,
  type ServiceChild,
  type ServiceHarness,
  waitFor,
} from "../support/service-harness.ts";

const dir = corpusDir();
const articles = dir === null ? [] : readCorpusArticles(dir);
const INTERVAL_MS = 1500;
/**
 * The slot is granted in Redis just before the request is sent; the request reaches the mock a few ms
 * later, and that delay varies a little between two requests on a loaded machine.
 */
const ARRIVAL_TOLERANCE_MS = 100;
const EAST = "127.0.0.2";
const WEST = "127.0.0.3";
/** East's third article request meets a verification page. */
const CAPTCHA_ON_EAST_REQUEST = 3;

/** Article requests (not the captcha hop) from `address`, in arrival order. */
function articleRequests(mock: MockOrigin, address: string): MockRequest[] {
  return mock.requests.filter((r) => r.remoteAddress === address && r.url.startsWith("/s?"));
}

function gaps(requests: readonly MockRequest[]): number[] {
  return requests.slice(1).map((r, i) => r.at - (requests[i]?.at ?? 0));
}

describe("egress groups", { skip: skipReason(dir, "WeChat corpus") }, () => {
  let t: TestRedis;
  let mock: MockOrigin;
  let h: ServiceHarness;
  const workers: ServiceChild[] = [];

  before(async () => {
    t = await createTestRedis();
    mock = await startMockOrigin();
    let eastRequests = 0;
    for (const article of articles) {
      mock.route(article.route, (request) =>
        request.remoteAddress === EAST && ++eastRequests === CAPTCHA_ON_EAST_REQUEST
          ? { mode: "captchaRedirect" }
          : { file: article.file },
      );
    }
    h = await createServiceHarness({
      prefix: t.prefix,
      config: {
        fetch: {
          fetcher: "http",
          origin: mock.origin,
          minIntervalMs: INTERVAL_MS,
          jitterMs: 0,
          backoffMs: 200,
          cooldown: { initialMs: 600_000, maxMs: 600_000 },
        },
        worker: { concurrency: 2 },
        sources: [],
      },
    });
  });
  after(async () => {
    await h?.cleanup();
    await mock?.close();
    await t?.cleanup();
  });

  it("paces each egress on its own, pauses only the verified one, and stores every article once", async () => {
    assert.ok(articles.length >= 8, `enough corpus articles to see pacing (${articles.length})`);
    const group = (egress: string, address: string) =>
      [1, 2].map((n) =>
        h.startRole("worker", {
          name: `${egress}-${n}`,
          env: { WORKER_EGRESS: egress, FETCH_LOCAL_ADDRESS: address },
        }),
      );
    workers.push(...(await Promise.all([...group("east", EAST), ...group("west", WEST)])));
    const registry = createEgressState(t.redis, t.prefix);
    await waitFor(
      async () => {
        const presence = await registry.readPresence(Date.now());
        return JSON.stringify(presence.map((p) => [p.egress, p.liveWorkers])) === '[["east",2],["west",2]]';
      },
      { timeoutMs: 20_000, what: "two live workers in each egress" },
    );

    const store = createArticleStore(t.connect(), t.prefix);
    const wechatQueue = new Queue("wechat", { connection: t.connect(), prefix: t.prefix });
    try {
      for (const article of articles) {
        const queued = await enqueueArticle(
          article.canonicalUrl,
          { sourceId: MANUAL_SOURCE_ID, sourceName: null },
          { store, wechatQueue },
        );
        assert.equal(queued.status, "queued");
      }
      await waitFor(
        async () =>
          (await store.countArticles()) === articles.length && (await store.countArchivePending()) === 0,
        { timeoutMs: 120_000, what: "every article stored and archived" },
      );

      const east = articleRequests(mock, EAST);
      const west = articleRequests(mock, WEST);
      for (const [name, requests] of [
        ["east", east],
        ["west", west],
      ] as const) {
        for (const gap of gaps(requests)) {
          assert.ok(gap >= INTERVAL_MS - ARRIVAL_TOLERANCE_MS, `${name}: requests ${gap} ms apart`);
        }
      }
      // The pace is per egress, not global: the two groups fetched side by side.
      const all = [...east, ...west].sort((a, b) => a.at - b.at);
      assert.ok(
        gaps(all).some((gap) => gap < INTERVAL_MS / 2),
        "requests of different egresses closer than one interval",
      );

      // East met the verification page on its third request and sent nothing after it.
      assert.equal(east.length, CAPTCHA_ON_EAST_REQUEST, "east stopped at the verification page");
      const captchaAt = east.at(-1)?.at ?? 0;
      assert.ok(west.filter((r) => r.at > captchaAt).length >= 3, "west kept fetching during east's pause");
      // Each article fetched once, except the one that met the captcha (fetched again, by west).
      assert.equal(east.length + west.length, articles.length + 1);

      assert.equal(await store.countArticles(), articles.length, "every article stored once");
      for (const article of articles) assert.ok(await store.hasArticle(article.key), article.key);
      const files = (await h.listDataFiles()).filter((f) => f.startsWith("articles/"));
      assert.equal(files.length, articles.length, files.join("\n"));
      assert.deepEqual(await wechatQueue.getJobs(["failed"]), [], "no job failed");

      const status = await h.runCli(["status"]);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /^wechat fetching via egress east \(2 live workers\): paused until /m);
      assert.match(status.stdout, /^wechat fetching via egress west \(2 live workers\): active$/m);
    } finally {
      await wechatQueue.close();
    }
    for (const worker of workers) {
      const exit = await worker.stop(20_000);
      assert.equal(exit.code, 0, `${worker.name} exit; output:\n${worker.tail()}`);
    }
  });
});
