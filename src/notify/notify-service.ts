/**
 * Notifications in one service process: the notifier (emitting from workers' job outcomes, archive
 * writes and browser failures), the delivery worker (worker role), and the silence check (scheduler
 * role, once a minute). Without targets nothing is created and every hook is a no-op.
 */
import type { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Config } from "../config/schema.ts";
import { createSourceFilter } from "../config/summarize.ts";
import type { DigestSummary } from "../jobs/build-digest.ts";
import type { JobObserver } from "../jobs/job-outcome.ts";
import { isSummaryCurrent } from "../jobs/summarize-article.ts";
import type { Logger } from "../logger.ts";
import type { Role } from "../main.ts";
import type { StoredArticle } from "../model.ts";
import type { Metrics } from "../ops/metrics.ts";
import type { Status } from "../status/read-status.ts";
import type { ArticleStore } from "../store/article-store.ts";
import type { SourceState } from "../store/source-state.ts";
import { announceDigest } from "./digest-announcer.ts";
import { createFetchSend, type Send } from "./http-send.ts";
import { createNotifier, createNotifyQueue } from "./notifier.ts";
import { startNotifyWorker } from "./notify-worker.ts";
import { buildEvent, checkSilence, createNotifyObserver, type PipelineEventDeps } from "./pipeline-events.ts";

/** With summaries on: a new article is announced by its summary job unless its source opted out. */
function createSummaryWait(config: Config): (article: StoredArticle) => boolean {
  const isSummarized = createSourceFilter(config.sources);
  return (article) => isSummarized(article.sourceId) && !isSummaryCurrent(article);
}

/** What notifications are built from. */
export interface NotifyServiceDeps {
  readonly config: Config;
  readonly roles: ReadonlySet<Role>;
  readonly redis: Redis;
  readonly store: ArticleStore;
  readonly sourceState: SourceState;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readStatus(): Promise<Status>;
  /** Outbound requests of chat and webhook targets; default a plain fetch with a 10 s timeout. */
  readonly send?: Send;
}

/** The notification hooks of a process. */
export interface NotifyService {
  readonly observe: JobObserver;
  /** The notify queue (for the status views), null without targets. */
  readonly queue: Queue | null;
  /** An archive write failed / succeeded. */
  archiveWritten(error: unknown): void;
  /** A browser fetch failed (`streak` in a row) or delivered a page (0). */
  browserFailed(streak: number): void;
  /** Emits `digest.built`; answers the targets it was queued for. */
  announceDigest(summary: DigestSummary): Promise<number>;
  close(): Promise<void>;
}

const SILENCE_CHECK_MS = 60_000;
const BROWSER_ALERT_STREAK = 3;

/** The notification side of a process without notification targets: nothing to do. */
const SILENT: NotifyService = {
  observe: () => undefined,
  queue: null,
  archiveWritten: () => undefined,
  browserFailed: () => undefined,
  announceDigest: async () => 0,
  close: async () => undefined,
};

/** Starts the worker that delivers queued notifications to the configured targets. */
function startDeliveryWorker(deps: NotifyServiceDeps): Worker {
  const { config } = deps;
  return startNotifyWorker({
    connection: deps.redis,
    prefix: config.redis.prefix,
    targets: config.notify,
    send: deps.send ?? createFetchSend(10_000),
    maxPerMinute: config.alerts.maxPerMinute,
    metrics: deps.metrics,
    logger: deps.logger.child({ module: "notify" }),
    now: Date.now,
  });
}

/** Creates the notification side of a process. */
export function createNotifyService(deps: NotifyServiceDeps): NotifyService {
  const { config, logger } = deps;
  if (config.notify.length === 0) return SILENT;
  const { prefix } = config.redis;
  const queue = createNotifyQueue(deps.redis, prefix);
  const notifier = createNotifier({ redis: deps.redis, prefix, queue, targets: config.notify });
  const eventDeps: PipelineEventDeps = {
    notifier,
    store: deps.store,
    sourceState: deps.sourceState,
    failingAfter: config.alerts.failingAfter,
    egress: config.worker.egress,
    publicUrl: config.server.publicUrl,
    ...(config.summarize.enabled ? { awaitsSummary: createSummaryWait(config) } : {}),
    logger: logger.child({ module: "notify" }),
    now: Date.now,
  };
  const quietly = (work: Promise<unknown>) =>
    void work.catch((err: unknown) => logger.warn({ err }, "notification not emitted"));
  const condition = (
    name: "archive.failed" | "browser.failed",
    on: boolean,
    headline: string,
    details = {},
  ) =>
    quietly(
      on
        ? notifier.emit(
            buildEvent(Date.now(), name, {
              headline,
              link: `${config.server.publicUrl}/`,
              details,
              condition: name,
            }),
          )
        : notifier.clear(name),
    );

  // Deliveries run where jobs run: a worker process.
  const worker = deps.roles.has("worker") ? startDeliveryWorker(deps) : null;
  const timer = deps.roles.has("scheduler")
    ? setInterval(
        () => quietly(deps.readStatus().then((status) => checkSilence(eventDeps, status))),
        SILENCE_CHECK_MS,
      )
    : null;
  timer?.unref();

  return {
    observe: createNotifyObserver(eventDeps),
    queue,
    archiveWritten: (error) =>
      condition("archive.failed", error !== null, "writing the markdown archive failed", {
        error: error instanceof Error ? error.message : error === null ? null : String(error),
      }),
    announceDigest: (summary) => announceDigest(notifier, summary),
    browserFailed: (streak) =>
      streak === 0 || streak >= BROWSER_ALERT_STREAK
        ? condition("browser.failed", streak > 0, `the browser failed ${streak} times in a row`, { streak })
        : undefined,
    async close() {
      if (timer !== null) clearInterval(timer);
      await worker?.close();
      await queue.close();
    },
  };
}
