/**
 * The process's Prometheus metrics, on prom-client: its default process and Node.js metrics, counters
 * and histograms the jobs and the HTTP server feed as things happen, and gauges read from Redis at
 * scrape time (queue counts, live workers, the cool-down, each source's last success). One registry
 * per process (never prom-client's global one), so tests can run several services side by side.
 * Names follow the Prometheus conventions: `wechat_feed_` prefix, base units, `_total` for counters,
 * `_seconds` for durations and `_timestamp_seconds` for points in time.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** What the scrape-time gauges read (one Redis round of the status reader). */
export interface MetricsSnapshot {
  /** Jobs per queue and state. */
  readonly queues: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Live workers per queue (BullMQ's worker list). */
  readonly workers: Readonly<Record<string, number>>;
  /** Per egress group: live workers and the end of its cool-down (ms, null when none is active). */
  readonly egresses: readonly {
    readonly name: string;
    readonly liveWorkers: number;
    readonly cooldownUntil: number | null;
  }[];
  /** Per source: last successful poll (ms) and failed polls since. */
  readonly sources: readonly {
    readonly id: string;
    readonly lastSuccessAt: number | null;
    readonly failureStreak: number;
    readonly articles: number;
  }[];
}

/** The metrics of one process. */
export interface Metrics {
  /** Article and album fetches by outcome (`stored`, `duplicate`, `error`, …) and class (error code or `none`). */
  readonly fetches: Counter<"outcome" | "class">;
  /** Pages that were fetched but could not be parsed. */
  readonly parseFailures: Counter;
  /** Archive documents that could not be written. */
  readonly archiveWriteFailures: Counter;
  /** Notifications delivered or given up, by target type, event and result. */
  readonly alertsSent: Counter<"type" | "event" | "result">;
  /** Job run time by queue, job name and outcome. */
  readonly jobDuration: Histogram<"queue" | "name" | "outcome">;
  /** One WeChat page fetch by fetcher path and outcome (`ok` or the error code). */
  readonly fetchDuration: Histogram<"via" | "outcome">;
  /** HTTP requests answered, by route pattern, method and status. */
  readonly httpRequests: Counter<"route" | "method" | "status">;
  /** Renders the exposition text (content type in `contentType`). */
  render(): Promise<string>;
  readonly contentType: string;
}

const PREFIX = "wechat_feed_";

/**
 * Creates the registry with every family; `readSnapshot` (absent in processes without Redis state to
 * report) backs the scrape-time gauges, and a failing read leaves them empty rather than failing the scrape.
 */
export function createMetrics(readSnapshot?: () => Promise<MetricsSnapshot>): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const metrics: Metrics = {
    fetches: new Counter({
      name: `${PREFIX}fetches_total`,
      help: "WeChat article and album fetch jobs by outcome and class (error code, or none).",
      labelNames: ["outcome", "class"],
      registers,
    }),
    parseFailures: new Counter({
      name: `${PREFIX}parse_failures_total`,
      help: "Fetched pages that could not be parsed.",
      registers,
    }),
    archiveWriteFailures: new Counter({
      name: `${PREFIX}archive_write_failures_total`,
      help: "Archive documents that could not be written to disk.",
      registers,
    }),
    alertsSent: new Counter({
      name: `${PREFIX}notifications_total`,
      help: "Notifications by target type, event and result (sent or failed).",
      labelNames: ["type", "event", "result"],
      registers,
    }),
    jobDuration: new Histogram({
      name: `${PREFIX}job_duration_seconds`,
      help: "Job run time by queue, job name and outcome.",
      labelNames: ["queue", "name", "outcome"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    }),
    fetchDuration: new Histogram({
      name: `${PREFIX}fetch_duration_seconds`,
      help: "One WeChat page fetch by fetcher path and outcome.",
      labelNames: ["via", "outcome"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    httpRequests: new Counter({
      name: `${PREFIX}http_requests_total`,
      help: "HTTP requests answered, by route pattern, method and status.",
      labelNames: ["route", "method", "status"],
      registers,
    }),
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
  if (readSnapshot !== undefined) registerStateGauges(registry, readSnapshot);
  return metrics;
}

/** The gauges read at scrape time; one snapshot per scrape, shared by all of them. */
function registerStateGauges(registry: Registry, readSnapshot: () => Promise<MetricsSnapshot>): void {
  let pending: Promise<MetricsSnapshot | null> | null = null;
  // Every gauge's collect runs in the same scrape: they share one read, dropped once the scrape ends.
  const snapshot = () => {
    pending ??= readSnapshot()
      .catch(() => null)
      .finally(() => setImmediate(() => (pending = null)));
    return pending;
  };
  const registers = [registry];
  new Gauge({
    name: `${PREFIX}queue_jobs`,
    help: "Jobs per queue and state.",
    labelNames: ["queue", "state"],
    registers,
    async collect() {
      this.reset();
      for (const [queue, states] of Object.entries((await snapshot())?.queues ?? {}))
        for (const [state, n] of Object.entries(states)) this.set({ queue, state }, n);
    },
  });
  new Gauge({
    name: `${PREFIX}queue_workers`,
    help: "Live workers per queue (BullMQ's worker list).",
    labelNames: ["queue"],
    registers,
    async collect() {
      this.reset();
      for (const [queue, n] of Object.entries((await snapshot())?.workers ?? {})) this.set({ queue }, n);
    },
  });
  /** Scrape-time gauges with one label: a sample per item the snapshot lists. */
  const perItem =
    <T>(label: string, list: (s: MetricsSnapshot) => readonly T[], labelOf: (item: T) => string) =>
    (name: string, help: string, pick: (item: T) => number) =>
      new Gauge({
        name: `${PREFIX}${name}`,
        help,
        labelNames: [label],
        registers,
        async collect() {
          this.reset();
          const taken = await snapshot();
          for (const item of taken ? list(taken) : []) this.set({ [label]: labelOf(item) }, pick(item));
        },
      });
  const perEgress = perItem(
    "egress",
    (s) => s.egresses,
    (e) => e.name,
  );
  const perSource = perItem(
    "source",
    (s) => s.sources,
    (s) => s.id,
  );
  perEgress(
    "cooldown_until_timestamp_seconds",
    "End of an egress group's verification cool-down, Unix seconds (0 when none is active).",
    (e) => Math.floor((e.cooldownUntil ?? 0) / 1000),
  );
  perEgress("egress_workers", "Live workers per egress group (recent heartbeats).", (e) => e.liveWorkers);
  perSource(
    "source_last_success_timestamp_seconds",
    "Last successful poll per source, Unix seconds (0 when never).",
    (s) => Math.floor((s.lastSuccessAt ?? 0) / 1000),
  );
  perSource(
    "source_failure_streak",
    "Failed polls since the last success, per source.",
    (s) => s.failureStreak,
  );
  perSource("articles_stored", "Articles stored, per source.", (s) => s.articles);
}
