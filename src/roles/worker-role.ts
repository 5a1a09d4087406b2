/**
 * The worker role: the BullMQ workers (polls, WeChat fetches, digests), the lazily launched browser
 * pool, and the archive repair sweep. Every dependency of the processors is a named adapter built here
 * from the shared context, so `jobs/` never sees the configuration or the file system layout.
 */
import { randomUUID } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type BrowserPool, createBrowserPool } from "../fetchers/browser.ts";
import { createGuardedHttp, toGuardedHttpSettings } from "../fetchers/guarded-http.ts";
import { createLocalAddressTransport } from "../fetchers/local-address.ts";
import { createWeChatHopGuard } from "../fetchers/url-guard.ts";
import { startArchiveRepair } from "../jobs/archive-repair.ts";
import { createBuildDigest, toDigestJobSettings } from "../jobs/build-digest.ts";
import { withEgressGate } from "../jobs/egress-gate.ts";
import { startEgressPresence } from "../jobs/egress-presence.ts";
import { withDailyBudget } from "../jobs/fetch-budget.ts";
import { createPageFetcher } from "../jobs/page-fetcher.ts";
import { createParsePool, defaultParseThreads } from "../jobs/parse-pool.ts";
import { createWorkers } from "../jobs/workers.ts";
import type { ServiceOps } from "../ops/service-ops.ts";
import { createArchiveFiles } from "../store/archive.ts";
import { createArchiveHealth } from "../store/archive-health.ts";
import { publishArticleChange } from "../store/change-feed.ts";
import { createBodyDrop } from "../store/body-drop.ts";
import { createEgressState } from "../store/egress-state.ts";
import { createKeys } from "../store/keys.ts";
import type { RunningRole, ServiceContext } from "./service-context.ts";

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

/** Starts the workers and the archive repair sweep. */
export function startWorkerRole(ctx: ServiceContext, ops: ServiceOps): WorkerRole {
  const { config, logger, redis, store } = ctx;
  const { prefix } = config.redis;
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
  const workerId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
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
    settings: {
      concurrency: config.worker.concurrency,
      egress,
      lockMs: config.jobs.lockMs,
      cooldown: config.fetch.cooldown,
    },
    findSource: (id) => sources.get(id),
    fetchPage: withEgressGate(withDailyBudget(ops.observeFetch(fetcher.fetchPage), budget), gate),
    parseArticle: parsePool.parseArticle,
    fetchListing: fetcher.fetchListing,
    maxItemsPerListing: config.fetch.maxItemsPerListing,
    fetchWeChatText: withEgressGate(withDailyBudget(fetcher.fetchWeChatText, budget), gate),
    readTextFile: (path) => readFile(path, "utf8"),
    archive,
    archiveHealth,
    keepFailedPage: createFailedPageKeeper(config.dataDir),
    onArticleChanged: async (key) => {
      await publishArticleChange(redis, prefix, key);
    },
    buildDigest: createBuildDigest({
      redis,
      prefix,
      dataDir: config.dataDir,
      settings: toDigestJobSettings(config),
      http: guarded,
      logger: logger.child({ module: "digest" }),
      now: () => new Date(),
    }),
    observe: ops.observe,
    startEgressPresence: (wechat) =>
      startEgressPresence(wechat, {
        egress,
        workerId,
        state: egressState,
        readCooldown: ctx.sourceState.readCooldown,
        logger: logger.child({ module: "egress" }),
        now: Date.now,
      }),
    now: Date.now,
  });
  const repair = startArchiveRepair(
    {
      store,
      archive,
      archiveHealth,
      redis,
      lockKey: createKeys(prefix).archiveRepairLock(),
      prune: {
        bodies: createBodyDrop(redis, prefix),
        window: { limit: config.feeds.limit, bodyDays: config.store.bodyDays },
      },
      logger: logger.child({ module: "archive-repair" }),
      now: Date.now,
    },
    config.store.repairIntervalMs,
  );
  logger.info(
    { concurrency: config.worker.concurrency, fetcher: config.fetch.fetcher, egress, workerId },
    "workers started",
  );

  return {
    isBrowserRunning: () => pool?.isConnected() === true,
    async stop(timeoutMs) {
      await repair.stop();
      await workers.close(timeoutMs);
      await parsePool.close();
      await pool?.close();
      await guarded.close();
      await local?.close();
    },
  };
}
