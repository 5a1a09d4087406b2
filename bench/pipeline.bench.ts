/**
 * `npm run bench:pipeline`: 200 article jobs end to end (enqueueArticle → BullMQ → fetch → classify →
 * parse → Redis upsert → archive file) against a local mock origin, for the `http` and then the `browser`
 * fetcher in the same run. Workers are child processes (pipeline-worker.ts: startService, worker role),
 * so what is measured is theirs alone: PSS of the worker node processes and all their descendants
 * (Chromium) sampled every 200 ms, and their CPU time split node / Chromium. Every URL serves a corpus
 * page rewritten to its own article identity (pipeline-support.ts), so every job fetches, parses and
 * stores a NEW article: dedup never short-cuts a job. Each fetcher gets its own Redis prefix and data
 * directory, deleted at the end. Prints a table, then one machine-readable last line.
 *
 * Tuning for 2 cores: http runs 2 worker processes × 4 jobs, because a job is ~24 ms of node CPU (UTF-8
 * decoding and parsing a 3 MB page) and one node process uses one core; browser runs 1 process × 4 jobs
 * over 2 pages (browser.concurrency 2: issue 3's "two pages at a time"; Chromium takes the other core),
 * so two jobs parse and store while two pages load. Env: BENCH_ARTICLES (200), BENCH_HTTP_PROCS (2),
 * BENCH_HTTP_CONCURRENCY (4), BENCH_BROWSER_PROCS (1), BENCH_BROWSER_CONCURRENCY (4), BENCH_BROWSER_PAGES
 * (2), BENCH_WORKER_NODE_ARGS (extra node flags for the workers, e.g. --cpu-prof), BENCH_KEEP (keep the
 * data dir and worker log), REDIS_URL, WECHAT_CORPUS_DIR.
 */

import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Job, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { enqueueArticle } from "../src/jobs/enqueue.ts";
import { createQueues, QUEUE, type Queues } from "../src/jobs/queues.ts";
import { type ArticleStore, createArticleStore } from "../src/store/article-store.ts";
import { corpusDir } from "../test/support/corpus.ts";
import { startMockOrigin } from "../test/support/mock-wechat-origin.ts";
import { deletePrefix, testRedisUrl } from "../test/support/redis.ts";
import { type PhaseResult, printReport } from "./pipeline-report.ts";
import {
  checkVariant,
  loadTemplates,
  makeVariant,
  percentile,
  readMachineCpuMs,
  readTreeCpuMs,
  renderVariant,
  startPssSampler,
  type Variant,
} from "./pipeline-support.ts";
import { startWorkers, stopWorkers, type Tuning, waitForJobs, writeWorkerConfig } from "./pipeline-worker.ts";

type FetcherName = PhaseResult["fetcher"];

const ARTICLES = Number(process.env.BENCH_ARTICLES ?? 200);
const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const TUNING: Record<FetcherName, Tuning> = {
  http: { procs: num("BENCH_HTTP_PROCS", 2), concurrency: num("BENCH_HTTP_CONCURRENCY", 4), pages: 1 },
  browser: {
    procs: num("BENCH_BROWSER_PROCS", 1),
    concurrency: num("BENCH_BROWSER_CONCURRENCY", 4),
    pages: num("BENCH_BROWSER_PAGES", 2),
  },
};
const JOB_TIMEOUT_MS = 600_000;
const SOURCE_ID = "bench";

function countFiles(dir: string): number {
  try {
    return readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith(".md")).length;
  } catch {
    return 0;
  }
}

function throwIfFailed(failed: Map<string, string>): void {
  const first = [...failed][0];
  if (first !== undefined)
    throw new Error(`bench: ${failed.size} job(s) failed, e.g. ${first[0]}: ${first[1]}`);
}

/** Enqueues `batch` one by one, as `wechat-feed enqueue` would; returns each job's enqueue time. */
async function enqueueAll(batch: readonly Variant[], store: ArticleStore, queues: Queues) {
  const enqueuedAt = new Map<string, number>();
  for (const variant of batch) {
    const at = Date.now();
    const options = { sourceId: SOURCE_ID, sourceName: null };
    const result = await enqueueArticle(variant.url, options, { store, wechatQueue: queues.wechat });
    if (result.status !== "queued") throw new Error(`bench: ${variant.url} not queued (${result.status})`);
    enqueuedAt.set(result.jobId, at);
  }
  return enqueuedAt;
}

async function runPhase(
  fetcher: FetcherName,
  variants: { readonly batch: readonly Variant[]; readonly warmup: readonly Variant[] },
  origin: string,
): Promise<PhaseResult> {
  const tuning = TUNING[fetcher];
  const prefix = `bench-pipeline-${randomUUID()}`;
  const dir = mkdtempSync(join(tmpdir(), `bench-pipeline-${fetcher}-`));
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  const eventsRedis = redis.duplicate();
  const queues = createQueues(redis, prefix, 1, 1000);
  const store = createArticleStore(redis, prefix);
  const events = new QueueEvents(QUEUE.wechat, { connection: eventsRedis, prefix });
  const children: ChildProcess[] = [];
  const sampler = startPssSampler(() => children.map((c) => c.pid ?? -1), 200);
  try {
    await events.waitUntilReady();
    const config = writeWorkerConfig(dir, { fetcher, redisUrl: testRedisUrl(), prefix, origin, tuning });
    children.push(...(await startWorkers(config, join(dir, "worker.log"), tuning.procs)));
    const pids = children.map((c) => c.pid ?? -1);

    // Warm-up, untimed: launches Chromium and warms the JIT, as in a long-running worker.
    const warm = await enqueueAll(variants.warmup, store, queues);
    throwIfFailed(await waitForJobs(events, new Set(warm.keys()), JOB_TIMEOUT_MS));

    const jobIds = new Set(variants.batch.map((v) => `article-${v.key}`));
    const finished = waitForJobs(events, jobIds, JOB_TIMEOUT_MS);
    const before = { tree: readTreeCpuMs(pids), machine: readMachineCpuMs(), own: process.cpuUsage() };
    const samplerBefore = sampler.cpuMs();
    const enqueuedAt = await enqueueAll(variants.batch, store, queues);
    throwIfFailed(await finished);
    const tree = readTreeCpuMs(pids);
    const machine = readMachineCpuMs();
    const own = process.cpuUsage(before.own);
    const samplerMs = sampler.cpuMs() - samplerBefore;

    const latencies: number[] = [];
    let lastFinish = 0;
    for (const id of jobIds) {
      const job: Job | undefined = await queues.wechat.getJob(id);
      const outcome = (job?.returnvalue as { outcome?: string } | undefined)?.outcome;
      if (job?.finishedOn === undefined || outcome !== "stored")
        throw new Error(`bench: ${id} ended ${outcome}`);
      latencies.push(job.finishedOn - (enqueuedAt.get(id) ?? Number.NaN));
      lastFinish = Math.max(lastFinish, job.finishedOn);
    }
    latencies.sort((a, b) => a - b);
    const wallMs = lastFinish - Math.min(...enqueuedAt.values());
    const n = variants.batch.length;
    const nodeMs = tree.own - before.tree.own;
    const chromiumMs = tree.others - before.tree.others;
    const ownMs = (own.user + own.system) / 1000;
    const stored = await store.countArticles(SOURCE_ID);
    const files = countFiles(join(dir, "data", "articles"));
    await stopWorkers(children);
    return {
      fetcher,
      tuning,
      articles: n,
      perS: n / (wallMs / 1000),
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      peak: await sampler.stop(),
      stored,
      files,
      warmups: variants.warmup.length,
      cpu: {
        nodeMs: nodeMs / n,
        chromiumMs: chromiumMs / n,
        driverMs: (ownMs - samplerMs) / n,
        samplerMs: samplerMs / n,
        otherCores: Math.max(0, machine.busy - before.machine.busy - nodeMs - chromiumMs - ownMs) / wallMs,
      },
    };
  } catch (error) {
    const log = readFileSync(join(dir, "worker.log"), "utf8").split("\n");
    const problems = log.filter((line) => /"level":[456]0/.test(line)).slice(-10);
    console.error(`bench: ${fetcher} phase failed; last worker warnings/errors:\n${problems.join("\n")}`);
    throw error;
  } finally {
    await stopWorkers(children);
    await sampler.stop();
    await events.close();
    await eventsRedis.quit();
    await queues.close();
    await deletePrefix(redis, prefix);
    await redis.quit();
    if (process.env.BENCH_KEEP === undefined) rmSync(dir, { recursive: true, force: true });
    else console.error(`bench: kept ${dir}`);
  }
}

async function main(): Promise<void> {
  const dir = corpusDir();
  if (dir === null) {
    console.error(
      "bench:pipeline: corpus not found (set WECHAT_CORPUS_DIR or put ../shared beside the project)",
    );
    process.exit(2);
  }
  const templates = loadTemplates(dir);
  const warmups = Math.max(...Object.values(TUNING).map((t) => t.procs * t.concurrency * 2));
  const all = Array.from({ length: ARTICLES + warmups }, (_, n) => makeVariant(templates, n));
  // Proves the rewrite: the parser must read each template's variant as the new article.
  for (const variant of all.slice(0, templates.length)) checkVariant(variant);
  const variants = { batch: all.slice(0, ARTICLES), warmup: all.slice(ARTICLES) };
  const byMid = new Map(all.map((v) => [v.mid, v]));

  const mock = await startMockOrigin();
  mock.route(/^\/s\?/, (request) => {
    const variant = byMid.get(new URL(request.url, mock.origin).searchParams.get("mid") ?? "");
    if (variant === undefined)
      return { status: 404, body: "<html><body>bench: unknown article</body></html>" };
    const body = renderVariant(variant);
    return { body, headers: { "content-length": String(body.length) } };
  });
  const results: PhaseResult[] = [];
  try {
    for (const fetcher of ["http", "browser"] as const)
      results.push(await runPhase(fetcher, variants, mock.origin));
  } finally {
    await mock.close();
  }
  printReport(
    results,
    templates.map((t) => t.file),
  );
}

await main();
