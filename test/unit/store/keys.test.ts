import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { isAppError } from "../../../src/errors.ts";
import { archivePath, createKeys } from "../../../src/store/keys.ts";

const isStoreWrite = (err: unknown): boolean => isAppError(err, "STORE_WRITE");

describe("createKeys", () => {
  const keys = createKeys("wf");

  it("builds <prefix>:<area>:<id> keys", () => {
    assert.equal(keys.article("3226319644-2247504179-1"), "wf:article:3226319644-2247504179-1");
    assert.equal(keys.tombstone("u0a1b"), "wf:tombstone:u0a1b");
    assert.equal(keys.indexSource("geek-park"), "wf:source-index:geek-park");
    assert.equal(keys.sourceState("geek-park"), "wf:source-state:geek-park");
    assert.ok(keys.indexSource("x").startsWith(keys.indexSourcePrefix()));
  });

  it("gives every area a distinct key", () => {
    const all = [
      keys.article("a"),
      keys.indexAll(),
      keys.indexSource("a"),
      keys.sourceIds(),
      keys.seen(),
      keys.aliases(),
      keys.tombstone("a"),
      keys.sourceState("a"),
      keys.cooldown("a"),
      keys.egressPace("a"),
      keys.egressWorkers(),
      keys.egressBudget("a", "2026-01-03"),
    ];
    assert.equal(new Set(all).size, all.length);
    for (const k of all) assert.ok(k.startsWith("wf:"), k);
  });

  it("rejects ids that could collide or escape (':', '/', spaces, empty)", () => {
    for (const bad of ["a:b", "../x", "a/b", "a b", "", "标题", "a.b"]) {
      assert.throws(() => keys.article(bad), isStoreWrite, bad);
      assert.throws(() => keys.indexSource(bad), isStoreWrite, bad);
    }
  });

  it("accepts a prefix holding a hash tag, so one slot holds every key", () => {
    const tagged = createKeys("{wf}");
    assert.equal(tagged.article("a"), "{wf}:article:a");
    assert.equal(tagged.egressPace("east"), "{wf}:egress-pace:east");
  });

  it("rejects prefixes with ':' or glob characters", () => {
    for (const bad of ["", "a:b", "a*", "a?", "a[b]", "a b"]) {
      assert.throws(() => createKeys(bad), isStoreWrite, bad);
    }
  });
});

describe("archivePath", () => {
  it("places the file under articles/YYYY/MM/DD/<key>.md", () => {
    const p = archivePath("/data", "2024-07-09", "3226319644-2247504179-1");
    assert.equal(p, path.join("/data", "articles", "2024", "07", "09", "3226319644-2247504179-1.md"));
  });

  it("resolves a relative data dir to an absolute path", () => {
    const p = archivePath("data", "2024-07-09", "k");
    assert.ok(path.isAbsolute(p));
    assert.equal(p, path.resolve("data", "articles", "2024", "07", "09", "k.md"));
  });

  it("rejects dates that are not a real YYYY-MM-DD day", () => {
    for (const bad of ["2024-7-9", "2024/07/09", "2024-13-01", "2024-02-30", "20240709", "../../etc", ""]) {
      assert.throws(() => archivePath("/data", bad, "k"), isStoreWrite, bad);
    }
    assert.doesNotThrow(() => archivePath("/data", "2024-02-29", "k"));
  });

  it("rejects keys that are not [A-Za-z0-9_-] (traversal, separators, titles)", () => {
    for (const bad of [
      "../x",
      "..",
      "a/b",
      "a\\b",
      "x.md",
      "两个 AI 圈的明星",
      "a\u0000b",
      "",
      "k".repeat(201),
    ]) {
      assert.throws(() => archivePath("/data", "2024-07-09", bad), isStoreWrite, JSON.stringify(bad));
    }
  });
});
