/**
 * The digest as an operator runs it: `wechat-feed digest [--date]` in a child process (usage errors,
 * the printed path, the webhook), and `start --role scheduler` ×2 plus `start --role worker`, whose
 * boot catch-up must produce exactly one `build-digest` job that the worker's publish queue runs.
 * The latest closed window is worked out here by hand: the default schedule runs at 08:00 Beijing
 * time, which is 00:00 UTC, so the latest digest day is today's UTC date and covers the UTC day before.
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Queue } from "bullmq";
import { createArticleStore } from "../../../src/store/article-store.ts";
import { createTestRedis, type TestRedis } from "../../support/redis.ts";
import { makeArticle } from "../../support/seed-articles.ts";
import { createServiceHarness, type ServiceHarness, waitFor } from "../../support/service-harness.ts";

const DAY_MS = 86_400_000;
const todayStart = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const DAY = new Date(todayStart).toISOString().slice(0, 10);
const TOMORROW = new Date(todayStart + DAY_MS).toISOString().slice(0, 10);

const inWindow = makeArticle({
  key: "1000000003-1-1",
  title: "窗口里的文章",
  sourceId: "alpha",
  source: "阿尔法周刊",
  publishedAt: new Date(todayStart - 13 * 3_600_000).toISOString(),
  storedAt: todayStart - 12 * 3_600_000,
});
const afterWindow = makeArticle({
  key: "1000000003-2-1",
  title: "窗口之后的文章",
  sourceId: "alpha",
  source: "阿尔法周刊",
  publishedAt: new Date(todayStart).toISOString(),
  storedAt: todayStart + 1000,
});

describe("digest command and scheduled digest", () => {
  let t: TestRedis;
  let h: ServiceHarness;
  let hook: Server;
  const posts: Record<string, unknown>[] = [];

  before(async () => {
    t = await createTestRedis();
    hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        posts.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
    const webhookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/digest`;
    h = await createServiceHarness({
      config: {
        digest: { webhookUrl },
        server: { publicUrl: "http://feeds.test" },
        // The receiver runs on loopback; operators list such hosts the same way.
        fetch: { allowedPrivateHosts: [new URL(webhookUrl).host] },
      },
      prefix: t.prefix,
    });
    const store = createArticleStore(t.redis, t.prefix);
    for (const a of [inWindow, afterWindow]) await store.saveArticle(a);
  });
  after(async () => {
    await h?.cleanup();
    await t?.cleanup();
    await new Promise<void>((resolve) => (hook ? hook.close(() => resolve()) : resolve()));
  });

  it("refuses a malformed or still-open day with one line and exit 2", async () => {
    for (const date of ["2025-02-30", TOMORROW]) {
      const r = await h.runCli(["digest", "--date", date]);
      assert.equal(r.code, 2, `${date}: ${r.stderr}`);
      assert.equal(r.stdout, "");
      assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, /digest/);
    }
    const extra = await h.runCli(["digest", "2025-01-01"]);
    assert.equal(extra.code, 2);
    assert.equal(posts.length, 0);
  });

  it("builds a day now and prints the document path", async () => {
    const r = await h.runCli(["digest", "--date", DAY]);
    assert.equal(r.code, 0, r.stderr);
    const path = join(h.dataDir, "digests", `${DAY}.md`);
    assert.equal(r.stdout, `${path}\n`);
    const text = await readFile(path, "utf8");
    assert.ok(text.includes(inWindow.title));
    assert.ok(!text.includes(afterWindow.title));
    // The command only queues digest.built; a worker of the service delivers it to the webhook.
    assert.match(r.stderr, /digest\.built queued for 1 notification target/);
    assert.equal(posts.length, 0);
    const worker = await h.startRole("worker");
    await waitFor(() => posts.length >= 1, { timeoutMs: 15_000, what: "the webhook post" });
    await worker.stop(20_000);
    assert.equal(posts.length, 1);
    assert.equal(posts[0]?.event, "digest.built");
    assert.equal(posts[0]?.day, DAY);
    assert.equal(posts[0]?.articles, 1);
    assert.equal(posts[0]?.url, `http://feeds.test/digests/${DAY}`);
  });

  it("two schedulers and a worker build the latest digest once", async () => {
    posts.length = 0;
    const schedulers = [
      await h.startRole("scheduler", { name: "scheduler-1" }),
      await h.startRole("scheduler", { name: "scheduler-2" }),
    ];
    const worker = await h.startRole("worker");
    const done = await worker.waitForLog(
      (l) => l.msg === "job completed" && l.queue === "publish",
      30_000,
      "the digest job",
    );
    assert.equal(done.jobId, `digest-${DAY.replaceAll("-", "")}`);
    assert.equal(done.day, DAY);
    assert.equal(done.articles, 1);
    assert.equal(done.notified, 1);
    await waitFor(() => posts.length >= 1, { timeoutMs: 5000, what: "the webhook post" });

    const queue = new Queue("publish", { connection: t.connect(), prefix: t.prefix });
    try {
      const jobs = await queue.getJobs(["waiting", "delayed", "active", "completed", "failed"]);
      assert.deepEqual(
        jobs.map((j) => j.id),
        [`digest-${DAY.replaceAll("-", "")}`],
      );
    } finally {
      await queue.close();
    }
    assert.deepEqual(await readdir(join(h.dataDir, "digests")), [`${DAY}.md`]);
    assert.equal(posts.length, 1, "one digest, one webhook call");
    for (const child of [...schedulers, worker]) await child.stop(20_000);
  });
});
