/**
 * Worker processes of `bench:pipeline`: this file is both the child entry (run by `fork` with the node
 * flags of `npm start`: the service with the worker role only, exactly as `wechat-feed start --role
 * worker` wires it, stopped by a "stop" message) and the parent-side helpers that write the child's
 * config, start and stop the children, and wait for a set of BullMQ jobs. Running workers in their own
 * processes keeps the mock origin and the driver out of the measured memory and CPU.
 */
import { type ChildProcess, fork } from "node:child_process";
import { closeSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { QueueEvents } from "bullmq";
import { loadConfig } from "../src/config/load.ts";
import { createLogger } from "../src/logger.ts";
import { startService } from "../src/main.ts";
import { startNodeFlags } from "../test/support/cli-command.ts";

/** How the workers of one fetcher are run. */
export interface Tuning {
  /** Worker processes. */
  readonly procs: number;
  /** `worker.concurrency`: jobs each process runs at once. */
  readonly concurrency: number;
  /** `browser.concurrency`: pages open at once in each process's Chromium. */
  readonly pages: number;
}

/** Writes the YAML config of one phase's workers into `dir`; returns its path. */
export function writeWorkerConfig(
  dir: string,
  settings: { fetcher: "http" | "browser"; redisUrl: string; prefix: string; origin: string; tuning: Tuning },
): string {
  const path = join(dir, "bench.yaml");
  const { fetcher, redisUrl, prefix, origin, tuning } = settings;
  const lines = [
    `redis: { url: "${redisUrl}", prefix: "${prefix}" }`,
    `dataDir: "${join(dir, "data")}"`,
    // The 5 s politeness interval (and its jitter) would cap any fetcher at 0.2/s: the bench measures
    // the pipeline's capacity. One attempt: a failed job fails the bench instead of hiding in retries.
    `fetch: { fetcher: ${fetcher}, origin: "${origin}", minIntervalMs: 0, jitterMs: 0, attempts: 1 }`,
    `worker: { concurrency: ${tuning.concurrency} }`,
    `browser: { concurrency: ${tuning.pages} }`,
    // info, as in production: one log line per job is part of the cost.
    "log: { level: info }",
    "",
  ];
  writeFileSync(path, lines.join("\n"));
  return path;
}

/** Forks `count` worker processes on `configPath`, logs to `logPath`; resolves once all are ready. */
export async function startWorkers(
  configPath: string,
  logPath: string,
  count: number,
): Promise<ChildProcess[]> {
  const log = openSync(logPath, "a");
  const extraArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const startFlags = startNodeFlags();
  const children = Array.from({ length: count }, () =>
    fork(fileURLToPath(import.meta.url), ["--worker"], {
      // As `npm start` runs the service; BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"
      // profiles the workers.
      execArgv: ["--import", "tsx", ...startFlags, ...extraArgs],
      env: { ...process.env, WECHAT_FEED_CONFIG: configPath },
      stdio: ["ignore", log, "inherit", "ipc"],
    }),
  );
  closeSync(log);
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve, reject) => {
          child.once("message", () => resolve());
          child.once("exit", (code) => reject(new Error(`bench: worker exited early (${code})`)));
        }),
    ),
  );
  return children;
}

/** Asks each child to shut down (SIGKILL after 30 s); resolves when all have exited. */
export async function stopWorkers(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const kill = setTimeout(() => child.kill("SIGKILL"), 30_000);
          child.once("exit", () => {
            clearTimeout(kill);
            resolve();
          });
          if (child.connected) child.send("stop");
          else child.kill("SIGKILL");
        }),
    ),
  );
}

/** Resolves, once every id in `ids` completed or failed, with the failed ones and their reasons. */
export function waitForJobs(
  events: QueueEvents,
  ids: ReadonlySet<string>,
  timeoutMs: number,
): Promise<Map<string, string>> {
  const pending = new Set(ids);
  const failed = new Map<string, string>();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bench: ${pending.size} jobs unfinished`)), timeoutMs);
    const done = (id: string) => {
      if (!pending.delete(id) || pending.size > 0) return;
      clearTimeout(timer);
      resolve(failed);
    };
    events.on("completed", ({ jobId }) => done(jobId));
    events.on("failed", ({ jobId, failedReason }) => {
      if (pending.has(jobId)) failed.set(jobId, failedReason);
      done(jobId);
    });
  });
}

/** Child mode: the service with the worker role, until the parent says "stop". */
async function runWorker(): Promise<void> {
  const config = loadConfig({ env: process.env, cwd: process.cwd() });
  const logger = createLogger({ level: config.log.level });
  const service = await startService(config, new Set(["worker"]), logger);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void service.stop(15_000).then(() => process.exit(0));
  };
  process.on("message", (message) => {
    if (message === "stop") stop();
  });
  // The parent died: do not leave a worker (and its Chromium) behind.
  process.on("disconnect", stop);
  process.send?.("ready");
}

if (process.argv.includes("--worker")) await runWorker();
