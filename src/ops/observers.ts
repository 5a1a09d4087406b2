/**
 * Feeds the metrics from what the pipeline reports: job outcomes (fetch counters by outcome and class,
 * parse failures, job durations), each WeChat page fetch (duration by path and outcome) and the
 * browser's health (consecutive browser failures since its last good page, which readiness reads).
 */
import type { RawPage } from "../fetchers/wechat-page.ts";
import { errorCodeOf, type JobObserver } from "../jobs/job-outcome.ts";
import { JOB } from "../jobs/queues.ts";
import type { Metrics } from "./metrics.ts";

/** Counts job outcomes into `metrics`. */
export function createMetricsObserver(metrics: Metrics): JobObserver {
  return (o) => {
    metrics.jobDuration.observe({ queue: o.queue, name: o.jobName, outcome: o.outcome }, o.durationMs / 1000);
    if (o.jobName === JOB.fetchArticle || o.jobName === JOB.fetchAlbum) {
      metrics.fetches.inc({ outcome: o.outcome, class: o.code ?? "none" });
    }
    if (o.code?.startsWith("PARSE_")) metrics.parseFailures.inc();
  };
}

/** Consecutive browser failures since the last page the browser delivered. */
export interface BrowserHealth {
  readCrashStreak(): number;
  /** Records a delivered page; answers true when it ended a failure streak. */
  recordPage(via: RawPage["via"]): boolean;
  /** Records a failed fetch; answers the new streak (0 when it was not a browser failure). */
  recordError(code: string): number;
}

/** Creates the browser health tracker of this process. */
export function createBrowserHealth(): BrowserHealth {
  let streak = 0;
  return {
    readCrashStreak: () => streak,
    recordPage(via) {
      if (via !== "browser" || streak === 0) return false;
      streak = 0;
      return true;
    },
    recordError(code) {
      if (code !== "FETCH_BROWSER_CRASH") return 0;
      streak += 1;
      return streak;
    },
  };
}

/**
 * Wraps a page fetch so each call is timed, counted by outcome and reported to the browser tracker;
 * `onBrowserStreak` hears each new failure streak and its end (0).
 */
export function withFetchObservation<A extends unknown[]>(
  fetchPage: (...args: A) => Promise<RawPage>,
  metrics: Metrics,
  browser: BrowserHealth,
  onBrowserStreak: (streak: number) => void,
): (...args: A) => Promise<RawPage> {
  return async (...args) => {
    const started = performance.now();
    try {
      const page = await fetchPage(...args);
      metrics.fetchDuration.observe({ via: page.via, outcome: "ok" }, (performance.now() - started) / 1000);
      if (browser.recordPage(page.via)) onBrowserStreak(0);
      return page;
    } catch (error) {
      const code = errorCodeOf(error);
      metrics.fetchDuration.observe({ via: "unknown", outcome: code }, (performance.now() - started) / 1000);
      const streak = browser.recordError(code);
      if (streak > 0) onBrowserStreak(streak);
      throw error;
    }
  };
}
