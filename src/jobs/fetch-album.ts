/**
 * Processor of `fetch-album` jobs (wechat queue): one page of a WeChat album (合集) as JSON →
 * article refs (the album gives each article's identity, so no fetch is needed to dedupe) →
 * fetch jobs for the new ones, and a job for the next page while WeChat says there is more.
 */
import type { ArticleRef } from "../model.ts";
import { buildAlbumPageUrl, parseAlbumJson } from "../parsers/listing-album.ts";
import { toArticleRefs } from "../parsers/listing-refs.ts";
import type { ArticleStore } from "../store/article-store.ts";
import type { RefOrigin } from "./article-jobs.ts";
import type { FetchAlbumData } from "./queues.ts";

/** What one album page gave. */
export interface AlbumOutcome {
  readonly outcome: "album-page";
  readonly found: number;
  readonly added: number;
  readonly more: boolean;
}

/** What the processor needs. */
export interface FetchAlbumDeps {
  readonly store: ArticleStore;
  /** Fetches a WeChat URL (through the configured origin) and returns the body text. */
  fetchWeChatText(url: string): Promise<string>;
  addArticleJobs(refs: readonly ArticleRef[], origin: RefOrigin): Promise<void>;
  addAlbumJob(data: FetchAlbumData): Promise<void>;
}

/** Creates the fetch-album processor. */
export function createFetchAlbum(deps: FetchAlbumDeps): (data: FetchAlbumData) => Promise<AlbumOutcome> {
  return async (data) => {
    const pageUrl = buildAlbumPageUrl(data.albumUrl, data.cursor ?? undefined);
    const page = parseAlbumJson(await deps.fetchWeChatText(pageUrl));
    const { refs } = toArticleRefs(page.items);
    const fresh: ArticleRef[] = [];
    for (const ref of refs) if (!(await deps.store.isKnown(ref.key))) fresh.push(ref);
    await deps.addArticleJobs(fresh, {
      sourceId: data.sourceId,
      sourceName: data.sourceName,
      fetcher: data.fetcher,
    });
    for (const ref of fresh) await deps.store.markSeen(ref.key);
    // Stop paging once a page holds nothing new: the rest of the album was seen on earlier polls.
    const more = page.continueFlag && page.nextCursor !== null && fresh.length > 0;
    if (more) await deps.addAlbumJob({ ...data, cursor: page.nextCursor });
    return { outcome: "album-page", found: refs.length, added: fresh.length, more };
  };
}
