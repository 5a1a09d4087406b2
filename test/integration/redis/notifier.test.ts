/**
 * The notifier and the delivery worker on real Redis: targets get only the events they asked for (and
 * their sources), a condition alerts once until it is cleared, and a chat target over its per-minute
 * limit gets the rest in the next minute (the jobs wait delayed, no attempt spent), while a webhook is
 * never held back. A local HTTP server is the receiver.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { NotifyTarget } from "../../../src/config/notify.ts";
import { createLogger } from "../../../src/logger.ts";
import { createFetchSend } from "../../../src/notify/http-send.ts";
import { createNotifier, createNotifyQueue, type Notifier } from "../../../src/notify/notifier.ts";
import { startNotifyWorker } from "../../../src/notify/notify-worker.ts";
import { buildEvent } from "../../../src/notify/pipeline-events.ts";
import { createMetrics } from "../../../src/ops/metrics.ts";
import { createRedis } from "../../../src/redis.ts";
import { createTestRedis, type TestRedis, testRedisUrl } from "../../support/redis.ts";
import { waitFor } from "../../support/service-harness.ts";

describe("notifier and delivery worker", () => {
  let t: TestRedis;
  let server: Server;
  let queue: Queue;
  let worker: Worker;
  let notifier: Notifier;
  let workerRedis: Redis;
  const got: string[] = [];
  const metrics = createMetrics();
  // Mid-window, so the held job's next window is 30 s away.
  const NOW = Date.parse("2026-12-05T00:00:30Z");

  before(async () => {
    t = await createTestRedis();
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        got.push(req.url ?? "");
        res.writeHead(200, { "content-type": "application/json" }).end('{"errcode":0}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const targets: NotifyTarget[] = [
      { id: "chat", type: "wecom", url: `${base}/chat`, events: ["article.new", "source.failing"] },
      { id: "hook", type: "webhook", url: `${base}/hook`, events: ["article.new"] },
      { id: "tech-only", type: "webhook", url: `${base}/tech`, events: ["article.new"], sources: ["tech"] },
    ];
    workerRedis = createRedis(testRedisUrl());
    queue = createNotifyQueue(t.redis, t.prefix);
    notifier = createNotifier({ redis: t.redis, prefix: t.prefix, queue, targets });
    worker = startNotifyWorker({
      connection: workerRedis,
      prefix: t.prefix,
      targets,
      send: createFetchSend(5000),
      maxPerMinute: 2,
      metrics,
      logger: createLogger({ level: "silent" }),
      now: () => NOW,
    });
  });
  after(async () => {
    await worker?.close();
    await workerRedis?.quit();
    await queue?.close();
    server?.close();
    await t?.cleanup();
  });

  const article = (sourceId: string, n: number) =>
    buildEvent(NOW, "article.new", {
      sourceId,
      headline: `article ${n}`,
      link: "https://mp.weixin.qq.com/s/x",
    });

  it("routes by event and source, and alerts a condition once until cleared", async () => {
    const failing = () =>
      buildEvent(NOW, "source.failing", {
        sourceId: "news",
        headline: "news failing",
        condition: "source.failing:news",
      });
    assert.equal(await notifier.emit(failing()), 1);
    assert.equal(await notifier.emit(failing()), 0, "still active: dropped");
    assert.deepEqual(await notifier.readActive(), ["source.failing:news"]);
    assert.equal(await notifier.clear("source.failing:news"), true);
    assert.equal(await notifier.clear("source.failing:news"), false);
    assert.equal(await notifier.emit(article("news", 1)), 2, "chat and hook; not the tech-only target");
    assert.equal(await notifier.emit(article("tech", 2)), 3);
    await waitFor(() => got.length === 5, { timeoutMs: 15_000, what: "five deliveries" });
    assert.deepEqual(
      got.filter((p) => p === "/tech"),
      ["/tech"],
    );
  });

  it("holds chat messages past the per-minute limit for the next minute, never webhooks", async () => {
    // The chat target spent its 2 this minute above; two more articles: both wait, both hooks go.
    got.length = 0;
    await notifier.emit(article("news", 3));
    await notifier.emit(article("news", 4));
    await waitFor(async () => got.length === 2 && (await queue.getDelayedCount()) === 3, {
      timeoutMs: 15_000,
      what: "two webhooks sent, two more chat messages delayed",
    });
    assert.deepEqual(got, ["/hook", "/hook"]);
    for (const job of await queue.getDelayed()) {
      assert.equal(job.data.targetId, "chat");
      assert.equal(job.attemptsMade, 0, "no attempt spent");
    }
    const text = await metrics.render();
    assert.match(
      text,
      /^wechat_feed_notifications_total\{type="wecom",event="article.new",result="sent"\} 1$/m,
    );
  });
});
