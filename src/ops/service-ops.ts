/**
 * The operator side of one service process, assembled for the composition root: the metrics (fed by
 * job outcomes, page fetches and archive writes, and read from the status reader at scrape time), the
 * readiness checks this process's roles need, the status reader's dependencies, and the small ops
 * listener for processes that do not run the main HTTP server.
 */
import type { Redis } from "ioredis";
import type { Config } from "../config/schema.ts";
import { findChromium } from "../fetchers/chromium.ts";
import { createGuardedHttp, toGuardedHttpSettings } from "../fetchers/guarded-http.ts";
import type { RawPage } from "../fetchers/wechat-page.ts";
import type { DigestSummary } from "../jobs/build-digest.ts";
import { retryFailedArticle } from "../jobs/failed-retry.ts";
import type { JobObserver } from "../jobs/job-outcome.ts";
import type { Queues } from "../jobs/queues.ts";
import { addManualPollJob } from "../jobs/scheduler.ts";
import type { Logger } from "../logger.ts";
import type { Role } from "../main.ts";
import { needsDataDir } from "../roles/startup-checks.ts";
import { createFetchSend } from "../notify/http-send.ts";
import { createNotifyService } from "../notify/notify-service.ts";
import { startOpsServer } from "../server/ops-server.ts";
import { readStatus, type Status, type StatusDeps } from "../status/read-status.ts";
import { createStatusDeps } from "../status/status-deps.ts";
import type { ArticleStore } from "../store/article-store.ts";
import type { FailedArticles } from "../store/failed-articles.ts";
import type { SourceState } from "../store/source-state.ts";
import { createMetrics, type Metrics, type MetricsSnapshot } from "./metrics.ts";
import { createBrowserHealth, createMetricsObserver, withFetchObservation } from "./observers.ts";
import {
  checkBrowser,
  checkRedis,
  checkScheduler,
  checkWritableDir,
  type ReadinessCheck,
} from "./readiness.ts";

/** Browser failures in a row after which the process reports not ready. */
const MAX_BROWSER_FAILURES = 5;

/** True when workers of this process may launch the browser (fetch.fetcher or an enabled source's). */
export function isBrowserNeeded(config: Config, roles: ReadonlySet<Role>): boolean {
  if (!roles.has("worker")) return false;
  if (config.fetch.fetcher !== "http") return true;
  return config.sources.some((source) => source.enabled && (source.fetcher ?? "http") !== "http");
}

/** What the operator side is built from. */
export interface ServiceOpsDeps {
  readonly config: Config;
  readonly roles: ReadonlySet<Role>;
  readonly redis: Redis;
  readonly queues: Queues;
  readonly store: ArticleStore;
  readonly sourceState: SourceState;
  readonly failed: FailedArticles;
  readonly logger: Logger;
  /** Whether the scheduler's tasks run (read late: the scheduler starts after the workers). */
  isSchedulerTicking(): boolean;
}

/** The assembled operator side. */
export interface ServiceOps {
  readonly metrics: Metrics;
  readonly checks: Readonly<Record<string, ReadinessCheck>>;
  /** What the status page and `/api/status` read and do. */
  readonly status: {
    readStatus(): Promise<Status>;
    retryArticle(key: string): Promise<boolean>;
    pollSource(sourceId: string): Promise<boolean>;
  };
  /** Job outcomes into the metrics. */
  readonly observe: JobObserver;
  /** Times and counts page fetches, tracks browser failures. */
  observeFetch<A extends unknown[]>(
    fetch: (...args: A) => Promise<RawPage>,
  ): (...args: A) => Promise<RawPage>;
  /** Emits `digest.built` (see notify/digest-announcer.ts). */
  announceDigest(summary: DigestSummary): Promise<number>;
  /** Counts archive write failures. */
  observeArchiveWrite<A extends unknown[], R>(write: (...args: A) => Promise<R>): (...args: A) => Promise<R>;
  /** Starts `/livez`, `/readyz`, `/metrics` on `server.opsPort` unless this process runs the server. */
  startListener(): Promise<{ close(): Promise<void> } | null>;
  /** Stops notification delivery and closes the notify queue. */
  close(): Promise<void>;
}

/** How long a notification target may take to answer one delivery. */
const NOTIFY_TIMEOUT_MS = 10_000;

/** The scrape-time gauges' values, from one status read. */
export function toMetricsSnapshot(status: Status): MetricsSnapshot {
  const workers: Record<string, number> = {};
  for (const w of status.workers) workers[w.queue] = (workers[w.queue] ?? 0) + 1;
  return {
    queues: status.queues,
    workers,
    egresses: status.fetching.egresses.map((e) => ({
      name: e.name,
      liveWorkers: e.liveWorkers,
      cooldownUntil: e.cooldown?.until ?? null,
    })),
    sources: status.sources,
  };
}

/** The Prometheus metrics, with the status reader's figures read at each scrape. */
function createStatusMetrics(statusDeps: StatusDeps) {
  return createMetrics(async () => toMetricsSnapshot(await readStatus(statusDeps, 1)));
}

/** The readiness checks of a process running `deps.roles`: each role adds what it depends on. */
function createReadinessChecks(
  deps: ServiceOpsDeps,
  browser: ReturnType<typeof createBrowserHealth>,
): Record<string, ReadinessCheck> {
  const { config, roles } = deps;
  const checks: Record<string, ReadinessCheck> = { redis: checkRedis(deps.redis) };
  if (needsDataDir(config, roles)) checks.archive = checkWritableDir(config.dataDir);
  if (isBrowserNeeded(config, roles)) {
    checks.browser = checkBrowser(
      () => findChromium({ CHROMIUM_PATH: config.browser.executablePath }),
      browser.readCrashStreak,
      MAX_BROWSER_FAILURES,
    );
  }
  if (roles.has("scheduler")) checks.scheduler = checkScheduler(deps.isSchedulerTicking);
  return checks;
}

/** Builds the operator side of a process running `roles`. */
export function createServiceOps(deps: ServiceOpsDeps): ServiceOps {
  const { config, roles, queues } = deps;
  const statusDeps = createStatusDeps(deps);
  const metrics = createStatusMetrics(statusDeps);
  const browser = createBrowserHealth();
  const checks = createReadinessChecks(deps, browser);

  const known = new Set(config.sources.map((source) => source.id));
  const metricsObserver = createMetricsObserver(metrics);
  // Notification targets are outbound requests like any other: through the guarded client (SSRF).
  const guarded = createGuardedHttp(toGuardedHttpSettings(config.fetch));
  const notify = createNotifyService({
    ...deps,
    metrics,
    send: createFetchSend(NOTIFY_TIMEOUT_MS, guarded.send),
    readStatus: () => readStatus(statusDeps),
  });
  if (notify.queue !== null) statusDeps.queues.push(notify.queue);
  return {
    metrics,
    checks,
    status: {
      readStatus: () => readStatus(statusDeps),
      // The same retry as `wechat-feed enqueue` of a failed article: its recorded job, queued again.
      retryArticle: async (key) =>
        (await retryFailedArticle({ failed: deps.failed, wechatQueue: queues.wechat }, key, false)) !==
        "unknown",
      async pollSource(sourceId) {
        if (!known.has(sourceId)) return false;
        await addManualPollJob(queues.discover, sourceId, new Date());
        return true;
      },
    },
    observe: (outcome) => {
      metricsObserver(outcome);
      notify.observe(outcome);
    },
    announceDigest: (summary) => notify.announceDigest(summary),
    observeFetch: (fetch) =>
      withFetchObservation(fetch, metrics, browser, (streak) => {
        if (streak > 0)
          deps.logger.warn({ alert: true, code: "FETCH_BROWSER_CRASH", streak }, "browser failed");
        notify.browserFailed(streak);
      }),
    observeArchiveWrite:
      (write) =>
      async (...args) => {
        try {
          const written = await write(...args);
          notify.archiveWritten(null);
          return written;
        } catch (error) {
          metrics.archiveWriteFailures.inc();
          notify.archiveWritten(error);
          throw error;
        }
      },
    async close() {
      await notify.close();
      await guarded.close();
    },
    async startListener() {
      if (roles.has("server")) return null;
      return startOpsServer({
        host: config.server.host,
        port: config.server.opsPort,
        checks,
        metrics,
        logger: deps.logger.child({ module: "ops" }),
      });
    },
  };
}
