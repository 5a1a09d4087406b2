/**
 * The fetch-article processor on real Redis and a real archive directory, for the two cases where a
 * page does not give everything: an article page stating no publish time is stored dated by the
 * feed item (else the fetch day) with a warning logged; an article page without title or account is
 * `unparseable`: kept for diagnosis, never stored, failed for good by the retry policy.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { isAppError } from "../../../src/errors.ts";
import { createFetchArticle } from "../../../src/jobs/fetch-article.ts";
import type { FetchArticleData } from "../../../src/jobs/queues.ts";
import { decide } from "../../../src/jobs/retry-policy.ts";
import { createLogger } from "../../../src/logger.ts";
import { parseArticleUrl } from "../../../src/parsers/wechat-url.ts";
import { createArchiveFiles } from "../../../src/store/archive.ts";
import { createArticleStore } from "../../../src/store/article-store.ts";
import { createTestRedis, type TestRedis } from "../../support/redis.ts";

/** A scripts-stripped copy: title and account in the header, no publish time anywhere. */
const NO_TIME_PAGE = `<html><head><title></title></head><body>
  <h1 id="activity-name">没有发布时间的文章</h1><strong class="profile_nickname">某个账号</strong>
  <div id="js_content"><p>正文第一段。</p></div></body></html>`;
/** An article page (type 0, publish time stated) whose title and account are nowhere. */
const UNPARSEABLE_PAGE = `<html><body><div id="js_content"><p>正文</p></div>
  <script>var item_show_type = "0"; var ct = "1762747210";</script></body></html>`;

const FETCHED_AT = new Date("2026-03-04T20:00:00Z"); // 2026-03-05 in Beijing

describe("fetch-article: pages that do not give everything", () => {
  let t: TestRedis;
  let dataDir: string;
  before(async () => {
    t = await createTestRedis();
    dataDir = await mkdtemp(path.join(tmpdir(), "wf-fallbacks-"));
  });
  after(async () => {
    await t.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  function setUp(html: string) {
    const logs: Record<string, unknown>[] = [];
    const kept: { key: string; html: string }[] = [];
    const store = createArticleStore(t.redis, t.prefix);
    const fetchArticle = createFetchArticle({
      store,
      dataDir,
      fetchPage: async (url) => ({
        requestedUrl: url,
        finalUrl: url,
        status: 200,
        html,
        fetchedAt: FETCHED_AT,
        via: "http",
      }),
      archive: createArchiveFiles(dataDir),
      now: Date.now,
      keepFailedPage: async (key, page) => {
        kept.push({ key, html: page });
        return path.join(dataDir, "failed", `${key}.html`);
      },
      logger: createLogger({
        level: "info",
        destination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
      }),
    });
    return { store, fetchArticle, logs, kept };
  }

  function job(mid: string, itemDate: string | null): FetchArticleData {
    const ref = parseArticleUrl(
      `https://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&mid=${mid}&idx=1&sn=0123456789abcdef`,
    );
    return {
      url: ref.url,
      key: ref.key,
      sourceId: "geek",
      sourceName: "极客",
      itemTitle: null,
      itemDate,
      fetcher: null,
      delaysSoFar: 0,
    };
  }

  it("dates a page without publish time by the feed item's date, and logs a warning", async () => {
    const { store, fetchArticle, logs } = setUp(NO_TIME_PAGE);
    const data = job("11", "2024-07-08T17:30:00Z"); // 2024-07-09 in Beijing
    const outcome = await fetchArticle(data);
    assert.equal(outcome.outcome, "stored");
    const stored = await store.readArticle(outcome.key);
    assert.equal(stored?.date, "2024-07-09");
    assert.equal(stored?.publishedAt, null);
    assert.match(await readFile(stored?.archivePath ?? "", "utf8"), /^date: 2024-07-09$/m);
    const warned = logs.filter((l) => l.msg === "article parsed with warnings");
    assert.equal(warned.length, 1);
    assert.equal(warned[0]?.level, 40);
    assert.equal(warned[0]?.articleKey, outcome.key);
    assert.deepEqual(warned[0]?.warnings, ["page states no publish time; dated by the feed item"]);
    // The job's result carries them too: the worker's "job completed" line (with the job id) shows them.
    assert.deepEqual("warnings" in outcome ? outcome.warnings : null, [
      "page states no publish time; dated by the feed item",
    ]);
  });

  it("dates it by the fetch day when the source gave no date, and logs that", async () => {
    const { store, fetchArticle, logs } = setUp(NO_TIME_PAGE);
    const outcome = await fetchArticle(job("12", null));
    assert.equal((await store.readArticle(outcome.key))?.date, "2026-03-05");
    const warned = logs.find((l) => l.msg === "article parsed with warnings");
    assert.deepEqual(warned?.warnings, ["page states no publish time; dated by the fetch day"]);
  });

  it("logs nothing for a page that gives everything", async () => {
    const complete = NO_TIME_PAGE.replace("<title></title>", "<script>var ct = '1762747210';</script>");
    const { fetchArticle, logs } = setUp(complete);
    const outcome = await fetchArticle(job("13", null));
    assert.equal(outcome.outcome, "stored");
    assert.equal("warnings" in outcome, false);
    assert.deepEqual(
      logs.filter((l) => l.msg === "article parsed with warnings"),
      [],
    );
  });

  it("keeps an unparseable page, stores nothing, and the policy fails it for good keeping the page", async () => {
    const { store, fetchArticle, kept } = setUp(UNPARSEABLE_PAGE);
    const data = job("14", "2024-07-08T17:30:00Z");
    const error = await fetchArticle(data).then(
      () => assert.fail("an unparseable page was stored"),
      (e: unknown) => e,
    );
    assert.ok(isAppError(error, "PARSE_ARTICLE"));
    assert.equal(error.details.pageClass, "unparseable");
    assert.deepEqual(error.details.missing, ["title", "account"]);
    assert.deepEqual(kept, [{ key: data.key, html: UNPARSEABLE_PAGE }]);
    assert.equal(await store.readArticle(data.key), null);
    assert.deepEqual(
      decide(error, { delaysSoFar: 0, cooldownLevel: 0, cooldown: { initialMs: 1, maxMs: 2 } }),
      {
        kind: "fail",
        alert: true,
      },
    );
  });
});
