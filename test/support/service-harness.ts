/**
 * Runs the real service the way an operator does, for the pipeline integration tests: a temp dir
 * with a YAML config written from an object, an environment with its own REDIS_PREFIX and DATA_DIR,
 * and `node bin/wechat-feed.js …` children (`start --role …` kept running, one-shot commands awaited).
 * Children are spawned asynchronously (never execFileSync/spawnSync: the mock WeChat origin runs in
 * the test process and must keep answering), their JSON log lines are collected, and `stop()` sends
 * SIGTERM and fails when the child does not exit within the given bound. Each child leads its own
 * process group, so `cleanup()` also ends a Chromium it leaves behind.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { Dirent } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parse as parseYaml, stringify } from "yaml";
import { loadConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/schema.ts";
import { type ExitInfo, killGroup, type ServiceChild, superviseChild } from "./child-process.ts";
import { ensureDist } from "./dist.ts";
import { testRedisUrl } from "./redis.ts";

export { type ExitInfo, type LogLine, type ServiceChild, waitFor } from "./child-process.ts";

/** The project root (the children's working directory). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = join(PROJECT_ROOT, "bin", "wechat-feed.js");

/** A finished one-shot CLI command. */
export interface CliResult extends ExitInfo {
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

/** What a harness is made from. */
export interface HarnessOptions {
  /** The configuration object, written as YAML (redis url/prefix and dataDir come from the env). */
  readonly config: Record<string, unknown>;
  /** Default REDIS_URL, else redis://127.0.0.1:6379. */
  readonly redisUrl?: string;
  /** The key prefix (e.g. from createTestRedis); default a fresh `test-<uuid>`. */
  readonly prefix?: string;
  /** LOG_LEVEL of the children; default `info`. */
  readonly logLevel?: string;
}

/** A temp deployment: config file, data dir, env, and the children started from it. */
export interface ServiceHarness {
  readonly dir: string;
  readonly configPath: string;
  readonly dataDir: string;
  readonly prefix: string;
  readonly redisUrl: string;
  /** The environment children run with. */
  readonly env: Readonly<Record<string, string>>;
  /** The configuration as the service loads it (same file, same env). */
  loadConfig(): Config;
  /** Rewrites the config file. */
  writeConfig(config: Record<string, unknown>): Promise<void>;
  /** Runs a one-shot command (`enqueue …`, `poll …`) to its end; SIGKILLs it after `timeoutMs`. */
  runCli(
    args: readonly string[],
    options?: { timeoutMs?: number; env?: Record<string, string> },
  ): Promise<CliResult>;
  /** Spawns `start --role <role>` and waits for its "service started" line. */
  startRole(role: string, options?: SpawnOptions & { readyMs?: number }): Promise<ServiceChild>;
  /** Spawns a long-running command without waiting for anything. */
  spawnChild(args: readonly string[], options?: SpawnOptions): ServiceChild;
  /** Every .md and temp file under the data dir (relative paths, sorted). */
  listDataFiles(): Promise<string[]>;
  /** Kills every child still running (with its process group) and removes the temp dir. */
  cleanup(): Promise<void>;
}

/** How a child is spawned. */
export interface SpawnOptions {
  readonly name?: string;
  readonly env?: Record<string, string>;
  /** A command the node child is run under, e.g. `unshare --mount …` (it gets node's argv appended). */
  readonly launcher?: readonly string[];
}

/** The front matter of an archive document, parsed with the `yaml` package (throws when absent). */
export function parseFrontMatter(document: string): Record<string, unknown> {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(document);
  if (match?.[1] === undefined) throw new Error("document has no front matter");
  const value: unknown = parseYaml(match[1]);
  if (typeof value !== "object" || value === null) throw new Error("front matter is not a mapping");
  return value as Record<string, unknown>;
}

function childEnv(base: Record<string, string>, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...base, ...extra };
  // The test runner's markers would make a child think it is a test file.
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  return env;
}

async function walk(root: string, dir: string, out: string[]): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) await walk(root, full, out);
    else out.push(full.slice(root.length + 1));
  }
}

/** Creates the temp deployment (nothing is started yet). */
export async function createServiceHarness(options: HarnessOptions): Promise<ServiceHarness> {
  const dir = await mkdtemp(join(tmpdir(), "wf-service-"));
  const configPath = join(dir, "wechat-feed.yaml");
  const dataDir = join(dir, "data");
  await mkdir(dataDir, { recursive: true });
  const prefix = options.prefix ?? `test-${randomUUID()}`;
  const redisUrl = options.redisUrl ?? testRedisUrl();
  const env: Record<string, string> = {
    WECHAT_FEED_CONFIG: configPath,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    DATA_DIR: dataDir,
    LOG_LEVEL: options.logLevel ?? "info",
  };
  await ensureDist();
  const children: ServiceChild[] = [];
  const writeConfig = (config: Record<string, unknown>) => writeFile(configPath, stringify(config));
  await writeConfig(options.config);

  const spawnChild = (args: readonly string[], opts: SpawnOptions = {}) => {
    const argv = [...(opts.launcher ?? []), process.execPath, BIN, ...args];
    const proc = spawn(argv[0] ?? process.execPath, argv.slice(1), {
      cwd: PROJECT_ROOT,
      env: childEnv(env, opts.env),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const child = superviseChild(opts.name ?? args.join(" "), proc);
    children.push(child);
    return child;
  };

  return {
    dir,
    configPath,
    dataDir,
    prefix,
    redisUrl,
    env,
    loadConfig: () => loadConfig({ env, cwd: PROJECT_ROOT }),
    writeConfig,
    spawnChild,
    async runCli(args, opts = {}) {
      const started = Date.now();
      const proc = spawn(process.execPath, [BIN, ...args], {
        cwd: PROJECT_ROOT,
        env: childEnv(env, opts.env),
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      proc.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString("utf8");
      });
      proc.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8");
      });
      const timeoutMs = opts.timeoutMs ?? 60_000;
      const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
      const exit = await new Promise<ExitInfo>((resolveExit) => {
        proc.on("close", (code, signal) => resolveExit({ code, signal }));
      });
      clearTimeout(timer);
      if (exit.signal === "SIGKILL") {
        throw new Error(`wechat-feed ${args.join(" ")}: killed after ${timeoutMs} ms; stderr:\n${stderr}`);
      }
      return { ...exit, stdout, stderr, durationMs: Date.now() - started };
    },
    async startRole(role, opts = {}) {
      const child = spawnChild(["start", "--role", role], { ...opts, name: opts.name ?? role });
      await child.waitForLog(
        (line) => line.msg === "service started",
        opts.readyMs ?? 60_000,
        "service started",
      );
      return child;
    },
    async listDataFiles() {
      const out: string[] = [];
      await walk(dataDir, dataDir, out);
      return out.sort();
    },
    async cleanup() {
      for (const child of children) {
        if (!child.hasExited()) child.kill("SIGKILL");
        // Chromium (and anything else) the child started lives in its process group.
        killGroup(child.pid);
      }
      await Promise.all(children.map((child) => Promise.race([child.exited, sleep(5000)])));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
