/**
 * The store adapted to publishing's read port (`publish/snapshot.ts` `PublishReader`), showing only
 * what may be published: the sources' publishing filters (config `sources[].filter`,
 * `publish/item-filter.ts`) hold articles back from every feed, tag feed and digest here, in one
 * place. Filtered sources can hide many articles, so a listing pages through the index until it has
 * `limit` articles, the index ends, or `MAX_SCAN_FACTOR × limit` articles were looked at (a feed of a
 * source that publishes almost nothing must not read the whole store on every rebuild). Tags that
 * OPML categories gave come from the tag index (`store/tag-index.ts`).
 */
import type { Redis } from "ioredis";
import type { FeedItem, StoredArticle } from "../model.ts";
import { toFeedItem } from "../publish/feed-items.ts";
import type { PublishReader } from "../publish/snapshot.ts";
import type { ArticleStore } from "../store/article-store.ts";
import { listArticlesStoredIn } from "../store/stored-window.ts";
import { createTagIndex } from "../store/tag-index.ts";

/** Articles looked at per article wanted, at most. */
const MAX_SCAN_FACTOR = 5;

/** Whether an article may be published. */
export type PublishPredicate = (article: StoredArticle) => boolean;

/** The predicate of the configured source filters; undefined when no source has one. */
export function createPublishPredicate(
  filters: ReadonlyMap<string, (item: FeedItem) => boolean>,
): PublishPredicate | undefined {
  if (filters.size === 0) return undefined;
  return (article) => filters.get(article.sourceId)?.(toFeedItem(article)) ?? true;
}

/** The newest `limit` published articles (of `sourceId` when given). */
export async function listPublishedArticles(
  store: Pick<ArticleStore, "listArticles">,
  options: { readonly sourceId?: string; readonly limit: number },
  isPublished: PublishPredicate | undefined,
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

/** Creates the publish reader over the store, the stored-at scan and the tag index. */
export function createPublishReader(deps: {
  readonly store: ArticleStore;
  readonly redis: Redis;
  readonly prefix: string;
  readonly isPublished?: PublishPredicate | undefined;
}): PublishReader {
  const { store, isPublished } = deps;
  const published = (articles: readonly (StoredArticle | null)[]): StoredArticle[] =>
    articles.filter((a): a is StoredArticle => a !== null && (isPublished?.(a) ?? true));
  const tags = createTagIndex(deps.redis, deps.prefix);
  return {
    listSourceIds: () => store.listSourceIds(),
    listArticles: (options) => listPublishedArticles(store, options, isPublished),
    readArticle: (key) => store.readArticle(key),
    listArticlesStoredIn: async (ranges) =>
      published(await listArticlesStoredIn(deps.redis, deps.prefix, ranges)),
    listIndexedTags: () => tags.listTags(),
    async listTaggedArticles(tag, limit) {
      // Keys are tagged before their articles are fetched; some never are, so read a few extra.
      const keys = await tags.listTaggedKeys(tag, limit * 2);
      const articles = published(await Promise.all(keys.map((key) => store.readArticle(key))));
      const time = (a: StoredArticle) => a.publishedAt ?? a.storedAt;
      return articles.sort((a, b) => time(b) - time(a)).slice(0, limit);
    },
  };
}
