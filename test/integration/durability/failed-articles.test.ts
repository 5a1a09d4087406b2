/**
 * No transient failure is final, with the real service and the mock origin. An article whose every
 * attempt met a 500 is recorded as failed (named, with its reason, in `status --json`), then stored by
 * the next automatic retry once the origin answers; and `enqueue --wait` of a failed article fetches it
 * again at once and reports the new outcome instead of BullMQ silently keeping the old failed job.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Queue } from "bullmq";
import { enqueueArticle, MANUAL_SOURCE_ID } from "../../../src/jobs/enqueue.ts";
import { createArticleStore } from "../../../src/store/article-store.ts";
import { createFailedArticles } from "../../../src/store/failed-articles.ts";
import { corpusDir, skipReason } from "../../support/corpus.ts";
import { type CorpusArticle, readCorpusArticles } from "../../support/corpus-articles.ts";
import { type MockOrigin, startMockOrigin } from "../../support/mock-wechat-origin.ts";
import { createTestRedis, type TestRedis } from "../../support/redis.ts";
import { findFreePort } from "../../support/redis-server.ts";
import { createServiceHarness, type ServiceHarness, waitFor } from "../../support/service-harness.ts";

const dir = corpusDir();
const articles = dir === null ? [] : readCorpusArticles(dir);

interface StatusFailure {
  readonly key: string;
  readonly code: string;
  readonly reason: string;
  readonly attempts: number;
  readonly nextRetryAt: number | null;
}

function config(mock: MockOrigin, delaysMs: number[]): Record<string, unknown> {
  return {
    fetch: {
      fetcher: "http",
      origin: mock.origin,
      minIntervalMs: 0,
      jitterMs: 0,
      attempts: 2,
      backoffMs: 100,
    },
    jobs: { failedRetry: { delaysMs, checkMs: 1000 } },
    sources: [],
  };
}

/** Serves `article` as a 500 while `failing()` says so, else the page. */
function routeFlaky(mock: MockOrigin, article: CorpusArticle, failing: () => boolean): void {
  mock.route(article.route, () => (failing() ? { mode: "error500" } : { file: article.file }));
}

/** The failed articles as `wechat-feed status --json` lists them (one CLI run: use sparingly). */
async function statusFailures(h: ServiceHarness): Promise<StatusFailure[]> {
  const out = await h.runCli(["status", "--json"]);
  assert.equal(out.code, 0, out.stderr);
  return (JSON.parse(out.stdout) as { failures: { recent: StatusFailure[] } }).failures.recent;
}

describe("failed articles", { skip: skipReason(dir, "WeChat corpus") }, () => {
  let t: TestRedis;
  let mock: MockOrigin;
  const harnesses: ServiceHarness[] = [];
  before(async () => {
    t = await createTestRedis();
    mock = await startMockOrigin();
  });
  after(async () => {
    for (const h of harnesses) await h.cleanup();
    await mock?.close();
    await t?.cleanup();
  });

  it("records an article whose attempts met 500s, and stores it at the next automatic retry", async () => {
    const article = articles[0];
    assert.ok(article !== undefined);
    let failing = true;
    routeFlaky(mock, article, () => failing);
    const h = await createServiceHarness({ config: config(mock, [4000]) });
    harnesses.push(h);
    const service = await h.startRole("all", { env: { PORT: String(await findFreePort()) } });
    const enqueued = await h.runCli(["enqueue", article.canonicalUrl]);
    assert.match(enqueued.stdout, /^queued /);

    const records = createFailedArticles(t.connect(), h.prefix);
    await waitFor(async () => (await records.countFailures()) === 1, {
      timeoutMs: 60_000,
      what: "the article recorded as failed",
    });
    const [failure] = await statusFailures(h);
    assert.equal(failure?.key, article.key);
    assert.equal(failure?.code, "FETCH_HTTP_STATUS");
    assert.match(failure?.reason ?? "", /500/);
    assert.equal(failure?.attempts, 2);
    assert.ok(failure?.nextRetryAt !== null, "a transient failure has its next automatic retry");

    failing = false;
    const store = createArticleStore(t.connect(), h.prefix);
    await waitFor(async () => (await store.readArticle(article.key)) !== null, {
      timeoutMs: 60_000,
      what: "the article stored by the automatic retry",
    });
    await waitFor(async () => (await records.countFailures()) === 0, {
      timeoutMs: 15_000,
      what: "the failure record cleared",
    });
    await service.stop(30_000);
  });

  it("enqueue --wait of a failed article fetches it again now and reports the new outcome", async () => {
    const article = articles[1];
    assert.ok(article !== undefined);
    let failing = true;
    routeFlaky(mock, article, () => failing);
    // Automatic retries an hour away: only the enqueue can bring the article back within the test.
    const h = await createServiceHarness({ config: config(mock, [3_600_000]) });
    harnesses.push(h);
    const service = await h.startRole("worker");
    const store = createArticleStore(t.connect(), h.prefix);
    const wechat = new Queue("wechat", { connection: t.connect(), prefix: h.prefix });
    await enqueueArticle(
      article.canonicalUrl,
      { sourceId: MANUAL_SOURCE_ID, sourceName: null },
      { store, wechatQueue: wechat },
    );
    const records = createFailedArticles(t.connect(), h.prefix);
    await waitFor(async () => (await records.countFailures()) === 1, {
      timeoutMs: 60_000,
      what: "the article recorded as failed",
    });
    await wechat.close();

    // Still failing: a new fetch happens, and --wait reports its failure (not the old job's).
    const before = mock.count(new URL(article.canonicalUrl).pathname);
    const again = await h.runCli(["enqueue", "--wait", "--timeout", "60", article.canonicalUrl]);
    assert.equal(again.code, 1, again.stdout + again.stderr);
    assert.match(again.stdout, /^queued /m);
    assert.match(again.stdout, /^failed .*500/m);
    assert.ok(mock.count(new URL(article.canonicalUrl).pathname) > before, "the origin was asked again");

    failing = false;
    const fixed = await h.runCli(["enqueue", "--wait", "--timeout", "60", article.canonicalUrl]);
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
    assert.match(fixed.stdout, /^stored \//m);
    assert.notEqual(await store.readArticle(article.key), null);
    assert.equal(await records.countFailures(), 0);
    await service.stop(30_000);
  });
});
