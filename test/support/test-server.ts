/**
 * Starts the real HTTP server (`createHttpServer`) on 127.0.0.1:0 over real Redis under a fresh
 * `test-<uuid>` prefix, with a temporary data dir, a silent logger and overridable deps. `close()` stops
 * the server, deletes the prefix and the data dir.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EnqueueResult } from "../../src/jobs/enqueue.ts";
import { createLogger } from "../../src/logger.ts";
import type { StoredArticle } from "../../src/model.ts";
import { createHttpServer, type HttpServerDeps, type HttpServerSettings } from "../../src/server/app.ts";
import { type ArticleStore, createArticleStore } from "../../src/store/article-store.ts";
import { createSourceState, type SourceState } from "../../src/store/source-state.ts";
import { createTestRedis, type TestRedis } from "./redis.ts";

/** A running test server. */
export interface TestServer {
  readonly base: string;
  readonly t: TestRedis;
  readonly store: ArticleStore;
  readonly sourceState: SourceState;
  readonly dataDir: string;
  readonly settings: HttpServerSettings;
  close(): Promise<void>;
}

/** Options: articles stored before the server starts, settings and deps overrides. */
export interface TestServerOptions {
  readonly articles?: readonly StoredArticle[];
  readonly settings?: Partial<HttpServerSettings>;
  readonly deps?: (ctx: { t: TestRedis; store: ArticleStore }) => Partial<HttpServerDeps>;
  /** Runs after seeding, before the server starts. */
  readonly before?: (ctx: { t: TestRedis; store: ArticleStore; sourceState: SourceState }) => Promise<void>;
}

const noEnqueue = (): Promise<EnqueueResult> => Promise.reject(new Error("test: enqueue not configured"));

/** Seeds the store and starts the server. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const t = await createTestRedis();
  const dataDir = mkdtempSync(join(tmpdir(), "wf-server-test-"));
  const store = createArticleStore(t.redis, t.prefix);
  const sourceState = createSourceState(t.redis, t.prefix);
  for (const article of options.articles ?? []) await store.saveArticle(article);
  await options.before?.({ t, store, sourceState });
  const settings: HttpServerSettings = {
    prefix: t.prefix,
    host: "127.0.0.1",
    port: 0,
    publicUrl: "http://feeds.test",
    feeds: { limit: 50, title: "测试订阅" },
    imageProxy: { enabled: false },
    digest: { schedule: "0 8 * * *", timezone: "Asia/Shanghai" },
    dataDir,
    debounceMs: 100,
    // Long, so tests of the change-notice path cannot pass through the periodic check instead.
    checkIntervalMs: 60_000,
    ...options.settings,
  };
  const server = createHttpServer({
    settings,
    store,
    sourceState,
    redis: t.redis,
    subscriber: t.connect(),
    logger: createLogger({ level: "silent" }),
    enqueue: noEnqueue,
    ...options.deps?.({ t, store }),
  });
  const { port } = await server.listen();
  return {
    base: `http://127.0.0.1:${port}`,
    t,
    store,
    sourceState,
    dataDir,
    settings,
    async close() {
      await server.close();
      await t.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `probe` until it returns true or `timeoutMs` passes; returns whether it succeeded. */
export async function waitFor(
  probe: () => Promise<boolean>,
  timeoutMs = 5000,
  stepMs = 50,
): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await probe()) return true;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
  return probe();
}
