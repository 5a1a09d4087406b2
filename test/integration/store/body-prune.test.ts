/**
 * Bounded Redis against real Redis and a real archive directory: the prune step drops the bodies of
 * articles outside the feed window only once their files are on disk, never a pending one; reads (the
 * store, the HTTP API's raw document, the JSON list) fall back to the archive; reindex and re-saves work
 * over packed records; and a packed realistic record stays within 1 KB by MEMORY USAGE.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { repairArchive } from "../../../src/jobs/archive-repair.ts";
import { pruneBodies } from "../../../src/jobs/body-prune.ts";
import { ingestDocument } from "../../../src/jobs/ingest.ts";
import { reindexArchive } from "../../../src/jobs/reindex.ts";
import { createLogger } from "../../../src/logger.ts";
import type { StoredArticle } from "../../../src/model.ts";
import { createArchiveFiles } from "../../../src/store/archive.ts";
import { encodePackedArticle } from "../../../src/store/article-record.ts";
import { contentHash } from "../../../src/store/article-store.ts";
import { type BodyDrop, createBodyDrop } from "../../../src/store/body-drop.ts";
import { archivePath, createKeys } from "../../../src/store/keys.ts";
import { readRecentHeads } from "../../../src/store/status-reads.ts";
import { listArticlesStoredIn } from "../../../src/store/stored-window.ts";
import { makeArticle } from "../../support/seed-articles.ts";
import { startTestServer, type TestServer } from "../../support/test-server.ts";

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse("2026-01-10T00:00:00Z");
const logger = createLogger({ level: "silent" });

let server: TestServer;
let dataDir: string;
let bodies: BodyDrop;

beforeEach(async () => {
  server = await startTestServer();
  dataDir = await mkdtemp(join(tmpdir(), "wf-prune-"));
  bodies = createBodyDrop(server.t.redis, server.t.prefix);
});
afterEach(async () => {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
});

const deps = () => ({
  store: server.store,
  archive: createArchiveFiles(dataDir),
  bodies,
  logger,
  now: () => NOW,
});

/** Article `n` of `sourceId`, published on day n of 2025, stored 30 days before NOW (unless given). */
function article(n: number, sourceId: string, storedAt = NOW - 30 * DAY): StoredArticle {
  const a = makeArticle({
    key: `${sourceId}-${n}`,
    title: `第 ${n} 篇`,
    sourceId,
    publishedAt: new Date(Date.UTC(2025, 0, n, 8)).toISOString(),
    storedAt,
  });
  return { ...a, archivePath: archivePath(dataDir, a.date, a.key) };
}

const ingest = (a: StoredArticle) => ingestDocument(deps(), { article: a, text: a.document });
const redisKey = (key: string) => createKeys(server.t.prefix).article(key);
const hasBody = async (key: string) => (await server.t.redis.hexists(redisKey(key), "document")) === 1;

describe("body prune", () => {
  it("drops only bodies outside the window whose files are on disk; reads fall back to the archive", async () => {
    // Source a: 1..5, source b: 6..7 (newest overall). Window limit 2: a-4, a-5, b-6, b-7.
    const all = [1, 2, 3, 4, 5].map((n) => article(n, "a")).concat([6, 7].map((n) => article(n, "b")));
    for (const a of all) await ingest(a);
    // Source c: stored yesterday, so c-1 (outside its feed's newest two) keeps its body by store.bodyDays.
    for (const n of [1, 2, 3]) await ingest(article(n, "c", NOW - DAY));
    // a-1 saved again with new text but its file never written: pending, its body must stay.
    const edited = {
      ...all[0],
      document: `${all[0]?.document}\n\n补充`,
      contentHash: "edited",
    } as StoredArticle;
    await server.store.saveArticle(edited);
    // a-2's file was lost: not dropped either (the repair sweep rewrites it first).
    await unlink(all[1]?.archivePath ?? "");

    const summary = await pruneBodies(deps(), { limit: 2, bodyDays: 7 });
    assert.equal(summary.dropped, 1, "only a-3 is outside the window, archived and on disk");
    assert.equal(await hasBody("a-1"), true, "pending body kept");
    assert.equal(await hasBody("a-2"), true, "body whose file is missing kept");
    assert.equal(await hasBody("a-3"), false);
    for (const key of ["a-4", "a-5", "b-6", "b-7", "c-1", "c-2", "c-3"])
      assert.equal(await hasBody(key), true, key);

    const a3 = all[2] as StoredArticle;
    assert.deepEqual(await server.store.readArticle("a-3"), { ...a3, updatedAt: null });
    const listed = await server.store.listArticles({ sourceId: "a", limit: 10 });
    assert.equal(listed.find((x) => x.key === "a-3")?.document, a3.document);
    const res = await fetch(`${server.base}/articles/a-3.md`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), a3.document);
    const api = (await (await fetch(`${server.base}/api/articles?source=a&limit=10`)).json()) as {
      items: { key: string; title: string }[];
    };
    assert.deepEqual(
      api.items.map((i) => i.key),
      ["a-5", "a-4", "a-3", "a-2", "a-1"],
    );
  });

  it("digest, status and the repair sweep read packed records", async () => {
    const items = [1, 2, 3].map((n) => article(n, "a"));
    for (const a of items) await ingest(a);
    assert.equal((await pruneBodies(deps(), { limit: 1, bodyDays: 0 })).dropped, 2);
    const a1 = items[0] as StoredArticle;
    const range = { from: a1.storedAt, to: a1.storedAt + 1 };
    const inWindow = await listArticlesStoredIn(server.t.redis, server.t.prefix, [range]);
    assert.deepEqual(
      inWindow.map((a) => a.document).sort(),
      items.map((a) => a.document).sort(),
      "the digest's store-time read gets every body",
    );
    const heads = await readRecentHeads(server.t.redis, server.t.prefix, 3);
    assert.deepEqual(
      heads.map((h) => [h.key, h.title, h.account, h.url]),
      items.reverse().map((a) => [a.key, a.title, a.account, a.url]),
    );
    // A sweep compares the packed records' sizes without rewriting; a lost file cannot be rewritten.
    assert.deepEqual(await repairArchive(deps()), { checked: 3, rewritten: 0, failed: 0 });
    await unlink(a1.archivePath);
    assert.deepEqual(await repairArchive(deps()), { checked: 3, rewritten: 0, failed: 0 });
  });

  it("never drops a pending body, even when asked directly", async () => {
    const a = article(1, "a");
    await server.store.saveArticle(a); // saved, file not written: archive-pending
    assert.equal(await bodies.dropBody("a-1"), false);
    assert.equal(await hasBody("a-1"), true);
    await ingest(a);
    assert.equal(await bodies.dropBody("a-1"), true);
    assert.equal(await bodies.dropBody("a-1"), false, "already packed");
    assert.equal(await server.store.isKnown("a-1"), true, "a packed article is still known");
    const cut = { ...article(2, "a"), truncated: true };
    await ingest(cut);
    assert.equal(await bodies.dropBody("a-2"), true);
    assert.equal(await server.store.isKnown("a-2"), false, "a packed truncated copy is still wanted in full");
    assert.equal((await server.store.readArticle("a-2"))?.truncated, true);
  });

  it("keeps a packed record packed on an unchanged re-save, and a changed save restores the full form", async () => {
    const a = article(1, "a");
    await ingest(a);
    assert.equal(await bodies.dropBody("a-1"), true);
    assert.equal((await ingest(a)).outcome, "unchanged");
    assert.equal(await hasBody("a-1"), false);
    // An edit that moves the file (another date): the old path comes back decoded from the packed record.
    const body = `${a.document}\n\n更新`;
    const moved = { ...a, date: "2025-02-01", document: body, contentHash: contentHash(body, a.title) };
    const movedPath = archivePath(dataDir, moved.date, a.key);
    const saved = await server.store.saveArticle({ ...moved, archivePath: movedPath });
    assert.deepEqual(saved, { outcome: "updated", previousPath: a.archivePath });
    const back = await server.store.readArticle("a-1");
    assert.equal(back?.document, body);
    assert.equal(back?.storedAt, a.storedAt, "first storedAt kept");
    const fields = await server.t.redis.hkeys(redisKey("a-1"));
    assert.equal(
      fields.some((f) => /^p\d+$/.test(f) || f === "bytes"),
      false,
      `no packed field left: ${fields}`,
    );
  });

  it("reindex reads packed articles from the archive and stores an edited file", async () => {
    const items = [1, 2, 3].map((n) => article(n, "a"));
    for (const a of items) await ingest(a);
    assert.equal((await pruneBodies(deps(), { limit: 1, bodyDays: 0 })).dropped, 2);
    const reindexDeps = {
      ...deps(),
      dataDir,
      findSourceId: () => undefined,
    };
    const first = await reindexArchive({ fallbackSourceId: "a" }, reindexDeps);
    assert.equal(first.unchanged, 3);
    assert.equal(await hasBody("a-1"), false);
    const edited = (items[0]?.document ?? "").replace("第二段。", "第二段，改过。");
    await writeFile(items[0]?.archivePath ?? "", edited);
    const second = await reindexArchive({ fallbackSourceId: "a" }, reindexDeps);
    assert.equal(second.updated, 1);
    assert.equal((await server.store.readArticle("a-1"))?.document, edited);
    assert.equal(await hasBody("a-1"), true, "an edit brings the body back until the next prune");
  });

  it("keeps a realistic packed record within 1 KB (MEMORY USAGE) and a listpack", async () => {
    const key = "3226319644-2247504179-1";
    const a: StoredArticle = {
      ...article(1, "geek-park"),
      key,
      url: "https://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&mid=2247504179&idx=1&sn=0f16a1981e543e20a01d5aae363bbc48",
      title: "两个 AI 圈的明星，成了阿里云的新「代言人」",
      source: "极客公园",
      account: "极客公园",
      author: "拉风的极客",
      cover:
        "https://mmbiz.qpic.cn/mmbiz_jpg/lEVMd9YaOWDkwFjJibsYbm7Bo3HxC2w2zdfDbVHyKlt6M9JwK3lLUrw4dic5yF0hnRxsJTJwX6LOuzgiaIiaOHVVVQ/0?wx_fmt=jpeg",
      description:
        "今年为云厂商站台的合作企业，大多表达了类似观点：云计算是AI时代的基础设施，而两位明星创业者的选择说明了什么？",
      contentHash: "0f16a1981e543e20a01d5aae363bbc480f16a1981e543e20a01d5aae363bbc48",
      archivePath: archivePath("/var/lib/wechat-feed/data", "2025-01-01", key),
    };
    const k = redisKey(key);
    await server.t.redis.hset(k, ...encodePackedArticle(a).flat());
    const bytes = Number(await server.t.redis.memory("USAGE", k));
    assert.equal(await server.t.redis.object("ENCODING", k), "listpack");
    assert.ok(bytes <= 1024, `packed record uses ${bytes} B`);
  });
});
