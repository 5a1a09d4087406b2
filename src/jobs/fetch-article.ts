/**
 * Processor of `fetch-article` jobs (wechat queue): skip what is already stored or tombstoned,
 * fetch the page, classify and parse it, then upsert it in Redis and write its archive document.
 * Redis decides first (atomic upsert by article key and content hash), then the archive file is
 * written from the same document text, so the two agree even when jobs run twice or race.
 */
import { isAppError } from "../errors.ts";
import type { RawPage } from "../fetchers/wechat-page.ts";
import type { ParsedArticle } from "../model.ts";
import { buildDocument } from "../parsers/document.ts";
import { renderDocument } from "../parsers/front-matter.ts";
import { parseArticle } from "../parsers/wechat-article.ts";
import { articleKey, urlKey } from "../parsers/wechat-url.ts";
import { type ArticleStore, contentHash } from "../store/article-store.ts";
import { archivePath } from "../store/keys.ts";
import type { FetchArticleData } from "./queues.ts";

/** How a fetch-article job ended. */
export type FetchOutcome =
  | { readonly outcome: "stored" | "updated" | "unchanged"; readonly key: string; readonly path: string }
  | { readonly outcome: "duplicate"; readonly key: string }
  | { readonly outcome: "tombstoned"; readonly key: string };

/** What the processor needs; the worker wires real fetchers and the archive in. */
export interface FetchArticleDeps {
  readonly store: ArticleStore;
  readonly dataDir: string;
  /** Fetches a WeChat page with the chosen fetcher (`null` means the configured default). */
  fetchPage(url: string, fetcher: FetchArticleData["fetcher"]): Promise<RawPage>;
  writeArchive(date: string, key: string, text: string): Promise<string>;
  removeArchive(path: string): Promise<boolean>;
  fileExists(path: string): Promise<boolean>;
  /** Keeps a page that failed to parse, for diagnosis; resolves to where it went. */
  keepFailedPage(key: string, html: string): Promise<string>;
}

/** The key under which an article is stored: its identity, else a hash of its URL. */
export function storedKeyOf(article: ParsedArticle, fetchedUrl: string): string {
  return article.identity !== null
    ? articleKey(article.identity)
    : urlKey(article.canonicalUrl ?? fetchedUrl);
}

/** Creates the fetch-article processor. */
export function createFetchArticle(
  deps: FetchArticleDeps,
): (data: FetchArticleData) => Promise<FetchOutcome> {
  const { store } = deps;
  return async (data) => {
    const known = (await store.resolveAlias(data.key)) ?? data.key;
    // A truncated copy (imported from the old archive) does not count: this fetch replaces it.
    const stored = await store.readArticle(known);
    if (stored !== null && stored.truncated !== true) return { outcome: "duplicate", key: known };
    if ((await store.readTombstone(known)) !== null) return { outcome: "tombstoned", key: known };

    const page = await deps.fetchPage(data.url, data.fetcher);
    let article: ParsedArticle;
    try {
      // The final URL (mapped back to WeChat's host) reveals captcha redirects; a non-article page
      // throws its coded WeChatPageError for the retry policy.
      article = parseArticle(page.html, { url: page.finalUrl });
    } catch (error) {
      if (isAppError(error, "PARSE_ARTICLE")) await deps.keepFailedPage(data.key, page.html);
      throw error;
    }
    const key = storedKeyOf(article, data.url);
    if (key !== data.key) await store.saveAlias(data.key, key);

    const doc = buildDocument(article, {
      source: data.sourceName,
      fetchedAt: page.fetchedAt,
      fetchedUrl: data.url,
      itemTitle: data.itemTitle,
      itemDate: data.itemDate === null ? null : new Date(data.itemDate),
    });
    const text = renderDocument(doc);
    const path = archivePath(deps.dataDir, doc.date, key);
    const { outcome, previousPath } = await store.saveArticle({
      key,
      url: doc.url,
      title: doc.title,
      source: doc.source,
      sourceId: data.sourceId,
      date: doc.date,
      fetchDate: doc.fetch_date,
      publishedAt: article.publishedAt?.getTime() ?? null,
      account: article.account,
      author: article.author,
      cover: article.cover,
      description: article.description,
      itemShowType: article.itemShowType,
      contentHash: contentHash(doc.body, doc.title),
      document: text,
      archivePath: path,
      storedAt: page.fetchedAt.getTime(),
    });

    if (outcome === "unchanged") {
      // A crash between the Redis upsert and the file write leaves Redis ahead: repair from Redis.
      const stored = await store.readArticle(key);
      if (stored !== null && !(await deps.fileExists(stored.archivePath))) {
        await deps.writeArchive(stored.date, key, stored.document);
      }
      return { outcome, key, path: stored?.archivePath ?? path };
    }
    await deps.writeArchive(doc.date, key, text);
    if (previousPath !== null && previousPath !== path) await deps.removeArchive(previousPath);
    return { outcome, key, path };
  };
}
