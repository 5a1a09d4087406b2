/**
 * Health and metrics of the roles without the HTTP server, as an operator's probes see them: a
 * `start --role worker` child answers /livez, /readyz and /metrics on its ops port; its /metrics has
 * prom-client's process metrics and counts the fetch it did by outcome; /readyz turns 503 (while /livez
 * stays 200) with Chromium missing for a browser fetcher, with DATA_DIR no longer writable, and with
 * Redis down; a scheduler reports its ticking tasks.
 */
import assert from "node:assert/strict";
import { rm, writeFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { corpusDir, skipReason } from "../support/corpus.ts";
import { type CorpusArticle, readCorpusArticles, routeCorpusArticles } from "../support/corpus-articles.ts";
import { type MockOrigin, startMockOrigin } from "../support/mock-wechat-origin.ts";
import { createTestRedis, type TestRedis } from "../support/redis.ts";
import { findFreePort, type OwnRedisServer, startOwnRedisServer } from "../support/redis-server.ts";
import {
  createServiceHarness,
  type ServiceChild,
  type ServiceHarness,
  waitFor,
} from "../support/service-harness.ts";

const dir = corpusDir();
const articles = dir === null ? [] : readCorpusArticles(dir);
const WX = "https://mp.weixin.qq.com";
const NEVER = "0 0 1 1 *";

interface Ready {
  readonly status: number;
  readonly checks: Record<string, { ok: boolean; error?: string }>;
}

/** The ops port a child logged. */
async function opsBase(child: ServiceChild): Promise<string> {
  const line = await child.waitForLog((l) => l.msg === "ops listening", 30_000, "ops listening");
  return `http://127.0.0.1:${String(line.port)}`;
}

async function readyz(base: string): Promise<Ready> {
  const res = await fetch(`${base}/readyz`);
  const body = (await res.json()) as { checks: Ready["checks"] };
  return { status: res.status, checks: body.checks };
}

describe("ops endpoints of worker and scheduler processes", {
  skip: skipReason(dir, "WeChat corpus"),
}, () => {
  let t: TestRedis;
  let mock: MockOrigin;
  const harnesses: ServiceHarness[] = [];

  const harness = async (config: Record<string, unknown>, redisUrl?: string) => {
    const h = await createServiceHarness({
      prefix: t.prefix,
      config: { server: { opsPort: 0, host: "127.0.0.1" }, ...config },
      ...(redisUrl === undefined ? {} : { redisUrl }),
    });
    harnesses.push(h);
    return h;
  };

  before(async () => {
    t = await createTestRedis();
    mock = await startMockOrigin();
  });
  after(async () => {
    for (const h of harnesses) await h.cleanup();
    await mock?.close();
    await t?.cleanup();
  });

  it("a worker is live and ready, and its /metrics counts the fetch it did", async () => {
    const article = articles[0] as CorpusArticle;
    routeCorpusArticles(mock, [article]);
    const url = `${WX}/s?__biz=${article.biz}&mid=${article.mid}&idx=${article.idx}&sn=${article.sn}`;
    const h = await harness({
      fetch: { fetcher: "http", origin: mock.origin, minIntervalMs: 0, jitterMs: 0 },
      sources: [{ id: "list", type: "urls", urls: [url], schedule: NEVER }],
    });
    const worker = await h.startRole("worker");
    const base = await opsBase(worker);
    assert.equal((await fetch(`${base}/livez`)).status, 200);
    const ready = await readyz(base);
    assert.equal(ready.status, 200, JSON.stringify(ready.checks));
    assert.deepEqual(Object.keys(ready.checks).sort(), ["archive", "redis"]);

    const poll = await h.runCli(["poll", "list"]);
    assert.equal(poll.code, 0, poll.stderr);
    const text = await waitFor(
      async () => {
        const body = await (await fetch(`${base}/metrics`)).text();
        return /^wechat_feed_fetches_total\{outcome="stored",class="none"\} 1$/m.test(body) ? body : null;
      },
      { timeoutMs: 30_000, what: "the stored fetch in /metrics" },
    );
    assert.match(text, /^process_cpu_seconds_total \d/m);
    assert.match(text, /^# TYPE wechat_feed_fetches_total counter$/m);
    assert.match(
      text,
      /^wechat_feed_job_duration_seconds_count\{queue="wechat",name="fetch-article",outcome="stored"\} 1$/m,
    );
    assert.match(text, /^wechat_feed_fetch_duration_seconds_count\{via="http",outcome="ok"\} 1$/m);
    assert.match(text, /^wechat_feed_queue_workers\{queue="wechat"\} [1-9]/m);

    // The archive directory stops being a directory: not ready, still live.
    await rm(h.dataDir, { recursive: true, force: true });
    await writeFile(h.dataDir, "not a directory");
    const broken = await readyz(base);
    assert.equal(broken.status, 503);
    assert.equal(broken.checks.archive?.ok, false);
    assert.equal(broken.checks.redis?.ok, true);
    assert.equal((await fetch(`${base}/livez`)).status, 200);
    await worker.stop(30_000);
  });

  it("a browser worker without Chromium is live but not ready", async () => {
    const h = await harness({ fetch: { fetcher: "browser", origin: mock.origin } });
    const worker = await h.startRole("worker", { env: { CHROMIUM_PATH: "/nonexistent/chromium" } });
    const base = await opsBase(worker);
    const ready = await readyz(base);
    assert.equal(ready.status, 503);
    assert.equal(ready.checks.browser?.ok, false);
    assert.match(ready.checks.browser?.error ?? "", /chromium/);
    assert.equal((await fetch(`${base}/livez`)).status, 200);
    await worker.stop(30_000);
  });

  it("a second worker on the same machine answers on a free port when the ops port is taken", async () => {
    const port = await findFreePort();
    const h = await harness({ server: { host: "127.0.0.1", opsPort: port }, fetch: { fetcher: "http" } });
    const first = await h.startRole("worker", { name: "first" });
    const second = await h.startRole("worker", { name: "second" });
    assert.equal(await opsBase(first), `http://127.0.0.1:${port}`);
    await second.waitForLog((l) => l.msg === "ops port in use" && l.port === port, 30_000);
    const other = await opsBase(second);
    assert.notEqual(other, `http://127.0.0.1:${port}`);
    assert.equal((await fetch(`${other}/livez`)).status, 200);
    await second.stop(30_000);
    await first.stop(30_000);
  });

  it("a scheduler reports its tasks, and turns not ready when Redis goes down", async () => {
    let own: OwnRedisServer | null = null;
    try {
      own = await startOwnRedisServer();
      const h = await harness(
        { sources: [{ id: "list", type: "urls", urls: [`${WX}/s/AbCdEf123`], schedule: NEVER }] },
        own.url,
      );
      const scheduler = await h.startRole("scheduler");
      const base = await opsBase(scheduler);
      const ready = await readyz(base);
      assert.equal(ready.status, 200, JSON.stringify(ready.checks));
      assert.equal(ready.checks.scheduler?.ok, true);
      await own.kill();
      const down = await waitFor(
        async () => {
          const r = await readyz(base);
          return r.status === 503 ? r : null;
        },
        { timeoutMs: 15_000, what: "/readyz 503 with Redis down" },
      );
      assert.equal(down.checks.redis?.ok, false);
      assert.equal((await fetch(`${base}/livez`)).status, 200);
      await own.restart();
      await scheduler.stop(30_000);
    } finally {
      await own?.close();
    }
  });
});
