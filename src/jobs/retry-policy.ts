/**
 * THE table mapping error codes to what happens next (pure). Fetchers and the page classifier throw
 * coded errors; only this module decides; `workers.ts` applies the decision with BullMQ's tools.
 * See ../shared/docs/architecture.md section 4 and wechat-pages.md section 4.
 */
import { AppError, type ErrorCode } from "../errors.ts";

/** What to do with a failed job. */
export type Decision =
  /** Rethrow: BullMQ retries with exponential backoff and jitter until attempts run out. */
  | { readonly kind: "retry" }
  /** Park the job for hours without spending an attempt (temporarily unavailable pages). */
  | { readonly kind: "delay"; readonly delayMs: number }
  /** Record a tombstone and never retry. */
  | { readonly kind: "tombstone"; readonly alert: boolean }
  /**
   * Fail for good. (A page that fails to parse is kept for diagnosis by fetch-article.ts itself,
   * where the HTML is at hand.)
   */
  | { readonly kind: "fail"; readonly alert: boolean }
  /** Pause all WeChat fetching for `durationMs`; the job waits without spending an attempt. */
  | { readonly kind: "cooldown"; readonly durationMs: number; readonly level: number }
  /** Pause all WeChat fetching for `durationMs` without escalating (the daily budget is spent). */
  | { readonly kind: "pause"; readonly durationMs: number };

/** What the policy needs to know beyond the error. */
export interface PolicyState {
  /** How many times this job was already parked by a `delay` decision. */
  readonly delaysSoFar: number;
  /** The current verification cool-down level (0 when none is active or recent). */
  readonly cooldownLevel: number;
  /**
   * Time left of a cool-down already in force (0 when none). A verification page met while one is in
   * force belongs to the same episode (jobs in flight when it started), so it must not escalate it.
   */
  readonly cooldownRemainingMs?: number;
  readonly cooldown: { readonly initialMs: number; readonly maxMs: number };
}

const HOUR = 3_600_000;
/** Delays for temporarily unavailable pages: 6 h, then 24 h, then a tombstone. */
export const UNAVAILABLE_DELAYS_MS: readonly number[] = [6 * HOUR, 24 * HOUR];

const TOMBSTONE: ReadonlySet<ErrorCode> = new Set([
  "WECHAT_DELETED",
  "WECHAT_VIOLATION",
  "WECHAT_SEND_FAILED",
]);
const TOMBSTONE_ALERT: ReadonlySet<ErrorCode> = new Set([
  "WECHAT_ACCOUNT_BLOCKED",
  "WECHAT_ACCOUNT_GONE",
  "WECHAT_ACCOUNT_MIGRATED",
]);
const DELAY: ReadonlySet<ErrorCode> = new Set(["WECHAT_UNAVAILABLE", "WECHAT_UNDER_REVIEW"]);
const FAIL: ReadonlySet<ErrorCode> = new Set([
  "URL_INVALID",
  "URL_HOST_DENIED",
  "URL_NOT_ARTICLE",
  "FETCH_TOO_LARGE",
  "FETCH_REDIRECT_LOOP",
  "FETCH_ADDRESS_DENIED",
  "WECHAT_LINK_EXPIRED",
  "WECHAT_NOT_ARTICLE",
  "CONFIG_INVALID",
  "USAGE",
]);
const PARSE: ReadonlySet<ErrorCode> = new Set(["PARSE_ARTICLE", "PARSE_LISTING", "PARSE_SEED"]);

/** HTTP statuses worth retrying: server errors and rate limiting; other 4xx will not change. */
function isRetryableStatus(status: unknown): boolean {
  return typeof status !== "number" || status >= 500 || status === 429 || status === 408;
}

/** Decides what happens after `error`; anything unknown is retried. */
export function decide(error: unknown, state: PolicyState): Decision {
  if (!(error instanceof AppError)) return { kind: "retry" };
  const { code } = error;
  if (TOMBSTONE.has(code)) return { kind: "tombstone", alert: false };
  if (TOMBSTONE_ALERT.has(code)) return { kind: "tombstone", alert: true };
  if (DELAY.has(code)) {
    const delayMs = UNAVAILABLE_DELAYS_MS[state.delaysSoFar];
    return delayMs === undefined ? { kind: "tombstone", alert: false } : { kind: "delay", delayMs };
  }
  if (code === "WECHAT_VERIFY_REQUIRED") {
    const remaining = state.cooldownRemainingMs ?? 0;
    if (remaining > 0) return { kind: "pause", durationMs: remaining };
    const durationMs = Math.min(state.cooldown.maxMs, state.cooldown.initialMs * 2 ** state.cooldownLevel);
    return { kind: "cooldown", durationMs, level: state.cooldownLevel + 1 };
  }
  if (code === "FETCH_BUDGET_EXHAUSTED" || code === "FETCH_EGRESS_PAUSED") {
    const retryInMs = error.details.retryInMs;
    return { kind: "pause", durationMs: typeof retryInMs === "number" ? retryInMs : HOUR };
  }
  if (PARSE.has(code)) return { kind: "fail", alert: true };
  if (FAIL.has(code)) return { kind: "fail", alert: false };
  if (code === "FETCH_HTTP_STATUS" && !isRetryableStatus(error.details.status)) {
    return { kind: "fail", alert: false };
  }
  return { kind: "retry" };
}

/** When and how articles whose attempts ran out are retried automatically (config jobs.failedRetry). */
export interface FailedRetryPolicy {
  /** Waits before each automatic retry; the last one repeats. */
  readonly delaysMs: readonly number[];
  /** Days after the first failure that automatic retries stop. */
  readonly days: number;
}

const DAY = 24 * HOUR;

/**
 * The time of the next automatic retry of an article that failed for good at `now`, after `retries`
 * automatic retries, or null when there is none: permanent failures need a change (a parser fix, a
 * fresh link) rather than time, and transient ones stop after `days` from their first failure.
 */
export function nextAutomaticRetry(
  failure: { readonly transient: boolean; readonly firstFailedAt: number; readonly retries: number },
  now: number,
  policy: FailedRetryPolicy,
): number | null {
  if (!failure.transient) return null;
  const delay = policy.delaysMs[Math.min(failure.retries, policy.delaysMs.length - 1)];
  if (delay === undefined) return null;
  const at = now + delay;
  return at <= failure.firstFailedAt + policy.days * DAY ? at : null;
}

/** True when `error` fails a job for good (a `fail` decision); discover jobs use it to skip retries. */
export function isPermanentFailure(error: unknown): boolean {
  const idle: PolicyState = { delaysSoFar: 0, cooldownLevel: 0, cooldown: { initialMs: HOUR, maxMs: HOUR } };
  return decide(error, idle).kind === "fail";
}

/** Milliseconds a `Retry-After` value (delta seconds or an HTTP date) asks to wait, or null. */
export function parseRetryAfter(value: unknown, now: number): number | null {
  if (typeof value !== "string" || value.trim() === "") return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * The wait before the next try of a summary request after `error`, or null when retrying cannot help
 * (a 4xx other than 408/429, a refused address, a bad URL). 429, 5xx, timeouts and network errors back
 * off exponentially from `baseMs` (attempt 1 waits `baseMs`), and a longer `Retry-After` wins.
 */
export function summaryRetryDelay(
  error: unknown,
  attemptsMade: number,
  baseMs: number,
  now: number,
): number | null {
  if (error instanceof AppError) {
    if (FAIL.has(error.code) || PARSE.has(error.code)) return null;
    if (error.code === "FETCH_HTTP_STATUS" && !isRetryableStatus(error.details.status)) return null;
  }
  const backoff = baseMs * 2 ** Math.max(0, attemptsMade - 1);
  const asked = error instanceof AppError ? parseRetryAfter(error.details.retryAfter, now) : null;
  return Math.max(backoff, asked ?? 0);
}
