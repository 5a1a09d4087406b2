/**
 * Every page of ../shared/corpus/wechat through classifyPage and parseArticle: the pages listed in
 * expected.json field by field, every other page by what SOURCES.md says it is (its `kind:` line),
 * and every article's content free of the page chrome listed in document-format.md.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { WeChatPageError } from "../../src/errors.ts";
import type { PageClass, ParsedArticle } from "../../src/model.ts";
import { classifyPage } from "../../src/parsers/page-kind.ts";
import { parseArticle } from "../../src/parsers/wechat-article.ts";
import { corpusDir, skipReason } from "../support/corpus.ts";
import {
  compareExpectedFields,
  type ExpectedEntry,
  fromParsedArticle,
  toExpectedStatus,
} from "../support/expected-fields.ts";

const dir = corpusDir();

/** Lines that are page chrome, never article content (document-format.md, "Body"). */
const CHROME_LINES = new Set([
  "预览时标签不可点",
  "微信扫一扫",
  "关注该公众号",
  "继续滑动看下一个",
  "轻触阅读原文",
  "知道了",
  "向上滑动看下一个",
  "使用小程序",
  "取消",
  "允许",
  "视频",
  "小程序",
  "赞",
  "，轻点两下取消赞",
  "在看",
  "，轻点两下取消在看",
  "分享",
  "留言",
  "收藏",
  "听过",
  "在小说阅读器中沉浸阅读",
  "在小说阅读器读本章",
  "微信扫一扫可打开此内容，使用完整服务",
  "：",
  "，",
  "。",
]);

function chromeProblems(article: ParsedArticle): string[] {
  const problems: string[] = [];
  for (const raw of article.content.split("\n")) {
    const line = raw.trim();
    if (CHROME_LINES.has(line)) problems.push(`chrome line ${JSON.stringify(line)}`);
    if (/^!\[(?:跳转二维码|作者头像)\]/.test(line)) problems.push(`chrome image ${line.slice(0, 40)}`);
    if (/^#\s/.test(line) && line.replace(/^#+\s*/, "") === article.title) problems.push("repeated # title");
  }
  if (/\.\.\.\s*$/.test(article.content)) problems.push("ends in a ... truncation");
  return problems;
}

/**
 * The content's text with all whitespace removed: image syntax dropped, links reduced to their text,
 * emphasis markers and backslash escapes removed. (plain-text.ts's toPlainText also turns every `|`
 * into a space, which loses the literal `|` that 21's body starts with: "作者 | 不一".)
 */
function bodyNoSpace(markdown: string): string {
  return markdown
    .replace(/!\[[^\]\n]*\]\([^)\n]*\)/g, "")
    .replace(/\[([^\]\n]*)\]\([^)\n]*\)/g, "$1")
    .replace(/^#{1,6}\s+/gm, "")
    .replace(/(\*\*|__|\*|~~)(?=\S)([^\n]*?\S)\1/g, "$2")
    .replace(/\\([\\`*_{}[\]()#+\-.!|>~&<])/g, "$1")
    .replace(/\s+/g, "");
}

/** SOURCES.md `kind:` line per file. */
function readKinds(corpus: string): Map<string, string> {
  const kinds = new Map<string, string>();
  let file = "";
  for (const line of readFileSync(join(corpus, "SOURCES.md"), "utf8").split("\n")) {
    const heading = /^## (\S+\.html)\s*$/.exec(line);
    if (heading !== null) file = heading[1] ?? "";
    const kind = /^\* kind: (.*)$/.exec(line);
    if (kind !== null && file !== "") kinds.set(file, kind[1] ?? "");
  }
  return kinds;
}

/** The page class a SOURCES.md kind describes. */
function classOfKind(kind: string): PageClass {
  if (/NOT an article/i.test(kind)) return "not-article";
  if (/deleted page/i.test(kind)) return "deleted";
  if (/violation/i.test(kind)) return "violation";
  if (/unavailable page/i.test(kind)) return "unavailable";
  return "article";
}

function parseOrClass(html: string): ParsedArticle | PageClass {
  try {
    return parseArticle(html);
  } catch (error) {
    assert.ok(error instanceof WeChatPageError, `unexpected error: ${String(error)}`);
    return error.details.pageClass as PageClass;
  }
}

describe("WeChat corpus", { skip: skipReason(dir, "WeChat corpus") }, () => {
  if (dir === null) return;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".html"))
    .sort();
  const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as ExpectedEntry[];
  const expectedFiles = new Set(expected.map((e) => e.file));
  const kinds = readKinds(dir);
  const page = (file: string): string => readFileSync(join(dir, file), "utf8");

  it("has the 26 pages SOURCES.md lists", () => {
    assert.equal(files.length, 26);
    for (const file of files) assert.ok(kinds.has(file), `${file} missing from SOURCES.md`);
  });

  describe("pages with expected values", () => {
    for (const entry of expected) {
      it(`${entry.file} (${entry.status})`, () => {
        const html = page(entry.file);
        assert.equal(toExpectedStatus(classifyPage(html)), entry.status);
        const result = parseOrClass(html);
        if (typeof result === "string") {
          assert.equal(toExpectedStatus(result), entry.status);
          return;
        }
        const fields = { ...fromParsedArticle(result), bodyNoSpace: bodyNoSpace(result.content) };
        const misses = compareExpectedFields(entry, fields).filter((r) => !r.ok);
        assert.deepEqual(
          misses.map(
            (m) => `${m.field}: expected ${JSON.stringify(m.expected)}, got ${JSON.stringify(m.actual)}`,
          ),
          [],
        );
        assert.deepEqual(chromeProblems(result), []);
      });
    }
  });

  describe("other pages, by their SOURCES.md kind", () => {
    for (const file of files.filter((f) => !expectedFiles.has(f))) {
      const kind = kinds.get(file) ?? "";
      const want = classOfKind(kind);
      it(`${file} → ${want} (${kind.slice(0, 60)})`, () => {
        const html = page(file);
        assert.equal(classifyPage(html), want);
        const result = parseOrClass(html);
        if (want !== "article") {
          assert.equal(result, want);
          return;
        }
        assert.ok(typeof result !== "string", `classified ${String(result)}`);
        assert.notEqual(result.title, "");
        assert.ok(result.account !== null && result.account !== "", "account");
        assert.ok(result.content.trim().length > 0, "content is empty");
        assert.deepEqual(chromeProblems(result), []);
        const showType = /item_show_type (\d+)/.exec(kind)?.[1];
        if (showType !== undefined) assert.equal(result.itemShowType, Number(showType));
        if (/original article/.test(kind)) assert.equal(result.original, true, "original");
        if (/阅读原文/.test(kind)) assert.match(result.sourceUrl ?? "", /^https?:\/\//);
        const idx = /\bidx (\d+)/.exec(kind)?.[1];
        if (idx !== undefined) assert.equal(result.identity?.idx, idx);
        const byline = /author ([^\s,]+) ≠ account ([^\s,]+)/.exec(kind);
        if (byline !== null) assert.deepEqual([result.author, result.account], [byline[1], byline[2]]);
        const images = /(\d+) images?\b/.exec(kind)?.[1];
        if (images !== undefined) {
          assert.equal(
            result.content.match(/^!\[[^\]]*\]\(https:\/\/mmbiz\.qpic\.cn\//gm)?.length,
            Number(images),
          );
        }
        if (/audio card/.test(kind))
          assert.match(result.content, /res\.wx\.qq\.com\/voice\/getvoice\?mediaid=/);
        if (/video iframes/.test(kind)) assert.match(result.content, /视频/);
        if (/^share post/.test(kind)) {
          // The comment, then one link to the shared article (never its body).
          assert.match(result.content, /\]\(https:\/\/mp\.weixin\.qq\.com\/s\?__biz=[^)]+\)/);
        }
        if (/no sn/.test(kind)) assert.equal(result.canonicalUrl, null);
      });
    }
  });

  it("the reprint (09) reports the original account separately from the reposting one", () => {
    const article = parseArticle(page("09-reprint.html"));
    assert.equal(article.account, "36氪");
    assert.equal(article.originalAccount, "新周刊");
  });

  it("18 takes the title text, not the document.write script inside the heading", () => {
    const article = parseArticle(page("18-article-2017-browser-saved.html"));
    assert.equal(article.title, "军门再难入贵子？");
    assert.doesNotMatch(article.content, /document\.write/);
  });
});
