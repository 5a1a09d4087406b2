/**
 * The `build-digest` processor against real Redis and the real HTTP server: a fixed window, articles
 * stored at known instants inside and outside it (edges included), the written document, re-runs, the
 * change notice, the `digest.built` announcement and its delivery to `digest.webhookUrl` through the
 * notify queue (alive, failing, private), and the scheduler's deterministic job ids.
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Queue, type Worker } from "bullmq";
import { parseRssFeed } from "feedsmith";
import { Redis } from "ioredis";
import { parse as parseYaml } from "yaml";
import { toDigestWebhookTarget } from "../../../src/config/notify.ts";
import { createGuardedHttp, type GuardedHttp } from "../../../src/fetchers/guarded-http.ts";
import {
  type BuildDigestData,
  createBuildDigest,
  type DigestSummary,
} from "../../../src/jobs/build-digest.ts";
import { addDigestJob, startDigestScheduler } from "../../../src/jobs/digest-scheduler.ts";
import { QUEUE } from "../../../src/jobs/queues.ts";
import { createLogger } from "../../../src/logger.ts";
import { createDigestAnnouncer } from "../../../src/notify/digest-announcer.ts";
import { createFetchSend } from "../../../src/notify/http-send.ts";
import { NOTIFY_QUEUE } from "../../../src/notify/notifier.ts";
import { startNotifyWorker } from "../../../src/notify/notify-worker.ts";
import { createMetrics } from "../../../src/ops/metrics.ts";
import { readDocument, renderDocument } from "../../../src/parsers/front-matter.ts";
import { type ArticleChange, watchArticleChanges } from "../../../src/store/change-feed.ts";
import { startCanary } from "../../support/canary-server.ts";
import { testRedisUrl } from "../../support/redis.ts";
import { makeArticle } from "../../support/seed-articles.ts";
import { parseStrictXml } from "../../support/strict-xml.ts";
import { startTestServer, type TestServer, waitFor } from "../../support/test-server.ts";

// 11:00 in Beijing on 2025-11-20: the 08:00 digest of that day has run. Its window is
// 2025-11-19 08:00 to 2025-11-20 08:00 Beijing time, i.e. [2025-11-19T00:00Z, 2025-11-20T00:00Z).
const NOW = new Date("2025-11-20T03:00:00Z");
const DAY = "2025-11-20";
const SITE = "http://feeds.test";

const at = (iso: string) => Date.parse(iso);
const inside = [
  makeArticle({
    key: "1000000002-1-1",
    title: "阿尔法早间新闻",
    sourceId: "alpha",
    source: "阿尔法周刊",
    publishedAt: "2025-11-19T00:30:00Z",
    storedAt: at("2025-11-19T01:00:00Z"),
  }),
  makeArticle({
    key: "1000000002-2-1",
    title: "阿尔法晚间评论",
    sourceId: "alpha",
    source: "阿尔法周刊",
    publishedAt: "2025-11-19T19:00:00Z",
    storedAt: at("2025-11-19T20:00:00Z"),
  }),
  makeArticle({
    key: "1000000002-3-1",
    title: "贝塔窗口起点",
    sourceId: "beta",
    source: "贝塔日报",
    publishedAt: "2025-11-18T23:00:00Z",
    storedAt: at("2025-11-19T00:00:00Z"),
  }),
  makeArticle({
    key: "1000000002-4-1",
    title: "贝塔补录旧文",
    sourceId: "beta",
    source: "贝塔日报",
    publishedAt: "2018-06-01T00:00:00Z",
    storedAt: at("2025-11-19T23:59:59.999Z"),
  }),
];
const outside = [
  makeArticle({
    key: "1000000002-5-1",
    title: "伽马前一刻",
    sourceId: "gamma",
    source: "伽马观察",
    publishedAt: "2025-11-18T20:00:00Z",
    storedAt: at("2025-11-18T23:59:59.999Z"),
  }),
  makeArticle({
    key: "1000000002-6-1",
    title: "阿尔法窗口终点",
    sourceId: "alpha",
    source: "阿尔法周刊",
    publishedAt: "2025-11-19T23:00:00Z",
    storedAt: at("2025-11-20T00:00:00Z"),
  }),
  makeArticle({
    key: "1000000002-7-1",
    title: "贝塔摘要之后",
    sourceId: "beta",
    source: "贝塔日报",
    publishedAt: "2025-11-20T01:00:00Z",
    storedAt: at("2025-11-20T02:00:00Z"),
  }),
];

/** A webhook receiver: records each POST; `mode` picks the answer. */
interface Hook {
  readonly url: string;
  readonly calls: { method: string; contentType: string; body: unknown }[];
  mode: "ok" | "fail" | "hang";
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function startHook(): Promise<Hook> {
  const hook: Hook = {
    url: "",
    calls: [],
    mode: "ok",
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    void readBody(req).then((text) => {
      hook.calls.push({
        method: req.method ?? "",
        contentType: req.headers["content-type"] ?? "",
        body: JSON.parse(text),
      });
      if (hook.mode === "ok") res.writeHead(204).end();
      else if (hook.mode === "fail") res.writeHead(500).end("no");
      // "hang": never answer; closeAllConnections ends it at teardown.
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return Object.assign(hook, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/digest?key=secret`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** `## source` sections of a digest body → the `### [title](<url>)` entries under each. */
function sections(body: string): Map<string, { title: string; url: string }[]> {
  const out = new Map<string, { title: string; url: string }[]>();
  let current: { title: string; url: string }[] | null = null;
  for (const line of body.split("\n")) {
    if (line.startsWith("## ")) {
      const name = line.slice(3);
      assert.ok(!out.has(name), `source ${name} appears once`);
      current = [];
      out.set(name, current);
    }
    const entry = /^### \[(.+)\]\(<(.+)>\)$/.exec(line);
    if (entry !== null) {
      assert.ok(current !== null, `entry before any source: ${line}`);
      current.push({ title: entry[1] ?? "", url: entry[2] ?? "" });
    }
  }
  return out;
}

describe("build-digest job", () => {
  let server: TestServer;
  let hook: Hook;
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: "info",
    destination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
  });

  const clients: GuardedHttp[] = [];
  /** A guarded client that allows the given host:port pairs (the local webhook receivers). */
  const guardedAllowing = (...hostKeys: string[]) => {
    const client = createGuardedHttp({
      allowedPrivateHosts: hostKeys,
      timeoutMs: 5000,
      maxBytes: 1 << 20,
      userAgent: "test",
    });
    clients.push(client);
    return client;
  };
  const announced: DigestSummary[] = [];
  const recordAnnouncement = async (summary: DigestSummary) => {
    announced.push(summary);
    return 0;
  };
  const processor = (announce = recordAnnouncement) =>
    createBuildDigest({
      redis: server.t.redis,
      prefix: server.t.prefix,
      dataDir: server.dataDir,
      settings: { publicUrl: SITE, schedule: "0 8 * * *", timezone: "Asia/Shanghai" },
      announce,
      logger,
      now: () => NOW,
    });
  const run = (data: BuildDigestData) => processor()(data);

  /**
   * Builds the digest with `digest.webhookUrl` = `url` as the service does: the processor announces
   * through a notifier, and a notify worker delivers through the guarded client, which allows
   * `allowedHost` (the loopback receivers, listed as operators would list them).
   */
  async function buildWithWebhook(url: string, allowedHost: string | null) {
    const targets = [toDigestWebhookTarget(url)];
    const announcer = createDigestAnnouncer({ redis: server.t.redis, prefix: server.t.prefix, targets });
    const guarded = allowedHost === null ? guardedAllowing() : guardedAllowing(allowedHost);
    // A BullMQ worker's connection must not give up on a command (maxRetriesPerRequest null).
    const connection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    const worker: Worker = startNotifyWorker({
      connection,
      prefix: server.t.prefix,
      targets,
      send: createFetchSend(2000, guarded.send),
      maxPerMinute: 20,
      metrics: createMetrics(),
      logger,
      now: Date.now,
    });
    const queue = new Queue(NOTIFY_QUEUE, { connection: server.t.connect(), prefix: server.t.prefix });
    try {
      const result = await processor(announcer.announce)({ day: DAY, reason: "manual" });
      const settled = await waitFor(async () => {
        const jobs = await queue.getJobs(["completed", "failed", "delayed"]);
        return jobs.some((j) => j.attemptsMade >= 1 || j.finishedOn !== undefined);
      }, 10_000);
      assert.ok(settled, "the delivery was attempted");
      const [job] = await queue.getJobs(["completed", "failed", "delayed", "waiting", "active"]);
      return { result, job };
    } finally {
      await worker.close();
      connection.disconnect();
      await queue.obliterate({ force: true });
      await queue.close();
      await announcer.close();
    }
  }

  before(async () => {
    hook = await startHook();
    server = await startTestServer({
      articles: [...inside, ...outside],
      settings: { publicUrl: SITE },
      deps: () => ({ now: () => NOW }),
    });
  });
  after(async () => {
    for (const client of clients) await client.close();
    await server?.close();
    await hook?.close();
  });

  it("writes exactly the articles stored in the window, grouped by source, as a valid document", async () => {
    const result = await run({ day: DAY, reason: "manual" });
    assert.equal(result.path, join(server.dataDir, "digests", `${DAY}.md`));
    assert.equal(result.articles, 4);
    assert.equal(result.sources, 2);
    assert.equal(result.notified, 0);
    const text = await readFile(result.path, "utf8");

    const front = /^---\n([\s\S]*?)\n---\n/.exec(text);
    assert.ok(front?.[1] !== undefined, "front matter block");
    const fields = parseYaml(front[1]) as Record<string, unknown>;
    assert.deepEqual(Object.keys(fields), ["title", "url", "source", "date", "fetch_date"]);
    assert.equal(fields.url, `${SITE}/digests/${DAY}`);
    assert.equal(fields.date, DAY);
    assert.equal(fields.fetch_date, "2025-11-20T00:00:00.000000");
    assert.match(String(fields.title), new RegExp(DAY));
    const doc = readDocument(text);
    assert.equal(renderDocument(doc), text, "readDocument round-trips");
    assert.equal(doc.title, fields.title);

    const groups = sections(doc.body);
    assert.deepEqual([...groups.keys()].sort(), ["贝塔日报", "阿尔法周刊"].sort());
    const titlesOf = (name: string) => (groups.get(name) ?? []).map((e) => e.title).sort();
    assert.deepEqual(titlesOf("阿尔法周刊"), ["阿尔法晚间评论", "阿尔法早间新闻"].sort());
    assert.deepEqual(titlesOf("贝塔日报"), ["贝塔窗口起点", "贝塔补录旧文"].sort());
    for (const a of inside) {
      const entry = [...groups.values()].flat().find((e) => e.title === a.title);
      assert.equal(entry?.url, a.url, a.title);
    }
    for (const a of outside) assert.ok(!text.includes(a.title), `${a.title} is outside the window`);
  });

  it("re-running replaces the digest: one file, one /digest.xml item, and servers are told", async () => {
    const notices: ArticleChange[] = [];
    const watch = await watchArticleChanges(server.t.connect(), server.t.prefix, (c) => notices.push(c));
    try {
      const first = await run({ day: DAY, reason: "manual" });
      const firstText = await readFile(first.path, "utf8");
      const second = await run({ day: DAY, reason: "manual" });
      assert.equal(second.path, first.path);
      assert.equal(await readFile(second.path, "utf8"), firstText, "same window, same document");
      assert.deepEqual(await readdir(join(server.dataDir, "digests")), [`${DAY}.md`], "no temp files left");
      assert.ok(await waitFor(async () => notices.length >= 2, 3000), "a change notice per run");
      assert.deepEqual(
        notices.map((n) => n.key),
        [`digest-${DAY}`, `digest-${DAY}`],
      );

      const xml = await (await fetch(`${server.base}/digest.xml`)).text();
      parseStrictXml(xml);
      const doc = readDocument(firstText);
      const items = (parseRssFeed(xml).items ?? []).filter((i) => i.guid?.value === `digest-${DAY}`);
      assert.equal(items.length, 1);
      assert.equal(items[0]?.title, doc.title);
      assert.equal(items[0]?.link, doc.url);
      const page = await (await fetch(`${server.base}/digests/${DAY}`)).text();
      for (const a of inside) {
        assert.ok((items[0]?.content?.encoded ?? "").includes(a.title), `feed item lists ${a.title}`);
        assert.ok(page.includes(a.title), `the served page lists ${a.title}`);
      }
      for (const a of outside) assert.ok(!page.includes(a.title));
    } finally {
      await watch.close();
    }
  });

  it("defaults to the latest closed window and refuses a bad or still-open day", async () => {
    const latest = await run({ day: null, reason: "schedule" });
    assert.equal(latest.day, DAY);
    for (const day of ["2025-02-30", "20251119", "2025-11-21"]) {
      await assert.rejects(run({ day, reason: "manual" }), { code: "USAGE" }, day);
    }
  });

  it("announces digest.built with the window's summary", async () => {
    announced.length = 0;
    await run({ day: DAY, reason: "manual" });
    assert.equal(announced.length, 1);
    const summary = structuredClone(announced[0]) as DigestSummary & { sources: { id: string }[] };
    summary.sources.sort((a, b) => a.id.localeCompare(b.id));
    assert.deepEqual(summary, {
      day: DAY,
      from: "2025-11-19T00:00:00.000Z",
      to: "2025-11-20T00:00:00.000Z",
      articles: 4,
      sources: [
        { id: "alpha", name: "阿尔法周刊", count: 2 },
        { id: "beta", name: "贝塔日报", count: 2 },
      ],
      url: `${SITE}/digests/${DAY}`,
    });
  });

  it("delivers the summary to digest.webhookUrl as a notification target", async () => {
    hook.calls.length = 0;
    hook.mode = "ok";
    const { result, job } = await buildWithWebhook(hook.url, new URL(hook.url).host);
    assert.equal(result.notified, 1);
    assert.ok(job?.finishedOn !== undefined && job.failedReason === undefined, job?.failedReason);
    assert.equal(hook.calls.length, 1);
    const call = hook.calls[0];
    assert.equal(call?.method, "POST");
    assert.match(call?.contentType ?? "", /^application\/json/);
    const body = call?.body as Record<string, unknown>;
    assert.equal(body.event, "digest.built");
    assert.equal(body.day, DAY);
    assert.equal(body.from, "2025-11-19T00:00:00.000Z");
    assert.equal(body.to, "2025-11-20T00:00:00.000Z");
    assert.equal(body.articles, 4);
    assert.equal((body.sources as unknown[]).length, 2);
    assert.equal(body.url, `${SITE}/digests/${DAY}`);
    assert.equal(body.link, body.url);
  });

  it("a failing webhook never fails the digest: its delivery is retried by the notify queue", async () => {
    hook.mode = "fail";
    logs.length = 0;
    const { result, job } = await buildWithWebhook(hook.url, new URL(hook.url).host);
    assert.equal(result.outcome, "built");
    assert.equal(result.articles, 4);
    assert.equal(job?.attemptsMade, 1);
    assert.ok((job?.opts.attempts ?? 0) > 1, "more attempts follow");
    const attempt = logs.find((l) => l.msg === "notification attempt failed");
    assert.equal(attempt?.target, "digest-webhook");
    assert.ok(!JSON.stringify(logs).includes("key=secret"), "the webhook's key stays out of the logs");
    assert.deepEqual(await readdir(join(server.dataDir, "digests")), [`${DAY}.md`]);
  });

  it("refuses a webhook on a private address that is not allowed: the canary receives nothing", async () => {
    const canary = await startCanary();
    try {
      logs.length = 0;
      const { result } = await buildWithWebhook(`${canary.base}/hook?key=secret`, null);
      assert.equal(result.outcome, "built");
      const attempt = logs.find((l) => l.msg === "notification attempt failed");
      const message = String((attempt?.err as { message?: unknown } | undefined)?.message);
      assert.match(message, /loopback address .* list "[^"]+" in fetch\.allowedPrivateHosts/);
      assert.deepEqual(canary.requests, []);
    } finally {
      await canary.close();
    }
  });

  it("schedulers add one build-digest job per day, whatever their number", async () => {
    const queue = new Queue(QUEUE.publish, { connection: server.t.connect(), prefix: server.t.prefix });
    const silent = createLogger({ level: "silent" });
    try {
      assert.equal(await addDigestJob(queue, DAY, "manual"), "digest-20251120");
      await queue.obliterate({ force: true });
      // Every second: the day falls back to the 08:00 run time of the real clock; the catch-up uses NOW.
      const start = () =>
        startDigestScheduler({
          publishQueue: queue,
          schedule: "* * * * * *",
          timezone: "Asia/Shanghai",
          logger: silent,
          now: () => NOW,
        });
      const schedulers = [await start(), await start()];
      await new Promise((resolve) => setTimeout(resolve, 2300));
      for (const s of schedulers) await s.stop();
      const jobs = await queue.getJobs(["waiting", "delayed", "active", "completed", "failed"]);
      const byId = new Map(jobs.map((j) => [j.id, j]));
      assert.equal(jobs.length, byId.size);
      assert.deepEqual(byId.get("digest-20251120")?.data, { day: DAY, reason: "catch-up" });
      const ticks = jobs.filter((j) => (j.data as BuildDigestData).reason === "schedule");
      assert.equal(ticks.length, 1, "two schedulers × several ticks → one job");
      assert.equal(jobs.length, 2);
      const tickDay = (ticks[0]?.data as BuildDigestData | undefined)?.day ?? "";
      assert.match(tickDay, /^\d{4}-\d{2}-\d{2}$/);
      assert.equal(ticks[0]?.id, `digest-${tickDay.replaceAll("-", "")}`);
    } finally {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
  });
});
