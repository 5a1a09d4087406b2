/**
 * The nesting limit of parseBoundedHtml and what it means for whole pages: a page nested deeper than
 * MAX_ELEMENT_DEPTH is refused as `unparseable` (ParseError PARSE_ARTICLE) without a RangeError, and a
 * page just inside the limit renders through every recursive walk whatever its tags.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { AppError } from "../../../src/errors.ts";
import { MAX_ELEMENT_DEPTH, parseBoundedHtml } from "../../../src/parsers/html-parse.ts";
import { parseAlbumHtml } from "../../../src/parsers/listing-album.ts";
import { parseArticle } from "../../../src/parsers/wechat-article.ts";
import { PROJECT_ROOT } from "../../support/cli-command.ts";
import { buildDeepArticlePage } from "../../support/deep-page.ts";
import { ensureDist } from "../../support/dist.ts";

function nest(depth: number, tag = "div"): string {
  return `${`<${tag}>`.repeat(depth)}x${`</${tag}>`.repeat(depth)}`;
}

function assertUnparseable(run: () => unknown, code = "PARSE_ARTICLE"): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof AppError, `an AppError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.details.pageClass, "unparseable");
    return true;
  });
}

describe("parseBoundedHtml", () => {
  it("parses markup nested exactly to the limit", () => {
    const doc = parseBoundedHtml(nest(MAX_ELEMENT_DEPTH));
    let depth = 0;
    for (let node = doc.children[0]; node !== undefined && "children" in node; node = node.children[0])
      depth++;
    assert.equal(depth, MAX_ELEMENT_DEPTH);
  });

  it("refuses one level more", () => {
    assertUnparseable(() => parseBoundedHtml(nest(MAX_ELEMENT_DEPTH + 1)));
  });

  it("counts the tree htmlparser2 builds, not the tags written", () => {
    // `<p>` closes an open `<p>` and void elements never open: 10,000 of each stay shallow.
    const flat = "<p>a".repeat(10_000) + "<br><img src=x>".repeat(10_000);
    assert.ok(parseBoundedHtml(flat).children.length >= 10_000);
  });

  it("refuses a deep album page as a listing error", () => {
    assertUnparseable(() => parseAlbumHtml(nest(3000, "section")), "PARSE_LISTING");
  });
});

describe("parseArticle on deep pages", () => {
  for (const depth of [3000, 300_000]) {
    it(`classes a page ${depth} elements deep as unparseable`, () => {
      assertUnparseable(() => parseArticle(buildDeepArticlePage(depth)));
    });
  }

  // Each mix drives a different recursion: repair, blocks, inline emphasis, links, lists, quotes, tables.
  const mixes = [
    ["section", "span", "div"],
    ["strong", "em", "a"],
    ["ol", "li", "blockquote", "p"],
    ["table", "tr", "td"],
    ["h1", "span"],
    ["pre", "code"],
  ];
  for (const tags of mixes) {
    it(`renders a page nested ${MAX_ELEMENT_DEPTH - 3} deep in ${tags.join("/")}`, () => {
      // The page shell puts #js_content inside nothing; the slice itself adds the #js_content level.
      const article = parseArticle(buildDeepArticlePage(MAX_ELEMENT_DEPTH - 3, tags));
      assert.equal(article.title, "合成深层页面");
      assert.ok(article.content.length < 4000);
    });
  }
});

describe("wechat-feed parse on deep pages", () => {
  before(() => ensureDist());
  for (const depth of [3000, 300_000]) {
    it(`exits 3 with one line for a page ${depth} deep`, async () => {
      const dir = await mkdtemp(join(tmpdir(), "deep-page-"));
      try {
        const file = join(dir, "deep.html");
        await writeFile(file, buildDeepArticlePage(depth));
        const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((done) => {
          execFile(
            process.execPath,
            ["bin/wechat-feed.js", "parse", file],
            { cwd: PROJECT_ROOT, timeout: 60_000 },
            (error, _stdout, err) => done({ code: error === null ? 0 : (error.code as number), stderr: err }),
          );
        });
        assert.equal(code, 3, stderr);
        assert.equal(stderr, "wechat-feed: parse: not an article: unparseable\n");
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
