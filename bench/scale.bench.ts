/**
 * `npm run bench:scale` (issue 15, bounded Redis): seeds 100,000 synthetic articles (`scale-seed.ts`)
 * into real Redis under a unique prefix, through the store's save script, dropping the bodies of those
 * that leave the feed window as the prune step does. It measures (1) the memory of an article outside the
 * window (MEMORY USAGE of its hash, sampled evenly) and Redis' used memory per article overall, (2) the
 * feed build (combined feed + one source feed: read the window through the sorted-set index, render the
 * RSS) over a store of 1,000 and one of 100,000 articles, builds alternating between the two, the median
 * of each side, and (3) the import rate of
 * generated archive files (`test/support/archive-generator.ts`) through the real import path
 * (`jobs/import-archive.ts` → ingest: Redis and archive files). Everything is deleted at the end.
 * Prints a table, then one machine-readable last line.
 *
 * Env: BENCH_ARTICLES (default 100000), BENCH_IMPORT (generated files, default 5000), REDIS_URL.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { importArchive } from "../src/jobs/import-archive.ts";
import { createLogger } from "../src/logger.ts";
import { type OutputSettings, renderArticleScope } from "../src/publish/feed-outputs.ts";
import { createArchiveFiles } from "../src/store/archive.ts";
import { type ArticleStore, createArticleStore } from "../src/store/article-store.ts";
import { createBodyDrop } from "../src/store/body-drop.ts";
import { createKeys } from "../src/store/keys.ts";
import { writeGeneratedArchive } from "../test/support/archive-generator.ts";
import { deletePrefix, testRedisUrl } from "../test/support/redis.ts";
import { type SeedPlan, seedArticles, syntheticKey } from "./scale-seed.ts";

const ARTICLES = Number(process.env.BENCH_ARTICLES ?? 100_000);
const IMPORT_FILES = Number(process.env.BENCH_IMPORT ?? 5000);
const SMALL = 1000;
const SOURCES = 20;
const LIMIT = 50;
const REPEATS = 40;
const SAMPLES = 2000;

const settings = {
  publicUrl: "http://feeds.bench",
  feedTitle: "bench",
  defaultLimit: LIMIT,
} as OutputSettings;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Builds the combined feed and one source's feed (every format) from `store`, as a rebuild does. */
async function buildFeeds(store: ArticleStore): Promise<void> {
  renderArticleScope("all", "", await store.listArticles({ limit: LIMIT }), settings);
  const source = await store.listArticles({ sourceId: "source-0", limit: LIMIT });
  renderArticleScope("source", "source-0", source, settings);
}

/**
 * Median ms of the feed build over the small and the large store, alternating one build of each per
 * round so that load from other programs on the machine hits both sides alike.
 */
async function timeFeedBuilds(small: ArticleStore, large: ArticleStore): Promise<[number, number]> {
  const times: [number[], number[]] = [[], []];
  for (let round = -5; round < REPEATS; round++) {
    for (const [side, store] of [small, large].entries()) {
      const t0 = performance.now();
      await buildFeeds(store);
      if (round >= 0) times[side]?.push(performance.now() - t0);
    }
  }
  return [median(times[0]), median(times[1])];
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info("memory");
  return Number(/used_memory:(\d+)/.exec(info)?.[1]);
}

/** MEMORY USAGE of `count` article hashes evenly spaced in [from, to): mean and max bytes. */
async function sampleBytes(redis: Redis, prefix: string, from: number, to: number, count: number) {
  const keys = createKeys(prefix);
  const n = Math.min(count, to - from);
  const sizes = await Promise.all(
    Array.from({ length: n }, (_, j) =>
      redis.memory(
        "USAGE",
        keys.article(syntheticKey(from + Math.floor((j * (to - from)) / n))),
        "SAMPLES",
        0,
      ),
    ),
  );
  const bytes = sizes.map(Number);
  return { mean: bytes.reduce((a, b) => a + b, 0) / n, max: Math.max(...bytes), n };
}

/** Imports `files` generated archive files through the real import path; documents per second. */
async function benchImport(redis: Redis, prefix: string, root: string) {
  const source = join(root, "import-source");
  const dataDir = join(root, "import-data");
  const generated = await writeGeneratedArchive(source, 15, IMPORT_FILES);
  const store = createArticleStore(redis, prefix);
  const deps = {
    store,
    archive: createArchiveFiles(dataDir),
    dataDir,
    logger: createLogger({ level: "silent" }),
    now: Date.now,
  };
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const summary = await importArchive({ dir: source, sourceId: "import" }, deps);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  if (summary.imported !== generated.expected.imported) {
    throw new Error(`bench: imported ${summary.imported}, expected ${generated.expected.imported}`);
  }
  return {
    files: summary.files,
    imported: summary.imported,
    seconds,
    perS: summary.files / seconds,
    perCpuS: summary.files / cpuSeconds,
  };
}

async function main(): Promise<void> {
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  const prefix = `bench-scale-${randomUUID()}`;
  const importPrefix = `${prefix}-import`;
  const smallPrefix = `${prefix}-1k`;
  const root = await mkdtemp(join(tmpdir(), "wf-bench-scale-"));
  const plan: SeedPlan = { dataDir: join(root, "data"), sources: SOURCES, limit: LIMIT };
  const load = [loadavg()[0]];
  try {
    const small = createArticleStore(redis, smallPrefix);
    await seedArticles(small, createBodyDrop(redis, smallPrefix), plan, 0, SMALL);
    const store = createArticleStore(redis, prefix);
    const bodies = createBodyDrop(redis, prefix);
    const mem0 = await usedMemory(redis);
    const t0 = performance.now();
    await seedArticles(store, bodies, plan, 0, ARTICLES);
    const seedSeconds = (performance.now() - t0) / 1000;
    const [feedSmall, feedLarge] = await timeFeedBuilds(small, store);
    const memPerArticle = ((await usedMemory(redis)) - mem0) / ARTICLES;
    const windowSize = LIMIT * SOURCES;
    const windowKeys = await bodies.readWindowKeys(LIMIT);
    const outside = await sampleBytes(redis, prefix, 0, ARTICLES - windowSize, SAMPLES);
    const inside = await sampleBytes(redis, prefix, ARTICLES - windowSize, ARTICLES, 200);
    load.push(loadavg()[0]);
    const imported = await benchImport(redis, importPrefix, root);
    load.push(loadavg()[0]);
    report({
      feedSmall,
      feedLarge,
      memPerArticle,
      windowKeys: windowKeys.size,
      outside,
      inside,
      imported,
      seedSeconds,
      load,
    });
  } finally {
    await deletePrefix(redis, prefix);
    await deletePrefix(redis, importPrefix);
    await deletePrefix(redis, smallPrefix);
    await rm(root, { recursive: true, force: true });
    redis.disconnect();
  }
}

interface Results {
  readonly feedSmall: number;
  readonly feedLarge: number;
  readonly memPerArticle: number;
  readonly windowKeys: number;
  readonly outside: { mean: number; max: number; n: number };
  readonly inside: { mean: number; max: number; n: number };
  readonly imported: { files: number; imported: number; seconds: number; perS: number; perCpuS: number };
  readonly seedSeconds: number;
  readonly load: (number | undefined)[];
}

function report(r: Results): void {
  const ok = (pass: boolean) => (pass ? "ok" : "MISSED");
  const ratio = r.feedLarge / r.feedSmall;
  console.log(
    `bench:scale: ${ARTICLES} articles over ${SOURCES} sources, feeds.limit ${LIMIT} (window ${r.windowKeys} bodies), seeded in ${r.seedSeconds.toFixed(1)} s; load average ${r.load.map((l) => l?.toFixed(1)).join(" → ")}`,
  );
  console.log("");
  console.log("| measure | value | target |");
  console.log("|---|---:|---|");
  console.log(
    `| MEMORY USAGE per article outside the window (mean of ${r.outside.n}; max) | ${r.outside.mean.toFixed(0)} B; ${r.outside.max} B | ≤ 1,024 B ${ok(r.outside.max <= 1024)} |`,
  );
  console.log(
    `| MEMORY USAGE per article in the window, body included (mean of ${r.inside.n}) | ${r.inside.mean.toFixed(0)} B | |`,
  );
  console.log(
    `| Redis used memory per article, indexes and seen set included | ${r.memPerArticle.toFixed(0)} B | |`,
  );
  console.log(`| feed build at ${SMALL} articles (median of ${REPEATS}) | ${r.feedSmall.toFixed(2)} ms | |`);
  console.log(
    `| feed build at ${ARTICLES} articles (median of ${REPEATS}) | ${r.feedLarge.toFixed(2)} ms | ≤ 1.5× the 1k build: ${ratio.toFixed(2)}× ${ok(ratio <= 1.5)} |`,
  );
  console.log(
    `| import: ${r.imported.files} generated files (${r.imported.imported} articles) in ${r.imported.seconds.toFixed(2)} s | ${r.imported.perS.toFixed(0)} documents/s | ≥ 1,000/s ${ok(r.imported.perS >= 1000)} |`,
  );
  console.log(
    `| import per CPU second of this process (main thread + file-system threads; Redis not counted) | ${r.imported.perCpuS.toFixed(0)} documents/CPU-s | |`,
  );
  console.log("");
  console.log(
    `bench:scale articles=${ARTICLES} redis_bytes_per_article=${r.outside.mean.toFixed(0)} feed_build_ms_1k=${r.feedSmall.toFixed(2)} feed_build_ms_100k=${r.feedLarge.toFixed(2)} import_per_s=${r.imported.perS.toFixed(0)}`,
  );
}

await main();
