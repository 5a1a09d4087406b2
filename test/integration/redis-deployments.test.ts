/**
 * Redis as managed services and HA set-ups offer it: a key prefix holding a hash tag (`{…}`), which
 * keeps every key of a script in one cluster slot, runs the whole pipeline (a worker process stores an
 * enqueued article, and every key it made carries the tag); and a `redis+sentinel://` URL reaches the
 * master a real Redis Sentinel names, both in process and from the CLI.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Redis } from "ioredis";
import { connectRedis, createRedis } from "../../src/redis.ts";
import { createArticleStore } from "../../src/store/article-store.ts";
import { corpusDir, skipReason } from "../support/corpus.ts";
import { readCorpusArticles } from "../support/corpus-articles.ts";
import { startMockOrigin } from "../support/mock-wechat-origin.ts";
import { createTestRedis } from "../support/redis.ts";
import { findFreePort, startOwnRedisServer } from "../support/redis-server.ts";
import { createServiceHarness, waitFor } from "../support/service-harness.ts";

const dir = corpusDir();

describe("redis deployments", () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("runs the pipeline under a hash-tagged prefix, every key inside the tag", {
    skip: skipReason(dir, "WeChat corpus"),
  }, async () => {
    const [article] = dir === null ? [] : readCorpusArticles(dir);
    assert.ok(article !== undefined);
    const t = await createTestRedis({ hashTag: true });
    const mock = await startMockOrigin();
    cleanups.push(
      () => t.cleanup(),
      () => mock.close(),
    );
    mock.route(article.route, { file: article.file });
    const h = await createServiceHarness({
      prefix: t.prefix,
      config: {
        fetch: { fetcher: "http", origin: mock.origin, minIntervalMs: 0, jitterMs: 0 },
        sources: [],
      },
    });
    cleanups.push(() => h.cleanup());
    const worker = await h.startRole("worker");
    const enqueued = await h.runCli(["enqueue", article.canonicalUrl]);
    assert.equal(enqueued.code, 0, enqueued.stderr);
    const store = createArticleStore(t.connect(), t.prefix);
    await waitFor(
      async () => (await store.hasArticle(article.key)) && !(await store.isArchivePending(article.key)),
      {
        timeoutMs: 60_000,
        what: "the article stored",
      },
    );
    const id = t.prefix.slice(1, -1);
    const keys: string[] = [];
    for await (const batch of t.redis.scanStream({ match: `*${id}*`, count: 1000 }))
      keys.push(...(batch as string[]));
    assert.ok(
      keys.some((k) => k.includes(":wechat:")),
      "BullMQ keys too",
    );
    assert.deepEqual(
      keys.filter((k) => !k.startsWith(`${t.prefix}:`)),
      [],
      "every key starts with the tagged prefix",
    );
    assert.equal((await worker.stop(20_000)).code, 0, worker.tail());
  });

  it("connects through Redis Sentinel to the master it names", async () => {
    const master = await startOwnRedisServer();
    const sentinelDir = await mkdtemp(join(tmpdir(), "wf-sentinel-"));
    const port = await findFreePort();
    const conf = join(sentinelDir, "sentinel.conf");
    await writeFile(
      conf,
      `port ${port}\nbind 127.0.0.1\ndir ${sentinelDir}\nsentinel monitor main 127.0.0.1 ${master.port} 1\n`,
    );
    const sentinel = spawn("redis-server", [conf, "--sentinel"], { stdio: "ignore" });
    cleanups.push(
      () => master.close(),
      async () => {
        sentinel.kill("SIGKILL");
        await rm(sentinelDir, { recursive: true, force: true });
      },
    );
    const url = `redis+sentinel://127.0.0.1:${port}/main`;
    const redis = createRedis(url);
    await waitFor(
      async () =>
        connectRedis(redis, url).then(
          () => true,
          () => false,
        ),
      { timeoutMs: 20_000, what: "a connection through the sentinel" },
    );
    await redis.set("wf-sentinel-check", "through sentinel");
    redis.disconnect();
    const direct = new Redis(master.url);
    assert.equal(await direct.get("wf-sentinel-check"), "through sentinel", "written on the master");
    direct.disconnect();

    const h = await createServiceHarness({ config: { sources: [] } });
    cleanups.push(() => h.cleanup());
    const status = await h.runCli(["status"], { env: { REDIS_URL: url } });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^wechat fetching via egress default/m);
  });
});
