/**
 * Stateless workers and one archiver (issue 15, part 3). Two worker processes run with
 * `WORKER_ARCHIVE=false` in their own mount namespace where DATA_DIR is bind-mounted read-only (the
 * same path, so stored archive paths agree, but no byte can be written there: a worker that wants the
 * archive refuses to start on it, checked first). They fetch the corpus from the mock origin; one
 * archiver process, outside that namespace, writes the files from the archive stream.
 *
 * Then the archiver is SIGKILLed idle, a backlog builds up (the second half of the corpus through the
 * workers, plus synthetic articles saved through the same store call the workers use, so the stream is
 * long enough to be killed in the middle of), a second archiver is SIGKILLed right after its first
 * write, and a third finishes.
 *
 * What is observed, honestly: every archiver logs "archive file written" with the content hash after
 * each atomic write (and its repair sweep, the only other writer, logs what it rewrote: nothing here),
 * so the test sees every write whose process lived to log it, and checks that each
 * key was only ever written with the hash Redis holds now, that at most one key (the one in flight at the
 * kill) was written twice, and that the final files equal the Redis documents byte for byte with no
 * temp file left. A write whose rename landed but whose log line did not (a kill between the two) is
 * invisible; its bytes are still compared at the end.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Queue } from "bullmq";
import { enqueueArticle, MANUAL_SOURCE_ID } from "../../../src/jobs/enqueue.ts";
import { createArticleStore } from "../../../src/store/article-store.ts";
import { createArchiveStreamReader } from "../../../src/store/archive-stream.ts";
import { archivePath } from "../../../src/store/keys.ts";
import { corpusDir, skipReason } from "../../support/corpus.ts";
import {
  type CorpusArticle,
  readCorpusArticles,
  routeCorpusArticles,
} from "../../support/corpus-articles.ts";
import { startMockOrigin } from "../../support/mock-wechat-origin.ts";
import { createTestRedis } from "../../support/redis.ts";
import { makeArticle } from "../../support/seed-articles.ts";
import {
  createServiceHarness,
  type LogLine,
  type ServiceChild,
  waitFor,
} from "../../support/service-harness.ts";

const dir = corpusDir();
const articles = dir === null ? [] : readCorpusArticles(dir);
const SYNTHETIC = 300;

/** Runs node in a private mount namespace where `dataDir` is read-only. */
function readOnlyLauncher(dataDir: string): string[] {
  const script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"';
  return ["unshare", "--mount", "--", "sh", "-c", script, dataDir];
}

/** The "archive file written" lines of a child: key and content hash of each write. */
function writesOf(child: ServiceChild): { key: string; hash: string }[] {
  return child.logs
    .filter((line: LogLine) => line.msg === "archive file written")
    .map((line) => ({ key: String(line.articleKey), hash: String(line.contentHash) }));
}

describe("archiver with stateless workers", { skip: skipReason(dir, "WeChat corpus") }, () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("archives every change once from workers without DATA_DIR, across an archiver SIGKILL", async () => {
    const t = await createTestRedis();
    const mock = await startMockOrigin();
    cleanups.push(
      () => t.cleanup(),
      () => mock.close(),
    );
    routeCorpusArticles(mock, articles);
    const h = await createServiceHarness({
      prefix: t.prefix,
      config: {
        fetch: { fetcher: "http", origin: mock.origin, minIntervalMs: 0, jitterMs: 0, backoffMs: 200 },
        worker: { concurrency: 2 },
        archiver: { claimIdleMs: 1000 },
        sources: [],
      },
    });
    cleanups.push(() => h.cleanup());
    const launcher = readOnlyLauncher(h.dataDir);
    const workerEnv = { WORKER_ARCHIVE: "false" };

    // The namespace really is read-only: a worker that writes the archive itself refuses to start there.
    const refused = h.spawnChild(["start", "--role", "worker"], { name: "worker-refused", launcher });
    const refusedExit = await refused.exited;
    assert.equal(refusedExit.code, 2, "a worker wanting the archive refuses the read-only DATA_DIR");

    const archivers = [await h.startRole("archiver", { name: "archiver-a" })];
    for (const name of ["worker-1", "worker-2"])
      await h.startRole("worker", { name, launcher, env: workerEnv });

    const redis = t.connect();
    const store = createArticleStore(redis, t.prefix);
    const stream = createArchiveStreamReader(redis, t.prefix, "test-observer");
    const wechatQueue = new Queue("wechat", { connection: t.connect(), prefix: t.prefix });
    cleanups.push(() => wechatQueue.close());
    const enqueueAll = async (batch: readonly CorpusArticle[]) => {
      for (const a of batch) {
        const queued = await enqueueArticle(
          a.canonicalUrl,
          { sourceId: MANUAL_SOURCE_ID, sourceName: null },
          { store, wechatQueue },
        );
        assert.equal(queued.status, "queued");
      }
    };
    const allStored = async (batch: readonly CorpusArticle[]) =>
      (await Promise.all(batch.map((a) => store.hasArticle(a.key)))).every(Boolean);
    const archiveSettled = async () =>
      (await store.countArchivePending()) === 0 && (await stream.countUnacknowledged()) === 0;

    const half = Math.ceil(articles.length / 2);
    const [first, second] = [articles.slice(0, half), articles.slice(half)];
    await enqueueAll(first);
    await waitFor(() => allStored(first), { timeoutMs: 90_000, what: "the first half stored" });
    await waitFor(archiveSettled, { timeoutMs: 60_000, what: "the first half archived" });
    const firstWrites = writesOf(archivers[0] as ServiceChild);
    assert.deepEqual(new Set(firstWrites.map((w) => w.key)), new Set(first.map((a) => a.key)));

    // Archiver down: workers go on storing; the stream keeps every change.
    (archivers[0] as ServiceChild).kill("SIGKILL");
    await (archivers[0] as ServiceChild).exited;
    await enqueueAll(second);
    await waitFor(() => allStored(second), { timeoutMs: 90_000, what: "the second half stored" });
    const streamingStore = createArticleStore(redis, t.prefix, { toArchiveStream: true });
    const synthetic = Array.from({ length: SYNTHETIC }, (_, i) => {
      const key = `synthetic-${String(i).padStart(4, "0")}`;
      const spec = {
        key,
        title: `合成文章 ${i}`,
        sourceId: "synthetic",
        publishedAt: "2026-03-04T02:00:00Z",
      };
      const article = makeArticle({ ...spec, storedAt: 1_772_000_000_000 + i });
      return { ...article, archivePath: archivePath(h.dataDir, article.date, key) };
    });
    for (const article of synthetic)
      assert.equal((await streamingStore.saveArticle(article)).outcome, "stored");
    const backlog = await stream.countUnacknowledged();
    assert.ok(backlog >= SYNTHETIC + second.length, `backlog ${backlog}`);

    // Killed right after its first write, in the middle of the backlog.
    const b = await h.startRole("archiver", { name: "archiver-b" });
    archivers.push(b);
    await b.waitForLog((line) => line.msg === "archive file written", 30_000, "archiver-b's first write");
    b.kill("SIGKILL");
    await b.exited;
    assert.ok((await stream.countUnacknowledged()) > 0, "the kill left entries unacknowledged");

    archivers.push(await h.startRole("archiver", { name: "archiver-c" }));
    await waitFor(archiveSettled, { timeoutMs: 120_000, what: "the backlog archived after the restart" });

    const keys = [...articles.map((a) => a.key), ...synthetic.map((a) => a.key)];
    const writes = archivers.flatMap(writesOf);
    for (const key of keys) {
      const stored = await store.readArticle(key);
      assert.ok(stored !== null, key);
      assert.equal(await readFile(stored.archivePath, "utf8"), stored.document, `file of ${key}`);
      const hashes = new Set(writes.filter((w) => w.key === key).map((w) => w.hash));
      assert.ok(
        [...hashes].every((hash) => hash === stored.contentHash),
        `${key} written with another text`,
      );
    }
    // The repair sweep is the only other writer; it rewrote nothing, so the write lines are every write.
    const sweeps = archivers.flatMap((c) => c.logs.filter((line) => line.msg === "archive repaired"));
    assert.ok(
      sweeps.every((line) => line.rewritten === 0),
      JSON.stringify(sweeps),
    );
    const perKey = new Map<string, number>();
    for (const w of writes) perKey.set(w.key, (perKey.get(w.key) ?? 0) + 1);
    const twice = [...perKey].filter(([, n]) => n > 1);
    assert.ok(twice.length <= 1, `written more than once: ${JSON.stringify(twice)}`);
    // The static copies are the archiver's too (no server runs here): the feed lists the newest window.
    const newest = (await store.listArticles({ limit: 50 })).map((a) => a.key);
    const feedPath = join(h.dataDir, "public", "feed.xml");
    const guidsOf = async () =>
      [...(await readFile(feedPath, "utf8").catch(() => "")).matchAll(/<guid[^>]*>([^<]+)<\/guid>/g)].map(
        (m) => m[1],
      );
    const sameKeys = (found: readonly (string | undefined)[]) =>
      found.length === newest.length && newest.every((key) => found.includes(key));
    await waitFor(async () => sameKeys(await guidsOf()), {
      timeoutMs: 30_000,
      what: "public/feed.xml written by the archiver with the newest articles",
    });
    const files = (await h.listDataFiles()).filter((f) => !f.startsWith("public/"));
    // A SIGKILL between a temp file's creation and its rename leaves that hidden temp file (named with
    // the writer's pid, never read): the two killed archivers may have left one each, nobody else any.
    const killed = new Set([archivers[0]?.pid, b.pid]);
    const leftByKill = (f: string) => killed.has(Number(/\.(\d+)\.[0-9a-f]{12}\.tmp$/.exec(f)?.[1]));
    assert.deepEqual(
      files.filter((f) => !f.endsWith(".md") && !leftByKill(f)),
      [],
      "no temp or stray files but a killed archiver's",
    );
    assert.equal(files.filter((f) => f.endsWith(".md")).length, keys.length);
    // Acknowledged entries are trimmed: at most the last delivered one stays.
    assert.ok((await redis.xlen(`${t.prefix}:archive:stream`)) <= 1);
  });
});
