/**
 * The composition root: opens Redis, the store and the queues, then starts the roles this process
 * runs (scheduler, worker, server). It owns every resource and closes them in reverse order on
 * SIGINT/SIGTERM: stop ticking, stop taking jobs (finishing or releasing the active ones), close the
 * browser, the HTTP server and Redis, all under a hard timeout.
 */
import { access, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Config } from "./config/schema.ts";
import { type BrowserPool, createBrowserPool } from "./fetchers/browser.ts";
import { fetchBytes } from "./fetchers/http.ts";
import { createHopGuard, createWeChatHopGuard } from "./fetchers/url-guard.ts";
import { createBuildDigest, toDigestJobSettings } from "./jobs/build-digest.ts";
import { type DigestScheduler, startDigestScheduler } from "./jobs/digest-scheduler.ts";
import { enqueueArticle, MANUAL_SOURCE_ID } from "./jobs/enqueue.ts";
import { withDailyBudget } from "./jobs/fetch-budget.ts";
import { createPageFetcher } from "./jobs/page-fetcher.ts";
import { createQueues } from "./jobs/queues.ts";
import { type Scheduler, startScheduler } from "./jobs/scheduler.ts";
import { createWorkers, type Workers } from "./jobs/workers.ts";
import type { Logger } from "./logger.ts";
import { connectRedis, createRedis } from "./redis.ts";
import { createHttpServer, type HttpServer } from "./server/app.ts";
import { removeArchiveFile, writeArchiveFile } from "./store/archive.ts";
import { createArticleStore } from "./store/article-store.ts";
import { publishArticleChange } from "./store/change-feed.ts";
import { createSourceState } from "./store/source-state.ts";

/** Image hosts the proxy may fetch from (redirect hops are held to these too). */
const QPIC_ORIGINS = ["https://mmbiz.qpic.cn", "https://mmecoa.qpic.cn", "https://mmsns.qpic.cn"];

/** The roles a process can run. */
export type Role = "scheduler" | "worker" | "server";
/** Every role, for `--role all`. */
export const ALL_ROLES: readonly Role[] = ["scheduler", "worker", "server"];

/** A running service. */
export interface Service {
  /** Shuts everything down in order; resolves when done (or when `timeoutMs` forced it). */
  stop(timeoutMs: number): Promise<void>;
}

/** Starts the given roles with `config`. */
export async function startService(
  config: Config,
  roles: ReadonlySet<Role>,
  logger: Logger,
): Promise<Service> {
  const { prefix } = config.redis;
  const redis = createRedis(config.redis.url);
  await connectRedis(redis, config.redis.url);
  redis.on("error", (error) => logger.warn({ err: error }, "redis connection error"));
  const queues = createQueues(redis, prefix, config.fetch.attempts, config.fetch.backoffMs);
  const store = createArticleStore(redis, prefix);
  const sourceState = createSourceState(redis, prefix);

  let pool: BrowserPool | null = null;
  const browser = () => {
    pool ??= createBrowserPool({
      ...(config.browser.executablePath === undefined
        ? {}
        : { executablePath: config.browser.executablePath }),
      navigationTimeoutMs: config.fetch.timeoutMs,
      maxBytes: config.fetch.maxBytes,
      concurrency: config.browser.concurrency,
      checkHop: createWeChatHopGuard(config.fetch.origin),
      userAgent: config.fetch.userAgent,
      logger: logger.child({ module: "browser" }),
    });
    return pool;
  };

  let workers: Workers | null = null;
  if (roles.has("worker")) {
    const fetcher = createPageFetcher(config.fetch, browser);
    const budget = { redis, prefix, limit: config.fetch.dailyBudget, now: Date.now };
    const sources = new Map(config.sources.map((s) => [s.id, s]));
    workers = createWorkers({
      connection: redis,
      prefix,
      queues,
      store,
      sourceState,
      logger,
      dataDir: config.dataDir,
      settings: {
        concurrency: config.worker.concurrency,
        minIntervalMs: config.fetch.minIntervalMs,
        jitterMs: config.fetch.jitterMs,
        lockMs: config.jobs.lockMs,
        cooldown: config.fetch.cooldown,
      },
      findSource: (id) => sources.get(id),
      fetchPage: withDailyBudget(fetcher.fetchPage, budget),
      fetchListing: fetcher.fetchListing,
      fetchWeChatText: withDailyBudget(fetcher.fetchWeChatText, budget),
      readTextFile: (path) => readFile(path, "utf8"),
      writeArchive: (date, key, text) => writeArchiveFile(config.dataDir, date, key, text),
      removeArchive: removeArchiveFile,
      fileExists: (path) =>
        access(path).then(
          () => true,
          () => false,
        ),
      keepFailedPage: async (key, html) => {
        const dir = join(config.dataDir, "failed");
        await mkdir(dir, { recursive: true });
        const path = join(dir, `${key}-${Date.now()}.html`);
        await writeFile(path, html);
        return path;
      },
      onArticleChanged: async (key) => {
        await publishArticleChange(redis, prefix, key);
      },
      buildDigest: createBuildDigest({
        redis,
        prefix,
        dataDir: config.dataDir,
        settings: toDigestJobSettings(config),
        logger: logger.child({ module: "digest" }),
        now: () => new Date(),
      }),
      now: Date.now,
    });
    logger.info({ concurrency: config.worker.concurrency, fetcher: config.fetch.fetcher }, "workers started");
  }

  let server: HttpServer | null = null;
  if (roles.has("server")) {
    const configured = new Map(config.sources.map((src) => [src.id, src]));
    server = createHttpServer({
      settings: {
        prefix,
        host: config.server.host,
        port: config.server.port,
        publicUrl: config.server.publicUrl,
        apiToken: config.server.apiToken,
        feeds: config.feeds,
        imageProxy: {
          enabled: config.imageProxy.enabled,
          secret: config.imageProxy.secret,
          maxBytes: config.fetch.maxBytes,
        },
        digest: config.digest,
        dataDir: config.dataDir,
        sources: config.sources.map((src) => ({ id: src.id, name: src.name })),
      },
      store,
      sourceState,
      redis,
      logger: logger.child({ module: "server" }),
      enqueue: (url, source) => {
        const known = source === null ? undefined : configured.get(source);
        const options =
          known !== undefined
            ? { sourceId: known.id, sourceName: known.name ?? null }
            : { sourceId: MANUAL_SOURCE_ID, sourceName: source };
        return enqueueArticle(url, options, { store, wechatQueue: queues.wechat });
      },
      queueCounts: async () => {
        const counts: Record<string, Record<string, number>> = {};
        for (const queue of [queues.discover, queues.wechat, queues.publish]) {
          counts[queue.name] = await queue.getJobCounts(
            "waiting",
            "active",
            "delayed",
            "completed",
            "failed",
          );
        }
        return counts;
      },
      browserStatus: () =>
        roles.has("worker")
          ? { ok: true, state: pool?.isConnected() ? "running" : "idle (launched on first browser fetch)" }
          : { ok: true, state: "not in this process" },
      fetchImage: (url, options) => fetchBytes(url, { ...options, checkHop: createHopGuard(QPIC_ORIGINS) }),
    });
    const { port } = await server.listen();
    logger.info({ port, publicUrl: config.server.publicUrl }, "server listening");
  }

  let scheduler: Scheduler | null = null;
  let digestScheduler: DigestScheduler | null = null;
  if (roles.has("scheduler")) {
    scheduler = await startScheduler({
      sources: config.sources,
      discoverQueue: queues.discover,
      sourceState,
      logger,
      now: () => new Date(),
    });
    digestScheduler = await startDigestScheduler({
      publishQueue: queues.publish,
      schedule: config.digest.schedule,
      timezone: config.digest.timezone,
      logger,
      now: () => new Date(),
    });
  }

  return {
    async stop(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      await scheduler?.stop();
      await digestScheduler?.stop();
      await workers?.close(Math.max(1000, deadline - Date.now() - 2000));
      await pool?.close();
      await server?.close();
      await queues.close();
      await redis.quit().catch(() => redis.disconnect());
      logger.info({}, "service stopped");
    },
  };
}
