/**
 * `wechat-feed import` and `wechat-feed reindex`, run through their CLI command functions in-process
 * against real Redis (unique prefix) and a temp data dir: 1,000 generated documents in the old archive's
 * format (test/support/archive-generator.ts) must give exactly the counts the generator computed, one
 * valid archive file per article and the right records; a second run imports nothing; reindex brings
 * deleted records back from the archive; the archive sample gives the manifest's stub/truncated counts.
 */

import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough, Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import type { CliContext } from "../../../src/cli/command.ts";
import { createImportCommand } from "../../../src/cli/import.ts";
import { createReindexCommand } from "../../../src/cli/reindex.ts";
import { isAppError } from "../../../src/errors.ts";
import type { StoredArticle } from "../../../src/model.ts";
import { parseArticleUrl } from "../../../src/parsers/wechat-url.ts";
import { type ArticleStore, createArticleStore } from "../../../src/store/article-store.ts";
import { type GeneratedArchive, writeGeneratedArchive } from "../../support/archive-generator.ts";
import { archiveSampleDir, skipReason } from "../../support/corpus.ts";
import { createTestRedis, type TestRedis } from "../../support/redis.ts";

const KEYS = ["title", "url", "source", "date", "fetch_date"];

/** A writable that keeps what was written. */
function collector(): Writable & { text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return Object.assign(stream, { text: () => chunks.join("") });
}

/** A test environment: Redis prefix, temp data dir, config file, and a runner for CLI commands. */
interface Env {
  readonly t: TestRedis;
  readonly store: ArticleStore;
  readonly root: string;
  readonly dataDir: string;
  readonly changed: string[];
  run(name: "import" | "reindex", args: string[]): Promise<{ code: number; stdout: string; last: string }>;
  close(): Promise<void>;
}

async function createEnv(): Promise<Env> {
  const t = await createTestRedis();
  const root = await mkdtemp(path.join(tmpdir(), "wf-import-"));
  const dataDir = path.join(root, "data");
  const config = path.join(root, "config.yaml");
  await writeFile(config, "sources: []\n");
  const changed: string[] = [];
  const hooks = { onArticleChanged: async (_rt: unknown, key: string) => void changed.push(key) };
  const commands = { import: createImportCommand(hooks), reindex: createReindexCommand(hooks) };
  return {
    t,
    store: createArticleStore(t.redis, t.prefix),
    root,
    dataDir,
    changed,
    async run(name, args) {
      const stdout = collector();
      const ctx: CliContext = {
        stdout,
        stderr: collector(),
        stdin: new PassThrough(),
        env: {
          REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
          REDIS_PREFIX: t.prefix,
          DATA_DIR: dataDir,
          WECHAT_FEED_CONFIG: config,
          LOG_LEVEL: "warn",
        },
        cwd: root,
        isTTY: false,
      };
      const code = await commands[name].run(args, ctx);
      const lines = stdout.text().trimEnd().split("\n");
      return { code, stdout: stdout.text(), last: lines.at(-1) ?? "" };
    },
    async close() {
      await t.cleanup();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Every `.md` file under `dir`, relative. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".md"))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** Every stored article, by key. */
async function readAll(store: ArticleStore): Promise<Map<string, StoredArticle>> {
  const all = await store.listArticles({ limit: 100_000 });
  return new Map(all.map((a) => [a.key, a]));
}

const summary = (e: GeneratedArchive["expected"]) =>
  `import: imported=${e.imported} duplicates=${e.duplicates} stubs=${e.stubs} truncated=${e.truncated} unreadable=${e.unreadable}`;

describe("import: 1,000 generated archive documents", () => {
  let env: Env;
  let gen: GeneratedArchive;
  let archiveDir: string;

  before(async () => {
    env = await createEnv();
    archiveDir = path.join(env.root, "old-archive");
    gen = await writeGeneratedArchive(archiveDir, 20240709, 1000);
  });
  after(async () => {
    await env.close();
  });

  it("the generator made the mix the import has to handle", () => {
    const e = gen.expected;
    assert.equal(gen.files, 1000);
    assert.equal(e.imported + e.duplicates + e.stubs + e.unreadable, 1000);
    assert.ok(e.duplicates >= 100, `duplicates ${e.duplicates}`);
    assert.ok(e.truncated >= 30, `truncated ${e.truncated}`);
    const titles = [...gen.articles.values()].map((a) => a.title);
    assert.ok(titles.some((x) => x.includes(": ")) && titles.some((x) => x.startsWith("[")));
  });

  it("first run: exact summary, one valid archive file per article, the right records", async () => {
    const started = performance.now();
    const first = await env.run("import", [archiveDir]);
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `# import of ${gen.files} generated documents took ${seconds.toFixed(2)} s (reported, not asserted)`,
    );
    assert.equal(first.code, 0);
    assert.equal(first.last, summary(gen.expected));

    const stored = await readAll(env.store);
    assert.equal(await env.store.countArticles(), gen.expected.imported);
    assert.equal(await env.store.countArticles("import"), gen.expected.imported);
    assert.deepEqual([...stored.keys()].sort(), [...gen.articles.keys()].sort());
    assert.deepEqual([...env.changed].sort(), [...gen.articles.keys()].sort());

    const files = await listFiles(path.join(env.dataDir, "articles"));
    assert.equal(files.length, gen.expected.imported);
    for (const want of gen.articles.values()) {
      const got = stored.get(want.key);
      assert.ok(got, want.key);
      assert.equal(got.title, want.title, want.key);
      assert.equal(got.truncated === true, want.truncated, `${want.key} truncated`);
      assert.equal(got.date, want.date, `${want.key} date (winning copy)`);
      assert.equal(got.sourceId, "import");
      const [y, m, d] = want.date.split("-");
      assert.equal(
        got.archivePath,
        path.join(env.dataDir, "articles", y ?? "", m ?? "", d ?? "", `${want.key}.md`),
      );
      if (want.marker !== null)
        assert.ok(got.document.includes(want.marker), `${want.key}: the best copy won`);
      // Publish time: Beijing midnight of the date, never the import time.
      assert.equal(got.publishedAt, Date.parse(`${want.date}T00:00:00+08:00`));

      const text = await readFile(got.archivePath, "utf8");
      assert.equal(text, got.document);
      const block = text.split("\n---\n")[0]?.replace(/^---\n/, "") ?? "";
      const fm = parseYaml(block) as Record<string, unknown>;
      assert.deepEqual(Object.keys(fm), KEYS, want.key);
      assert.equal(fm.title, want.title);
      assert.equal(fm.date, want.date);
      // The canonical URL of the article, whichever form the winning copy had.
      const parsed = parseArticleUrl(String(fm.url));
      assert.equal(parsed.key, want.key);
      assert.ok(String(fm.url).startsWith("https://mp.weixin.qq.com/s?__biz="), String(fm.url));
      assert.ok(!/chksm|scene|#|&amp;/.test(String(fm.url)), String(fm.url));
      // Page chrome of the old converter is gone.
      assert.ok(!text.includes("微信扫一扫") && !text.includes("轻点两下取消赞"), want.key);
    }
  });

  it("a second run imports nothing and changes nothing", async () => {
    const before = await readAll(env.store);
    const changedBefore = env.changed.length;
    const second = await env.run("import", [archiveDir]);
    const e = gen.expected;
    assert.equal(second.code, 0);
    assert.equal(
      second.last,
      summary({ ...e, imported: 0, truncated: 0, duplicates: e.duplicates + e.imported }),
    );
    assert.deepEqual(await readAll(env.store), before);
    assert.equal(env.changed.length, changedBefore);
  });

  it("reindex brings deleted records back from the archive", async () => {
    const before = await readAll(env.store);
    // Drop the article hashes and indexes of this prefix (the archive stays).
    const victims: string[] = [];
    for (const pattern of ["article:*", "index:*", "source-index:*"]) {
      let cursor = "0";
      do {
        const [next, found] = await env.t.redis.scan(
          cursor,
          "MATCH",
          `${env.t.prefix}:${pattern}`,
          "COUNT",
          1000,
        );
        cursor = next;
        victims.push(...found);
      } while (cursor !== "0");
    }
    assert.ok(victims.length >= gen.expected.imported);
    await env.t.redis.unlink(...victims);
    assert.equal(await env.store.countArticles(), 0);
    // A damaged file in the archive is counted, not fatal.
    const junk = path.join(env.dataDir, "articles", "2024", "01", "01", "junk.md");
    await mkdir(path.dirname(junk), { recursive: true });
    await writeFile(junk, Buffer.from([0x2d, 0x2d, 0x2d, 0x0a, 0x00, 0xff, 0xfe]));

    const result = await env.run("reindex", []);
    assert.equal(result.code, 0);
    assert.equal(result.last, `reindex: articles=${gen.expected.imported} unreadable=1`);
    await rm(junk);
    const after = await readAll(env.store);
    assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort());
    for (const [key, was] of before) {
      const now = after.get(key);
      assert.equal(now?.title, was.title, key);
      assert.equal(now?.document, was.document, key);
      assert.equal(now?.archivePath, was.archivePath, key);
      assert.equal(now?.truncated === true, was.truncated === true, `${key} truncated flag`);
      assert.equal(now?.publishedAt, was.publishedAt, key);
    }
    assert.equal((await listFiles(path.join(env.dataDir, "articles"))).length, gen.expected.imported);
  });
});

describe("import: usage", () => {
  it("refuses a bad --source-id, a missing directory and extra arguments before touching Redis", async () => {
    const env = await createEnv();
    try {
      const usage = (e: unknown) => isAppError(e, "USAGE");
      await assert.rejects(env.run("import", [env.root, "--source-id", "Bad_Id"]), usage);
      await assert.rejects(env.run("import", [path.join(env.root, "missing")]), usage);
      await assert.rejects(env.run("import", [env.root, env.root]), usage);
      await assert.rejects(env.run("import", []), usage);
      await assert.rejects(env.run("reindex", ["extra"]), usage);
      const ok = await env.run("import", [env.root, "--source-id", "old-blog"]);
      assert.equal(ok.last, "import: imported=0 duplicates=0 stubs=0 truncated=0 unreadable=0");
    } finally {
      await env.close();
    }
  });
});

interface ManifestEntry {
  readonly file: string;
  readonly kind: "full" | "stub" | "truncated";
}

const sample = archiveSampleDir();
const sampleSkip = skipReason(sample, "archive sample (../shared/corpus/archive-sample)");
if (sampleSkip) console.log(`# skipping archive-sample import: ${sampleSkip}`);

describe("import: the archive sample", { skip: sampleSkip }, () => {
  it("reports the manifest's stubs and truncated documents", async () => {
    const dir = sample ?? "";
    const manifest = JSON.parse(await readFile(path.join(dir, "manifest.json"), "utf8")) as ManifestEntry[];
    const count = (kind: ManifestEntry["kind"]) => manifest.filter((m) => m.kind === kind).length;
    const documents = (await readdir(dir)).filter((f) => /\.(md|txt)$/.test(f)).length;
    const env = await createEnv();
    try {
      const result = await env.run("import", [dir]);
      assert.equal(result.code, 0);
      const m = /^import: imported=(\d+) duplicates=(\d+) stubs=(\d+) truncated=(\d+) unreadable=(\d+)$/.exec(
        result.last,
      );
      assert.ok(m, result.last);
      const [imported, duplicates, stubs, truncated, unreadable] = m.slice(1).map(Number);
      assert.equal(stubs, count("stub"));
      assert.equal(truncated, count("truncated"));
      assert.equal((imported ?? 0) + (duplicates ?? 0), count("full") + count("truncated"));
      // Files beside the documents (SOURCES.md) have no front matter.
      assert.equal(unreadable, documents - manifest.length);
      assert.equal(await env.store.countArticles(), imported);
    } finally {
      await env.close();
    }
  });
});
