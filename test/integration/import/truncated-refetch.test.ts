/**
 * A truncated document imported from the old archive is replaced by a later fetch (document-format.md
 * "Reading existing documents"): real Redis, the corpus page 01-article.html served by a fake fetcher.
 * Polls must see the truncated article as unknown, the fetch job must not answer `duplicate`, and the
 * full article replaces the record and the archive file.
 */
import assert from "node:assert/strict";
import { access, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createFetchArticle } from "../../../src/jobs/fetch-article.ts";
import { ingestDocument } from "../../../src/jobs/ingest.ts";
import { buildStoredDocument } from "../../../src/jobs/store-document.ts";
import { createLogger } from "../../../src/logger.ts";
import { createArchiveFiles } from "../../../src/store/archive.ts";
import { createArticleStore } from "../../../src/store/article-store.ts";
import { corpusDir, skipReason } from "../../support/corpus.ts";
import { createTestRedis, type TestRedis } from "../../support/redis.ts";

const corpus = corpusDir();
const skip = skipReason(corpus, "WeChat corpus (../shared/corpus/wechat)");
if (skip) console.log(`# skipping truncated re-fetch test: ${skip}`);

const URL_01 =
  "https://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&mid=2247504179&idx=1&sn=52c2c5acc9ff4567b10d1408a333693c";
const KEY_01 = "3226319644-2247504179-1";

describe("a truncated import is replaced by the next fetch", { skip }, () => {
  let t: TestRedis;
  let dataDir: string;
  before(async () => {
    t = await createTestRedis();
    dataDir = await mkdtemp(path.join(tmpdir(), "wf-refetch-"));
  });
  after(async () => {
    await t.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("isKnown is false, the fetch does not answer duplicate, the full article replaces the cut one", async () => {
    const store = createArticleStore(t.redis, t.prefix);
    const title = "AI编程害死我了，给我的抓包软件埋了一个大雷！";
    const imported = buildStoredDocument(
      {
        title,
        url: `${URL_01}&chksm=0123abcd&scene=58#rd`,
        source: "轩辕的编程宇宙",
        date: "2025-11-12", // the old archive's feed day, not the publish day
        fetch_date: "2025-11-12T01:02:03.000004",
        body: `# ${title}\n\n${"大家好，我是轩辕。".repeat(800).slice(0, 7990)}...`,
        truncated: true,
      },
      { sourceId: "import", storedAt: 1 },
      dataDir,
    );
    const archive = createArchiveFiles(dataDir);
    const saved = await ingestDocument({ store, archive, now: Date.now }, imported);
    assert.equal(saved.outcome, "stored");
    assert.equal(await store.isKnown(KEY_01), false);

    const html = await readFile(path.join(corpus ?? "", "01-article.html"), "utf8");
    let fetches = 0;
    const fetchArticle = createFetchArticle({
      store,
      dataDir,
      fetchPage: async (url) => {
        fetches++;
        return { requestedUrl: url, finalUrl: url, status: 200, html, fetchedAt: new Date(), via: "http" };
      },
      archive,
      now: Date.now,
      keepFailedPage: async () => "",
      logger: createLogger({ level: "silent" }),
    });
    const data = {
      url: URL_01,
      key: KEY_01,
      sourceId: "geek",
      sourceName: null,
      itemTitle: null,
      itemDate: null,
      fetcher: null,
      delaysSoFar: 0,
    };
    const outcome = await fetchArticle(data);
    assert.equal(fetches, 1);
    assert.equal(outcome.outcome, "updated");
    const after = await store.readArticle(KEY_01);
    assert.equal(after?.truncated, undefined);
    assert.equal(after?.sourceId, "geek");
    assert.equal(after?.date, "2025-11-10");
    assert.ok(!after?.document.trimEnd().endsWith("..."));
    assert.equal(await store.isKnown(KEY_01), true);
    // The cut copy's file (under the feed day) is gone; the full one is under the publish date.
    await assert.rejects(access(imported.article.archivePath));
    assert.equal(await readFile(after?.archivePath ?? "", "utf8"), after?.document);
    // Now it is an ordinary stored article: the next job is a duplicate, without a fetch.
    assert.equal((await fetchArticle(data)).outcome, "duplicate");
    assert.equal(fetches, 1);
  });
});
