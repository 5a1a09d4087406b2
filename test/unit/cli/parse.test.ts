import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { runCliInProcess } from "../../support/cli-run.ts";
import { corpusDir, moreCorpusDir, skipReason } from "../../support/corpus.ts";

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
      assert.match(result.stderr, new RegExp(`^wechat-feed: parse: not an article: ${pageClass}\n$`));
    });
  }

  it("exits 3 naming verification for a captcha page", async () => {
    const captcha = readFileSync(join(import.meta.dirname, "../../fixtures/synthetic/captcha.html"), "utf8");
    const result = await runCliInProcess(["parse", "-"], { stdin: captcha });
    assert.equal(result.code, 3);
    assert.match(result.stderr, /^wechat-feed: parse: not an article: verification$/m);
  });

  it("exits 3 naming unparseable, and what is missing, for an article page without title or account", async () => {
    const html = `<html><body><div id="js_content"><p>正文</p></div>
      <script>var item_show_type = "0"; var ct = "1500853064";</script></body></html>`;
    const result = await runCliInProcess(["parse", "-"], { stdin: html });
    assert.equal(result.code, 3);
    assert.equal(result.stdout, "");
    assert.equal(result.stderr, "wechat-feed: parse: article page without title, account: unparseable\n");
  });
});

describe("wechat-feed parse: templates of wechat-more", {
  skip: skipReason(moreCorpusDir(), "wechat-more"),
}, () => {
  const page = (file: string) => join(moreCorpusDir() ?? "", file);

  it("takes the canonical URL from the video share's own msg_link: no --url needed", async () => {
    const result = await runCliInProcess(["parse", page("02-video-share-2018.html")]);
    assert.equal(result.code, 0, result.stderr);
    const { front, body } = splitDocument(result.stdout);
    assert.equal(
      front.url,
      "https://mp.weixin.qq.com/s?__biz=MzU2NTQzMjQ2NA==&mid=2247489928&idx=1&sn=cb266318c94dfa8f4bfa26263630acee",
    );
    assert.equal(front.date, "2018-04-28");
    assert.equal(front.source, "咪蒙");
    assert.match(body, /\[视频：今天的推送，会动！\]\(https:\/\/v\.qq\.com\/x\/page\/c1338f604ll\.html\)/);
  });

  it("exits 3 naming expired for the expired temporary link", async () => {
    const result = await runCliInProcess(["parse", page("03-expired-link.html")]);
    assert.equal(result.code, 3);
    assert.equal(result.stderr, "wechat-feed: parse: not an article: expired\n");
  });

  it("exits 3 naming not-article for the 2018 profile page", async () => {
    const result = await runCliInProcess(["parse", page("04-profile-page-2018.html")]);
    assert.equal(result.code, 3);
    assert.equal(result.stderr, "wechat-feed: parse: not an article: not-article\n");
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
      assert.match(result.stderr, /^wechat-feed: /);
      assert.doesNotMatch(result.stderr, /\bat .*\.ts:\d+/);
    });
  }
});
