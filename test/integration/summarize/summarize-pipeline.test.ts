/**
 * Summaries in the running service: a `start --role worker` child over real Redis fetches corpus
 * articles from the mock WeChat origin and queues a `summarize-article` job for each stored article; a
 * local OpenAI-compatible stand-in answers (or hangs). Checked: articles are fetched and stored while
 * the endpoint hangs (the summary job waits, ingest does not); each article gets exactly one summary
 * document; the queue retries a 429 only after its Retry-After and a 500 with backoff; a source with
 * `summarize: false` costs no request; the API key (from SUMMARIZE_API_KEY) never reaches a log line;
 * `article.new` waits for the summary and carries it (an opted-out source's goes out at once, without).
 */
import assert from "node:assert/strict";
import { readdir, readFile, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { readSummaryDocument } from "../../../src/parsers/summary-document.ts";
import { createArticleStore } from "../../../src/store/article-store.ts";
import { summaryPath } from "../../../src/store/summary-store.ts";
import { type ChatReply, type ChatStandIn, startChatStandIn } from "../../support/chat-stand-in.ts";
import { corpusDir, skipReason } from "../../support/corpus.ts";
import {
  type CorpusArticle,
  readCorpusArticles,
  routeCorpusArticles,
} from "../../support/corpus-articles.ts";
import { type MockOrigin, startMockOrigin } from "../../support/mock-wechat-origin.ts";
import { createTestRedis, type TestRedis } from "../../support/redis.ts";
import {
  createServiceHarness,
  type ServiceChild,
  type ServiceHarness,
  waitFor,
} from "../../support/service-harness.ts";

const dir = corpusDir();
const WX = "https://mp.weixin.qq.com";
const NEVER = "0 0 1 1 *";
const MODEL = "stand-in-model";
const API_KEY = "sk-pipeline-secret-42";

const urlOf = (a: CorpusArticle) => `${WX}/s?__biz=${a.biz}&mid=${a.mid}&idx=${a.idx}&sn=${a.sn}`;
const normal = (r: { kind: string }): ChatReply =>
  r.kind === "summary" ? { mode: "ok", text: "这是一段摘要。" } : { mode: "ok", text: "AI" };

describe("summaries in the running worker", { skip: skipReason(dir, "WeChat corpus") }, () => {
  let t: TestRedis;
  let mock: MockOrigin;
  let standIn: ChatStandIn;
  let h: ServiceHarness;
  let worker: ServiceChild;
  let articles: CorpusArticle[];
  let hooks: Server;
  const announced: { key: string; summary: unknown; category: unknown; at: number }[] = [];

  before(async () => {
    hooks = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        const event = JSON.parse(body) as { key: string; summary: unknown; category: unknown };
        announced.push({ key: event.key, summary: event.summary, category: event.category, at: Date.now() });
        res.writeHead(200).end("{}");
      });
    });
    await new Promise<void>((resolve) => hooks.listen(0, "127.0.0.1", resolve));
    const hookHost = `127.0.0.1:${(hooks.address() as AddressInfo).port}`;
    t = await createTestRedis();
    mock = await startMockOrigin();
    standIn = await startChatStandIn(MODEL, API_KEY);
    articles = (dir === null ? [] : readCorpusArticles(dir)).slice(0, 5);
    assert.equal(articles.length, 5, "five corpus articles with a full identity");
    routeCorpusArticles(mock, articles);
    const [a, b, c, d, e] = articles as [
      CorpusArticle,
      CorpusArticle,
      CorpusArticle,
      CorpusArticle,
      CorpusArticle,
    ];
    h = await createServiceHarness({
      prefix: t.prefix,
      config: {
        server: { host: "127.0.0.1", opsPort: 0 },
        fetch: {
          fetcher: "http",
          origin: mock.origin,
          minIntervalMs: 0,
          jitterMs: 0,
          // A local model, allowed the way README says: its host:port in the private-host list.
          allowedPrivateHosts: [standIn.host, hookHost],
        },
        notify: [{ id: "news", type: "webhook", url: `http://${hookHost}/hook`, events: ["article.new"] }],
        summarize: {
          enabled: true,
          baseUrl: standIn.baseUrl,
          model: MODEL,
          categories: ["Technology", "AI", "Others"],
          timeoutMs: 120_000,
          backoffMs: 200,
          concurrency: 1,
        },
        sources: [
          { id: "hang", type: "urls", urls: [urlOf(a), urlOf(b)], schedule: NEVER },
          { id: "main", type: "urls", urls: [urlOf(c), urlOf(d)], schedule: NEVER },
          { id: "quiet", type: "urls", urls: [urlOf(e)], schedule: NEVER, summarize: false },
        ],
      },
    });
    worker = await h.startRole("worker", { env: { SUMMARIZE_API_KEY: API_KEY } });
  });
  after(async () => {
    await h?.cleanup();
    hooks?.close();
    await standIn?.close();
    await mock?.close();
    await t?.cleanup();
  });

  const store = () => createArticleStore(t.redis, t.prefix);
  const isFile = (path: string) =>
    stat(path).then(
      (s) => s.isFile(),
      () => false,
    );
  const summaryFiles = async () =>
    (await readdir(join(h.dataDir, "summaries"), { recursive: true, withFileTypes: true }).catch(() => []))
      .filter((e) => e.isFile() && e.name.endsWith(".md"))
      .map((e) => e.name);

  it("stores and archives articles while the endpoint hangs, then summarizes each once", async () => {
    const [a, b] = articles as [CorpusArticle, CorpusArticle];
    standIn.answer = () => ({ mode: "hang" });
    assert.equal((await h.runCli(["poll", "hang"])).code, 0);
    const archived = async (key: string) => {
      const stored = await store().readArticle(key);
      return stored !== null && (await isFile(stored.archivePath));
    };
    await waitFor(async () => (await archived(a.key)) && (await archived(b.key)), {
      timeoutMs: 60_000,
      what: "both articles stored and archived",
    });
    for (const key of [a.key, b.key]) {
      assert.equal((await store().readArticle(key))?.summary, undefined);
    }
    await waitFor(() => standIn.hanging() === 1, { timeoutMs: 30_000, what: "a summary request hanging" });
    // Both articles were stored while the first summary request hangs (concurrency 1: one request).
    assert.equal(standIn.requests.length, 1);
    assert.deepEqual(await summaryFiles(), []);
    assert.equal(announced.length, 0, "article.new waits for the summary");

    standIn.answer = normal;
    standIn.releaseHung(normal);
    await waitFor(async () => (await summaryFiles()).length === 2, {
      timeoutMs: 60_000,
      what: "two summaries",
    });
    for (const article of [a, b]) {
      const stored = await store().readArticle(article.key);
      assert.equal(stored?.summary?.category, "AI");
      const doc = readSummaryDocument(
        await readFile(summaryPath(h.dataDir, stored?.date ?? "", article.key), "utf8"),
      );
      assert.equal(doc?.summary, "这是一段摘要。");
      assert.equal(doc?.url, stored?.url);
    }
    await waitFor(() => announced.length === 2, { timeoutMs: 30_000, what: "two article.new events" });
    assert.deepEqual(
      announced.map((e) => [e.key, e.summary, e.category]).sort(),
      [a, b].map((x) => [x.key, "这是一段摘要。", "AI"]).sort(),
    );
  });

  it("retries 429 after Retry-After and 500 with backoff; an opted-out source costs nothing", async () => {
    const [, , c, d, e] = articles as CorpusArticle[] as [
      CorpusArticle,
      CorpusArticle,
      CorpusArticle,
      CorpusArticle,
      CorpusArticle,
    ];
    const start = standIn.requests.length;
    const script: ChatReply[] = [{ mode: "429", retryAfter: "2" }, { mode: "500" }];
    standIn.answer = (r, i) => script[i - start] ?? normal(r);
    assert.equal((await h.runCli(["poll", "main", "quiet"])).code, 0);
    await waitFor(async () => (await summaryFiles()).length === 4, {
      timeoutMs: 90_000,
      what: "four summaries",
    });
    await waitFor(async () => store().hasArticle(e.key), {
      timeoutMs: 30_000,
      what: "the quiet article stored",
    });
    const got = standIn.requests.slice(start);
    // Two jobs share the queue: the 429's own retry is the next request for the same article.
    const [limited, failed] = got as [(typeof got)[0], (typeof got)[0]];
    const retryOf = (first: typeof limited) => got.find((r) => r !== first && r.user === first.user);
    assert.ok(
      (retryOf(limited)?.at ?? 0) - limited.at >= 1900,
      "the retry after 429 waited Retry-After: 2 s",
    );
    assert.ok((retryOf(failed)?.at ?? 0) - failed.at >= 150, "the retry after 500 backed off");
    assert.equal(got.length, 2 + 2 * 2, "two failed tries, then two requests per article");
    assert.ok(!got.some((r) => r.user.includes((e.title ?? e.titleStartsWith ?? "\u0000").slice(0, 8))));
    assert.equal((await store().readArticle(e.key))?.summary, undefined);
    await waitFor(() => announced.some((x) => x.key === e.key), {
      timeoutMs: 30_000,
      what: "quiet announced",
    });
    assert.equal(
      announced.find((x) => x.key === e.key)?.summary,
      null,
      "opted out: announced without summary",
    );
    const names = await summaryFiles();
    assert.deepEqual(names.sort(), [articles[0], articles[1], c, d].map((x) => `${x?.key}.md`).sort());
    assert.deepEqual(standIn.badRequests, [], "every request had the expected shape and bearer token");
    assert.ok(!JSON.stringify(worker.logs).includes(API_KEY), "the API key never reaches a log line");
  });

  it("wechat-feed summarize: nothing left to do spends nothing; a bad date is one usage line", async () => {
    const before = standIn.requests.length;
    const run = await h.runCli(["summarize"], { env: { SUMMARIZE_API_KEY: API_KEY } });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stdout.trim().split("\n").at(-1),
      "summarize: candidates=0 summarized=0 failed=0 budget=ok",
    );
    assert.equal(standIn.requests.length, before);
    const bad = await h.runCli(["summarize", "--since", "2024/01/01"]);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr.trim(), 'wechat-feed: summarize: --since expects YYYY-MM-DD, got "2024/01/01"');
  });
});
