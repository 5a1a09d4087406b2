/**
 * Output of `bench:pipeline`: a Markdown table per run (one row per fetcher, same run, same machine), the
 * browser/http ratios, what was counted, the targets of issue 3, and the machine-readable last line.
 */
import { availableParallelism, cpus } from "node:os";
import type { PssSample } from "./pipeline-support.ts";
import type { Tuning } from "./pipeline-worker.ts";

/** What one fetcher's phase measured. */
export interface PhaseResult {
  readonly fetcher: "http" | "browser";
  readonly tuning: Tuning;
  readonly articles: number;
  readonly perS: number;
  readonly p50: number;
  readonly p95: number;
  /** Peak PSS over the phase: worker node processes and their descendants (Chromium), in kB. */
  readonly peak: PssSample & { readonly samples: number };
  readonly stored: number;
  readonly files: number;
  readonly warmups: number;
  readonly cpu: {
    /** CPU of the worker node processes per article, ms. */
    readonly nodeMs: number;
    /** CPU of their Chromium processes per article, ms. */
    readonly chromiumMs: number;
    /** CPU of this process (mock origin, enqueue, QueueEvents) per article, ms, sampler excluded. */
    readonly driverMs: number;
    /** CPU of the PSS sampler per article, ms. */
    readonly samplerMs: number;
    /** CPU used by every other program on the machine meanwhile, in cores. */
    readonly otherCores: number;
  };
}

const mb = (kb: number) => (kb / 1024).toFixed(0);

/** Prints the report; the last line is `bench:pipeline http_per_s=… peak_pss_mb=…`. */
export function printReport(results: readonly PhaseResult[], pages: readonly string[]): void {
  const http = results.find((r) => r.fetcher === "http");
  const browser = results.find((r) => r.fetcher === "browser");
  if (http === undefined || browser === undefined) throw new Error("bench: missing a fetcher's results");
  const cores = availableParallelism();
  console.log(
    `bench:pipeline: ${http.articles} article jobs per fetcher, both fetchers in this run, ${cores} cores (${cpus()[0]?.model ?? "?"})`,
  );
  console.log(`pages: ${pages.join(", ")} in rotation, each URL rewritten to its own article identity`);
  console.log("");
  console.log(
    "| fetcher | procs × jobs (pages) | articles/s | p50 ms | p95 ms | peak PSS MB: total (node + Chromium) | CPU ms/article: node + Chromium | driver+mock / PSS sampler CPU ms/article | other programs' load, cores | stored / archive files |",
  );
  console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of results) {
    const t = r.tuning;
    const jobs = `${t.procs} × ${t.concurrency}${r.fetcher === "browser" ? ` (${t.pages})` : ""}`;
    const pss = `${mb(r.peak.totalKb)} (${mb(r.peak.nodeKb)} + ${mb(r.peak.otherKb)}; ${r.peak.processes} procs)`;
    const c = r.cpu;
    const cpu = `${(c.nodeMs + c.chromiumMs).toFixed(0)} (${c.nodeMs.toFixed(0)} + ${c.chromiumMs.toFixed(0)})`;
    console.log(
      `| ${r.fetcher} | ${jobs} | ${r.perS.toFixed(2)} | ${r.p50.toFixed(0)} | ${r.p95.toFixed(0)} | ${pss} | ${cpu} | ${c.driverMs.toFixed(0)} / ${c.samplerMs.toFixed(0)} | ${c.otherCores.toFixed(2)} | ${r.stored} / ${r.files} |`,
    );
  }
  const types = Object.entries(browser.peak.byType).sort((a, b) => b[1] - a[1]);
  console.log("");
  console.log(
    `browser peak, Chromium by process type (MB): ${types.map(([t, kb]) => `${t} ${mb(kb)}`).join(", ")}`,
  );
  console.log(
    `ratio browser/http: articles/s ${(browser.perS / http.perS).toFixed(3)}, p50 ${(browser.p50 / http.p50).toFixed(1)}×, p95 ${(browser.p95 / http.p95).toFixed(1)}×, CPU/article ${((browser.cpu.nodeMs + browser.cpu.chromiumMs) / (http.cpu.nodeMs + http.cpu.chromiumMs)).toFixed(1)}×`,
  );
  console.log(
    `counted: articles/s = jobs / (first enqueue → last BullMQ finishedOn); p50/p95 = enqueueArticle → job finished (stored in Redis and archived), all ${http.articles} enqueued at once so queueing is included; ${http.warmups} warm-up jobs per fetcher (browser launch, JIT) before, untimed; fetch.minIntervalMs and jitterMs 0; PSS sampled every 200 ms over the whole phase; stored counts warm-ups too`,
  );
  const ok = (pass: boolean) => (pass ? "ok" : "MISSED");
  console.log(
    `targets (issue 3): http >= 25/s ${ok(http.perS >= 25)}; browser >= 2.5/s ${ok(browser.perS >= 2.5)}; peak PSS with the browser <= 700 MB ${ok(browser.peak.totalKb / 1024 <= 700)}`,
  );
  console.log(
    `bench:pipeline http_per_s=${http.perS.toFixed(2)} browser_per_s=${browser.perS.toFixed(2)} http_p95_ms=${http.p95.toFixed(0)} browser_p95_ms=${browser.p95.toFixed(0)} peak_pss_mb=${mb(browser.peak.totalKb)}`,
  );
}
