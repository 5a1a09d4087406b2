import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { isAppError } from "../../../src/errors.ts";
import { listArchiveFiles, removeArchiveFile, writeArchiveFile } from "../../../src/store/archive.ts";

let root: string;

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), "wf-archive-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function freshDir(name: string): Promise<string> {
  const dir = path.join(root, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

async function listAll(dataDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dataDir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out.push(path.relative(dataDir, path.join(e.parentPath, e.name)));
  }
  return out.sort();
}

describe("writeArchiveFile", () => {
  it("writes the complete text to articles/YYYY/MM/DD/<key>.md and leaves no temp file", async () => {
    const dataDir = await freshDir("basic");
    const text = `---\ntitle: 标题\n---\n\n${"正文".repeat(100_000)}`;
    const p = await writeArchiveFile(dataDir, "2024-07-09", "3226319644-2247504179-1", text);
    assert.equal(p, path.join(dataDir, "articles", "2024", "07", "09", "3226319644-2247504179-1.md"));
    assert.equal(await readFile(p, "utf8"), text);
    assert.deepEqual(await listAll(dataDir), [
      path.join("articles", "2024", "07", "09", "3226319644-2247504179-1.md"),
    ]);
  });

  it("replaces an existing file atomically; concurrent writers leave one complete version", async () => {
    const dataDir = await freshDir("concurrent");
    const texts = Array.from({ length: 20 }, (_, i) => `version ${i}\n${String(i).repeat(200_000)}`);
    await Promise.all(texts.map((t) => writeArchiveFile(dataDir, "2024-01-02", "k", t)));
    const final = await readFile(path.join(dataDir, "articles", "2024", "01", "02", "k.md"), "utf8");
    assert.ok(texts.includes(final), "final file is one whole version");
    assert.deepEqual(await listAll(dataDir), [path.join("articles", "2024", "01", "02", "k.md")]);
  });

  it("rejects traversal keys and bad dates without writing anything", async () => {
    const dataDir = await freshDir("reject");
    for (const [date, key] of [
      ["2024-07-09", "../../escape"],
      ["2024-07-09", "a/b"],
      ["2024-07-09", "标题"],
      ["../../..", "k"],
    ] as const) {
      await assert.rejects(writeArchiveFile(dataDir, date, key, "x"), (e) => isAppError(e, "STORE_WRITE"));
    }
    assert.deepEqual(await listAll(dataDir), []);
    assert.ok(!(await listAll(root)).some((f) => f.includes("escape")));
  });

  it("refuses a date directory that is a symlink leading outside the data dir", async () => {
    const dataDir = await freshDir("symlinked");
    const outside = await freshDir("outside");
    await mkdir(path.join(dataDir, "articles", "2024", "07"), { recursive: true });
    await symlink(outside, path.join(dataDir, "articles", "2024", "07", "09"));
    await assert.rejects(writeArchiveFile(dataDir, "2024-07-09", "k", "x"), (e) =>
      isAppError(e, "STORE_WRITE"),
    );
    assert.deepEqual(await readdir(outside), []);
  });

  it("removes its temp file when the final rename fails", async () => {
    const dataDir = await freshDir("rename-fails");
    const dir = path.join(dataDir, "articles", "2024", "07", "09");
    // A non-empty directory under the final name makes rename() fail after the temp file was written.
    await mkdir(path.join(dir, "k.md"), { recursive: true });
    await writeFile(path.join(dir, "k.md", "occupied"), "x");
    await assert.rejects(writeArchiveFile(dataDir, "2024-07-09", "k", "text"), (e) => {
      assert.ok(isAppError(e, "STORE_WRITE"));
      assert.ok(!e.message.includes("\n"), "one-line message");
      assert.match(e.message, /^archive: /);
      return true;
    });
    assert.deepEqual(await readdir(dir), ["k.md"]);
  });
});

describe("listArchiveFiles", () => {
  it("yields documents in date/key order and skips temp and stray files", async () => {
    const dataDir = await freshDir("listing");
    await writeArchiveFile(dataDir, "2024-07-09", "b", "b");
    await writeArchiveFile(dataDir, "2024-07-09", "a", "a");
    await writeArchiveFile(dataDir, "2023-12-31", "z", "z");
    const day = path.join(dataDir, "articles", "2024", "07", "09");
    await writeFile(path.join(day, ".a.123.abcd.tmp"), "partial");
    await writeFile(path.join(day, "notes.txt"), "x");
    await mkdir(path.join(dataDir, "articles", "2024", "13", "01"), { recursive: true });
    await writeFile(path.join(dataDir, "articles", "2024", "13", "01", "bad-month.md"), "x");

    const seen = [];
    for await (const e of listArchiveFiles(dataDir)) seen.push(e);
    assert.deepEqual(
      seen.map((e) => [e.date, e.key]),
      [
        ["2023-12-31", "z"],
        ["2024-07-09", "a"],
        ["2024-07-09", "b"],
      ],
    );
    assert.equal(await readFile(seen[1]?.path ?? "", "utf8"), "a");
  });

  it("yields nothing when there is no archive yet", async () => {
    const seen = [];
    for await (const e of listArchiveFiles(path.join(root, "does-not-exist"))) seen.push(e);
    assert.deepEqual(seen, []);
  });
});

describe("removeArchiveFile", () => {
  it("deletes an archive document and reports a missing one", async () => {
    const dataDir = await freshDir("remove");
    const p = await writeArchiveFile(dataDir, "2024-07-09", "k", "x");
    assert.equal(await removeArchiveFile(p), true);
    assert.equal(await removeArchiveFile(p), false);
    assert.deepEqual(await listAll(dataDir), []);
  });

  it("refuses paths that are not shaped like archive documents", async () => {
    const dataDir = await freshDir("remove-refuse");
    const victim = path.join(dataDir, "keep.md");
    await writeFile(victim, "x");
    for (const p of [
      victim,
      "/etc/passwd",
      path.join(dataDir, "articles", "2024", "07", "09", "..", "..", "keep.md"),
    ]) {
      await assert.rejects(removeArchiveFile(p), (e) => isAppError(e, "STORE_WRITE"), p);
    }
    assert.equal(await readFile(victim, "utf8"), "x");
  });
});
