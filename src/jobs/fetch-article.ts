/**
 * Processor of `fetch-article` jobs (wechat queue): skip what is already stored (once its archive file is
 * confirmed) or tombstoned, fetch the page, classify and parse it, then store it through the one ingest
 * path (`ingest.ts`): Redis and the archive both hold it, or the job fails and is retried.
 */

import { isAppError } from "../errors.ts";
import type { RawPage } from "../fetchers/wechat-page.ts";
import type { Logger } from "../logger.ts";
import type { ParsedArticle, StoredArticle } from "../model.ts";
import { buildDocument } from "../parsers/document.ts";
import { renderDocument } from "../parsers/front-matter.ts";
import { parseArticle } from "../parsers/wechat-article.ts";
import { articleKey, urlKey } from "../parsers/wechat-url.ts";
import { contentHash } from "../store/article-store.ts";
import { archivePath } from "../store/keys.ts";
import { ensureArchived, type IngestDeps, ingestDocument } from "./ingest.ts";
import type { ParseArticleAsync } from "./parse-pool.ts";
import type { FetchArticleData } from "./queues.ts";

/** How a fetch-article job ended. */
export type FetchOutcome =
  | {
      readonly outcome: "stored" | "updated" | "unchanged";
      readonly key: string;
      readonly path: string;
      /** The parser's warnings, so the job's outcome line (and its BullMQ result) carries them. */
      readonly warnings?: readonly string[];
    }
  | { readonly outcome: "duplicate"; readonly key: string }
  | { readonly outcome: "tombstoned"; readonly key: string };

/** What the processor needs; the worker wires real fetchers, the store and the archive in. */
export interface FetchArticleDeps extends IngestDeps {
  readonly dataDir: string;
  /** Fetches a WeChat page with the chosen fetcher (`null` means the configured default). */
  fetchPage(url: string, fetcher: FetchArticleData["fetcher"], signal?: AbortSignal): Promise<RawPage>;
  /** Keeps a page that failed to parse, for diagnosis; resolves to where it went (null: not kept). */
  keepFailedPage(key: string, html: string): Promise<string | null>;
  /** Logs what parsing and building fell back on (an unknown page type, a date not the page's). */
  readonly logger: Logger;
  /** Parses off the main thread (parse-pool.ts); without it the page is parsed in this thread. */
  readonly parseArticle?: ParseArticleAsync;
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
): (data: FetchArticleData, signal?: AbortSignal) => Promise<FetchOutcome> {
  const { store } = deps;
  return async (data, signal) => {
    const known = (await store.resolveAlias(data.key)) ?? data.key;
    // A truncated copy (imported from the old archive) does not count: this fetch replaces it.
    const stored = await store.readArticle(known);
    if (stored !== null && stored.truncated !== true) {
      // Stored but not yet on disk (an earlier write failed): finish it now, or fail and retry.
      await ensureArchived(deps, stored);
      return { outcome: "duplicate", key: known };
    }
    if ((await store.readTombstone(known)) !== null) return { outcome: "tombstoned", key: known };

    const page = await deps.fetchPage(data.url, data.fetcher, signal);
    let parsed: ParsedArticle;
    try {
      // The final URL (mapped back to WeChat's host) reveals captcha redirects; a non-article page
      // throws its coded WeChatPageError for the retry policy.
      const options = { url: page.finalUrl };
      parsed = await (deps.parseArticle?.(page.html, options) ?? parseArticle(page.html, options));
    } catch (error) {
      if (isAppError(error, "PARSE_ARTICLE")) await deps.keepFailedPage(data.key, page.html);
      throw error;
    }
    const key = storedKeyOf(parsed, data.url);
    if (key !== data.key) await store.saveAlias(data.key, key);

    const doc = buildDocument(parsed, {
      source: data.sourceName,
      fetchedAt: page.fetchedAt,
      fetchedUrl: data.url,
      itemTitle: data.itemTitle,
      itemDate: data.itemDate === null ? null : new Date(data.itemDate),
    });
    const warnings = [...parsed.warnings, ...doc.warnings];
    if (warnings.length > 0)
      deps.logger.warn({ url: data.url, articleKey: key, warnings }, "article parsed with warnings");
    const text = renderDocument(doc);
    const article: StoredArticle = {
      key,
      url: doc.url,
      title: doc.title,
      source: doc.source,
      sourceId: data.sourceId,
      date: doc.date,
      fetchDate: doc.fetch_date,
      publishedAt: parsed.publishedAt?.getTime() ?? null,
      account: parsed.account,
      author: parsed.author,
      cover: parsed.cover,
      description: parsed.description,
      itemShowType: parsed.itemShowType,
      contentHash: contentHash(doc.body, doc.title),
      document: text,
      archivePath: archivePath(deps.dataDir, doc.date, key),
      storedAt: page.fetchedAt.getTime(),
    };
    const outcome = await ingestDocument(deps, { article, text });
    return warnings.length === 0 ? outcome : { ...outcome, warnings };
  };
}
