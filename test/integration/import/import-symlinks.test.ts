/**
 * `import` never leaves the directory it was given: a symbolic link to a document outside it is
 * refused unread (its target is a valid document, so the old code imported it), links inside it are
 * fine, and every unreadable file is logged at info with its reason while the summary stays right.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { importArchive } from "../../../src/jobs/import-archive.ts";
import { createLogger } from "../../../src/logger.ts";
import { renderDocument } from "../../../src/parsers/front-matter.ts";
import { createArchiveFiles } from "../../../src/store/archive.ts";
import { createArchiveHealth } from "../../../src/store/archive-health.ts";
import { createArticleStore } from "../../../src/store/article-store.ts";
import { createTestRedis, type TestRedis } from "../../support/redis.ts";

/** A document in the archive format for article `mid` of uin 3226319644 (biz MzIyNjMxOTY0NA==). */
function documentOf(mid: number, title: string): string {
  return renderDocument({
    title,
    url: `https://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&mid=${mid}&idx=1&sn=8c1f7e2a9b3d4c5e6f708192a3b4c5d6`,
    source: "码农札记",
    date: "2025-11-01",
    fetch_date: "2025-11-01T10:00:00.000000",
    body: `# ${title}\n\n${title}的正文，足够长的一段文字。\n\n第二段。`,
  });
}

describe("import and symbolic links", () => {
  let t: TestRedis;
  let root: string;

  before(async () => {
    t = await createTestRedis();
    root = await mkdtemp(path.join(tmpdir(), "wf-import-links-"));
  });
  after(async () => {
    await t?.cleanup();
    await rm(root, { recursive: true, force: true });
  });

  it("refuses links that lead outside, keeps links inside, and logs each unreadable file at info", async () => {
    const dir = path.join(root, "import");
    const outside = path.join(root, "outside");
    await mkdir(path.join(dir, "sub"), { recursive: true });
    await mkdir(outside);
    await writeFile(path.join(outside, "secret.md"), documentOf(2247500001, "外面的文章"));
    await writeFile(path.join(dir, "sub", "inside.md"), documentOf(2247500002, "里面的文章"));
    await writeFile(path.join(dir, "junk.md"), Buffer.from([0x23, 0x00, 0x01]));
    await symlink(path.join(outside, "secret.md"), path.join(dir, "escape.md"));
    await symlink("../../outside/secret.md", path.join(dir, "sub", "relative-escape.md"));
    await symlink(path.join(dir, "sub", "inside.md"), path.join(dir, "alias.md"));
    await symlink(outside, path.join(dir, "outside-dir")); // a linked directory is never walked

    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      level: "info",
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    const store = createArticleStore(t.redis, t.prefix);
    const dataDir = path.join(root, "data");
    const summary = await importArchive(
      { dir, sourceId: "old" },
      {
        store,
        archive: createArchiveFiles(dataDir),
        archiveHealth: createArchiveHealth(t.redis, t.prefix),
        dataDir,
        logger,
        now: () => Date.now(),
      },
    );

    assert.equal(summary.imported, 1);
    assert.equal(summary.duplicates, 1, "the inside link is the same article as its target");
    assert.equal(summary.unreadable, 3);
    assert.equal(await store.readArticle("3226319644-2247500001-1"), null, "the outside document");
    assert.notEqual(await store.readArticle("3226319644-2247500002-1"), null);

    const unreadable = lines
      .filter((l) => l.msg === "import file unreadable")
      .map((l) => [l.file, l.reason, l.level]);
    const outsideReason = "symbolic link to a file outside the import directory";
    assert.deepEqual(
      unreadable.sort(),
      [
        ["escape.md", outsideReason, 30],
        ["junk.md", "binary file (NUL bytes)", 30],
        ["sub/relative-escape.md", outsideReason, 30],
      ].sort(),
    );
  });
});
