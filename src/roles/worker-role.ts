/**
 * The worker role: the BullMQ workers (polls, WeChat fetches, digests), the lazily launched browser
 * pool, and the archive repair sweep. With `worker.archive: false` it touches no file: saves go onto the
 * archive stream and the archiver role writes the files and builds the digests. Every dependency of the
 * processors is a named adapter built here from the shared context, so `jobs/` never sees the
 * configuration or the file system layout.
 */
import { randomUUID } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type BrowserPool, createBrowserPool } from "../fetchers/browser.ts";
import { createGuardedHttp, type GuardedHttp, toGuardedHttpSettings } from "../fetchers/guarded-http.ts";
import { createLocalAddressTransport } from "../fetchers/local-address.ts";
import { createWeChatHopGuard } from "../fetchers/url-guard.ts";
import { withEgressGate } from "../jobs/egress-gate.ts";
import { startEgressPresence } from "../jobs/egress-presence.ts";
import { withDailyBudget } from "../jobs/fetch-budget.ts";
import { createPageFetcher } from "../jobs/page-fetcher.ts";
import { createParsePool, defaultParseThreads } from "../jobs/parse-pool.ts";
import { closeSummarizeWorker, createSummarizeWorker } from "../jobs/summarize-worker.ts";
import { createWorkers, type WorkerSettings } from "../jobs/workers.ts";
import type { ServiceOps } from "../ops/service-ops.ts";
import { createChangeAnnouncer } from "../store/change-feed.ts";
import { createEgressState } from "../store/egress-state.ts";
import { createOwnedDigestBuilder, openOwnedArchive, startOwnedArchiveRepair } from "./archive-owner.ts";
import type { RunningRole, ServiceContext } from "./service-context.ts";
import { createSummarizer, createSummaryEnqueuer } from "./summarizer.ts";

/** The running worker role, and what the server role may ask it. */
export interface WorkerRole extends RunningRole {
  /** Whether this process's browser is running (for the health endpoint). */
  isBrowserRunning(): boolean;
}

/** Reads a URL list source's file (the adapter `poll-source.ts` gets for `readTextFile`). */
function readUtf8File(path: string): Promise<string> {
  return readFile(path, "utf8");
}

/** Keeps a page that failed to parse under `<dataDir>/failed/`, for diagnosis. */
function createFailedPageKeeper(dataDir: string) {
  return async (key: string, html: string): Promise<string | null> => {
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
    egress: config.worker.egress,
    lockMs: config.jobs.lockMs,
    jobTimeoutMs: config.jobs.timeoutMs,
    cooldown: config.fetch.cooldown,
  };
}

/**
 * The page fetchers of this process's egress group: each WeChat fetch waits for the egress's next slot
 * and spends its daily budget; http fetches leave from `fetch.localAddress` when one is set.
 */
function createEgressFetchers(ctx: ServiceContext, ops: ServiceOps, browser: () => BrowserPool) {
  const { config, redis } = ctx;
  const { prefix } = config.redis;
  const guarded = createGuardedHttp(toGuardedHttpSettings(config.fetch));
  const local =
    config.fetch.localAddress === undefined ? null : createLocalAddressTransport(config.fetch.localAddress);
  const fetcher = createPageFetcher(config.fetch, browser, guarded, local?.send);
  const { egress } = config.worker;
  const budget = { redis, prefix, egress, limit: config.fetch.dailyBudget, now: Date.now };
  const egressState = createEgressState(redis, prefix);
  const gate = {
    egress,
    minIntervalMs: config.fetch.minIntervalMs,
    jitterMs: config.fetch.jitterMs,
    claimFetchSlot: egressState.claimFetchSlot,
    readCooldown: ctx.sourceState.readCooldown,
    random: Math.random,
    sleep: (ms: number) => sleep(ms),
    now: Date.now,
  };
  return {
    guarded,
    local,
    egressState,
    fetcher,
    fetchPage: withEgressGate(withDailyBudget(ops.observeFetch(fetcher.fetchPage), budget), gate),
    fetchWeChatText: withEgressGate(withDailyBudget(fetcher.fetchWeChatText, budget), gate),
  };
}

/** Where this process's archive work goes. */
export interface WorkerRoleOptions {
  /** True when the archiver role runs in this process: it sweeps the archive and builds the digests. */
  readonly archiverInProcess: boolean;
}

/** Starts the workers and, when they own the archive, the repair sweep and the digest worker. */
export function startWorkerRole(
  ctx: ServiceContext,
  ops: ServiceOps,
  options: WorkerRoleOptions,
): WorkerRole {
  const { config, logger, redis, store } = ctx;
  const { prefix } = config.redis;
  const browsers = createLazyBrowserPool(config, logger);
  const fetch = createEgressFetchers(ctx, ops, browsers.get);
  const { egress } = config.worker;
  const workerId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const presence = { egress, workerId, state: fetch.egressState, readCooldown: ctx.sourceState.readCooldown };
  const now = Date.now;
  const sources = new Map(config.sources.map((s) => [s.id, s]));
  // Without the archive the workers need no DATA_DIR; with it, sweep and digests are theirs unless an
  // archiver in this process has them.
  const owned = config.worker.archive ? openOwnedArchive(ctx, ops) : null;
  const sweeps = owned !== null && !options.archiverInProcess;
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
    fetchPage: fetch.fetchPage,
    parseArticle: parsePool.parseArticle,
    fetchListing: fetch.fetcher.fetchListing,
    maxItemsPerListing: config.fetch.maxItemsPerListing,
    fetchWeChatText: fetch.fetchWeChatText,
    readTextFile: readUtf8File,
    archive: owned?.archive ?? null,
    ...(owned === null ? {} : { archiveHealth: owned.archiveHealth }),
    // A worker without DATA_DIR keeps no failed page; the job's failure record and log still tell.
    keepFailedPage: owned === null ? async () => null : createFailedPageKeeper(config.dataDir),
    onArticleChanged: createChangeAnnouncer(redis, prefix),
    ...(config.summarize.enabled
      ? { onArticleSaved: createSummaryEnqueuer(config, store, ctx.queues.summarize, logger) }
      : {}),
    ...(sweeps ? { buildDigest: createOwnedDigestBuilder(ctx, ops) } : {}),
    observe: ops.observe,
    startEgressPresence: (wechat) =>
      startEgressPresence(wechat, { ...presence, logger: logger.child({ module: "egress" }), now }),
    now: Date.now,
  });
  const repair = sweeps ? startOwnedArchiveRepair(ctx, owned, true) : null;
  const summarizer = config.summarize.enabled ? startSummarizeWorker(ctx, ops, fetch.guarded) : null;
  const archive = config.worker.archive ? "self" : "archiver";
  logger.info(
    { concurrency: config.worker.concurrency, fetcher: config.fetch.fetcher, egress, workerId, archive },
    "workers started",
  );

  return {
    isBrowserRunning: () => browsers.current()?.isConnected() === true,
    async stop(timeoutMs) {
      await repair?.stop();
      await Promise.all([
        workers.close(timeoutMs),
        summarizer === null ? undefined : closeSummarizeWorker(summarizer, timeoutMs, logger),
      ]);
      await parsePool.close();
      await browsers.current()?.close();
      await fetch.guarded.close();
      await fetch.local?.close();
    },
  };
}

/** The summarize worker (summarize.enabled): a summarized article republishes its feeds. */
function startSummarizeWorker(ctx: ServiceContext, ops: ServiceOps, http: GuardedHttp) {
  const { config, redis, store } = ctx;
  const logger = ctx.logger.child({ module: "summarize" });
  const summarize = createSummarizer(config, { redis, store, http, logger });
  const announceChange = createChangeAnnouncer(redis, config.redis.prefix);
  return createSummarizeWorker({
    connection: redis,
    prefix: config.redis.prefix,
    concurrency: config.summarize.concurrency,
    lockMs: Math.max(config.jobs.lockMs, config.summarize.timeoutMs),
    retry: { attempts: config.summarize.attempts, backoffMs: config.summarize.backoffMs },
    summarize: async (key) => {
      const result = await summarize(key);
      if (result.outcome === "summarized") await announceChange(key);
      return result;
    },
    logger,
    observe: ops.observe,
    now: Date.now,
  });
}
