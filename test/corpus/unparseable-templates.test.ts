/**
 * Never an empty or guessed article: every article page of both corpora (one per known template and
 * year) is fed to the parser again with its title, its account or its publish time removed — every
 * occurrence of the value, in any encoding the page uses — and must come back `unparseable`
 * (ParseError PARSE_ARTICLE naming the missing field), never as a document.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { isAppError } from "../../src/errors.ts";
import type { ParsedArticle } from "../../src/model.ts";
import { beijingDate } from "../../src/parsers/time.ts";
import { parseArticle } from "../../src/parsers/wechat-article.ts";
import { corpusDir, moreCorpusDir, skipReason } from "../support/corpus.ts";

/** One character in any of the encodings pages use: itself, an HTML entity, a JS escape. */
function charPattern(ch: string): string {
  if (/\s/.test(ch)) return String.raw`(?:\s|&nbsp;|&#x0*20;|&#0*32;|\\x20|\\u0020)+`;
  const code = ch.codePointAt(0) ?? 0;
  const hex = code.toString(16);
  const literal = ch.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const jsEscape =
    code < 0x100 ? String.raw`\\x${hex.padStart(2, "0")}` : String.raw`\\u${hex.padStart(4, "0")}`;
  return `(?:${literal}|&#x0*${hex};|&#0*${code};|${jsEscape})`;
}

/** The page with every occurrence of `value` (in any encoding) removed. */
function withoutValue(html: string, value: string): string {
  const pattern = new RegExp(Array.from(value.trim()).map(charPattern).join(""), "giu");
  const out = html.replace(pattern, "");
  assert.ok(out !== html, `the page does not contain ${JSON.stringify(value)}`);
  return out;
}

/** The page without its publish time: the Unix seconds and the Beijing date the wall-clock forms start with. */
function withoutPublishTime(html: string, at: Date): string {
  const seconds = String(Math.floor(at.getTime() / 1000));
  return html.split(seconds).join("").split(beijingDate(at)).join("");
}

function assertUnparseable(html: string, field: string): void {
  let article: ParsedArticle | null = null;
  try {
    article = parseArticle(html);
  } catch (error) {
    assert.ok(isAppError(error, "PARSE_ARTICLE"), `unexpected error ${String(error)}`);
    assert.equal(error.details.pageClass, "unparseable");
    assert.ok(
      (error.details.missing as string[]).includes(field),
      `missing: ${String(error.details.missing)}`,
    );
    assert.match(error.message, new RegExp(`without .*${field}`));
    return;
  }
  assert.fail(`parsed as a document: title ${JSON.stringify(article.title)}, account ${article.account}`);
}

function articlePages(dir: string | null): { file: string; html: string; article: ParsedArticle }[] {
  if (dir === null) return [];
  const pages = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".html"))) {
    const html = readFileSync(join(dir, file), "utf8");
    try {
      pages.push({ file, html, article: parseArticle(html) });
    } catch {
      // failure and account pages: nothing to remove
    }
  }
  return pages.sort((a, b) => a.file.localeCompare(b.file));
}

const main = corpusDir();
const more = moreCorpusDir();

describe("an article page missing its title, account or publish time is unparseable", {
  skip: skipReason(main, "WeChat corpus") || skipReason(more, "WeChat corpus wechat-more"),
}, () => {
  const pages = [...articlePages(main), ...articlePages(more)];

  it("covers every article template of both corpora", () => {
    assert.equal(pages.length, 22);
  });

  for (const { file, html, article } of pages) {
    // 08's title is derived from the first line of its text (is_user_title 0), so it has no title to
    // remove; 07 is the same template with a title of its own.
    if (!article.title.endsWith("…")) {
      it(`${file} without its title`, () => assertUnparseable(withoutValue(html, article.title), "title"));
    }

    it(`${file} without its account`, () =>
      assertUnparseable(withoutValue(html, article.account ?? ""), "account"));

    const at = article.publishedAt;
    if (at === null) {
      // 21 and 26 are copies with every script stripped: no publish time to find, none to miss.
      it(`${file} states no publish time and parses (the document date falls back with a warning)`, () => {
        assert.match(file, /mercury-fixture/);
      });
    } else {
      it(`${file} without its publish time`, () =>
        assertUnparseable(withoutPublishTime(html, at), "publish time"));
    }
  }
});
