/**
 * Processor of `poll-source` jobs (discover queue): read a source's listing, normalize its links,
 * skip every article already stored, tombstoned or seen, and add one fetch job per new article
 * (job id from the article key, so concurrent polls add it once). Album sources only add a
 * `fetch-album` job: album pages are WeChat traffic and go through the rate-limited wechat queue.
 * Each listing gives at most `maxItemsPerListing` items per poll, newest first, so a hostile or broken
 * feed cannot flood the queues; the rest are reported as skipped.
 */
import type { Source } from "../config/sources.ts";
import { type ErrorCode, FetchError, isAppError } from "../errors.ts";
import type { ArticleRef, FeedPollResult } from "../model.ts";
import { parseFeedListing } from "../parsers/listing-feed.ts";
import { parseOpmlListing } from "../parsers/listing-opml.ts";
import { type ListingItem, type RejectedLink, toArticleRefs } from "../parsers/listing-refs.ts";
import { parseUrlList } from "../parsers/listing-urls.ts";
import type { ArticleStore } from "../store/article-store.ts";
import type { RefOrigin } from "./article-jobs.ts";
import type { FetchAlbumData, PollSourceData } from "./queues.ts";

/** What one poll found; `feeds` has one entry per outline of an OPML source. */
export interface PollOutcome {
  readonly outcome: "polled";
  readonly sourceId: string;
  readonly found: number;
  readonly added: number;
  readonly rejected: number;
  /** Items left out by the per-listing cap. */
  readonly skipped: number;
  readonly feeds?: readonly FeedPollResult[];
}

/** What the processor needs; the worker wires the real queue, fetcher and files in. */
export interface PollSourceDeps {
  readonly store: ArticleStore;
  findSource(id: string): Source | undefined;
  /** Fetches a listing (feed, OPML, URL list) over HTTP. */
  fetchListing(url: string): Promise<string>;
  readTextFile(path: string): Promise<string>;
  /** Adds fetch-article jobs (deterministic ids); resolves when they are in Redis. */
  addArticleJobs(refs: readonly ArticleRef[], origin: RefOrigin): Promise<void>;
  addAlbumJob(data: FetchAlbumData): Promise<void>;
  /** Called with the links a listing had that are not WeChat article URLs. */
  onRejected(sourceId: string, rejected: readonly RejectedLink[]): void;
  /** Items taken from one listing per poll (config `fetch.maxItemsPerListing`). */
  readonly maxItemsPerListing: number;
  /** Called with how many items of a listing the cap left out. */
  onSkipped(sourceId: string, skipped: number): void;
  /** Records the tags an OPML outline gives its articles (store/tag-index.ts). */
  tagArticles(keys: readonly string[], tags: readonly string[]): Promise<void>;
}

/** The newest `max` items (dated ones by date, newest first; undated ones after, in listing order). */
export function takeNewestItems(items: readonly ListingItem[], max: number): ListingItem[] {
  if (items.length <= max) return [...items];
  const time = (item: ListingItem) => item.date?.getTime() ?? Number.NEGATIVE_INFINITY;
  // Array sort is stable, so equal dates and undated items keep the listing's order.
  return [...items].sort((a, b) => Math.sign(time(b) - time(a)) || 0).slice(0, max);
}

/** Drops refs whose article is already stored, tombstoned or seen (the aliases of short links too). */
async function filterNew(store: ArticleStore, refs: readonly ArticleRef[]): Promise<ArticleRef[]> {
  const fresh: ArticleRef[] = [];
  for (const ref of refs) {
    if (!(await store.isKnown(ref.key))) fresh.push(ref);
  }
  return fresh;
}

/** Creates the poll-source processor. */
export function createPollSource(deps: PollSourceDeps): (data: PollSourceData) => Promise<PollOutcome> {
  /** Normalizes, filters and enqueues one listing's items; returns [found, added, rejected, skipped]. */
  async function enqueueItems(
    listed: readonly ListingItem[],
    origin: RefOrigin,
    tags: readonly string[] = [],
  ) {
    const items = takeNewestItems(listed, deps.maxItemsPerListing);
    const skipped = listed.length - items.length;
    if (skipped > 0) deps.onSkipped(origin.sourceId, skipped);
    const { refs, rejected } = toArticleRefs(items);
    if (rejected.length > 0) deps.onRejected(origin.sourceId, rejected);
    // Every listed article gets the outline's tags, stored ones too (a folder added later tags them).
    if (tags.length > 0)
      await deps.tagArticles(
        refs.map((ref) => ref.key),
        tags,
      );
    const fresh = await filterNew(deps.store, refs);
    await deps.addArticleJobs(fresh, origin);
    // Marked seen only once the jobs exist: a crash in between re-adds them (same ids), never loses them.
    for (const ref of fresh) await deps.store.markSeen(ref.key);
    return [refs.length, fresh.length, rejected.length, skipped] as const;
  }

  return async (data) => {
    const source = deps.findSource(data.sourceId);
    if (source === undefined)
      return { outcome: "polled", sourceId: data.sourceId, found: 0, added: 0, rejected: 0, skipped: 0 };
    const fetcher = source.fetcher ?? null;
    let found = 0;
    let added = 0;
    let rejected = 0;
    let skipped = 0;
    const count = (r: readonly [number, number, number, number]) => {
      found += r[0];
      added += r[1];
      rejected += r[2];
      skipped += r[3];
    };

    switch (source.type) {
      case "feed": {
        const listing = parseFeedListing(await deps.fetchListing(source.url));
        const sourceName = source.name ?? listing.title;
        count(await enqueueItems(listing.items, { sourceId: source.id, sourceName, fetcher }));
        break;
      }
      case "opml": {
        // Each outline fails alone: one dead feed must not stop the others or fail the whole poll.
        const opml = parseOpmlListing(await deps.fetchListing(source.url));
        const feeds: FeedPollResult[] = [];
        for (const feed of opml.feeds) {
          try {
            const listing = parseFeedListing(await deps.fetchListing(feed.url));
            const sourceName = source.name ?? listing.title ?? feed.title;
            const origin = { sourceId: source.id, sourceName, fetcher };
            const result = await enqueueItems(listing.items, origin, feed.tags);
            count(result);
            feeds.push({ url: feed.url, ok: true, items: result[0] });
          } catch (error) {
            if (!isAppError(error) || error.code.startsWith("STORE_")) throw error;
            feeds.push({ url: feed.url, ok: false, items: 0, code: error.code, error: error.message });
          }
        }
        const failedFeed = feeds.find((f) => !f.ok);
        if (feeds.length > 0 && feeds.every((f) => !f.ok) && failedFeed !== undefined) {
          // The first failure's code decides the retry: refused addresses are not retried, timeouts are.
          const code = (failedFeed.code ?? "FETCH_NETWORK") as ErrorCode;
          throw new FetchError(
            code,
            `opml: all ${feeds.length} feeds failed (first: ${failedFeed.error ?? failedFeed.code})`,
            { feeds },
          );
        }
        return { outcome: "polled", sourceId: source.id, found, added, rejected, skipped, feeds };
      }
      case "album":
        await deps.addAlbumJob({
          sourceId: source.id,
          sourceName: source.name ?? null,
          albumUrl: source.url,
          cursor: null,
          fetcher,
        });
        break;
      case "urls": {
        const text =
          source.file !== undefined
            ? await deps.readTextFile(source.file) // made absolute by the config loader
            : (source.urls ?? []).join("\n");
        count(
          await enqueueItems(parseUrlList(text), {
            sourceId: source.id,
            sourceName: source.name ?? null,
            fetcher,
          }),
        );
        break;
      }
    }
    return { outcome: "polled", sourceId: source.id, found, added, rejected, skipped };
  };
}
