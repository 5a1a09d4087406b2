/**
 * `npm run bench:feed`: requests/s of our server's `/feed.xml`, `/feed.atom` and `/feed.json` (200, and
 * 304 with If-None-Match), each beside a plain static file server (node:http + fs: stat, ETag from size and mtime, stream the file, the way
 * `serve-static` does) serving the same bytes, in the same run. The servers run in a child process (this
 * file with `--serve`) so autocannon, in this process, does not steal their event loop; on a 2-core
 * machine that is one core each. Besides requests/s the table shows the server process's CPU time per
 * request, which background load on a shared machine distorts much less. A unique Redis prefix is seeded with 50 articles (corpus documents when
 * the corpus is present, else generated ones) and deleted at the end. Targets: ≥ 0.5× static for 200,
 * ≥ 0.8× for 304, for each format. Prints a table, then one machine-readable last line.
 *
 * Env: BENCH_DURATION (one-second slices per side, default 5), BENCH_CONNECTIONS (default 10), REDIS_URL.
 */
import { type ChildProcess, fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { createLogger } from "../src/logger.ts";
import { createHttpServer } from "../src/server/app.ts";
import { createArticleStore } from "../src/store/article-store.ts";
import { createSourceState } from "../src/store/source-state.ts";
import { corpusDir } from "../test/support/corpus.ts";
import { deletePrefix, testRedisUrl } from "../test/support/redis.ts";
import { corpusArticles, makeArticle } from "../test/support/seed-articles.ts";

interface AutocannonResult {
  readonly requests: { readonly average: number; readonly total: number };
  readonly latency: { readonly p50: number; readonly p99: number };
  readonly throughput: { readonly average: number };
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly "2xx": number;
  readonly "3xx": number;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
}) => Promise<AutocannonResult>;
// autocannon ships no types; this is the slice of its programmatic API the bench uses.
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

const ARTICLES = 50;
const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

/** The static copies the file server serves, by name, with their content types. */
const STATIC_TYPES: Readonly<Record<string, string>> = {
  "feed.xml": "application/rss+xml; charset=utf-8",
  "feed.atom": "application/atom+xml; charset=utf-8",
  "feed.json": "application/feed+json; charset=utf-8",
};

/** Items in a feed body of each format (the bench checks every format lists every article). */
const countItems: Readonly<Record<string, (body: string) => number>> = {
  xml: (body) => body.split("<item>").length - 1,
  atom: (body) => body.split("<entry>").length - 1,
  json: (body) => (JSON.parse(body) as { items: unknown[] }).items.length,
};

interface Ports {
  readonly app: number;
  readonly static: number;
}

/** Child mode: our server and the static server, ports reported over IPC, stopped by a message. */
async function serve(prefix: string, dataDir: string): Promise<void> {
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  const store = createArticleStore(redis, prefix);
  const app = createHttpServer({
    settings: {
      prefix,
      host: "127.0.0.1",
      port: 0,
      publicUrl: "http://127.0.0.1",
      feeds: { limit: ARTICLES, title: "bench" },
      imageProxy: { enabled: false },
      digest: { schedule: "0 8 * * *", timezone: "Asia/Shanghai" },
      dataDir,
    },
    store,
    sourceState: createSourceState(redis, prefix),
    redis,
    logger: createLogger({ level: "warn" }),
    enqueue: () => Promise.reject(new Error("bench: enqueue is not used")),
  });
  const { port } = await app.listen();

  const staticServer = createServer((req, res) => {
    const name = (req.url ?? "").slice(1);
    const type = STATIC_TYPES[name];
    if (type === undefined) {
      res.writeHead(404).end();
      return;
    }
    const file = join(dataDir, "public", name);
    stat(file).then(
      (st) => {
        const etag = `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
        const common = {
          ETag: etag,
          "Last-Modified": st.mtime.toUTCString(),
          "Cache-Control": "public, max-age=300",
        };
        if (req.headers["if-none-match"] === etag) {
          res.writeHead(304, common).end();
          return;
        }
        res.writeHead(200, {
          ...common,
          "Content-Type": type,
          "Content-Length": st.size,
        });
        createReadStream(file).pipe(res);
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => staticServer.listen(0, "127.0.0.1", resolve));
  const ports: Ports = { app: port, static: (staticServer.address() as AddressInfo).port };
  process.send?.(ports);
  // "cpu" answers this process's CPU time so far (µs), for a per-request cost that background load on a
  // shared machine distorts far less than requests/s; anything else stops the servers.
  process.on("message", (message) => {
    if (message === "cpu") {
      const usage = process.cpuUsage();
      process.send?.({ cpu: usage.user + usage.system });
      return;
    }
    staticServer.close();
    staticServer.closeAllConnections();
    void app
      .close()
      .then(() => redis.quit())
      .then(() => process.exit(0));
  });
}

/** 50 articles: corpus documents (cloned under new keys to reach the count) or generated ones. */
function seedArticles(): ReturnType<typeof makeArticle>[] {
  const base = Date.now() - 3 * 86_400_000;
  const dir = corpusDir();
  const corpus =
    dir === null ? [] : corpusArticles(dir, ["bench-a", "bench-b", "bench-c"], base).map((c) => c.article);
  return Array.from({ length: ARTICLES }, (_, i) => {
    const model = corpus[i % Math.max(corpus.length, 1)];
    const key = `bench-${String(i).padStart(3, "0")}`;
    if (model === undefined) {
      return makeArticle({
        key,
        title: `基准文章 ${i}`,
        sourceId: `bench-${"abc"[i % 3]}`,
        publishedAt: new Date(base - i * 3_600_000).toISOString(),
        storedAt: base + i,
        text: "正文段落。".repeat(400),
      });
    }
    return {
      ...model,
      key,
      title: `${model.title} #${i}`,
      publishedAt: base - i * 3_600_000,
      storedAt: base + i,
    };
  });
}

/** One side of a comparison, summarized over its slices. */
interface Summary {
  /** Median requests/s of the one-second slices. */
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly mbps: number;
  readonly count2xx: number;
  readonly count3xx: number;
  readonly non2xx: number;
  readonly failures: number;
  /** Server process CPU time per request (µs), over all slices. */
  readonly cpuUs: number;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

interface Slice {
  readonly result: AutocannonResult;
  /** Server CPU µs spent during the slice. */
  readonly cpu: number;
}

function summarize(measured: readonly Slice[]): Summary {
  const slices = measured.map((m) => m.result);
  const requests = slices.reduce((n, r) => n + r.requests.total, 0);
  return {
    cpuUs: measured.reduce((n, m) => n + m.cpu, 0) / Math.max(requests, 1),
    rps: Math.round(median(slices.map((r) => r.requests.average))),
    p50: median(slices.map((r) => r.latency.p50)),
    p99: median(slices.map((r) => r.latency.p99)),
    mbps: median(slices.map((r) => r.throughput.average)) / 1e6,
    count2xx: slices.reduce((n, r) => n + r["2xx"], 0),
    count3xx: slices.reduce((n, r) => n + r["3xx"], 0),
    non2xx: slices.reduce((n, r) => n + r.non2xx, 0),
    failures: slices.reduce((n, r) => n + r.errors + r.timeouts, 0),
  };
}

/**
 * Runs two targets in alternating one-second slices (A B B A ...) after a warm-up, so background load
 * on a shared machine hits both alike; each side is summarized by its median slice.
 */
async function compare(
  serverCpu: () => Promise<number>,
  a: { readonly url: string; readonly headers: Record<string, string> },
  b: { readonly url: string; readonly headers: Record<string, string> },
): Promise<[Summary, Summary]> {
  const once = (t: typeof a, duration: number) =>
    autocannon({ url: t.url, connections: CONNECTIONS, duration, headers: t.headers });
  await once(a, 1);
  await once(b, 1);
  const slicesA: Slice[] = [];
  const slicesB: Slice[] = [];
  for (let i = 0; i < DURATION; i++) {
    const order = i % 2 === 0 ? ([a, b] as const) : ([b, a] as const);
    for (const t of order) {
      const before = await serverCpu();
      const result = await once(t, 1);
      const cpu = (await serverCpu()) - before;
      (t === a ? slicesA : slicesB).push({ result, cpu });
    }
  }
  return [summarize(slicesA), summarize(slicesB)];
}

/** The four runs of one format. */
interface FormatResult {
  readonly ext: string;
  readonly bytes: number;
  readonly ok: Summary;
  readonly staticOk: Summary;
  readonly notModified: Summary;
  readonly staticNotModified: Summary;
}

const row = (label: string, r: Summary, base: Summary) =>
  `| ${label.padEnd(19)} | ${String(r.rps).padStart(7)} | ${r.p50.toFixed(1).padStart(6)} | ${r.p99.toFixed(1).padStart(6)} | ${r.mbps.toFixed(1).padStart(6)} | ${r.cpuUs.toFixed(0).padStart(11)} | ${(r.rps / base.rps).toFixed(2).padStart(7)} |`;

/** Checks both servers send the same feed of every article, then measures 200s and 304s of `/feed.<ext>`. */
async function benchFormat(
  ext: string,
  ports: Ports,
  serverCpu: () => Promise<number>,
): Promise<FormatResult> {
  const appUrl = `http://127.0.0.1:${ports.app}/feed.${ext}`;
  const staticUrl = `http://127.0.0.1:${ports.static}/feed.${ext}`;
  const [appRes, staticRes] = await Promise.all([fetch(appUrl), fetch(staticUrl)]);
  const [appBody, staticBody] = await Promise.all([appRes.arrayBuffer(), staticRes.arrayBuffer()]);
  if (!Buffer.from(appBody).equals(Buffer.from(staticBody)))
    throw new Error(`bench: the servers differ on .${ext}`);
  const items = countItems[ext]?.(Buffer.from(appBody).toString("utf8"));
  if (items !== ARTICLES) throw new Error(`bench: feed.${ext} has ${items} items, expected ${ARTICLES}`);
  const inm = (res: Response) => ({ "If-None-Match": res.headers.get("etag") ?? "" });
  const [ok, staticOk] = await compare(
    serverCpu,
    { url: appUrl, headers: {} },
    { url: staticUrl, headers: {} },
  );
  const [notModified, staticNotModified] = await compare(
    serverCpu,
    { url: appUrl, headers: inm(appRes) },
    { url: staticUrl, headers: inm(staticRes) },
  );
  const runs = { ok, staticOk, notModified, staticNotModified };
  for (const [name, r] of Object.entries(runs)) {
    const expect304 = name.endsWith("otModified");
    const right = expect304 ? r.count3xx > 0 && r.count2xx === 0 : r.count2xx > 0 && r.non2xx === 0;
    if (!right || r.failures > 0) {
      throw new Error(`bench: .${ext} ${name} had errors or wrong statuses: ${JSON.stringify(r)}`);
    }
  }
  return { ext, bytes: appBody.byteLength, ...runs };
}

async function main(): Promise<void> {
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  const prefix = `bench-${randomUUID()}`;
  const dataDir = mkdtempSync(join(tmpdir(), "wf-bench-feed-"));
  let child: ChildProcess | null = null;
  try {
    const store = createArticleStore(redis, prefix);
    for (const article of seedArticles()) await store.saveArticle(article);
    const self = fileURLToPath(import.meta.url);
    const spawned = fork(self, ["--serve", prefix, dataDir], { execArgv: ["--import", "tsx"] });
    child = spawned;
    const ports = await new Promise<Ports>((resolve, reject) => {
      spawned.once("message", (m) => resolve(m as Ports));
      spawned.once("exit", (code) => reject(new Error(`bench: server process exited (${code})`)));
    });
    const serverCpu = () =>
      new Promise<number>((resolve) => {
        spawned.once("message", (m) => resolve((m as { cpu: number }).cpu));
        spawned.send("cpu");
      });
    const results: FormatResult[] = [];
    for (const ext of Object.keys(countItems)) results.push(await benchFormat(ext, ports, serverCpu));
    console.log(
      `bench:feed ${ARTICLES} items, ${CONNECTIONS} connections, ${DURATION} × 1 s slices per side (median), load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );
    console.log("| run                 |   req/s | p50 ms | p99 ms |   MB/s | CPU µs/req | ×static |");
    console.log("|---------------------|---------|--------|--------|--------|------------|---------|");
    for (const r of results) {
      console.log(row(`app /feed.${r.ext} 200`, r.ok, r.staticOk));
      console.log(row(`static 200`, r.staticOk, r.staticOk));
      console.log(row(`app /feed.${r.ext} 304`, r.notModified, r.staticNotModified));
      console.log(row(`static 304`, r.staticNotModified, r.staticNotModified));
    }
    const verdict = (ratio: number, target: number) =>
      `${ratio.toFixed(2)}: ${ratio >= target ? "met" : "MISSED"}`;
    for (const r of results) {
      const okRatio = r.ok.rps / r.staticOk.rps;
      const nmRatio = r.notModified.rps / r.staticNotModified.rps;
      console.log(
        `targets ${r.ext} (${r.bytes} bytes): 200 ≥ 0.5× static (${verdict(okRatio, 0.5)}), 304 ≥ 0.8× static (${verdict(nmRatio, 0.8)})`,
      );
    }
    const fields = results.flatMap((r) => [
      `${r.ext}_ok_rps=${r.ok.rps}`,
      `${r.ext}_not_modified_rps=${r.notModified.rps}`,
      `${r.ext}_static_rps=${r.staticOk.rps}`,
      `${r.ext}_static_not_modified_rps=${r.staticNotModified.rps}`,
    ]);
    console.log(`bench:feed ${fields.join(" ")}`);
  } finally {
    if (child !== null && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once("exit", resolve));
      child.send("stop");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null) child.kill();
    }
    await deletePrefix(redis, prefix);
    await redis.quit();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--serve") await serve(process.argv[3] ?? "", process.argv[4] ?? "");
else await main();
