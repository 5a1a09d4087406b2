/**
 * The OpenAPI description at /api/openapi.json against the real server: every `/api/*` route of the
 * route table is described, and real response bodies (articles, status with a polled source, a
 * cool-down and a failure, enqueue results and errors) validate against the schemas of their path,
 * method and status code, compiled with ajv as JSON Schema 2020-12 (OpenAPI 3.1's dialect).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { enqueueArticle, MANUAL_SOURCE_ID } from "../../../src/jobs/enqueue.ts";
import { createQueues, type Queues } from "../../../src/jobs/queues.ts";
import { readStatus } from "../../../src/status/read-status.ts";
import { createFailedArticles } from "../../../src/store/failed-articles.ts";
import { createSourceState } from "../../../src/store/source-state.ts";
import { PROJECT_ROOT } from "../../support/cli-command.ts";
import { makeArticle } from "../../support/seed-articles.ts";
import { startTestServer, type TestServer } from "../../support/test-server.ts";

// ajv-formats is CommonJS with its function as `module.exports.default` too.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const TOKEN = "openapi-test-token";
const ARTICLE_URL =
  "https://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&mid=2247504179&idx=1&sn=52c2c5acc9ff4567b10d1408a333693c";
const DOC_ID = "https://wechat-feed.test/openapi.json";

const articles = [
  makeArticle({
    key: "3226319644-2247503866-1",
    title: "已经存好的文章",
    sourceId: "alpha",
    publishedAt: "2025-10-07T06:13:11Z",
    storedAt: Date.parse("2025-10-08T00:00:00Z"),
  }),
  makeArticle({
    key: "3226319644-2247500000-1",
    title: "更早的文章",
    sourceId: "alpha",
    publishedAt: "2025-09-01T00:00:00Z",
    storedAt: Date.parse("2025-09-02T00:00:00Z"),
  }),
];

/** A JSON pointer segment (`/` and `~` escaped). */
const segment = (s: string) => s.replaceAll("~", "~0").replaceAll("/", "~1");

describe("OpenAPI description", () => {
  let server: TestServer;
  let queues: Queues;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);

  before(async () => {
    server = await startTestServer({
      articles,
      settings: { apiToken: TOKEN, sources: [{ id: "alpha", name: "阿尔法" }] },
      before: async ({ t, sourceState }) => {
        await sourceState.recordPoll("alpha", { at: Date.now() - 60_000, ok: true, found: 3, added: 1 });
        await sourceState.startCooldown({
          until: Date.now() + 3_600_000,
          level: 1,
          reason: "verification page",
        });
        await createFailedArticles(t.redis, t.prefix).recordFailure({
          key: "3226319644-2247400000-1",
          url: "https://mp.weixin.qq.com/s/failed",
          sourceId: "alpha",
          code: "FETCH_HTTP_STATUS",
          errorClass: "transient",
          reason: "fetcher: status 503",
          attempts: 5,
          failedAt: Date.now(),
          firstFailedAt: Date.now(),
          retries: 0,
          nextRetryAt: null,
          job: {},
        });
      },
      deps: ({ t, store }) => {
        queues = createQueues(t.connect(), t.prefix, 3, 1000);
        const statusDeps = {
          redis: t.redis,
          prefix: t.prefix,
          store,
          sourceState: createSourceState(t.redis, t.prefix),
          queues: [queues.wechat],
          failures: createFailedArticles(t.redis, t.prefix),
          sources: [
            {
              id: "alpha",
              name: "阿尔法",
              type: "urls" as const,
              urls: [],
              schedule: "*/30 * * * *",
              timezone: "Asia/Shanghai",
              enabled: true,
            },
          ],
          fetch: { minIntervalMs: 5000 },
          egress: "default",
          silentFactor: 3,
          now: Date.now,
        };
        return {
          enqueue: (url, source) =>
            enqueueArticle(
              url,
              { sourceId: MANUAL_SOURCE_ID, sourceName: source },
              { store, wechatQueue: queues.wechat },
            ),
          status: {
            readStatus: () => readStatus(statusDeps),
            retryArticle: async () => false,
            pollSource: async () => false,
          },
        };
      },
    });
    const res = await fetch(`${server.base}/api/openapi.json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    ajv.addSchema({ ...((await res.json()) as object), $id: DOC_ID });
  });
  after(async () => {
    await queues?.close();
    await server?.close();
  });

  /** Validates `body` against the response schema of `method path` for `status`. */
  function check(path: string, method: string, status: number, body: unknown): void {
    const pointer = `/paths/${segment(path)}/${method}/responses/${status}/content/application~1json/schema`;
    const validate = ajv.getSchema(`${DOC_ID}#${pointer}`);
    assert.ok(validate !== undefined, `no schema for ${method.toUpperCase()} ${path} ${status}`);
    assert.ok(
      validate(body),
      `${method.toUpperCase()} ${path} ${status}: ${ajv.errorsText(validate.errors)}`,
    );
  }

  const post = (body: unknown, token: string | null = TOKEN) =>
    fetch(`${server.base}/api/enqueue`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
    });

  it("is OpenAPI 3.1 and describes every /api route of the route table", async () => {
    const doc = (await (await fetch(`${server.base}/api/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    const app = readFileSync(join(PROJECT_ROOT, "src", "server", "app.ts"), "utf8");
    const routes = new Set([...app.matchAll(/"(\/api\/[^"]+)"/g)].map((m) => m[1] ?? ""));
    assert.ok(routes.has("/api/status") && routes.has("/api/articles"), [...routes].join(", "));
    assert.deepEqual(Object.keys(doc.paths).sort(), [...routes].sort());
  });

  it("matches real /api/articles pages and errors", async () => {
    const page = await fetch(`${server.base}/api/articles?limit=1`);
    assert.equal(page.status, 200);
    const body = (await page.json()) as { items: unknown[]; next: number | null };
    assert.equal(body.items.length, 1);
    assert.notEqual(body.next, null);
    check("/api/articles", "get", 200, body);
    const bad = await fetch(`${server.base}/api/articles?limit=0`);
    assert.equal(bad.status, 400);
    check("/api/articles", "get", 400, await bad.json());
  });

  it("matches a real /api/status with a polled source, a cool-down and a failure", async () => {
    const res = await fetch(`${server.base}/api/status`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { sources: unknown[]; failures: { total: number } };
    assert.equal(body.sources.length, 1);
    assert.equal(body.failures.total, 1);
    check("/api/status", "get", 200, body);
  });

  it("matches real enqueue results: queued, duplicate and refusals", async () => {
    const queued = await post({ url: ARTICLE_URL });
    assert.equal(queued.status, 202);
    check("/api/enqueue", "post", 202, await queued.json());
    await server.store.saveArticle(
      makeArticle({
        key: "3226319644-2247504179-1",
        title: "刚存好",
        sourceId: "alpha",
        publishedAt: "2025-11-10T00:00:00Z",
        storedAt: Date.now(),
      }),
    );
    const duplicate = await post({ url: ARTICLE_URL });
    assert.equal(duplicate.status, 200);
    check("/api/enqueue", "post", 200, await duplicate.json());
    const invalid = await post({ url: "https://example.com/x" });
    assert.equal(invalid.status, 400);
    check("/api/enqueue", "post", 400, await invalid.json());
    const refused = await post({ url: ARTICLE_URL }, "wrong");
    assert.equal(refused.status, 401);
    check("/api/enqueue", "post", 401, await refused.json());
  });

  it("rejects bodies that break the schemas (the check can fail)", () => {
    const validate = ajv.getSchema(`${DOC_ID}#/components/schemas/Article`);
    assert.ok(validate !== undefined);
    assert.equal(validate({ key: "k", title: "t" }), false);
    const status = ajv.getSchema(`${DOC_ID}#/components/schemas/Status`);
    assert.ok(status !== undefined);
    assert.equal(status({ generatedAt: "now" }), false);
  });
});
