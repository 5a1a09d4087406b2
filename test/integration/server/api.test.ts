import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { enqueueArticle, MANUAL_SOURCE_ID } from "../../../src/jobs/enqueue.ts";
import { createQueues, type Queues } from "../../../src/jobs/queues.ts";
import { createMetrics } from "../../../src/ops/metrics.ts";
import { toMetricsSnapshot } from "../../../src/ops/service-ops.ts";
import { checkBrowser } from "../../../src/ops/readiness.ts";
import { readStatus } from "../../../src/status/read-status.ts";
import { createFailedArticles } from "../../../src/store/failed-articles.ts";
import { createSourceState } from "../../../src/store/source-state.ts";
import { makeArticle } from "../../support/seed-articles.ts";
import { startTestServer, type TestServer } from "../../support/test-server.ts";

const TOKEN = "s3cret-token-for-tests";
// A real article URL form: biz MzIyNjMxOTY0NA== is uin 3226319644, so the key is written out by hand.
const ARTICLE_URL =
  "https://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&mid=2247504179&idx=1&sn=52c2c5acc9ff4567b10d1408a333693c";
const ARTICLE_KEY = "3226319644-2247504179-1";

const stored = makeArticle({
  key: "3226319644-2247503866-1",
  title: "已经存好的文章",
  sourceId: "alpha",
  publishedAt: "2025-10-07T06:13:11Z",
  storedAt: Date.parse("2025-10-08T00:00:00Z"),
});
const older = makeArticle({
  key: "3226319644-2247500000-1",
  title: "更早的文章",
  sourceId: "beta",
  publishedAt: "2025-09-01T00:00:00Z",
  storedAt: Date.parse("2025-09-02T00:00:00Z"),
});

/** Counts every request a local "origin" receives; a refused URL must never reach it. */
async function startCountingOrigin(): Promise<{ server: Server; port: number; count: () => number }> {
  let n = 0;
  const server = createServer((_req, res) => {
    n += 1;
    res.end("hello");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port, count: () => n };
}

describe("POST /api/enqueue", () => {
  let server: TestServer;
  let queues: Queues;
  let origin: Awaited<ReturnType<typeof startCountingOrigin>>;

  before(async () => {
    origin = await startCountingOrigin();
    server = await startTestServer({
      articles: [stored],
      settings: { apiToken: TOKEN, sources: [{ id: "alpha", name: "阿尔法" }] },
      deps: ({ t, store }) => {
        queues = createQueues(t.connect(), t.prefix, 3, 1000);
        return {
          enqueue: (url, source) =>
            enqueueArticle(
              url,
              source === "alpha"
                ? { sourceId: "alpha", sourceName: "阿尔法" }
                : { sourceId: MANUAL_SOURCE_ID, sourceName: source },
              { store, wechatQueue: queues.wechat },
            ),
        };
      },
    });
  });
  after(async () => {
    await queues?.close();
    await server?.close();
    origin?.server.close();
  });

  const post = (body: string, headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` }) =>
    fetch(`${server.base}/api/enqueue`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body,
    });

  it("refuses a missing or wrong token with 401", async () => {
    const none = await post(JSON.stringify({ url: ARTICLE_URL }), {});
    assert.equal(none.status, 401);
    assert.equal(none.headers.get("www-authenticate"), "Bearer");
    assert.equal(typeof ((await none.json()) as { error: unknown }).error, "string");
    assert.equal(
      (await post(JSON.stringify({ url: ARTICLE_URL }), { Authorization: "Bearer wrong" })).status,
      401,
    );
    assert.equal((await post(JSON.stringify({ url: ARTICLE_URL }), { Authorization: TOKEN })).status, 401);
    assert.equal(await queues.wechat.count(), 0);
  });

  it("answers 400 with a one-line reason for bad JSON and rejected URLs, without any request", async () => {
    const bodies = [
      "{not json",
      "[]",
      JSON.stringify({ source: "x" }),
      JSON.stringify({ url: 42 }),
      JSON.stringify({ url: "https://evil.example/s/x" }),
      JSON.stringify({ url: `http://127.0.0.1:${origin.port}/s/abc` }),
      JSON.stringify({ url: "https://mp.weixin.qq.com.evil.com/s/x" }),
      JSON.stringify({ url: "file:///etc/passwd" }),
    ];
    for (const body of bodies) {
      const res = await post(body);
      assert.equal(res.status, 400, body);
      const answer = (await res.json()) as { error?: unknown };
      assert.equal(typeof answer.error, "string", body);
      assert.doesNotMatch(String(answer.error), /\n|at .*\.ts/, body);
    }
    assert.equal(origin.count(), 0, "the local origin received no request");
    assert.equal(await queues.wechat.count(), 0, "nothing was queued");
  });

  it("refuses an oversized body with 413", async () => {
    const res = await post(JSON.stringify({ url: ARTICLE_URL, source: "x".repeat(40_000) }));
    assert.equal(res.status, 413);
  });

  it("queues a new article (202) and answers duplicate (200) for a stored one", async () => {
    const res = await post(JSON.stringify({ url: ARTICLE_URL, source: "alpha" }));
    assert.equal(res.status, 202);
    const body = (await res.json()) as { status: string; key: string; jobId: string };
    assert.equal(body.status, "queued");
    assert.equal(body.key, ARTICLE_KEY);
    const job = await queues.wechat.getJob(body.jobId);
    assert.equal(job?.data.sourceId, "alpha");

    const dup = await post(
      JSON.stringify({
        url: "https://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&mid=2247503866&idx=1&sn=abc",
      }),
    );
    assert.equal(dup.status, 200);
    const answer = (await dup.json()) as { status: string; key: string };
    assert.equal(answer.status, "duplicate");
    assert.equal(answer.key, stored.key);
    assert.equal(await queues.wechat.count(), 1, "a duplicate queues nothing");
  });
});

describe("POST /api/enqueue without a configured token", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.close();
  });

  it("is refused with 403 and a one-line JSON error", async () => {
    const res = await fetch(`${server.base}/api/enqueue`, {
      method: "POST",
      headers: { Authorization: "Bearer anything-at-all" },
      body: JSON.stringify({ url: ARTICLE_URL }),
    });
    assert.equal(res.status, 403);
    const text = await res.text();
    assert.equal(text.trim().split("\n").length, 1);
    assert.equal(typeof (JSON.parse(text) as { error: unknown }).error, "string");
  });
});

describe("documents, article list, health and metrics", () => {
  let server: TestServer;
  let queues: Queues;
  let crashes = 0;

  before(async () => {
    server = await startTestServer({
      articles: [stored, older],
      settings: { sources: [{ id: "alpha" }, { id: "beta" }, { id: "never-polled" }] },
      before: async ({ sourceState }) => {
        await sourceState.recordPoll("alpha", {
          at: Date.parse("2025-10-08T00:00:00Z"),
          ok: true,
          found: 3,
          added: 1,
        });
        await sourceState.startCooldown({
          until: Date.now() + 3_600_000,
          level: 2,
          reason: "verification page",
        });
      },
      deps: ({ t, store }) => {
        queues = createQueues(t.redis, t.prefix, 1, 0);
        const sources = ["alpha", "beta"].map((id) => ({
          id,
          type: "urls" as const,
          urls: [],
          schedule: "*/30 * * * *",
          timezone: "Asia/Shanghai",
          enabled: true,
        }));
        const statusDeps = {
          redis: t.redis,
          prefix: t.prefix,
          store,
          sourceState: createSourceState(t.redis, t.prefix),
          queues: [queues.wechat],
          failures: createFailedArticles(t.redis, t.prefix),
          sources,
          fetch: { minIntervalMs: 5000 },
          egress: "default",
          silentFactor: 3,
          now: Date.now,
        };
        return {
          metrics: createMetrics(async () => {
            const status = await readStatus(statusDeps);
            return toMetricsSnapshot(status);
          }),
          checks: {
            browser: checkBrowser(
              () => process.execPath,
              () => crashes,
              5,
            ),
          },
        };
      },
    });
    for (let i = 0; i < 4; i++) await queues.wechat.add("fetch-article", { i });
  });
  after(async () => {
    await queues?.close();
    await server?.close();
  });

  it("serves /articles/<key>.md as the stored document, with conditional GET", async () => {
    const res = await fetch(`${server.base}/articles/${stored.key}.md`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/markdown; charset=utf-8");
    assert.equal(await res.text(), stored.document);
    const again = await fetch(`${server.base}/articles/${stored.key}.md`, {
      headers: { "If-None-Match": res.headers.get("etag") ?? "" },
    });
    assert.equal(again.status, 304);
    assert.equal((await fetch(`${server.base}/articles/9-9-9.md`)).status, 404);
    assert.equal((await fetch(`${server.base}/articles/..%2Fetc.md`)).status, 404);
  });

  it("lists articles as JSON, newest first, by source and with paging", async () => {
    const all = (await (await fetch(`${server.base}/api/articles`)).json()) as { items: { key: string }[] };
    assert.deepEqual(
      all.items.map((i) => i.key),
      [stored.key, older.key],
    );
    const beta = (await (await fetch(`${server.base}/api/articles?source=beta`)).json()) as {
      items: { key: string }[];
    };
    assert.deepEqual(
      beta.items.map((i) => i.key),
      [older.key],
    );
    const page = (await (await fetch(`${server.base}/api/articles?limit=1`)).json()) as {
      items: { key: string; publishedAt: string }[];
      next: number;
    };
    assert.equal(page.items[0]?.publishedAt, "2025-10-07T06:13:11.000Z");
    const rest = (await (await fetch(`${server.base}/api/articles?limit=1&before=${page.next}`)).json()) as {
      items: { key: string }[];
    };
    assert.deepEqual(
      rest.items.map((i) => i.key),
      [older.key],
    );
    assert.equal((await fetch(`${server.base}/api/articles?limit=0`)).status, 400);
    assert.equal((await fetch(`${server.base}/api/articles?before=yesterday`)).status, 400);
    assert.equal((await fetch(`${server.base}/api/articles?source=a:b`)).status, 400);
  });

  it("is live, and ready until a readiness check fails; /healthz is the same answer", async () => {
    const live = await fetch(`${server.base}/livez`);
    assert.equal(live.status, 200);
    assert.equal(((await live.json()) as { status: string }).status, "ok");
    const ready = await fetch(`${server.base}/readyz`);
    assert.equal(ready.status, 200);
    const body = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
    assert.equal(body.checks.redis?.ok, true);
    assert.equal(body.checks.browser?.ok, true);
    crashes = 5;
    const degraded = await fetch(`${server.base}/healthz`);
    assert.equal(degraded.status, 503);
    const reason = (await degraded.json()) as { checks: Record<string, { ok: boolean; error: string }> };
    assert.match(reason.checks.browser?.error ?? "", /5 browser failures in a row/);
    assert.equal((await fetch(`${server.base}/livez`)).status, 200);
    crashes = 0;
  });

  it("exposes Prometheus metrics in the text format", async () => {
    const res = await fetch(`${server.base}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    assert.ok(text.endsWith("\n"));
    const declared = new Set<string>();
    for (const line of text.trimEnd().split("\n")) {
      const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (gauge|counter|histogram)$/.exec(line);
      if (type !== null) {
        declared.add(type[1] ?? "");
        continue;
      }
      if (line.startsWith("# HELP ") || line === "") continue;
      const sample =
        /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? (-?[0-9.e+]+|NaN)$/.exec(
          line,
        );
      assert.ok(sample, `malformed line: ${line}`);
      const family = (sample[1] ?? "").replace(/_(bucket|sum|count)$/, "");
      assert.ok(declared.has(sample[1] ?? "") || declared.has(family), `sample before its TYPE: ${line}`);
    }
    assert.match(text, /^wechat_feed_articles_stored\{source="alpha"\} 1$/m);
    assert.match(text, /^wechat_feed_articles_stored\{source="beta"\} 1$/m);
    assert.match(text, /^wechat_feed_queue_jobs\{queue="wechat",state="waiting"\} 4$/m);
    const until = /^wechat_feed_cooldown_until_timestamp_seconds\{egress="default"\} (\d+)$/m.exec(text);
    assert.ok(Number(until?.[1]) > Date.now() / 1000);
    assert.match(text, /^wechat_feed_source_last_success_timestamp_seconds\{source="alpha"\} 1759881600$/m);
    assert.match(text, /^process_cpu_seconds_total \d/m);
    assert.match(text, /^# TYPE wechat_feed_fetches_total counter$/m);
    assert.match(text, /^# TYPE wechat_feed_job_duration_seconds histogram$/m);
    // The request counter saw the requests above, by route pattern.
    assert.match(
      text,
      /^wechat_feed_http_requests_total\{route="\/api\/articles",method="GET",status="400"\} [1-9]/m,
    );
  });
});

describe("/healthz with Redis unreachable", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.close();
  });

  it("answers 503", async () => {
    // The server's main connection goes away; the server must report it rather than hang or crash.
    server.t.redis.disconnect();
    const res = await fetch(`${server.base}/healthz`);
    assert.equal(res.status, 503);
    const body = (await res.json()) as { checks: { redis: { ok: boolean } } };
    assert.equal(body.checks.redis.ok, false);
    assert.equal((await fetch(`${server.base}/livez`)).status, 200);
    await server.t.redis.connect();
  });
});
