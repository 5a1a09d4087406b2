/**
 * The lenient reader on ../shared/corpus/archive-sample: every document's five values read as the old
 * writer wrote them (checked against the file's archive path, which encodes date, source and title),
 * the stub and truncated kinds of manifest.json reproduced exactly, colon titles read whole, and the
 * cleaned bodies free of page chrome while keeping the article's text.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { readArchiveDocument } from "../../src/parsers/document-cleanup.ts";
import { archiveSampleDir, skipReason } from "../support/corpus.ts";

interface ManifestEntry {
  readonly file: string;
  readonly archivePath: string;
  readonly kind: "full" | "stub" | "truncated";
  readonly colonTitle: boolean;
}

const dir = archiveSampleDir();
const skip = skipReason(dir, "archive sample (../shared/corpus/archive-sample)");
if (skip) console.log(`# skipping archive-sample tests: ${skip}`);
const manifest: ManifestEntry[] =
  dir === null ? [] : (JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as ManifestEntry[]);
const load = (entry: ManifestEntry) => readFileSync(join(dir ?? "", entry.file), "utf8");

// Whole lines of page UI (wechat-pages.md section 9) that never occur as article text.
const UI_PHRASES = [
  "预览时标签不可点",
  "微信扫一扫",
  "关注该公众号",
  "继续滑动看下一个",
  "轻触阅读原文",
  "知道了",
  "向上滑动看下一个",
  "使用小程序",
  "微信扫一扫可打开此内容，",
  "使用完整服务",
  "，轻点两下取消赞",
  "，轻点两下取消在看",
  "在小说阅读器读本章",
  "去阅读",
  "在小说阅读器中沉浸阅读",
  "![跳转二维码]()",
  "![]()",
];
// Footer labels that can also be article text (49.md lists 解释 / 分析 / 评价 as a paragraph each).
const LABELS = [
  "阅读原文",
  "取消",
  "允许",
  "×",
  "分析",
  "视频",
  "小程序",
  "赞",
  "在看",
  "分享",
  "留言",
  "收藏",
  "听过",
];

/** The raw text after `key: ` on the key's line in the front-matter block, as the old writer wrote it. */
function rawValue(text: string, key: string): string {
  const block = text.split("\n---\n")[0] ?? "";
  const line = block.split("\n").find((l) => l.startsWith(`${key}: `));
  assert.ok(line, `${key} line present`);
  return line.slice(key.length + 2);
}

describe("archive sample", { skip }, () => {
  it("has the 58 documents the manifest lists", () => {
    assert.equal(manifest.length, 58);
  });

  for (const entry of manifest) {
    describe(entry.file, () => {
      const text = load(entry);
      const doc = readArchiveDocument(text);

      it("reads the five values as written", () => {
        // archive/<YYYY>/<MM>/<DD>/daily/<source>_<title>.md, with path-unsafe characters as "_".
        const parts = entry.archivePath.split("/");
        assert.equal(doc.date, `${parts[1]}-${parts[2]}-${parts[3]}`);
        assert.equal(
          `${doc.source}_${doc.title}`.replace(/[\\/:*?"<>|]/g, "_"),
          parts[5]?.replace(/\.md$/, ""),
        );
        for (const key of ["title", "url", "source", "date", "fetch_date"] as const) {
          assert.equal(doc[key], rawValue(text, key), key);
        }
        assert.match(doc.url, /^https:\/\/mp\.weixin\.qq\.com\/s\?__biz=[^&]+&mid=\d+&idx=\d+&sn=[0-9a-f]+/);
        assert.match(doc.fetch_date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
        assert.deepEqual(Object.keys(doc.fields), ["title", "url", "source", "date", "fetch_date"]);
      });

      it(`reads a ${entry.colonTitle ? "colon" : "non-colon"} title whole`, () => {
        assert.equal(doc.title.includes(": "), entry.colonTitle);
        assert.ok(doc.body.startsWith(`# ${doc.title}\n`));
      });

      it(`is flagged ${entry.kind}`, () => {
        assert.equal(doc.stub, entry.kind === "stub", "stub");
        assert.equal(doc.truncated, entry.kind === "truncated", "truncated");
      });

      it("has a cleaned body free of page chrome", () => {
        const lines = doc.cleanedBody.split("\n").map((line) => line.trim());
        assert.equal(lines[0], `# ${doc.title}`);
        assert.equal(lines.filter((line) => line.startsWith("# ")).length, 1, "one # title");
        for (const chrome of UI_PHRASES) assert.ok(!lines.includes(chrome), chrome);
        // Labels may stay only as often as the article itself (the text before the footer) has them.
        const raw = doc.body.split("\n").map((line) => line.trim());
        const footer = raw.indexOf("预览时标签不可点");
        const before = entry.kind === "stub" ? [] : footer < 0 ? raw : raw.slice(0, footer);
        for (const label of LABELS) {
          const count = (list: string[]) => list.filter((line) => line === label).length;
          assert.ok(count(lines) <= count(before), label);
        }
        assert.ok(!LABELS.includes(lines.at(-1) ?? ""), "ends with a footer label");
        assert.ok(!lines.some((line) => line.startsWith("![作者头像](")), "author avatar");
        const punctuation = lines.filter((line) => /^[：，。]$/.test(line));
        assert.equal(punctuation.length, 0, "lone punctuation lines");
        const rawCover = doc.body.split("\n").find((line) => line.startsWith("![cover_image]("));
        if (rawCover !== undefined) assert.equal(lines[2], rawCover, "cover kept after the title");
        // The byline the page repeats after its own title (原创, author, account) is gone.
        const firstText = lines.filter((line) => line !== "")[rawCover === undefined ? 1 : 2];
        assert.notEqual(firstText, "原创", "原创 badge");
        assert.notEqual(firstText, doc.source, "account line");
      });

      if (entry.kind !== "stub") {
        it("keeps the article text", () => {
          // Every long line before the footer is article text and must survive cleaning.
          const raw = doc.body.split("\n");
          const footer = raw.indexOf("预览时标签不可点");
          const article = (footer < 0 ? raw : raw.slice(0, footer)).filter(
            (line) => [...line].length > 40 && !line.startsWith("# ") && !line.startsWith("![cover_image]("),
          );
          assert.ok(article.length > 0);
          const cleaned = new Set(doc.cleanedBody.split("\n"));
          for (const line of article) assert.ok(cleaned.has(line), line.slice(0, 40));
        });
      }
    });
  }
});
