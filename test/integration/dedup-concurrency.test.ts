/**
 * One article, enqueued 100 times at once in five URL forms by CLI children and in-process calls,
 * processed by three worker processes: exactly one stored article and one archive document. The
 * page is served slowly so jobs overlap; the short link is a separate job until fetched (its
 * identity is unknown before), so at most two fetches may happen, never one per submission.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Queue } from "bullmq";
import { enqueueArticle, MANUAL_SOURCE_ID } from "../../src/jobs/enqueue.ts";
import { createArticleStore } from "../../src/store/article-store.ts";
import { corpusDir, skipReason } from "../support/corpus.ts";
import { type MockOrigin, startMockOrigin } from "../support/mock-wechat-origin.ts";
import { createTestRedis, type TestRedis } from "../support/redis.ts";
import {
  createServiceHarness,
  parseFrontMatter,
  type ServiceChild,
  type ServiceHarness,
  waitFor,
} from "../support/service-harness.ts";

// 01-article.html (expected.json): biz MzIyNjMxOTY0NA== is base64 of the uin 3226319644.
const QUERY = "__biz=MzIyNjMxOTY0NA==&mid=2247504179&idx=1";
const SN = "52c2c5acc9ff4567b10d1408a333693c";
const KEY = "3226319644-2247504179-1";
const TOKEN = "Q0xk9dT3rW_pZ-m2Lx7aBc";
const CANONICAL = `https://mp.weixin.qq.com/s?${QUERY}&sn=${SN}`;

/** The five forms users and feeds hand us for the same article. */
const FORMS: readonly string[] = [
  `https://mp.weixin.qq.com/s/${TOKEN}`,
  `https://mp.weixin.qq.com/s?${QUERY}&sn=${SN}&chksm=e8d4a1b2c3d4e5f6a7b8&scene=27`,
  `http://mp.weixin.qq.com/s?${QUERY}&sn=${SN}`,
  `https://mp.weixin.qq.com/s?${QUERY.replaceAll("&", "&amp;")}&amp;sn=${SN}`,
  `https://mp.weixin.qq.com/s?${QUERY}&sn=${SN}#rd`,
];

describe("dedup under concurrency", { skip: skipReason(corpusDir(), "WeChat corpus") }, () => {
  let t: TestRedis;
  let mock: MockOrigin;
  let h: ServiceHarness;
  const workers: ServiceChild[] = [];

  before(async () => {
    t = await createTestRedis();
    mock = await startMockOrigin();
    // Slow enough that the long-form and short-link jobs overlap across the three workers.
    mock.route(`/s?${QUERY}`, { file: "01-article.html", delayMs: 400 });
    mock.route(`/s/${TOKEN}`, { file: "01-article.html", delayMs: 400 });
    h = await createServiceHarness({
      prefix: t.prefix,
      config: {
        fetch: { fetcher: "http", origin: mock.origin, minIntervalMs: 0, jitterMs: 0, backoffMs: 200 },
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

  it("stores one article and one archive file for 100 concurrent submissions", async () => {
    workers.push(
      ...(await Promise.all([1, 2, 3].map((n) => h.startRole("worker", { name: `worker-${n}` })))),
    );
    const submissions = Array.from({ length: 100 }, (_, i) => FORMS[i % FORMS.length] ?? "");
    const viaCli = submissions.slice(0, 40);
    const inProcess = submissions.slice(40);

    const store = createArticleStore(t.connect(), t.prefix);
    const wechatQueue = new Queue("wechat", { connection: t.connect(), prefix: t.prefix });
    try {
      const cliRuns = [0, 1, 2, 3].map((n) => h.runCli(["enqueue", ...viaCli.slice(n * 10, n * 10 + 10)]));
      const calls = inProcess.map((url) =>
        enqueueArticle(url, { sourceId: MANUAL_SOURCE_ID, sourceName: null }, { store, wechatQueue }),
      );
      const [cliResults, results] = await Promise.all([Promise.all(cliRuns), Promise.all(calls)]);

      for (const result of cliResults) {
        assert.equal(result.code, 0, result.stderr);
        const lines = result.stdout.trim().split("\n");
        assert.equal(lines.length, 10, result.stdout);
        for (const line of lines)
          assert.match(line, new RegExp(`^(queued|duplicate) (${KEY}|short-${TOKEN})$`));
      }
      for (const result of results) {
        assert.ok(result.status === "queued" || result.status === "duplicate", result.status);
        assert.ok(result.key === KEY || result.key === `short-${TOKEN}`, result.key);
      }

      await waitFor(
        async () => {
          const counts = await wechatQueue.getJobCounts("waiting", "active", "delayed", "prioritized");
          return (await store.hasArticle(KEY)) && Object.values(counts).every((n) => n === 0);
        },
        { timeoutMs: 60_000, what: "the queue drained with the article stored" },
      );
      const failed = await wechatQueue.getJobs(["failed"]);
      assert.deepEqual(
        failed.map((job) => job.failedReason),
        [],
        "no job failed",
      );
      const jobs = await wechatQueue.getJobs(["completed"]);
      assert.deepEqual(jobs.map((job) => job.id).sort(), [`article-${KEY}`, `article-short-${TOKEN}`]);
      assert.ok(mock.count("/s") <= 2, `at most one fetch per job, got ${mock.count("/s")}`);

      assert.equal(await store.countArticles(), 1, "exactly one stored article");
      const stored = await store.readArticle(KEY);
      assert.equal(stored?.url, CANONICAL);
      assert.equal(await store.resolveAlias(`short-${TOKEN}`), KEY, "the short link resolves to the article");

      const files = await h.listDataFiles();
      assert.deepEqual(files, [`articles/2025/11/10/${KEY}.md`], "one archive file, no temp file");
      const front = parseFrontMatter(await readFile(join(h.dataDir, files[0] ?? ""), "utf8"));
      assert.equal(front.url, CANONICAL);
      assert.equal(front.date, "2025-11-10");

      // Every later submission, in any form, is now a duplicate (the short one through its alias).
      for (const url of FORMS) {
        const again = await enqueueArticle(
          url,
          { sourceId: MANUAL_SOURCE_ID, sourceName: null },
          { store, wechatQueue },
        );
        assert.deepEqual([again.status, again.key], ["duplicate", KEY], url);
      }
    } finally {
      await wechatQueue.close();
    }
    for (const worker of workers) {
      const exit = await worker.stop(20_000);
      assert.equal(exit.code, 0, `${worker.name} exit; output:\n${worker.tail()}`);
    }
  });
});
