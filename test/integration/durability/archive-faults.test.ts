/**
 * The archive under real disk faults, with the real service (`start --role all`), real Redis and the mock
 * origin. A DATA_DIR on a small tmpfs that fills up mid-run: every article still reaches Redis, the
 * failed writes show in `/healthz` and `wechat-feed status`, and once the disk is freed the repair sweep
 * archives every document with no restart and no command: 0 articles lost, archive equal to Redis. A
 * DATA_DIR that is read-only at start: one line and exit 2, nothing taken from the queues.
 */
import assert from "node:assert/strict";
import { readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Queue } from "bullmq";
import { loadTemplates, makeVariant, renderVariant, type Variant } from "../../../bench/pipeline-support.ts";
import { enqueueArticle, MANUAL_SOURCE_ID } from "../../../src/jobs/enqueue.ts";
import { createArticleStore } from "../../../src/store/article-store.ts";
import { createFailedArticles } from "../../../src/store/failed-articles.ts";
import { corpusDir, skipReason } from "../../support/corpus.ts";
import { type MockOrigin, startMockOrigin } from "../../support/mock-wechat-origin.ts";
import { createTestRedis, type TestRedis } from "../../support/redis.ts";
import { findFreePort } from "../../support/redis-server.ts";
import { createServiceHarness, type ServiceHarness, waitFor } from "../../support/service-harness.ts";
import { mountTmpfs, type Tmpfs } from "../../support/tmpfs.ts";

const dir = corpusDir();
const ARTICLES = 25;
const REPAIR_MS = 3000;

function config(mock: MockOrigin): Record<string, unknown> {
  return {
    fetch: {
      fetcher: "http",
      origin: mock.origin,
      minIntervalMs: 0,
      jitterMs: 0,
      attempts: 2,
      backoffMs: 100,
    },
    worker: { concurrency: 2 },
    jobs: { failedRetry: { delaysMs: [1000], checkMs: 1000 } },
    store: { repairIntervalMs: REPAIR_MS },
    sources: [],
  };
}

describe("archive faults", { skip: skipReason(dir, "WeChat corpus") }, () => {
  let t: TestRedis;
  let mock: MockOrigin;
  let disk: Tmpfs;
  let h: ServiceHarness;
  let variants: Variant[];

  before(async () => {
    t = await createTestRedis();
    mock = await startMockOrigin();
    const templates = loadTemplates(dir ?? "");
    variants = Array.from({ length: ARTICLES }, (_, n) => makeVariant(templates, n));
    for (const v of variants) {
      const body = renderVariant(v);
      mock.route(v.url, { body });
    }
    disk = await mountTmpfs(16 * 1024 * 1024);
    h = await createServiceHarness({ prefix: t.prefix, config: config(mock) });
  });
  after(async () => {
    await h?.cleanup();
    await disk?.unmount();
    await mock?.close();
    await t?.cleanup();
  });

  it("loses nothing when DATA_DIR fills mid-run, and archives everything within a sweep once freed", async () => {
    const dataDir = join(disk.dir, "data");
    const filler = join(disk.dir, "filler");
    // Leave room for a few documents only: the rest of the run meets a full disk.
    await writeFile(filler, Buffer.alloc((await disk.free()) - 96 * 1024));
    const port = await findFreePort();
    const service = await h.startRole("all", { env: { DATA_DIR: dataDir, PORT: String(port) } });
    const base = `http://127.0.0.1:${port}`;

    const store = createArticleStore(t.redis, t.prefix);
    const wechat = new Queue("wechat", { connection: t.connect(), prefix: t.prefix });
    for (const v of variants) {
      const result = await enqueueArticle(
        v.url,
        { sourceId: MANUAL_SOURCE_ID, sourceName: null },
        { store, wechatQueue: wechat },
      );
      assert.equal(result.status, "queued");
    }
    await wechat.close();

    // Redis takes every article; the archive cannot keep up, and says so.
    await waitFor(async () => (await store.countArticles()) === ARTICLES, {
      timeoutMs: 90_000,
      what: "every article in Redis",
    });
    const health = await waitFor(
      async () => {
        const res = await fetch(`${base}/healthz`);
        const body = (await res.json()) as { archive: { failing: boolean; pending: number } };
        return res.status === 503 && body.archive.failing && body.archive.pending > 0 ? body : null;
      },
      { timeoutMs: 30_000, what: "/healthz reporting the failing archive" },
    );
    assert.ok(health.archive.pending <= ARTICLES);
    const status = await h.runCli(["status"], { env: { DATA_DIR: dataDir } });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /archive: writes FAILING since .* document\(s\) wait in Redis/);

    // Free the disk: the next sweep writes what is missing, no restart, no command.
    const freedAt = Date.now();
    await unlink(filler);
    await waitFor(async () => (await store.countArchivePending()) === 0, {
      timeoutMs: REPAIR_MS + 10_000,
      what: "every pending document archived",
    });
    assert.ok(Date.now() - freedAt <= REPAIR_MS + 10_000);

    // 0 lost: every enqueued article is in Redis, and its file holds exactly the stored document.
    let lost = 0;
    for (const v of variants) {
      const stored = await store.readArticle(v.key);
      const file = stored === null ? null : await readFile(stored.archivePath, "utf8").catch(() => null);
      if (stored === null || file !== stored.document) lost++;
    }
    assert.equal(lost, 0, "articles missing from Redis or the archive");
    const healthy = await waitFor(
      async () => {
        const res = await fetch(`${base}/healthz`);
        return res.status === 200 ? ((await res.json()) as { archive: { failing: boolean } }) : null;
      },
      { timeoutMs: 15_000, what: "/healthz healthy again" },
    );
    assert.equal(healthy.archive.failing, false);
    // The jobs that ran out of attempts meanwhile settle: nothing stays listed as failed.
    const records = createFailedArticles(t.connect(), t.prefix);
    await waitFor(async () => (await records.countFailures()) === 0, {
      timeoutMs: 30_000,
      what: "no failed articles left",
    });
    await service.stop(30_000);
  });

  it("refuses to start on a read-only DATA_DIR: one line, exit 2, no job taken", async () => {
    const ro = await mountTmpfs(1024 * 1024);
    try {
      ro.setReadOnly(true);
      const wechat = new Queue("wechat", { connection: t.connect(), prefix: t.prefix });
      await wechat.add("fetch-article", { url: variants[0]?.url, key: "ro-probe" }, { jobId: "ro-probe" });
      const result = await h.runCli(["start"], {
        env: { DATA_DIR: ro.dir, PORT: String(await findFreePort()) },
        timeoutMs: 30_000,
      });
      assert.equal(result.code, 2);
      const lines = result.stderr.trim().split("\n");
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0] ?? "", /^wechat-feed: start: data directory .* is not writable \(EROFS/);
      assert.doesNotMatch(result.stderr + result.stdout, /\n\s+at /);
      assert.equal(await (await wechat.getJob("ro-probe"))?.getState(), "waiting");
      await wechat.close();
    } finally {
      await ro.unmount();
    }
  });
});
