/**
 * Property (issue 10 point 7, issue 11 point 8): arbitrary strings as title, account, author, source and
 * body go through document build → stored document → archive file → the reader `reindex` and `import`
 * use, and come back exactly as built; what was built holds no control character, titles and names
 * no bidi control, and the title follows the cleaning spec written independently in test/support.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { readTextFile } from "../../../src/jobs/import-files.ts";
import { buildStoredDocument } from "../../../src/jobs/store-document.ts";
import type { ParsedArticle } from "../../../src/model.ts";
import { buildDocument } from "../../../src/parsers/document.ts";
import { readDocument } from "../../../src/parsers/front-matter.ts";
import { writeArchiveFile } from "../../../src/store/archive.ts";
import { FUZZ_SEED, fuzzParams, hostileText } from "../../support/fuzz.ts";
import {
  firstForbiddenInName,
  isBidiControl,
  isCleanText,
  isDroppedControl,
} from "../../support/text-spec.ts";

const URL =
  "https://mp.weixin.qq.com/s?__biz=MzA4MjQxNjQzMA==&mid=2650000042&idx=1&sn=0123456789abcdef0123456789abcdef";
const FETCHED_AT = new Date("2026-01-03T04:05:06.789Z");

/**
 * The title spec: controls and bidi controls dropped, lone surrogates replaced, line breaks (with the
 * whitespace around them) made one space, trimmed, cut to 512 characters with `…`; the stored
 * document then collapses every whitespace run.
 */
function expectedTitle(raw: string): string {
  let text = "";
  for (const ch of raw.replace(/\r\n?/g, "\n")) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0xd800 && cp <= 0xdfff) text += "\ufffd";
    else if (!isDroppedControl(cp) && !isBidiControl(cp)) text += ch;
  }
  const line = text.replace(/\s*[\n\u2028\u2029]+\s*/g, " ").trim();
  const chars = [...line];
  const cut = chars.length <= 512 ? line : `${chars.slice(0, 511).join("").trimEnd()}…`;
  return cut.replace(/\s+/g, " ");
}

function article(fields: { title: string; account: string; author: string; body: string }): ParsedArticle {
  return {
    title: fields.title,
    account: fields.account,
    author: fields.author,
    original: false,
    publishedAt: new Date("2026-01-02T03:04:05Z"),
    identity: null,
    sn: null,
    canonicalUrl: URL,
    cover: null,
    description: null,
    sourceUrl: null,
    itemShowType: 0,
    originalAccount: null,
    content: fields.body,
    warnings: [],
  };
}

describe(`documents round-trip through the archive (fast-check seed ${FUZZ_SEED})`, () => {
  let dataDir: string;
  before(async () => {
    console.log(`# fast-check seed ${FUZZ_SEED}`);
    dataDir = await mkdtemp(path.join(tmpdir(), "wf-roundtrip-"));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it("reads back exactly what was built, clean of controls", async () => {
    const fields = fc.record({
      title: fc.oneof(hostileText, fc.string({ unit: "binary", minLength: 500, maxLength: 700 })),
      account: hostileText,
      author: hostileText,
      source: hostileText,
      body: hostileText,
    });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fields, async (f) => {
        const doc = buildDocument(article(f), { source: f.source, fetchedAt: FETCHED_AT, fetchedUrl: URL });
        fc.pre(doc.title !== "");
        const prepared = buildStoredDocument(
          { ...doc, truncated: false },
          { sourceId: "fuzz", storedAt: 1 },
          dataDir,
        );
        const key = `fuzz-${n++}`;
        const file = await writeArchiveFile(dataDir, doc.date, key, prepared.text);
        const read = await readTextFile(file);
        assert.ok(read.ok, `the reader refused the file: ${read.ok ? "" : read.reason}`);
        const back = readDocument(read.text);
        const { article: stored } = prepared;
        assert.deepEqual(
          [back.title, back.url, back.source, back.date, back.fetch_date],
          [stored.title, stored.url, stored.source, stored.date, stored.fetchDate],
        );
        assert.equal(`---\n${read.text.split("\n---\n")[0]?.slice(4)}\n---\n\n${back.body}\n`, read.text);
        // What reindex does with the file writes it back unchanged.
        const again = buildStoredDocument(
          { ...back, truncated: false },
          { sourceId: "fuzz", storedAt: 1, key },
          dataDir,
        );
        assert.equal(again.text, prepared.text);
        assert.equal(stored.title, expectedTitle(f.title));
        assert.equal(firstForbiddenInName(stored.title), null);
        assert.equal(firstForbiddenInName(stored.source), null);
        assert.ok(isCleanText(read.text), "a control character reached the file");
      }),
      { ...fuzzParams(150), endOnFailure: true },
    );
  });
});
