/**
 * Crashes the pipeline survives without help. A worker SIGKILLed in the middle of a fetch leaves its
 * job locked; once the lock (jobs.lockMs) expires another worker takes it over and stores the
 * article once, with no partial or temp file in the archive. And a Redis crash mid-run (the test's
 * own redis-server, killed and restarted on the same port and AOF) is ridden out: the workers
 * reconnect and every queued or active job ends with its article stored, none failed.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { enqueueArticle, MANUAL_SOURCE_ID } from "../../src/jobs/enqueue.ts";
import { createArticleStore } from "../../src/store/article-store.ts";
import { corpusDir, skipReason } from "../support/corpus.ts";
import { readCorpusArticles, routeCorpusArticles } from "../support/corpus-articles.ts";
import { type MockOrigin, startMockOrigin } from "../support/mock-wechat-origin.ts";
import { createTestRedis } from "../support/redis.ts";
import { type OwnRedisServer, startOwnRedisServer } from "../support/redis-server.ts";
import { createServiceHarness, type ServiceHarness, waitFor } from "../support/service-harness.ts";

const dir = corpusDir();
const articles = dir === null ? [] : readCorpusArticles(dir);
const LOCK_MS = 2000;

function serviceConfig(mock: MockOrigin): Record<string, unknown> {
  return {
    fetch: { fetcher: "http", origin: mock.origin, minIntervalMs: 0, jitterMs: 0, backoffMs: 200 },
    worker: { concurrency: 1 },
    jobs: { lockMs: LOCK_MS },
    sources: [],
  };
}

/** Archive documents and anything else left in the data dir (temp files included). */
async function dataFiles(h: ServiceHarness): Promise<string[]> {
  return (await h.listDataFiles()).filter((f) => !f.startsWith("failed/"));
}

describe("crash recovery", { skip: skipReason(dir, "WeChat corpus") }, () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("finishes the job of a worker killed mid-fetch once its lock expires", async () => {
    const [article] = articles;
    assert.ok(article !== undefined);
    const t = await createTestRedis();
    const mock = await startMockOrigin();
    cleanups.push(
      () => t.cleanup(),
      () => mock.close(),
    );
    let served = 0;
    // The first request hangs (the worker is killed while waiting for it); later ones are normal.
    mock.route(article.route, () => (served++ === 0 ? { mode: "hang" } : { file: article.file }));
    const h = await createServiceHarness({ prefix: t.prefix, config: serviceConfig(mock) });
    cleanups.push(() => h.cleanup());

    const first = await h.startRole("worker", { name: "worker-killed" });
    const store = createArticleStore(t.connect(), t.prefix);
    const wechatQueue = new Queue("wechat", { connection: t.connect(), prefix: t.prefix });
    cleanups.push(() => wechatQueue.close());
    const queued = await enqueueArticle(
      `${article.canonicalUrl}&chksm=0123abcd&scene=21#rd`,
      { sourceId: MANUAL_SOURCE_ID, sourceName: null },
      { store, wechatQueue },
    );
    assert.equal(queued.status, "queued");
    await waitFor(() => mock.count(article.route) === 1, { timeoutMs: 30_000, what: "the fetch in flight" });

    const second = await h.startRole("worker", { name: "worker-survivor" });
    // While the first worker lives, its lock is renewed: the job stays with it.
    await sleep(LOCK_MS * 1.5);
    assert.equal(mock.count(article.route), 1, "no second fetch while the first worker holds the lock");
    assert.equal(await wechatQueue.getJobState(`article-${article.key}`), "active");

    first.kill("SIGKILL");
    const killed = await first.exited;
    assert.equal(killed.signal, "SIGKILL");
    const killedAt = Date.now();

    const done = await second.waitForLog(
      (l) => l.msg === "job completed" && l.jobId === `article-${article.key}`,
      60_000,
      "the survivor completing the job",
    );
    assert.equal(done.outcome, "stored");
    assert.ok(Date.now() - killedAt < 30_000, "taken over within a few lock periods");
    assert.equal(mock.count(article.route), 2, "fetched once more, by the survivor");
    assert.equal(await store.countArticles(), 1);
    assert.deepEqual(await dataFiles(h), [`articles/${article.date.replaceAll("-", "/")}/${article.key}.md`]);
    // The outcome line is logged inside the processor, just before BullMQ records the completion.
    await waitFor(async () => (await wechatQueue.getJobState(`article-${article.key}`)) === "completed", {
      timeoutMs: 10_000,
      what: "the job recorded as completed",
    });

    const exit = await second.stop(20_000);
    assert.equal(exit.code, 0, second.tail());
  });

  it("rides out a Redis crash and restart with jobs queued and active", async () => {
    const server: OwnRedisServer = await startOwnRedisServer();
    const mock = await startMockOrigin();
    cleanups.push(
      () => server.close(),
      () => mock.close(),
    );
    // Slow pages keep jobs active and queued when Redis goes down.
    routeCorpusArticles(mock, articles, { delayMs: 800 });
    const h = await createServiceHarness({ redisUrl: server.url, config: serviceConfig(mock) });
    cleanups.push(() => h.cleanup());

    const workers = await Promise.all([
      h.startRole("worker", { name: "worker-1" }),
      h.startRole("worker", { name: "worker-2" }),
    ]);
    const client = new Redis(server.url, { maxRetriesPerRequest: null });
    client.on("error", () => undefined);
    cleanups.push(async () => {
      client.disconnect();
    });
    const store = createArticleStore(client, h.prefix);
    const wechatQueue = new Queue("wechat", { connection: client, prefix: h.prefix });
    // The test's own client sees the outage too; its errors are expected, not failures.
    wechatQueue.on("error", () => undefined);
    for (const a of articles) {
      const queued = await enqueueArticle(
        `${a.canonicalUrl}#rd`,
        { sourceId: MANUAL_SOURCE_ID, sourceName: null },
        { store, wechatQueue },
      );
      assert.equal(queued.status, "queued");
    }
    await waitFor(
      async () => {
        const counts = await wechatQueue.getJobCounts("waiting", "active", "completed");
        return (counts.completed ?? 0) >= 1 && (counts.active ?? 0) >= 1 && (counts.waiting ?? 0) >= 1;
      },
      { timeoutMs: 60_000, what: "jobs completed, active and waiting at once" },
    );

    await server.kill();
    await sleep(LOCK_MS + 1000);
    await server.restart();

    await waitFor(
      async () => {
        const counts = await wechatQueue.getJobCounts("waiting", "active", "delayed", "prioritized");
        return (
          (await store.countArticles()) === articles.length && Object.values(counts).every((n) => n === 0)
        );
      },
      { timeoutMs: 90_000, intervalMs: 250, what: "every article stored after the restart" },
    );
    const failed = await wechatQueue.getJobs(["failed"]);
    assert.deepEqual(
      failed.map((j) => `${j.id}: ${j.failedReason}`),
      [],
      "no job failed",
    );
    const expected = articles.map((a) => `articles/${a.date.replaceAll("-", "/")}/${a.key}.md`).sort();
    assert.deepEqual(await dataFiles(h), expected, "one document per article, no temp file");
    for (const worker of workers) {
      assert.ok(!worker.hasExited(), `${worker.name} kept running`);
      assert.ok(
        worker.logs.some((l) => l.msg === "redis connection error"),
        `${worker.name} saw the outage`,
      );
      const exit = await worker.stop(20_000);
      assert.equal(exit.code, 0, `${worker.name}: ${worker.tail()}`);
    }
    await wechatQueue.close();
  });
});
