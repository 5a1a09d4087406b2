/**
 * Lists the articles a feed may show: the store's newest first, minus those a source's publishing
 * filter (config `sources[].filter`, `publish/item-filter.ts`) holds back. Filtered sources can hide
 * many articles, so the listing pages through the index until it has `limit` articles, the index
 * ends, or `MAX_SCAN_FACTOR × limit` articles were looked at (a feed of a source that publishes almost
 * nothing must not read the whole store on every rebuild).
 */
import type { FeedItem } from "../model.ts";
import { toFeedItem } from "../publish/feed-items.ts";
import type { ArticleStore, StoredArticle } from "../store/article-store.ts";

/** Articles looked at per article wanted, at most. */
const MAX_SCAN_FACTOR = 5;

/** The predicate of the configured source filters; undefined when no source has one. */
export function createPublishPredicate(
  filters: ReadonlyMap<string, (item: FeedItem) => boolean>,
): ((article: StoredArticle) => boolean) | undefined {
  if (filters.size === 0) return undefined;
  return (article) => filters.get(article.sourceId)?.(toFeedItem(article)) ?? true;
}

/** The newest `limit` published articles (of `sourceId` when given). */
export async function listPublishedArticles(
  store: Pick<ArticleStore, "listArticles">,
  options: { readonly sourceId?: string; readonly limit: number },
  isPublished: ((article: StoredArticle) => boolean) | undefined,
): Promise<StoredArticle[]> {
  if (isPublished === undefined) return store.listArticles(options);
  const kept: StoredArticle[] = [];
  let scanned = 0;
  let before: number | undefined;
  while (kept.length < options.limit && scanned < options.limit * MAX_SCAN_FACTOR) {
    const page = await store.listArticles({ ...options, ...(before === undefined ? {} : { before }) });
    for (const article of page) if (isPublished(article) && kept.length < options.limit) kept.push(article);
    scanned += page.length;
    const last = page.at(-1);
    if (page.length < options.limit || last === undefined) break;
    before = last.publishedAt ?? last.storedAt;
  }
  return kept;
}
