/**
 * Fetch-article jobs: the one builder of their payload (polls, albums, migrations, manual enqueues and
 * automatic retries all add the same shape) and the add that can start a finished article again. BullMQ
 * silently ignores an add whose job id is kept by a finished job, and ids are deterministic
 * (`article-<key>`), so re-fetching an article that failed means removing its kept job first.
 */
import type { Queue } from "bullmq";
import type { ArticleRef } from "../model.ts";
import { articleJobId } from "./job-ids.ts";
import { type FetchArticleData, FetchArticleDataSchema, JOB } from "./queues.ts";

/** Where a batch of refs came from: the source, and the document source name for its articles. */
export interface RefOrigin {
  readonly sourceId: string;
  readonly sourceName: string | null;
  readonly fetcher: FetchArticleData["fetcher"];
}

/** The fetch-article payload of one ref. */
export function buildArticleJobData(ref: ArticleRef, origin: RefOrigin): FetchArticleData {
  return {
    url: ref.url,
    key: ref.key,
    sourceId: origin.sourceId,
    sourceName: origin.sourceName,
    itemTitle: ref.title,
    itemDate: ref.date?.toISOString() ?? null,
    fetcher: origin.fetcher,
    delaysSoFar: 0,
  };
}

/** A kept payload (a failure record's), validated; null when it is not a fetch-article payload. */
export function readArticleJobData(value: unknown): FetchArticleData | null {
  const parsed = FetchArticleDataSchema.safeParse(value);
  return parsed.success ? { ...parsed.data, delaysSoFar: 0 } : null;
}

/** What `addArticleJob` did: added a job, or found one already waiting or running. */
export type AddOutcome = "added" | "in-progress";

/**
 * Adds the fetch job of `data`. A kept failed job is removed first so the article is fetched again now
 * with fresh attempts. Any other kept job is left alone: one waiting, delayed or running is on its way,
 * and a completed one stored (or tombstoned) the article, which callers check before adding.
 */
export async function addArticleJob(queue: Queue, data: FetchArticleData): Promise<AddOutcome> {
  const jobId = articleJobId(data.key);
  const existing = await queue.getJob(jobId);
  const state = existing === undefined ? null : await existing.getState();
  if (state === "failed") {
    // Two callers may race to replace it: the loser's remove finds nothing, and its add is a no-op.
    await existing?.remove().catch(() => undefined);
  } else if (state !== null && state !== "unknown") {
    return "in-progress";
  }
  await queue.add(JOB.fetchArticle, data, { jobId });
  return "added";
}
