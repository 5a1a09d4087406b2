/**
 * Every page of ../shared/corpus/wechat-more (share templates the main corpus lacks, an expired link,
 * a 2018 profile page) through classifyPage and parseArticle against its hand-read expected.json,
 * field by field, plus what each body must hold: the image share's text then its picture, the video
 * share's video as a link.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { classifyPage } from "../../src/parsers/page-kind.ts";
import { parseArticle } from "../../src/parsers/wechat-article.ts";
import { moreCorpusDir, skipReason } from "../support/corpus.ts";
import {
  compareExpectedFields,
  type ExpectedEntry,
  extractExpectedFields,
  toExpectedStatus,
} from "../support/expected-fields.ts";

const dir = moreCorpusDir();

describe("WeChat corpus: more templates", { skip: skipReason(dir, "WeChat corpus wechat-more") }, () => {
  if (dir === null) return;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".html"))
    .sort();
  const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as ExpectedEntry[];
  const page = (file: string): string => readFileSync(join(dir, file), "utf8");

  it("has an expected.json entry for each of its 4 pages", () => {
    assert.equal(files.length, 4);
    assert.deepEqual(expected.map((e) => e.file).sort(), files);
  });

  for (const entry of expected) {
    it(`${entry.file} (${entry.status}): every expected value`, () => {
      const html = page(entry.file);
      assert.equal(toExpectedStatus(classifyPage(html)), entry.status);
      const misses = compareExpectedFields(entry, extractExpectedFields(html)).filter((r) => !r.ok);
      assert.deepEqual(
        misses.map(
          (m) => `${m.field}: expected ${JSON.stringify(m.expected)}, got ${JSON.stringify(m.actual)}`,
        ),
        [],
      );
    });
  }

  it("the 2018 image share: the document.write text, then its one picture in https", () => {
    const article = parseArticle(page("01-image-share-2018-old-template.html"));
    const blocks = article.content.split("\n\n");
    assert.equal(blocks.length, 2);
    assert.match(blocks[0] ?? "", /^今天读了一篇谈腾讯战略的文章.*感兴趣的进来参与即可。$/);
    assert.doesNotMatch(article.content, /document\.write|&nbsp;/);
    assert.equal(
      blocks[1],
      "![](https://mmbiz.qpic.cn/mmbiz_jpg/ow5rEn8QGlH7L4Pc8DPMicp2Ja9me1pOnwV3ibRskh4icKhJXajIAdhSOLY6A5ibqPCibYS7ibhtLS3HJQ1z6MLCcibmw/0?wx_fmt=jpeg)",
    );
  });

  it("the 2018 video share: the video as a link to its Tencent page, named by the title", () => {
    const article = parseArticle(page("02-video-share-2018.html"));
    assert.equal(article.content, "[视频：今天的推送，会动！](https://v.qq.com/x/page/c1338f604ll.html)");
  });
});
