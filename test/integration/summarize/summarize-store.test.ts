/**
 * Summaries against real parts, in-process: real Redis (own prefix), real files in a temp data dir,
 * the real guarded client and a local OpenAI-compatible stand-in (test/support/chat-stand-in.ts) that
 * checks every request's shape. Covers importing picker's `summary/` files, the round trip of a
 * summary document through `import` (ours and picker's, same five values and category), the daily
 * budget, re-summarizing only edited articles, and retries on 429 (Retry-After) / 500 / malformed answers.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { pino } from "pino";
import { parse as parseYaml } from "yaml";
import { type Config, ConfigSchema } from "../../../src/config/schema.ts";
import { createSourceFilter } from "../../../src/config/summarize.ts";
import { createGuardedHttp, type GuardedHttp } from "../../../src/fetchers/guarded-http.ts";
import { importArchive } from "../../../src/jobs/import-archive.ts";
import { ingestDocument } from "../../../src/jobs/ingest.ts";
import { buildStoredDocument } from "../../../src/jobs/store-document.ts";
import { summarizeStored } from "../../../src/jobs/summarize-backfill.ts";
import { readSummaryDocument } from "../../../src/parsers/summary-document.ts";
import { createSummarizer } from "../../../src/roles/summarizer.ts";
import { createArchiveFiles } from "../../../src/store/archive.ts";
import { type ArticleStore, createArticleStore } from "../../../src/store/article-store.ts";
import {
  createSummaryStore,
  removeSummaryFile,
  summaryPath,
  writeSummaryFile,
} from "../../../src/store/summary-store.ts";
import { type ChatStandIn, startChatStandIn } from "../../support/chat-stand-in.ts";
import { createTestRedis, type TestRedis } from "../../support/redis.ts";

const MODEL = "stand-in-model";
const KEY = "sk-test-0123456789";
const CATEGORIES = ["Technology", "AI Security", "Web Security", "Others"];
const logger = pino({ level: "silent" });

/** A WeChat article document as picker's `daily/` files hold it (unquoted values). */
function articleDoc(n: number, title: string, body: string): { url: string; key: string; text: string } {
  const mid = String(2653046990 + n);
  const url = `https://mp.weixin.qq.com/s?__biz=MTMwNDMwODQ0MQ==&mid=${mid}&idx=1&sn=0f16a1981e543e20a01d5aae363bbc4${n}`;
  const text = `---\ntitle: ${title}\nurl: ${url}\nsource: 极客公园\ndate: 2024-07-09\nfetch_date: 2025-10-06T17:46:0${n}.915375\n---\n\n# ${title}\n\n${body}\n`;
  return { url, key: `1304308441-${mid}-1`, text };
}

/** A summary document exactly as picker's ai.py writes it: unquoted front matter, numbered links. */
function pickerSummary(title: string, url: string, n: number, category: string, summary: string): string {
  return `---\ntitle: ${title}\nurl: ${url}\nsource: 极客公园\ndate: 2024-07-09\nfetch_date: 2025-10-06T17:46:0${n}.915375\ncategory: ${category}\n---\n\n# ${title} - 摘要\n\n${summary}\n\n## 参考链接\n\n1. https://example.com/a\n2. https://example.com/b\n`;
}

/** The five front-matter values, the category and the summary text of a summary document. */
function fiveAndCategory(s: ReturnType<typeof readSummaryDocument>) {
  return [s?.title, s?.url, s?.source, s?.date, s?.fetch_date, s?.category, s?.summary];
}

async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), text);
  }
}

async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** One deployment: a prefix, a data dir, the store and the summarize step built from a config. */
interface Deployment {
  readonly t: TestRedis;
  readonly dataDir: string;
  readonly store: ArticleStore;
  readonly config: Config;
  importDir(dir: string): ReturnType<typeof importArchive>;
  backfill(): ReturnType<typeof summarizeStored>;
  close(): Promise<void>;
}

async function openDeployment(
  standIn: ChatStandIn,
  summarize: Record<string, unknown> = {},
): Promise<Deployment> {
  const t = await createTestRedis();
  const dataDir = await mkdtemp(join(tmpdir(), "wf-summaries-"));
  const config = ConfigSchema.parse({
    dataDir,
    redis: { prefix: t.prefix },
    fetch: { allowedPrivateHosts: [standIn.host] },
    summarize: {
      enabled: true,
      baseUrl: standIn.baseUrl,
      model: MODEL,
      apiKey: KEY,
      categories: CATEGORIES,
      backoffMs: 20,
      ...summarize,
    },
  });
  const store = createArticleStore(t.redis, t.prefix);
  const http: GuardedHttp = createGuardedHttp({
    allowedPrivateHosts: config.fetch.allowedPrivateHosts,
    timeoutMs: 10_000,
    maxBytes: 1 << 20,
    userAgent: "test",
  });
  const summarize1 = createSummarizer(config, { redis: t.redis, store, http, logger });
  const deps = {
    store,
    archive: createArchiveFiles(dataDir),
    dataDir,
    logger,
    now: Date.now,
    summaries: {
      summaries: createSummaryStore(t.redis, t.prefix),
      writeSummaryFile: (date: string, key: string, text: string) =>
        writeSummaryFile(dataDir, date, key, text),
      removeSummaryFile: (file: string) => removeSummaryFile(dataDir, file),
    },
  };
  return {
    t,
    dataDir,
    store,
    config,
    importDir: (dir) => importArchive({ dir, sourceId: "picker" }, deps),
    backfill: () =>
      summarizeStored(
        {},
        {
          store,
          summarize: summarize1,
          isSourceSummarized: createSourceFilter(config.sources),
          attempts: config.summarize.attempts,
          backoffMs: config.summarize.backoffMs,
          sleep: (ms) => sleep(ms),
          now: Date.now,
        },
      ),
    close: async () => {
      await http.close();
      await t.cleanup();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

const summaryAnswers = (category: string) => (r: { kind: string; user: string }) =>
  r.kind === "summary"
    ? ({ mode: "ok", text: `要点：${r.user.slice(8, 20)}` } as const)
    : ({ mode: "ok", text: category } as const);

describe("summaries with real Redis, files and a local chat endpoint", () => {
  let standIn: ChatStandIn;
  let scratch: string;
  const open: Deployment[] = [];
  const deploy = async (s?: Record<string, unknown>) => {
    const d = await openDeployment(standIn, s);
    open.push(d);
    return d;
  };

  before(async () => {
    standIn = await startChatStandIn(MODEL, KEY);
    scratch = await mkdtemp(join(tmpdir(), "wf-picker-"));
  });
  after(async () => {
    for (const d of open) await d.close();
    await standIn.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it("imports picker's summary/ files: summaries and categories kept, nothing re-requested", async () => {
    const d = await deploy();
    const a = articleDoc(
      1,
      "两个 AI 圈的明星，成了阿里云的新「代言人」",
      "正文一，见 [官网](https://example.com/a)。",
    );
    const b = articleDoc(2, "Fortinet: 多个产品身份验证绕过漏洞", "正文二 https://example.com/b 。");
    const orphan = articleDoc(3, "没有正文的摘要", "");
    const dir = join(scratch, "picker");
    await writeFiles(dir, {
      "archive/2024/07/09/daily/极客公园_a.md": a.text,
      "archive/2024/07/09/daily/极客公园_b.md": b.text,
      "archive/2024/07/09/summary/极客公园_a_summary.md": pickerSummary(
        "两个 AI 圈的明星，成了阿里云的新「代言人」",
        a.url,
        1,
        "AI Security",
        "1. 文章主题：阿里云。\n2. 关键点：代言人。",
      ),
      "archive/2024/07/09/summary/极客公园_b_summary.md": pickerSummary(
        "Fortinet: 多个产品身份验证绕过漏洞",
        b.url,
        2,
        "Web Security",
        "漏洞预警。",
      ),
      "archive/2024/07/09/summary/极客公园_c_summary.md": pickerSummary(
        "没有正文的摘要",
        orphan.url,
        3,
        "Others",
        "孤立。",
      ),
    });
    const before = standIn.requests.length;
    const result = await d.importDir(dir);
    assert.equal(result.imported, 2);
    assert.equal(result.files, 2, "summary documents are not article documents");
    assert.deepEqual([result.summaryFiles, result.summaries, result.summariesWithoutArticle], [3, 2, 1]);
    const storedA = await d.store.readArticle(a.key);
    assert.equal(storedA?.summary?.text, "1. 文章主题：阿里云。\n2. 关键点：代言人。");
    assert.equal(storedA?.summary?.category, "AI Security");
    assert.equal((await d.store.readArticle(b.key))?.summary?.category, "Web Security");

    // The round trip: our summary document holds picker's five values and category, as valid YAML.
    for (const [doc, n, rel] of [
      [a, 1, "极客公园_a_summary.md"],
      [b, 2, "极客公园_b_summary.md"],
    ] as const) {
      const theirs = readSummaryDocument(
        await readFile(join(dir, "archive/2024/07/09/summary", rel), "utf8"),
      );
      const oursText = await readFile(summaryPath(d.dataDir, "2024-07-09", doc.key), "utf8");
      const ours = readSummaryDocument(oursText);
      assert.ok(theirs !== null && ours !== null, `summary ${n} read back`);
      assert.deepEqual(fiveAndCategory(ours), fiveAndCategory(theirs));
      const yaml = parseYaml(oursText.split("---\n")[1] ?? "") as Record<string, string>;
      assert.equal(yaml.title, theirs?.title, "our front matter is valid YAML with the same title");
    }
    assert.equal(
      (await listTree(join(d.dataDir, "summaries"))).length,
      2,
      "one summary document per article",
    );

    const filled = await d.backfill();
    assert.equal(filled.candidates, 0, "imported summaries are current: no request spent on them");
    assert.equal(standIn.requests.length, before);
  });

  it("round-trips a summary document written by wechat-feed through import into another deployment", async () => {
    const first = await deploy();
    const doc = articleDoc(
      4,
      "标题：带冒号的文章",
      "正文 [链接](https://example.org/x) 与 https://example.org/y 。",
    );
    const dir = join(scratch, "ours-in");
    await writeFiles(dir, { "daily/a.md": doc.text });
    await first.importDir(dir);
    standIn.answer = summaryAnswers("AI Security");
    const filled = await first.backfill();
    assert.deepEqual([filled.candidates, filled.summarized, filled.failed], [1, 1, 0]);
    const written = await readFile(summaryPath(first.dataDir, "2024-07-09", doc.key), "utf8");
    const ours = readSummaryDocument(written);
    assert.equal(ours?.category, "AI Security");
    assert.match(written, /\n# 标题：带冒号的文章 - 摘要\n/);
    assert.deepEqual(ours?.links, ["https://example.org/x", "https://example.org/y"]);

    const second = await deploy();
    const again = join(scratch, "ours-again");
    await writeFiles(again, { "articles/a.md": doc.text, "summaries/2024/07/09/x.md": written });
    const result = await second.importDir(again);
    assert.deepEqual([result.imported, result.summaries], [1, 1]);
    const reread = readSummaryDocument(
      await readFile(summaryPath(second.dataDir, "2024-07-09", doc.key), "utf8"),
    );
    assert.deepEqual(fiveAndCategory(reread), fiveAndCategory(ours));
    assert.equal((await second.store.readArticle(doc.key))?.summary?.text, ours?.summary);
  });

  it("spends at most summarize.dailyBudget requests a day, then stops", async () => {
    const d = await deploy({ dailyBudget: 3 });
    const dir = join(scratch, "budget");
    const docs = [5, 6, 7].map((n) => articleDoc(n, `预算文章 ${n}`, `正文 ${n}`));
    await writeFiles(dir, Object.fromEntries(docs.map((doc, i) => [`d/${i}.md`, doc.text])));
    await d.importDir(dir);
    standIn.answer = summaryAnswers("Technology");
    const before = standIn.requests.length;
    const run1 = await d.backfill();
    assert.equal(
      standIn.requests.length - before,
      3,
      "three requests: one article, then one summary request",
    );
    assert.deepEqual([run1.summarized, run1.budgetSpent], [1, true]);
    const run2 = await d.backfill();
    assert.deepEqual([run2.summarized, run2.budgetSpent], [0, true]);
    assert.equal(standIn.requests.length - before, 3, "no request once the budget is spent");
    assert.equal((await listTree(join(d.dataDir, "summaries"))).length, 1);
  });

  it("summarizes an edited article again (its document moving with its date) and an unchanged one never", async () => {
    const d = await deploy();
    const doc = articleDoc(8, "会被修改的文章", "第一版正文。");
    const dir = join(scratch, "edit");
    await writeFiles(dir, { "a.md": doc.text });
    await d.importDir(dir);
    standIn.answer = summaryAnswers("Technology");
    const before = standIn.requests.length;
    assert.equal((await d.backfill()).summarized, 1);
    assert.equal((await d.backfill()).candidates, 0, "unchanged: never again");
    assert.equal(standIn.requests.length - before, 2);

    const stored = await d.store.readArticle(doc.key);
    assert.ok(stored !== null);
    const edited = buildStoredDocument(
      {
        title: stored.title,
        url: stored.url,
        source: stored.source,
        // The edit also moves the article to another day: its summary document must move with it.
        date: "2024-07-10",
        fetch_date: stored.fetchDate,
        body: "第二版正文，改过了。",
        truncated: false,
      },
      { sourceId: "picker", storedAt: Date.now() },
      d.dataDir,
    );
    const saved = await ingestDocument(
      { store: d.store, archive: createArchiveFiles(d.dataDir), now: Date.now },
      edited,
    );
    assert.equal(saved.outcome, "updated");
    assert.equal((await d.backfill()).summarized, 1, "edited: summarized again");
    assert.equal(standIn.requests.length - before, 4);
    const last = standIn.requests.at(-2);
    assert.match(last?.user ?? "", /第二版正文/, "the new text was sent");
    assert.deepEqual(
      await listTree(join(d.dataDir, "summaries")),
      [summaryPath(d.dataDir, "2024-07-10", doc.key)],
      "still one summary document, at the new date",
    );
  });

  it("retries 429 after its Retry-After, 500 and a malformed summary; maps bad categories to Others", async () => {
    const d = await deploy();
    const dir = join(scratch, "flaky");
    const docs = [9, 10].map((n) => articleDoc(n, `不稳定 ${n}`, `正文 ${n}`));
    await writeFiles(dir, Object.fromEntries(docs.map((doc, i) => [`d/${i}.md`, doc.text])));
    await d.importDir(dir);
    const before = standIn.requests.length;
    const script = [
      { mode: "429", retryAfter: "1" },
      { mode: "500" },
      { mode: "malformed" },
      { mode: "ok", text: "第一篇摘要" },
      { mode: "malformed" }, // category answer malformed → Others
      { mode: "ok", text: "第二篇摘要" },
      { mode: "ok", text: "Cooking" }, // outside the list → Others
    ] as const;
    standIn.answer = (_r, i) => script[i - before] ?? { mode: "500" };
    const result = await d.backfill();
    assert.deepEqual([result.summarized, result.failed], [2, 0]);
    const got = standIn.requests.slice(before);
    assert.equal(got.length, script.length);
    assert.ok((got[1]?.at ?? 0) - (got[0]?.at ?? 0) >= 950, "the retry waited for Retry-After: 1");
    const cats = await Promise.all(
      docs.map(async (doc) => (await d.store.readArticle(doc.key))?.summary?.category),
    );
    assert.deepEqual(cats, ["Others", "Others"]);
    assert.equal((await d.store.readArticle(docs[0]?.key ?? ""))?.summary?.text, "第一篇摘要");
    assert.deepEqual(standIn.badRequests, [], "every request had the expected shape");
  });
});
