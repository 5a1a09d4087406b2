/**
 * Manual enqueue, shared by `wechat-feed enqueue` and `POST /api/enqueue`: normalize the URL (a
 * rejected URL throws InvalidUrlError before any network request), answer `duplicate` for an
 * article already stored (its archive file, if a write failed, is the repair sweep's), else add one
 * fetch job whose id derives from the article key. An article whose earlier job failed is fetched
 * again now: the kept failed job is replaced, since BullMQ would silently ignore an add under its id.
 */
import type { Queue } from "bullmq";
import { parseArticleUrl } from "../parsers/wechat-url.ts";
import type { ArticleStore } from "../store/article-store.ts";
import { addArticleJob, buildArticleJobData } from "./article-jobs.ts";
import { articleJobId } from "./job-ids.ts";

/** The source id of articles enqueued by hand without a configured source. */
export const MANUAL_SOURCE_ID = "manual";

/** What an enqueue did. */
export type EnqueueResult =
  | { readonly status: "queued"; readonly key: string; readonly jobId: string; readonly url: string }
  | { readonly status: "duplicate"; readonly key: string; readonly url: string }
  | { readonly status: "gone"; readonly key: string; readonly url: string; readonly pageClass: string };

/** Who an enqueued article is attributed to. */
export interface EnqueueOptions {
  /** A configured source id, or `manual`. */
  readonly sourceId: string;
  /** The document's source name; null means the account name. */
  readonly sourceName: string | null;
}

/** Normalizes `input` and adds its fetch job unless the article is already stored or tombstoned. */
export async function enqueueArticle(
  input: string,
  options: EnqueueOptions,
  deps: { readonly store: ArticleStore; readonly wechatQueue: Queue },
): Promise<EnqueueResult> {
  const ref = parseArticleUrl(input);
  const key = (await deps.store.resolveAlias(ref.key)) ?? ref.key;
  // A truncated import is stored but incomplete: fetching it again replaces it.
  const stored = await deps.store.readArticleRecord(key);
  if (stored !== null && stored.truncated !== true) return { status: "duplicate", key, url: ref.url };
  const tombstone = await deps.store.readTombstone(key);
  if (tombstone !== null) return { status: "gone", key, url: ref.url, pageClass: tombstone.pageClass };

  const data = buildArticleJobData(
    { url: ref.url, key: ref.key, title: null, date: null },
    { sourceId: options.sourceId, sourceName: options.sourceName, fetcher: null },
  );
  await addArticleJob(deps.wechatQueue, data);
  return { status: "queued", key: ref.key, jobId: articleJobId(ref.key), url: ref.url };
}
