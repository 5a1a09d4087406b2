import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { runCliInProcess } from "../../support/cli-run.ts";
import { corpusDir, skipReason } from "../../support/corpus.ts";

const dir = corpusDir();

/** Splits a rendered document into its front matter and body. */
function splitDocument(text: string): { front: Record<string, unknown>; body: string } {
  const match = /^---\n([\s\S]*?)\n---\n\n([\s\S]*)$/.exec(text);
  assert.ok(match, "the output is a document with front matter");
  return { front: parseYaml(match[1] ?? "") as Record<string, unknown>, body: match[2] ?? "" };
}

describe("wechat-feed parse", { skip: skipReason(dir, "WeChat corpus") }, () => {
  const page = (file: string) => join(dir ?? "", file);

  it("prints a valid document for an article", async () => {
    const result = await runCliInProcess(["parse", page("01-article.html")]);
    assert.equal(result.code, 0, result.stderr);
    const { front, body } = splitDocument(result.stdout);
    assert.deepEqual(Object.keys(front), ["title", "url", "source", "date", "fetch_date"]);
    assert.equal(front.title, "AI编程害死我了，给我的抓包软件埋了一个大雷！");
    assert.equal(front.source, "轩辕的编程宇宙");
    assert.equal(front.date, "2025-11-10");
    assert.match(String(front.fetch_date), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    assert.ok(body.startsWith("# AI编程害死我了"));
  });

  it("uses --source and reads standard input", async () => {
    const html = readFileSync(page("04-article-author.html"), "utf8");
    const result = await runCliInProcess(["parse", "-", "--source", "读书: 精选"], { stdin: html });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(splitDocument(result.stdout).front.source, "读书: 精选");
  });

  it("prints the extracted fields with --json", async () => {
    const result = await runCliInProcess(["parse", page("02-article-source-link.html"), "--json"]);
    assert.equal(result.code, 0);
    const fields = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.equal(fields.account, "阮一峰的网络日志");
    assert.equal(fields.publishedAt, "2025-11-07T00:31:48.000Z");
    assert.match(String(fields.sourceUrl), /^https?:\/\//);
  });

  const notArticles: [string, string][] = [
    ["11-deleted.html", "deleted"],
    ["12-deleted-en.html", "deleted"],
    ["13-violation.html", "violation"],
    ["14-violation.html", "violation"],
    ["15-unavailable.html", "unavailable"],
    ["16-profile-about.html", "not-article"],
  ];
  for (const [file, pageClass] of notArticles) {
    it(`exits 3 naming ${pageClass} for ${file}`, async () => {
      const result = await runCliInProcess(["parse", page(file)]);
      assert.equal(result.code, 3);
      assert.equal(result.stdout, "");
      assert.equal(result.stderr.trim().split("\n").length, 1);
      assert.match(result.stderr, new RegExp(`: ${pageClass}$`, "m"));
    });
  }

  it("exits 3 naming verification for a captcha page", async () => {
    const captcha = readFileSync(join(import.meta.dirname, "../../fixtures/synthetic/captcha.html"), "utf8");
    const result = await runCliInProcess(["parse", "-"], { stdin: captcha });
    assert.equal(result.code, 3);
    assert.match(result.stderr, /verification/);
  });
});

describe("wechat-feed parse usage errors", () => {
  const cases: [string, string[], RegExp][] = [
    ["no file", ["parse"], /exactly one file/],
    ["two files", ["parse", "a", "b"], /exactly one file/],
    ["unknown option", ["parse", "x.html", "--bogus"], /bogus/],
    ["missing file", ["parse", "/nonexistent/page.html"], /cannot read/],
    ["bad --url", ["parse", "-", "--url", "https://evil.example/s/x"], /host not allowed/],
  ];
  for (const [name, argv, message] of cases) {
    it(`exits 2 on ${name}, one line, no stack`, async () => {
      const result = await runCliInProcess(argv);
      assert.equal(result.code, 2);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split("\n").length, 1);
      assert.doesNotMatch(result.stderr, /\bat .*\.ts:\d+/);
    });
  }
});
