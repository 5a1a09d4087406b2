/**
 * Queue names, typed job payloads (validated at dequeue), default job options and the factory
 * that opens the queues. Every request to WeChat (articles and album pages) goes through the one
 * `wechat` queue, paced per egress group by the workers that take its jobs (`egress-gate.ts`), so one
 * job per article key serves every egress; polling upstream feeds goes through `discover`.
 */
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";

/** The queue names; BullMQ keys live under `<prefix>:<name>:…`. */
export const QUEUE = {
  discover: "discover",
  wechat: "wechat",
  publish: "publish",
  /** LLM summaries, apart from fetching so a slow endpoint never holds an article back. */
  summarize: "summarize",
} as const;

/** Job names (kebab-case). */
export const JOB = {
  pollSource: "poll-source",
  fetchArticle: "fetch-article",
  fetchAlbum: "fetch-album",
  buildDigest: "build-digest",
  summarizeArticle: "summarize-article",
} as const;

/** Summarize one stored article (its content at `contentHash`). */
export const SummarizeArticleDataSchema = z.object({
  key: z.string().min(1),
  contentHash: z.string().min(1),
  /** The article is new: `article.new` waits for this job so it can carry the summary. */
  announce: z.boolean().default(false),
});
export type SummarizeArticleData = z.infer<typeof SummarizeArticleDataSchema>;

/** Poll one configured source (a scheduler tick, a catch-up at start, or `wechat-feed poll`). */
export const PollSourceDataSchema = z.object({
  sourceId: z.string().min(1),
  reason: z.enum(["tick", "catch-up", "manual"]),
  /** The tick's scheduled time (ISO), or the request time for manual polls. */
  scheduledAt: z.string(),
});
export type PollSourceData = z.infer<typeof PollSourceDataSchema>;

/** Fetch, parse and store one article. */
export const FetchArticleDataSchema = z.object({
  /** Normalized WeChat URL (never the raw input: it may carry session credentials). */
  url: z.string().min(1),
  /** The key known before fetching: article key, `short-<token>` or `u<hash>`. */
  key: z.string().min(1),
  sourceId: z.string().min(1),
  /** The document's source name; null means the account name. */
  sourceName: z.string().nullable(),
  itemTitle: z.string().nullable(),
  /** The upstream item's date (ISO), a fallback for the document date. */
  itemDate: z.string().nullable(),
  fetcher: z.enum(["browser", "http", "auto"]).nullable(),
  /** How many times the job was parked for an unavailable page (the cap lives in job data). */
  delaysSoFar: z.int().min(0).default(0),
});
export type FetchArticleData = z.infer<typeof FetchArticleDataSchema>;

/** Fetch one page of a WeChat album and enqueue its articles (and the next page). */
export const FetchAlbumDataSchema = z.object({
  sourceId: z.string().min(1),
  sourceName: z.string().nullable(),
  albumUrl: z.string().min(1),
  cursor: z.object({ beginMsgid: z.string(), beginItemidx: z.string() }).nullable(),
  fetcher: z.enum(["browser", "http", "auto"]).nullable(),
});
export type FetchAlbumData = z.infer<typeof FetchAlbumDataSchema>;

const TWO_DAYS_S = 48 * 3600;

/** Job options shared by every queue: keep finished jobs ≥ 48 h so deterministic ids dedupe. */
export function defaultJobOptions(attempts: number, backoffMs: number) {
  return {
    attempts,
    backoff: { type: "exponential", delay: backoffMs, jitter: 0.5 },
    removeOnComplete: { age: TWO_DAYS_S, count: 50_000 },
    removeOnFail: { age: 14 * 24 * 3600 },
  } as const;
}

/** The queues of one deployment. */
export interface Queues {
  readonly discover: Queue;
  readonly wechat: Queue;
  readonly publish: Queue;
  readonly summarize: Queue;
  close(): Promise<void>;
}

/** Opens the queues on `connection` under `prefix`. */
export function createQueues(connection: Redis, prefix: string, attempts: number, backoffMs: number): Queues {
  const options = { connection, prefix, defaultJobOptions: defaultJobOptions(attempts, backoffMs) };
  const discover = new Queue(QUEUE.discover, options);
  const wechat = new Queue(QUEUE.wechat, options);
  const publish = new Queue(QUEUE.publish, options);
  const summarize = new Queue(QUEUE.summarize, options);
  return {
    discover,
    wechat,
    publish,
    summarize,
    async close() {
      await Promise.all([discover.close(), wechat.close(), publish.close(), summarize.close()]);
    },
  };
}
