/**
 * `wechat-feed summarize`: fills in summaries for articles already stored, oldest index position
 * first, optionally only those dated on or after `since` and of one source. It walks the all-articles
 * index by rank (not by score: imported articles share midnight scores, so score paging would skip
 * some), runs the same step as the summarize queue, waits out 429/5xx/timeouts as the queue does
 * (`summaryRetryDelay`, a longer Retry-After wins), and stops once the daily budget is spent.
 */
import { isAppError } from "../errors.ts";
import type { ArticleStore } from "../store/article-store.ts";
import { summaryRetryDelay } from "./retry-policy.ts";
import { isSummaryCurrent, type SummarizeOutcome } from "./summarize-article.ts";

/** Which stored articles to summarize. */
export interface BackfillOptions {
  /** `YYYY-MM-DD`: only articles whose date is this day or later. */
  readonly since?: string;
  readonly sourceId?: string;
}

/** What the backfill needs. */
export interface BackfillDeps {
  readonly store: Pick<ArticleStore, "readArticle" | "listArchiveStates" | "countArticles">;
  summarize(key: string): Promise<SummarizeOutcome>;
  isSourceSummarized(sourceId: string): boolean;
  readonly attempts: number;
  readonly backoffMs: number;
  sleep(ms: number): Promise<void>;
  onProgress?(done: number, total: number): void;
  onFailed?(key: string, error: unknown): void;
  now(): number;
}

/** The counts of a backfill, and whether it stopped on the budget. */
export interface BackfillSummary {
  readonly candidates: number;
  readonly summarized: number;
  readonly failed: number;
  readonly budgetSpent: boolean;
}

const PAGE = 500;

/** The keys of the stored articles that match `options` and have no current summary. */
async function findCandidates(options: BackfillOptions, deps: BackfillDeps): Promise<string[]> {
  const total = await deps.store.countArticles();
  const keys: string[] = [];
  for (let start = 0; start < total; start += PAGE) {
    for (const state of await deps.store.listArchiveStates(start, PAGE)) {
      const a = await deps.store.readArticle(state.key);
      if (a === null || isSummaryCurrent(a) || !deps.isSourceSummarized(a.sourceId)) continue;
      if (options.sourceId !== undefined && a.sourceId !== options.sourceId) continue;
      if (options.since !== undefined && a.date < options.since) continue;
      keys.push(a.key);
    }
  }
  return keys;
}

/** One article with the queue's retry rule; resolves to its outcome, or throws its last error. */
async function summarizeWithRetries(key: string, deps: BackfillDeps): Promise<SummarizeOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.summarize(key);
    } catch (error) {
      const wait = summaryRetryDelay(error, attempt, deps.backoffMs, deps.now());
      if (isAppError(error, "FETCH_BUDGET_EXHAUSTED") || wait === null || attempt >= deps.attempts)
        throw error;
      await deps.sleep(wait);
    }
  }
}

/** Summarizes the matching stored articles one at a time; resolves to the counts. */
export async function summarizeStored(
  options: BackfillOptions,
  deps: BackfillDeps,
): Promise<BackfillSummary> {
  const keys = await findCandidates(options, deps);
  let summarized = 0;
  let failed = 0;
  let done = 0;
  deps.onProgress?.(0, keys.length);
  for (const key of keys) {
    try {
      if ((await summarizeWithRetries(key, deps)).outcome === "summarized") summarized++;
    } catch (error) {
      if (isAppError(error, "FETCH_BUDGET_EXHAUSTED")) {
        return { candidates: keys.length, summarized, failed, budgetSpent: true };
      }
      failed++;
      deps.onFailed?.(key, error);
    }
    deps.onProgress?.(++done, keys.length);
  }
  return { candidates: keys.length, summarized, failed, budgetSpent: false };
}
