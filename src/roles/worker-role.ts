/**
 * The worker role: the BullMQ workers (polls, WeChat fetches, digests), the lazily launched browser
 * pool, and the archive repair sweep. Every dependency of the processors is a named adapter built here
 * from the shared context, so `jobs/` never sees the configuration or the file system layout.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type BrowserPool, createBrowserPool } from "../fetchers/browser.ts";
import { createGuardedHttp, type GuardedHttp, toGuardedHttpSettings } from "../fetchers/guarded-http.ts";
import { createWeChatHopGuard } from "../fetchers/url-guard.ts";
import { startArchiveRepair } from "../jobs/archive-repair.ts";
import { createBuildDigest, toDigestJobSettings } from "../jobs/build-digest.ts";
import { withDailyBudget } from "../jobs/fetch-budget.ts";
import { createPageFetcher } from "../jobs/page-fetcher.ts";
import { createParsePool, defaultParseThreads } from "../jobs/parse-pool.ts";
import { closeSummarizeWorker, createSummarizeWorker } from "../jobs/summarize-worker.ts";
import { createWorkers, type WorkerSettings } from "../jobs/workers.ts";
import type { ServiceOps } from "../ops/service-ops.ts";
import { createArchiveFiles } from "../store/archive.ts";
import { createArchiveHealth } from "../store/archive-health.ts";
import { publishArticleChange } from "../store/change-feed.ts";
import { createKeys } from "../store/keys.ts";
import type { RunningRole, ServiceContext } from "./service-context.ts";
import { createSummarizer, createSummaryEnqueuer } from "./summarizer.ts";

/** The running worker role, and what the server role may ask it. */
export interface WorkerRole extends RunningRole {
  /** Whether this process's browser is running (for the health endpoint). */
  isBrowserRunning(): boolean;
}

/** Keeps a page that failed to parse under `<dataDir>/failed/`, for diagnosis. */
function createFailedPageKeeper(dataDir: string) {
  return async (key: string, html: string): Promise<string> => {
    const dir = join(dataDir, "failed");
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${key}-${Date.now()}.html`);
    await writeFile(path, html);
    return path;
  };
}

/** The browser pool of this process, created on first use (http-only workers never launch Chromium). */
function createLazyBrowserPool(config: ServiceContext["config"], logger: ServiceContext["logger"]) {
  let pool: BrowserPool | null = null;
  return {
    get(): BrowserPool {
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
    },
    current: () => pool,
  };
}

/** The workers' tuning, from the configuration. */
function toWorkerSettings(config: ServiceContext["config"]): WorkerSettings {
  return {
    concurrency: config.worker.concurrency,
    minIntervalMs: config.fetch.minIntervalMs,
    jitterMs: config.fetch.jitterMs,
    lockMs: config.jobs.lockMs,
    jobTimeoutMs: config.jobs.timeoutMs,
    cooldown: config.fetch.cooldown,
  };
}

/** Starts the workers and the archive repair sweep. */
export function startWorkerRole(ctx: ServiceContext, ops: ServiceOps): WorkerRole {
  const { config, logger, redis, store } = ctx;
  const { prefix } = config.redis;
  const browsers = createLazyBrowserPool(config, logger);
  const browser = browsers.get;
  const guarded = createGuardedHttp(toGuardedHttpSettings(config.fetch));
  const fetcher = createPageFetcher(config.fetch, browser, guarded);
  const budget = { redis, prefix, limit: config.fetch.dailyBudget, now: Date.now };
  const sources = new Map(config.sources.map((s) => [s.id, s]));
  const files = createArchiveFiles(config.dataDir);
  const archive = { ...files, write: ops.observeArchiveWrite(files.write) };
  const archiveHealth = createArchiveHealth(redis, prefix);
  const parsePool = createParsePool({ threads: defaultParseThreads(config.worker.concurrency) });
  const workers = createWorkers({
    connection: redis,
    prefix,
    queues: ctx.queues,
    store,
    sourceState: ctx.sourceState,
    failed: ctx.failed,
    failedRetryPolicy: config.jobs.failedRetry,
    logger,
    dataDir: config.dataDir,
    settings: toWorkerSettings(config),
    findSource: (id) => sources.get(id),
    fetchPage: withDailyBudget(ops.observeFetch(fetcher.fetchPage), budget),
    parseArticle: parsePool.parseArticle,
    fetchListing: fetcher.fetchListing,
    maxItemsPerListing: config.fetch.maxItemsPerListing,
    fetchWeChatText: withDailyBudget(fetcher.fetchWeChatText, budget),
    readTextFile: (path) => readFile(path, "utf8"),
    archive,
    archiveHealth,
    keepFailedPage: createFailedPageKeeper(config.dataDir),
    onArticleChanged: async (key) => {
      await publishArticleChange(redis, prefix, key);
    },
    ...(config.summarize.enabled
      ? { onArticleSaved: createSummaryEnqueuer(config, store, ctx.queues.summarize, logger) }
      : {}),
    buildDigest: createBuildDigest({
      redis,
      prefix,
      dataDir: config.dataDir,
      settings: toDigestJobSettings(config),
      announce: ops.announceDigest,
      logger: logger.child({ module: "digest" }),
      now: () => new Date(),
    }),
    observe: ops.observe,
    now: Date.now,
  });
  const repair = startRepairSweep(ctx, archive, archiveHealth);
  const summarizer = config.summarize.enabled ? startSummarizeWorker(ctx, ops, guarded) : null;
  logger.info({ concurrency: config.worker.concurrency, fetcher: config.fetch.fetcher }, "workers started");

  return {
    isBrowserRunning: () => browsers.current()?.isConnected() === true,
    async stop(timeoutMs) {
      await repair.stop();
      await Promise.all([
        workers.close(timeoutMs),
        summarizer === null ? undefined : closeSummarizeWorker(summarizer, timeoutMs, logger),
      ]);
      await parsePool.close();
      await browsers.current()?.close();
      await guarded.close();
    },
  };
}

/** The archive repair sweep (start-up and every store.repairIntervalMs, under a Redis lock). */
function startRepairSweep(
  ctx: ServiceContext,
  archive: Parameters<typeof startArchiveRepair>[0]["archive"],
  archiveHealth: ReturnType<typeof createArchiveHealth>,
) {
  const { config, logger, redis, store } = ctx;
  return startArchiveRepair(
    {
      store,
      archive,
      archiveHealth,
      redis,
      lockKey: createKeys(config.redis.prefix).archiveRepairLock(),
      logger: logger.child({ module: "archive-repair" }),
      now: Date.now,
    },
    config.store.repairIntervalMs,
  );
}

/** The summarize worker (summarize.enabled): a summarized article republishes its feeds. */
function startSummarizeWorker(ctx: ServiceContext, ops: ServiceOps, http: GuardedHttp) {
  const { config, redis, store } = ctx;
  const logger = ctx.logger.child({ module: "summarize" });
  const summarize = createSummarizer(config, { redis, store, http, logger });
  return createSummarizeWorker({
    connection: redis,
    prefix: config.redis.prefix,
    concurrency: config.summarize.concurrency,
    lockMs: Math.max(config.jobs.lockMs, config.summarize.timeoutMs),
    retry: { attempts: config.summarize.attempts, backoffMs: config.summarize.backoffMs },
    summarize: async (key) => {
      const result = await summarize(key);
      if (result.outcome === "summarized") await publishArticleChange(redis, config.redis.prefix, key);
      return result;
    },
    logger,
    observe: ops.observe,
    now: Date.now,
  });
}
