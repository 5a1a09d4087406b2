/**
 * Quick timing of parseArticle alone (no document rendering) over every corpus page: each page's
 * time is the median of ROUNDS runs after a warm-up; prints per-page times and p50/p95 over pages.
 * Run: node --import tsx bench/parse-article-timing.ts   (not a test; needs the shared corpus)
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArticle } from "../src/parsers/wechat-article.ts";
import { corpusDir } from "../test/support/corpus.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const dir = corpusDir();
if (dir === null) {
  console.error("parse-article-timing: corpus not found (set WECHAT_CORPUS_DIR)");
  process.exit(2);
}
const pages = readdirSync(dir)
  .filter((f) => f.endsWith(".html"))
  .sort()
  .map((file) => ({ file, html: readFileSync(join(dir, file), "utf8") }));

function runOnce(html: string): void {
  try {
    parseArticle(html);
  } catch {
    // failure pages throw WeChatPageError by design; their time counts too
  }
}

function percentile(sorted: readonly number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

for (let i = 0; i < 3; i++) for (const page of pages) runOnce(page.html);
const times: number[] = [];
for (const page of pages) {
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    runOnce(page.html);
    rounds.push(performance.now() - t0);
  }
  rounds.sort((a, b) => a - b);
  const ms = percentile(rounds, 50);
  times.push(ms);
  console.log(`${page.file.padEnd(40)} ${(page.html.length / 1e6).toFixed(2)} Mchars ${ms.toFixed(2)} ms`);
}
times.sort((a, b) => a - b);
console.log(
  `pages=${times.length} p50_ms=${percentile(times, 50).toFixed(2)} p95_ms=${percentile(times, 95).toFixed(2)} max_ms=${(times.at(-1) ?? 0).toFixed(2)}`,
);
