/**
 * The outbound-request guard through the real worker (issue 11's acceptance): a canary HTTP server on a
 * loopback port that is NOT in `fetch.allowedPrivateHosts`, and an upstream that is. A feed that
 * redirects to the canary (plain and in decimal-IP spelling), an OPML list whose outlines point at the
 * canary (by IP and by a name that resolves to loopback), and an album page that redirects there are
 * all refused with a recorded error, permanently (no retries), and the canary receives 0 requests.
 * The webhook side is in digest/digest-job.test.ts; the client itself in fetchers/guarded-http.test.ts.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Queue } from "bullmq";
import { createQueues, JOB } from "../../src/jobs/queues.ts";
import { createLogger } from "../../src/logger.ts";
import { type Service, startService } from "../../src/main.ts";
import { createSourceState } from "../../src/store/source-state.ts";
import { type LocalServer, redirectTo, startCanary, startUpstream } from "../support/canary-server.ts";
import { type MockOrigin, startMockOrigin } from "../support/mock-wechat-origin.ts";
import { createTestRedis, type TestRedis } from "../support/redis.ts";
import { createServiceHarness, type ServiceHarness, waitFor } from "../support/service-harness.ts";

const ALBUM =
  "https://mp.weixin.qq.com/mp/appmsgalbum?__biz=MzIyNjMxOTY0NA==&action=getalbum&album_id=1234567890";
const FEED_SOURCES = ["redirected", "decimal", "opml"] as const;

describe("outbound guard: nothing reaches a private address that is not allowed", () => {
  let redis: TestRedis;
  let canary: LocalServer;
  let upstream: LocalServer;
  let mock: MockOrigin;
  let harness: ServiceHarness;
  let service: Service;

  before(async () => {
    redis = await createTestRedis();
    canary = await startCanary();
    mock = await startMockOrigin();
    mock.route(/^\/mp\/appmsgalbum/, { location: `${canary.base}/mp/appmsgalbum?f=json`, status: 302 });
    const outlines = [`${canary.base}/feed.xml`, `http://localhost:${canary.port}/feed.xml`]
      .map((url, i) => `<outline text="f${i}" type="rss" xmlUrl="${url}"/>`)
      .join("");
    upstream = await startUpstream({
      "/feed.xml": redirectTo(`${canary.base}/latest/meta-data/iam`),
      "/feed-decimal.xml": redirectTo(`http://2130706433:${canary.port}/x`, 301),
      "/list.opml": (_req, res) =>
        res.end(`<?xml version="1.0"?><opml version="2.0"><body>${outlines}</body></opml>`),
    });
    const never = "0 0 1 1 *";
    harness = await createServiceHarness({
      prefix: redis.prefix,
      config: {
        fetch: {
          fetcher: "http",
          origin: mock.origin,
          minIntervalMs: 0,
          jitterMs: 0,
          attempts: 3,
          backoffMs: 100,
          allowedPrivateHosts: [upstream.hostKey],
        },
        sources: [
          { id: "redirected", type: "feed", url: `${upstream.base}/feed.xml`, schedule: never },
          { id: "decimal", type: "feed", url: `${upstream.base}/feed-decimal.xml`, schedule: never },
          { id: "opml", type: "opml", url: `${upstream.base}/list.opml`, schedule: never },
          { id: "album", type: "album", url: ALBUM, schedule: never },
        ],
      },
    });
    service = await startService(
      harness.loadConfig(),
      new Set(["worker"]),
      createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
    );
  });

  after(async () => {
    await service?.stop(10_000);
    await harness?.cleanup();
    await mock?.close();
    await upstream?.close();
    await canary?.close();
    await redis?.cleanup();
  });

  it("refuses feed redirects, OPML outlines and album pages, records why, and never retries", async () => {
    const queues = createQueues(redis.redis, redis.prefix, 3, 100);
    const wechat = new Queue("wechat", { connection: redis.connect(), prefix: redis.prefix });
    try {
      for (const id of [...FEED_SOURCES, "album"]) {
        await queues.discover.add(
          JOB.pollSource,
          { sourceId: id, reason: "manual", scheduledAt: new Date().toISOString() },
          { jobId: `poll-${id}-guard` },
        );
      }
      await waitFor(
        async () =>
          (await queues.discover.getFailedCount()) === FEED_SOURCES.length &&
          (await wechat.getFailedCount()) === 1,
        { timeoutMs: 60_000, what: "three failed polls and one failed album page" },
      );

      const state = createSourceState(redis.redis, redis.prefix);
      for (const id of ["redirected", "decimal"]) {
        const recorded = await state.readSourceState(id);
        assert.equal(recorded?.ok, false, id);
        assert.match(recorded?.error ?? "", /^FETCH_ADDRESS_DENIED: guard: .* is a loopback address/, id);
        const job = await queues.discover.getJob(`poll-${id}-guard`);
        assert.equal(job?.attemptsMade, 1, `${id}: a refused address is not retried`);
      }
      // Each OPML outline fails alone and is recorded with its own code.
      const opml = await state.readSourceState("opml");
      assert.equal(opml?.ok, false);
      assert.deepEqual(
        opml?.feeds.map((f) => [f.url, f.ok, f.code]),
        [
          [`${canary.base}/feed.xml`, false, "FETCH_ADDRESS_DENIED"],
          [`http://localhost:${canary.port}/feed.xml`, false, "FETCH_ADDRESS_DENIED"],
        ],
      );
      const [album] = await wechat.getFailed();
      assert.match(album?.failedReason ?? "", /host not allowed/);
      assert.equal(album?.attemptsMade, 1);
      assert.ok(mock.count("/mp/appmsgalbum") >= 1, "the album page was asked for");
      assert.ok(upstream.requests.length >= 3, "the allowed upstream was reached");
      assert.deepEqual(canary.requests, [], "the canary received nothing");
    } finally {
      await wechat.close();
      await queues.close();
    }
  });
});
