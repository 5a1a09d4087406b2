/**
 * Issues 10 and 11 on the real service (`wechat-feed start --role worker --role server`, a child
 * process, fetching from the mock origin). A page whose title and account hold NUL and control
 * characters (escaped in its script) is stored and archived without them, and `reindex` rebuilds its
 * record from the archive file. While the worker then fetches pages 3,000 and 300,000 elements deep,
 * the health endpoint keeps answering within 250 ms and both pages fail at once as unparseable. It asks
 * `/livez`, the probe of "the process and its event loop answer" (a stalled loop is what lost jobs);
 * `/readyz` adds I/O checks (Redis, a probe file, Chromium) whose latency is not the loop's. (The 15 MiB
 * page's parse off the event loop is covered by test/unit/jobs/parse-pool.test.ts.)
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createQueues, JOB } from "../../src/jobs/queues.ts";
import { type ArticleStore, createArticleStore } from "../../src/store/article-store.ts";
import { buildArticlePage, buildDeepArticlePage } from "../support/deep-page.ts";
import { type MockOrigin, startMockOrigin } from "../support/mock-wechat-origin.ts";
import { createTestRedis, type TestRedis } from "../support/redis.ts";
import { findFreePort } from "../support/redis-server.ts";
import {
  createServiceHarness,
  type ServiceChild,
  type ServiceHarness,
  waitFor,
} from "../support/service-harness.ts";
import { isCleanText } from "../support/text-spec.ts";

const MAX_HEALTH_MS = 250;
const BIZ = "MzA4MjQxNjQzMA==";
const UIN = "3082416430";
const SN = "0123456789abcdef0123456789abcdef";
const MIDS = { control: "2650000304", deep3k: "2650000301", deep300k: "2650000302" };
const CONTROL_KEY = `${UIN}-${MIDS.control}-1`;

function articleUrl(mid: string): string {
  return `https://mp.weixin.qq.com/s?__biz=${encodeURIComponent(BIZ)}&mid=${mid}&idx=1&sn=${SN}`;
}

function urlSource(id: string, mids: readonly string[]) {
  return { id, type: "urls", name: `Source ${id}`, schedule: "0 0 1 1 *", urls: mids.map(articleUrl) };
}

/** Samples `/livez` back to back until `stop()`; resolves to every answer's duration. */
function watchHealth(base: string): { stop(): Promise<number[]> } {
  const durations: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const res = await fetch(`${base}/livez`);
      await res.text();
      durations.push(performance.now() - started);
      await sleep(20);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return durations;
    },
  };
}

describe("hostile pages through the running service", () => {
  let redis: TestRedis;
  let mock: MockOrigin;
  let harness: ServiceHarness;
  let child: ServiceChild;
  let store: ArticleStore;
  let base: string;

  const poll = async (sourceId: string) => {
    const queues = createQueues(redis.redis, harness.loadConfig().redis.prefix, 1, 1000);
    await queues.discover.add(
      JOB.pollSource,
      { sourceId, reason: "manual", scheduledAt: new Date().toISOString() },
      { jobId: `poll-${sourceId}-test` },
    );
    await queues.close();
  };
  const failed = (mid: string) =>
    child.logs.some(
      (l) => l.msg === "job outcome" && l.outcome === "failed" && l.jobId === `article-${UIN}-${mid}-1`,
    );

  before(async () => {
    redis = await createTestRedis();
    store = createArticleStore(redis.redis, redis.prefix);
    mock = await startMockOrigin();
    const pages: Record<keyof typeof MIDS, string> = {
      // JS escapes in the page's script, as WeChat writes them: `\x00`, `\x01`, `\u202e`.
      control: buildArticlePage("<p>正文。</p>", {
        title: "控制\\x00字符\\x01标题\\u202e",
        account: "账号\\x00名\\x07",
        mid: MIDS.control,
      }),
      deep3k: buildDeepArticlePage(3000),
      deep300k: buildDeepArticlePage(300_000),
    };
    for (const [name, mid] of Object.entries(MIDS)) {
      mock.route(`/s?__biz=${BIZ}&mid=${mid}&idx=1`, { body: pages[name as keyof typeof MIDS] });
    }
    const port = await findFreePort();
    base = `http://127.0.0.1:${port}`;
    harness = await createServiceHarness({
      prefix: redis.prefix,
      // Each attempt's error (code and page class) is logged at debug.
      logLevel: "debug",
      config: {
        server: { host: "127.0.0.1", port, publicUrl: base },
        fetch: { fetcher: "http", origin: mock.origin, minIntervalMs: 0, jitterMs: 0 },
        sources: [urlSource("control", [MIDS.control]), urlSource("deep", [MIDS.deep3k, MIDS.deep300k])],
      },
    });
    // No scheduler role: its catch-up polls would start every fetch at boot.
    child = harness.spawnChild(["start", "--role", "worker", "--role", "server"], { name: "service" });
    await child.waitForLog((line) => line.msg === "service started", 60_000, "service started");
  });

  after(async () => {
    await child?.stop(20_000);
    await harness?.cleanup();
    await mock?.close();
    await redis?.cleanup();
  });

  it("stores and archives a page with NUL and control characters in title and account", async () => {
    await poll("control");
    const stored = await waitFor(() => store.readArticle(CONTROL_KEY), {
      timeoutMs: 60_000,
      what: "the stored article",
    });
    assert.equal(stored.title, "控制字符标题");
    // Redis is written first, the archive file right after.
    const file = await waitFor(() => readFile(stored.archivePath, "utf8").catch(() => null), {
      timeoutMs: 10_000,
      what: "the archive file",
    });
    assert.equal(file, stored.document);
    assert.ok(isCleanText(file) && !file.includes("\u202e"), "no control character in the file");
    assert.ok(file.includes("\n\n账号名\n\n"), "the account line is kept, cleaned");
  });

  it(`keeps /livez under ${MAX_HEALTH_MS} ms while fetching deep pages, which fail as unparseable`, async () => {
    // The first request pays for loading the test process's fetch client: not the service's time.
    await (await fetch(`${base}/livez`)).text();
    const health = watchHealth(base);
    let durations: number[] = [];
    try {
      await poll("deep");
      await waitFor(() => failed(MIDS.deep3k) && failed(MIDS.deep300k), {
        timeoutMs: 120_000,
        what: "two failed deep pages",
      });
    } finally {
      durations = await health.stop();
    }
    assert.ok(durations.length >= 5, `only ${durations.length} health checks ran`);
    const slowest = Math.max(...durations);
    assert.ok(slowest < MAX_HEALTH_MS, `a /livez answer took ${slowest.toFixed(0)} ms`);
    const attempts = child.logs.filter((l) => l.msg === "job attempt failed");
    for (const mid of [MIDS.deep3k, MIDS.deep300k]) {
      const err = attempts.find((l) => l.jobId === `article-${UIN}-${mid}-1`)?.err as
        | { code?: string; details?: { pageClass?: string } }
        | undefined;
      assert.equal(err?.code, "PARSE_ARTICLE");
      assert.equal(err?.details?.pageClass, "unparseable");
    }
  });

  it("rebuilds the record from the archive with reindex", async () => {
    const stored = await store.readArticle(CONTROL_KEY);
    assert.ok(stored !== null);
    await child.stop(20_000);
    await redis.redis.del(`${redis.prefix}:article:${CONTROL_KEY}`);
    assert.equal(await store.readArticle(CONTROL_KEY), null);
    const result = await harness.runCli(["reindex"], { timeoutMs: 60_000 });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout + result.stderr, /reindex: articles=1 unreadable=0/);
    const back = await store.readArticle(CONTROL_KEY);
    assert.equal(back?.title, "控制字符标题");
    assert.equal(back?.document, stored.document);
  });
});
