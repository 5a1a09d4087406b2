/**
 * Processor of `summarize-article` jobs (summarize queue), and the same step for `wechat-feed summarize`:
 * read the stored article, skip it when its source opted out or its current content is already
 * summarized, ask the endpoint for a summary and then a category (two requests, each spending one unit
 * of `summarize.dailyBudget`), write the picker-format summary document, then save summary and category
 * with the article. Runs after an article is stored, never inside the ingest path, so a slow or failing
 * endpoint delays nothing but summaries. A malformed summary answer is an error (retried); a malformed
 * or unlisted category answer is `Others`.
 */
import { AppError, FetchError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { StoredArticle } from "../model.ts";
import { readDocument } from "../parsers/front-matter.ts";
import {
  buildCategoryMessages,
  buildSummaryMessages,
  type ChatMessage,
  parseChatAnswer,
  type SummaryPrompts,
  toCategory,
} from "../parsers/summary-answer.ts";
import { extractArticleLinks, renderSummaryDocument } from "../parsers/summary-document.ts";
import type { ArticleStore } from "../store/article-store.ts";
import { msUntilBeijingMidnight } from "./fetch-budget.ts";
import { type SummaryWriter, storeSummary } from "./store-summary.ts";

/** How a summarize job ended. */
export type SummarizeOutcome = {
  readonly outcome: "summarized" | "unchanged" | "skipped" | "gone" | "changed";
  readonly key: string;
  readonly category?: string;
};

/** The summarize settings a processor needs (config `summarize.*`). */
export interface SummarizeSettings extends SummaryPrompts {
  readonly categories: readonly string[];
  /** Requests per Beijing day; undefined means no budget. */
  readonly dailyBudget?: number | undefined;
}

/** What the processor needs; the worker role and the CLI wire the real parts in. */
export interface SummarizeArticleDeps extends SummaryWriter {
  readonly store: Pick<ArticleStore, "readArticle">;
  readonly settings: SummarizeSettings;
  /** Sends one chat request and resolves to the answer body. */
  askChat(messages: readonly ChatMessage[]): Promise<string>;
  /** Spends one unit of the counter at `key`; resolves to the units spent today. */
  spendUnit(key: string): Promise<number>;
  /** False for sources configured with `summarize: false`. */
  isSourceSummarized(sourceId: string): boolean;
  readonly logger: Logger;
  now(): number;
}

/** True when `article`'s current content already has its summary. */
export function isSummaryCurrent(article: StoredArticle): boolean {
  return article.summary?.contentHash === article.contentHash;
}

/** The article text summarized and searched for links: the document body without its front matter. */
function bodyOf(article: StoredArticle): string {
  try {
    return readDocument(article.document).body;
  } catch {
    return article.document;
  }
}

/** Creates the processor: one article key in, one outcome out; endpoint failures throw coded errors. */
export function createSummarizeArticle(
  deps: SummarizeArticleDeps,
): (key: string) => Promise<SummarizeOutcome> {
  const { settings } = deps;
  const ask = async (messages: readonly ChatMessage[]): Promise<string | null> => {
    const now = deps.now();
    const spent = await deps.spendUnit(deps.summaries.budgetKey(now));
    if (settings.dailyBudget !== undefined && spent > settings.dailyBudget) {
      throw new FetchError(
        "FETCH_BUDGET_EXHAUSTED",
        `summarize: daily budget of ${settings.dailyBudget} requests spent`,
        {
          retryInMs: msUntilBeijingMidnight(now),
        },
      );
    }
    return parseChatAnswer(await deps.askChat(messages));
  };
  return async (key) => {
    const article = await deps.store.readArticle(key);
    if (article === null) return { outcome: "gone", key };
    if (!deps.isSourceSummarized(article.sourceId)) return { outcome: "skipped", key };
    if (isSummaryCurrent(article)) return { outcome: "unchanged", key };
    const body = bodyOf(article);
    const summary = await ask(buildSummaryMessages(settings, article.title, body));
    if (summary === null) {
      throw new AppError("SUMMARIZE_BAD_ANSWER", "summarize: the endpoint's answer holds no summary text");
    }
    const answer = await ask(buildCategoryMessages(article.title, summary, settings.categories));
    const category = toCategory(answer, settings.categories);
    const text = renderSummaryDocument({
      title: article.title,
      url: article.url,
      source: article.source,
      date: article.date,
      fetch_date: article.fetchDate,
      category,
      summary,
      links: extractArticleLinks(body),
    });
    const saved = await storeSummary(deps, article, summary, category, text);
    return saved ? { outcome: "summarized", key, category } : { outcome: "changed", key };
  };
}
