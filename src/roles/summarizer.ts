/**
 * Builds the summarize step from the configuration, for the worker role and `wechat-feed summarize`
 * alike: the endpoint (through the guarded client), the budget counter, the summary documents under
 * `<dataDir>/summaries`, and the per-source opt-out. Also the hook that queues a summary after an
 * article is stored or edited.
 */
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Config } from "../config/schema.ts";
import { createSourceFilter } from "../config/summarize.ts";
import { fetchChatCompletion } from "../fetchers/chat-completions.ts";
import type { GuardedHttp } from "../fetchers/guarded-http.ts";
import { spendBudgetUnit } from "../jobs/fetch-budget.ts";
import {
  createSummarizeArticle,
  isSummaryCurrent,
  type SummarizeOutcome,
} from "../jobs/summarize-article.ts";
import { addSummarizeJob } from "../jobs/summarize-worker.ts";
import type { Logger } from "../logger.ts";
import type { ArticleStore } from "../store/article-store.ts";
import { createSummaryStore, removeSummaryFile, writeSummaryFile } from "../store/summary-store.ts";

/** What the summarize step is built on. */
export interface SummarizerParts {
  readonly redis: Redis;
  readonly store: ArticleStore;
  readonly http: GuardedHttp;
  readonly logger: Logger;
}

/** The summarize step: one article key in, one outcome out. */
export function createSummarizer(
  config: Config,
  parts: SummarizerParts,
): (key: string) => Promise<SummarizeOutcome> {
  const s = config.summarize;
  const endpoint = { baseUrl: s.baseUrl, model: s.model, apiKey: s.apiKey, timeoutMs: s.timeoutMs };
  return createSummarizeArticle({
    store: parts.store,
    summaries: createSummaryStore(parts.redis, config.redis.prefix),
    settings: s,
    askChat: (messages) => fetchChatCompletion(parts.http, endpoint, messages),
    spendUnit: (key) => spendBudgetUnit(parts.redis, key),
    writeSummaryFile: (date, key, text) => writeSummaryFile(config.dataDir, date, key, text),
    removeSummaryFile: (file) => removeSummaryFile(config.dataDir, file),
    isSourceSummarized: createSourceFilter(config.sources),
    logger: parts.logger,
    now: Date.now,
  });
}

/**
 * The after-store hook: queues a summary of the article's current content unless it has one or its
 * source opted out. It never throws: a summary that could not be queued must not fail the fetch that
 * stored the article (`wechat-feed summarize` fills it in later).
 */
export function createSummaryEnqueuer(
  config: Config,
  store: ArticleStore,
  queue: Queue,
  logger: Logger,
): (key: string, outcome: "stored" | "updated") => Promise<void> {
  const isSummarized = createSourceFilter(config.sources);
  const retry = { attempts: config.summarize.attempts, backoffMs: config.summarize.backoffMs };
  return async (key, outcome) => {
    try {
      const article = await store.readArticle(key);
      if (article === null || !isSummarized(article.sourceId) || isSummaryCurrent(article)) return;
      await addSummarizeJob(queue, retry, key, article.contentHash, outcome === "stored");
    } catch (err) {
      logger.warn({ articleKey: key, err }, "summary not queued");
    }
  };
}
