/**
 * Keeping one summary, for the summarize job and `import` alike: the summary document is written
 * first (a summary in Redis counts as done, so its document must exist before it), then summary,
 * category and document path are saved with the article if its content is still the summarized one,
 * and a document an edit left at another date is removed, so an article has exactly one.
 */
import type { StoredArticle } from "../model.ts";
import type { SummaryStore } from "../store/summary-store.ts";

/** Where a summary goes. */
export interface SummaryWriter {
  readonly summaries: SummaryStore;
  /** Writes the summary document of (`date`, `key`); resolves to its path. */
  writeSummaryFile(date: string, key: string, text: string): Promise<string>;
  /** Removes an older summary document (a path read from Redis). */
  removeSummaryFile(path: string): Promise<void>;
}

/** Stores `summary`/`category` (document `text`) for `article`; false when the article changed meanwhile. */
export async function storeSummary(
  writer: SummaryWriter,
  article: StoredArticle,
  summary: string,
  category: string,
  text: string,
): Promise<boolean> {
  const path = await writer.writeSummaryFile(article.date, article.key, text);
  const saved = await writer.summaries.saveSummary(article.key, article.contentHash, summary, category, path);
  const previous = article.summary?.path;
  if (saved && previous !== undefined && previous !== path) await writer.removeSummaryFile(previous);
  return saved;
}
