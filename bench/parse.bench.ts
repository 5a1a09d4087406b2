/**
 * `npm run bench:parse`: every corpus page through our parser to a rendered document, beside the
 * generic baseline a user would reach for (@mozilla/readability on jsdom + turndown with default
 * rules), in the same run. Prints a table and one machine-readable line for ../shared/corpus/wechat,
 * then the same, reported separately, for the extra templates of ../shared/corpus/wechat-more.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Readability } from "@mozilla/readability";
import { JSDOM, VirtualConsole } from "jsdom";
import TurndownService from "turndown";
import { isAppError } from "../src/errors.ts";
import type { PageClass } from "../src/model.ts";
import { buildDocument } from "../src/parsers/document.ts";
import { renderDocument } from "../src/parsers/front-matter.ts";
import { beijingDate, toIsoSeconds } from "../src/parsers/time.ts";
import { parseArticle } from "../src/parsers/wechat-article.ts";
import { corpusDir, moreCorpusDir } from "../test/support/corpus.ts";
import {
  compareExpectedFields,
  type ExpectedEntry,
  type ExtractedFields,
  fromParsedArticle,
  toExpectedStatus,
} from "../test/support/expected-fields.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const FETCHED_AT = new Date("2026-01-01T00:00:00Z");

const dir = corpusDir();
if (dir === null) {
  console.error("bench:parse: corpus not found (set WECHAT_CORPUS_DIR or put ../shared beside the project)");
  process.exit(2);
}
interface Page {
  readonly file: string;
  readonly html: string;
  readonly bytes: number;
}

/** A corpus directory's pages and expected values. */
function readCorpus(corpus: string): { pages: Page[]; expected: Map<string, ExpectedEntry> } {
  const files = readdirSync(corpus)
    .filter((f) => f.endsWith(".html"))
    .sort();
  const pages = files.map((file) => ({
    file,
    html: readFileSync(join(corpus, file), "utf8"),
    bytes: statSync(join(corpus, file)).size,
  }));
  const entries = JSON.parse(readFileSync(join(corpus, "expected.json"), "utf8")) as ExpectedEntry[];
  return { pages, expected: new Map(entries.map((e) => [e.file, e])) };
}

/** Our pipeline for one page: classify + extract + build + render; returns fields for scoring. */
function runOurs(html: string): ExtractedFields {
  try {
    const article = parseArticle(html);
    renderDocument(buildDocument(article, { fetchedAt: FETCHED_AT, fetchedUrl: article.canonicalUrl ?? "" }));
    return fromParsedArticle(article);
  } catch (error) {
    if (isAppError(error) && typeof error.details.pageClass === "string") {
      return { status: toExpectedStatus(error.details.pageClass as PageClass) };
    }
    throw error;
  }
}

const turndown = new TurndownService();
const silent = new VirtualConsole();

/** The generic baseline: Readability on jsdom, then turndown with default rules. */
function runBaseline(html: string): ExtractedFields {
  const dom = new JSDOM(html, { url: "https://mp.weixin.qq.com/s/bench", virtualConsole: silent });
  const result = new Readability(dom.window.document).parse();
  dom.window.close();
  if (result === null) return { status: "not-article" };
  const markdown = turndown.turndown(result.content ?? "");
  const published = result.publishedTime ? new Date(result.publishedTime) : null;
  const validDate = published !== null && !Number.isNaN(published.getTime()) ? published : null;
  return {
    status: "article",
    title: result.title ?? null,
    account: result.siteName ?? null,
    author: result.byline || null,
    publishedAt: validDate ? toIsoSeconds(validDate) : null,
    date: validDate ? beijingDate(validDate) : null,
    bodyNoSpace: (result.textContent ?? markdown).replace(/\s+/g, ""),
  };
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

function score(
  { pages, expected }: ReturnType<typeof readCorpus>,
  run: (html: string) => ExtractedFields,
): { ok: number; total: number; misses: string[] } {
  let ok = 0;
  let total = 0;
  const misses: string[] = [];
  for (const page of pages) {
    const want = expected.get(page.file);
    if (want === undefined) continue;
    for (const r of compareExpectedFields(want, run(page.html))) {
      total++;
      if (r.ok) ok++;
      else misses.push(`${page.file}:${r.field}`);
    }
  }
  return { ok, total, misses };
}

/** Times and scores one corpus, prints its table and its machine-readable line named `name`. */
function benchCorpus(name: string, corpus: ReturnType<typeof readCorpus>): void {
  const { pages } = corpus;
  // Warm up, then time every page ROUNDS times; each page's time is its median round.
  for (const page of pages) runOurs(page.html);
  const perPage: { file: string; bytes: number; ms: number }[] = [];
  for (const page of pages) {
    const rounds: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const t0 = performance.now();
      runOurs(page.html);
      rounds.push(performance.now() - t0);
    }
    rounds.sort((a, b) => a - b);
    perPage.push({ file: page.file, bytes: page.bytes, ms: percentile(rounds, 50) });
  }
  const baselinePerPage: number[] = [];
  for (const page of pages) {
    const t0 = performance.now();
    runBaseline(page.html);
    baselinePerPage.push(performance.now() - t0);
  }

  const ours = perPage.map((p) => p.ms).sort((a, b) => a - b);
  const base = [...baselinePerPage].sort((a, b) => a - b);
  const totalBytes = pages.reduce((sum, p) => sum + p.bytes, 0);
  const totalMs = perPage.reduce((sum, p) => sum + p.ms, 0);
  const oursScore = score(corpus, runOurs);
  const baseScore = score(corpus, runBaseline);
  const fmt = (n: number) => n.toFixed(2);

  console.log("| page | KB | ours ms | baseline ms |");
  console.log("|---|---:|---:|---:|");
  perPage.forEach((p, i) => {
    console.log(
      `| ${p.file} | ${Math.round(p.bytes / 1024)} | ${fmt(p.ms)} | ${fmt(baselinePerPage[i] ?? Number.NaN)} |`,
    );
  });
  console.log("");
  console.log(`| | ours | baseline | ratio |`);
  console.log(`|---|---:|---:|---:|`);
  console.log(
    `| p50 ms | ${fmt(percentile(ours, 50))} | ${fmt(percentile(base, 50))} | ${fmt(percentile(base, 50) / percentile(ours, 50))}× |`,
  );
  console.log(
    `| p95 ms | ${fmt(percentile(ours, 95))} | ${fmt(percentile(base, 95))} | ${fmt(percentile(base, 95) / percentile(ours, 95))}× |`,
  );
  console.log(
    `| MB/s | ${fmt(totalBytes / 1e6 / (totalMs / 1000))} | ${fmt(totalBytes / 1e6 / (baselinePerPage.reduce((a, b) => a + b, 0) / 1000))} | |`,
  );
  console.log(
    `| expected fields right | ${oursScore.ok}/${oursScore.total} | ${baseScore.ok}/${baseScore.total} | |`,
  );
  if (oursScore.misses.length > 0) console.log(`ours missed: ${oursScore.misses.join(", ")}`);
  console.log(
    `${name} p50_ms=${fmt(percentile(ours, 50))} p95_ms=${fmt(percentile(ours, 95))} mb_per_s=${fmt(totalBytes / 1e6 / (totalMs / 1000))} baseline_p50_ms=${fmt(percentile(base, 50))} fields_ok=${oursScore.ok}/${oursScore.total} baseline_fields_ok=${baseScore.ok}/${baseScore.total}`,
  );
}

benchCorpus("bench:parse", readCorpus(dir));
const more = moreCorpusDir();
if (more === null) {
  console.log("bench:parse:more skipped: ../shared/corpus/wechat-more not found");
} else {
  console.log("");
  benchCorpus("bench:parse:more", readCorpus(more));
}
