/**
 * A job's deadline (jobs.timeoutMs) is a real AbortSignal: when the mock origin hangs the first
 * request for an article, the worker abandons that fetch at the job's deadline (FETCH_TIMEOUT), and
 * the retry fetches and stores the article. The fetcher's own timeout is set far past the job's (the
 * config schema forbids that combination, so it is changed after loading), so only the job's signal
 * can end the hang.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { enqueueArticle, MANUAL_SOURCE_ID } from "../../src/jobs/enqueue.ts";
import { createQueues, type Queues } from "../../src/jobs/queues.ts";
import { createLogger } from "../../src/logger.ts";
import { type Service, startService } from "../../src/main.ts";
import { createArticleStore } from "../../src/store/article-store.ts";
import { corpusDir, skipReason } from "../support/corpus.ts";
import { readCorpusArticles } from "../support/corpus-articles.ts";
import { type MockOrigin, startMockOrigin } from "../support/mock-wechat-origin.ts";
import { createTestRedis, type TestRedis } from "../support/redis.ts";
import { createServiceHarness, type ServiceHarness, waitFor } from "../support/service-harness.ts";

const dir = corpusDir();
const JOB_TIMEOUT_MS = 2000;
const FETCH_TIMEOUT_MS = 60_000;

describe("job deadline", { skip: skipReason(dir, "WeChat corpus") }, () => {
  let redis: TestRedis;
  let mock: MockOrigin;
  let harness: ServiceHarness;
  let service: Service;
  let queues: Queues;

  before(async () => {
    redis = await createTestRedis();
    mock = await startMockOrigin();
    harness = await createServiceHarness({
      prefix: redis.prefix,
      config: {
        fetch: {
          fetcher: "http",
          origin: "http://127.0.0.1:1",
          minIntervalMs: 0,
          jitterMs: 0,
          timeoutMs: 1000,
          backoffMs: 100,
        },
        jobs: { timeoutMs: JOB_TIMEOUT_MS },
      },
    });
  });
  after(async () => {
    await queues?.close();
    await service?.stop(10_000);
    await harness?.cleanup();
    await mock?.close();
    await redis?.cleanup();
  });

  it("aborts a fetch that hangs past jobs.timeoutMs and stores the article on the retry", async () => {
    const [article] = readCorpusArticles(dir ?? "");
    assert.ok(article !== undefined);
    let served = 0;
    mock.route(article.route, () => (++served === 1 ? { mode: "hang" } : { file: article.file }));
    const loaded = harness.loadConfig();
    const config = {
      ...loaded,
      fetch: { ...loaded.fetch, origin: mock.origin, timeoutMs: FETCH_TIMEOUT_MS },
    };
    service = await startService(config, new Set(["worker"]), createLogger({ level: "silent" }));
    const store = createArticleStore(redis.redis, redis.prefix);
    queues = createQueues(redis.redis, config.redis.prefix, config.fetch.attempts, config.fetch.backoffMs);
    const result = await enqueueArticle(
      article.canonicalUrl,
      { sourceId: MANUAL_SOURCE_ID, sourceName: null },
      { store, wechatQueue: queues.wechat },
    );
    assert.equal(result.status, "queued");
    await waitFor(async () => ((await store.readArticle(article.key)) === null ? null : true), {
      timeoutMs: 30_000,
      what: "the article stored after the retry",
    });
    assert.equal(served, 2, "one hung request, one retry");
    const [hung, retry] = mock.requests.slice(-2);
    assert.ok(hung !== undefined && retry !== undefined);
    const gap = retry.at - hung.at;
    // Abandoned at the job's deadline, not before (nothing else was short) and long before the fetch's own timeout.
    assert.ok(gap >= JOB_TIMEOUT_MS - 50, `retried ${gap} ms after the hung request`);
    assert.ok(gap < FETCH_TIMEOUT_MS / 2, `retried ${gap} ms after the hung request`);
    const jobId = result.status === "queued" ? result.jobId : "";
    // The article is stored a moment before BullMQ marks the job completed.
    await waitFor(async () => ((await queues.wechat.getJobState(jobId)) === "completed" ? true : null), {
      timeoutMs: 10_000,
      what: "the job completed",
    });
    const job = await queues.wechat.getJob(jobId);
    assert.equal(job?.attemptsStarted, 2, "the hung attempt, then the one that stored");
    assert.match(job?.stacktrace?.[0] ?? "", /FETCH_TIMEOUT|caller deadline passed/);
  });
});
