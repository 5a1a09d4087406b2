/**
 * Where summaries live: the summary, category and summarized content hash as fields of the article's
 * hash in Redis (so every reader of an article gets them), the picker-format summary document under
 * `<dataDir>/summaries/YYYY/MM/DD/<key>.md`, and the per-day counter of summary requests. A summary is
 * saved only while the article still has the content it summarizes (compare-and-set in one script), so
 * a summary finishing after an edit never claims the new text.
 */
import { unlink } from "node:fs/promises";
import path from "node:path";
import type { Redis, Result } from "ioredis";
import { beijingDate } from "../parsers/time.ts";
import { writeFileAtomic } from "./atomic-file.ts";
import { guardRedis } from "./guard.ts";
import { checkDate, checkId, createKeys } from "./keys.ts";

declare module "ioredis" {
  interface RedisCommander<Context> {
    /** Defined by `createSummaryStore`: sets the summary when the content hash still matches. */
    wfSaveSummary(...args: string[]): Result<number, Context>;
  }
}

const SAVE_SUMMARY = `
if redis.call('HGET', KEYS[1], 'contentHash') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'summary', ARGV[2], 'category', ARGV[3], 'summaryHash', ARGV[1], 'summaryPath', ARGV[4])
return 1
`;

/** Summary fields and the request counter of one key prefix. */
export interface SummaryStore {
  /** Saves a summary of the content with `contentHash` and its document's path; false when the article is gone or changed. */
  saveSummary(
    key: string,
    contentHash: string,
    summary: string,
    category: string,
    path: string,
  ): Promise<boolean>;
  /** The Redis key counting the summary requests of the Beijing day of `now`. */
  budgetKey(now: number): string;
}

/** Creates the summary store over `redis` under `prefix`. */
export function createSummaryStore(redis: Redis, prefix: string): SummaryStore {
  const keys = createKeys(prefix);
  redis.defineCommand("wfSaveSummary", { lua: SAVE_SUMMARY, numberOfKeys: 1 });
  return {
    saveSummary: (key, hash, summary, category, file) =>
      guardRedis(
        "saveSummary",
        async () => (await redis.wfSaveSummary(keys.article(key), hash, summary, category, file)) === 1,
      ),
    budgetKey: (now) => `${prefix}:summarize-budget:${beijingDate(new Date(now))}`,
  };
}

/** `<dataDir>/summaries/YYYY/MM/DD/<key>.md` from the article's date and key (never a title). */
export function summaryPath(dataDir: string, date: string, key: string): string {
  checkDate(date);
  checkId("article key", key);
  const [y, m, d] = date.split("-") as [string, string, string];
  return path.join(path.resolve(dataDir), "summaries", y, m, d, `${key}.md`);
}

/** Writes a summary document atomically; resolves to its path. */
export async function writeSummaryFile(
  dataDir: string,
  date: string,
  key: string,
  text: string,
): Promise<string> {
  const target = summaryPath(dataDir, date, key);
  await writeFileAtomic(target, text, "summaries");
  return target;
}

/**
 * Deletes a summary document that an edit moved to another date. The path comes from Redis, so only
 * a path shaped `<dataDir>/summaries/YYYY/MM/DD/<key>.md` is touched; anything else is left alone.
 */
export async function removeSummaryFile(dataDir: string, file: string): Promise<void> {
  const relative = path.relative(path.resolve(dataDir), path.resolve(file)).split(path.sep).join("/");
  if (!/^summaries\/\d{4}\/\d{2}\/\d{2}\/[A-Za-z0-9_-]{1,200}\.md$/.test(relative)) return;
  await unlink(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
  });
}
