/**
 * GET/HEAD `/articles/<key>`: the reading page of an archived article (publish/article-page.ts), so an
 * article WeChat deleted stays readable; a tombstoned one is marked as gone from WeChat. The key is
 * checked against the article-key alphabet before any store read; an unknown or malformed key gets a
 * 404 page that says so. Answers carry validators (the newest of the article's edit and its tombstone)
 * and the HTML security headers.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { renderArticleNotFoundPage, renderArticlePage } from "../../publish/article-page.ts";
import { toFeedItem } from "../../publish/feed-items.ts";
import { HTML_HEADERS, PAGE_TYPE } from "../../publish/output-table.ts";
import { createRepresentation } from "../../publish/representation.ts";
import type { ArticleStore } from "../../store/article-store.ts";
import { sendRepresentation } from "../http-cache.ts";
import { sendText } from "../respond.ts";

/** Article keys (`<uin>-<mid>-<idx>`, `u<hash>`, …): the alphabet of store keys, bounded. */
const KEY = /^[A-Za-z0-9_-]{1,200}$/;

/** What the page handler reads and how images are shown. */
export interface ArticlePageDeps {
  readonly store: Pick<ArticleStore, "readArticle" | "readTombstone">;
  readonly imageUrl?: (url: string) => string;
}

/** Creates the `/articles/<key>` handler. */
export function createArticlePageRoute(
  deps: ArticlePageDeps,
): (req: IncomingMessage, res: ServerResponse, key: string) => Promise<void> {
  const notFound = renderArticleNotFoundPage();
  return async (req, res, key) => {
    const article = KEY.test(key) ? await deps.store.readArticle(key) : null;
    if (article === null) {
      sendText(req, res, 404, notFound, {
        "Content-Type": PAGE_TYPE.html,
        "Cache-Control": "no-store",
        ...HTML_HEADERS,
      });
      return;
    }
    const tombstone = await deps.store.readTombstone(key);
    const gone = tombstone === null ? null : { pageClass: tombstone.pageClass, at: new Date(tombstone.at) };
    const html = renderArticlePage(toFeedItem(article), gone, deps.imageUrl);
    const changed = Math.max(article.updatedAt ?? article.storedAt, article.storedAt, tombstone?.at ?? 0);
    const rep = createRepresentation(html, PAGE_TYPE.html, {
      lastModified: new Date(changed),
      extra: HTML_HEADERS,
    });
    sendRepresentation(req, res, rep);
  };
}
