/**
 * The archiver's stream loop with an in-memory stream, store and archive: an entry is acknowledged
 * only after its file is written and its pending mark cleared; a replayed entry writes nothing; a
 * deleted article is acknowledged without a write; a moved file's old path is removed; a failed write
 * leaves its entry unacknowledged until a retry succeeds, while later entries still get written.
 */
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import { startArchiveStreamConsumer } from "../../../src/jobs/archive-stream-consumer.ts";
import { createLogger } from "../../../src/logger.ts";
import type { ArchiveFiles } from "../../../src/store/archive.ts";
import type { ArchiveStreamEntry, ArchiveStreamReader } from "../../../src/store/archive-stream.ts";
import type { StoredArticle } from "../../../src/model.ts";
import type { ArticleStore } from "../../../src/store/article-store.ts";
import { waitFor } from "../../support/child-process.ts";
import { makeArticle } from "../../support/seed-articles.ts";

function article(key: string): StoredArticle {
  return makeArticle({
    key,
    title: `标题 ${key}`,
    sourceId: "s",
    publishedAt: "2026-03-04T02:00:00Z",
    storedAt: 1,
  });
}

/** An in-memory stream with one consumer: new, pending (delivered, unacknowledged) and acknowledged. */
function createFakeReader(entries: ArchiveStreamEntry[]) {
  const fresh = [...entries];
  const pending = new Map<string, ArchiveStreamEntry>();
  const acked: string[] = [];
  const reader: ArchiveStreamReader = {
    ensureGroup: async () => undefined,
    forgetIdleConsumers: async () => 0,
    claimStale: async () => [],
    readOwnPending: async () => [...pending.values()],
    readNew: async (count) => {
      const out = fresh.splice(0, count);
      for (const e of out) pending.set(e.id, e);
      if (out.length === 0) await sleep(5);
      return out;
    },
    acknowledge: async (ids) => {
      for (const id of ids) {
        pending.delete(id);
        acked.push(id);
      }
    },
    trimAcknowledged: async () => 0,
    countUnacknowledged: async () => fresh.length + pending.size,
  };
  return { reader, acked, pending };
}

function setUp(articles: StoredArticle[], entries: ArchiveStreamEntry[]) {
  const stored = new Map(articles.map((a) => [a.key, a]));
  const pendingKeys = new Set(articles.map((a) => a.key));
  const files = new Map<string, string>();
  const writes: string[] = [];
  const removed: string[] = [];
  let failing = false;
  let now = 0;
  const store = {
    readArticle: async (key: string) => stored.get(key) ?? null,
    isArchivePending: async (key: string) => pendingKeys.has(key),
    markArchived: async (key: string, hash: string) => {
      if (stored.get(key)?.contentHash === hash) pendingKeys.delete(key);
    },
  } as unknown as ArticleStore; // only what ensureArchived and the loop call
  const archive: ArchiveFiles = {
    write: async (_date, key, text) => {
      if (failing) throw new Error("disk full");
      const path = stored.get(key)?.archivePath ?? "";
      // A file is acknowledged only after this resolves: the entry must still be unacknowledged here.
      files.set(path, text);
      writes.push(key);
      return path;
    },
    remove: async (path) => {
      removed.push(path);
      return files.delete(path);
    },
    size: async (path) => (files.has(path) ? Buffer.byteLength(files.get(path) ?? "") : null),
  };
  const fake = createFakeReader(entries);
  const consumer = startArchiveStreamConsumer(
    {
      store,
      archive,
      dataDir: "/tmp/wechat-feed-test",
      reader: fake.reader,
      logger: createLogger({ level: "silent" }),
      now: () => now,
    },
    { claimIdleMs: 60_000, blockMs: 5 },
  );
  return {
    ...fake,
    consumer,
    files,
    writes,
    removed,
    pendingKeys,
    setFailing: (value: boolean) => {
      failing = value;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const entry = (id: string, key: string, hash: string, previousPath: string | null = null) => ({
  id,
  key,
  hash,
  previousPath,
});

describe("archive stream consumer", () => {
  it("writes each change once, acknowledges after the write, skips replays and gone articles", async () => {
    const a = article("a");
    const b = article("b");
    const s = setUp(
      [a, b],
      [
        entry("1-0", "a", a.contentHash, "/data/articles/2026/03/01/a.md"),
        entry("2-0", "gone", "h"),
        entry("3-0", "b", b.contentHash),
        entry("4-0", "a", a.contentHash),
      ],
    );
    await waitFor(async () => s.acked.length === 4, { timeoutMs: 5000, what: "every entry acknowledged" });
    await s.consumer.stop();
    assert.deepEqual(s.writes, ["a", "b"], "the replayed entry of a wrote nothing");
    assert.equal(s.files.get(a.archivePath), a.document);
    assert.deepEqual(s.removed, ["/data/articles/2026/03/01/a.md"]);
    assert.equal(s.pendingKeys.size, 0);
  });

  it("keeps a failed write's entry unacknowledged and retries it, while later entries go on", async () => {
    const a = article("a");
    const b = article("b");
    const s = setUp([a, b], [entry("1-0", "a", a.contentHash)]);
    s.setFailing(true);
    await waitFor(async () => s.pending.size === 1 && s.writes.length === 0, {
      timeoutMs: 5000,
      what: "the failed entry pending",
    });
    await sleep(50);
    assert.deepEqual(s.acked, [], "a failed write is not acknowledged");
    s.setFailing(false);
    s.advance(10_000);
    await waitFor(async () => s.acked.includes("1-0"), { timeoutMs: 5000, what: "the retry acknowledged" });
    await s.consumer.stop();
    assert.deepEqual(s.writes, ["a"]);
    assert.ok(!s.pendingKeys.has("a"));
    assert.ok(s.pendingKeys.has("b"), "b had no entry, so the loop left it to the sweep");
  });
});
