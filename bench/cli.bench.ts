/**
 * `npm run bench:cli`: how fast `wechat-feed` answers as a user runs it, each call a fresh process
 * (spawned repeatedly, like hyperfine): `--help`, `--version`, and `parse` of a corpus page, from the
 * compiled dist/ that bin/wechat-feed.js runs. The baseline, in the same run, is the old way: the
 * sources through tsx with every command imported at start (bench/cli-eager-entry.ts). Wall time is
 * the median of the runs; peak RSS comes from /usr/bin/time (the child's max resident set). Prints a
 * table, then one machine-readable line.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { PROJECT_ROOT } from "../test/support/cli-command.ts";
import { corpusDir } from "../test/support/corpus.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const WARMUP = 2;
const TIME = "/usr/bin/time";
const PAGE = "01-article.html";

const dir = corpusDir();
if (dir === null) {
  console.error("bench:cli: corpus not found (set WECHAT_CORPUS_DIR or put ../shared beside the project)");
  process.exit(2);
}
if (!existsSync(TIME)) {
  console.error(`bench:cli: ${TIME} not found (apt-get install time): it measures the peak RSS`);
  process.exit(2);
}
const build = spawnSync(process.execPath, [join(PROJECT_ROOT, "scripts", "build.js"), "--if-stale"], {
  stdio: "inherit",
});
if (build.status !== 0) process.exit(1);

const NEW = [join(PROJECT_ROOT, "bin", "wechat-feed.js")];
const OLD = ["--import", "tsx", join(PROJECT_ROOT, "bench", "cli-eager-entry.ts")];
const page = join(dir, PAGE);

function run(argv: string[]): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, argv, {
    cwd: PROJECT_ROOT,
    stdio: ["ignore", "ignore", "pipe"],
  });
  const ms = performance.now() - started;
  if (result.status !== 0)
    throw new Error(`bench:cli: ${argv.join(" ")} exited ${result.status}: ${result.stderr}`);
  return ms;
}

function peakRssMb(argv: string[]): number {
  const result = spawnSync(TIME, ["-f", "%M", process.execPath, ...argv], {
    cwd: PROJECT_ROOT,
    stdio: ["ignore", "ignore", "pipe"],
  });
  const kb = Number(result.stderr.toString("utf8").trim().split("\n").at(-1));
  if (result.status !== 0 || !Number.isFinite(kb))
    throw new Error(`bench:cli: ${TIME} ${argv.join(" ")} failed`);
  return kb / 1024;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

interface Measure {
  readonly ms: number;
  readonly rssMb: number;
}

function measure(argv: string[]): Measure {
  for (let i = 0; i < WARMUP; i++) run(argv);
  const times = Array.from({ length: RUNS }, () => run(argv));
  const rss = Array.from({ length: 3 }, () => peakRssMb(argv));
  return { ms: median(times), rssMb: median(rss) };
}

const cases: ReadonlyArray<readonly [string, string[]]> = [
  ["--help", ["--help"]],
  ["--version", ["--version"]],
  [`parse ${PAGE}`, ["parse", page]],
];
const fmt = (n: number) => n.toFixed(0);
console.log(`node ${process.version}, ${RUNS} runs each (median wall time), peak RSS from ${TIME}`);
console.log("| command | dist (ms) | dist RSS (MB) | tsx, eager (ms) | tsx, eager RSS (MB) |");
console.log("|---|---:|---:|---:|---:|");
const results = new Map<string, Measure>();
for (const [name, args] of cases) {
  const ours = measure([...NEW, ...args]);
  const old = measure([...OLD, ...args]);
  results.set(name, ours);
  console.log(`| \`${name}\` | ${fmt(ours.ms)} | ${fmt(ours.rssMb)} | ${fmt(old.ms)} | ${fmt(old.rssMb)} |`);
}
const help = results.get("--help") ?? { ms: Number.NaN, rssMb: Number.NaN };
const parse = results.get(`parse ${PAGE}`) ?? { ms: Number.NaN, rssMb: Number.NaN };
console.log(`bench:cli help_ms=${fmt(help.ms)} help_rss_mb=${fmt(help.rssMb)} parse_ms=${fmt(parse.ms)}`);
