/**
 * Timing of toMarkdown alone on the real article bodies: `#js_content` of corpus pages 01–04 and 09 is
 * located with domutils on a full htmlparser2 parse, re-parsed fresh for every round (untimed, since
 * toMarkdown repairs the tree in place), and converted. Prints the median and p95 per body.
 * Run: node --import tsx bench/markdown.bench.ts   (not a test; needs the shared corpus)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { AnyNode, Element } from "domhandler";
import { findOne, getOuterHTML } from "domutils";
import { parseDocument } from "htmlparser2";
import { toMarkdown } from "../src/parsers/markdown.ts";
import { corpusDir } from "../test/support/corpus.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 100);
const FILES = [
  "01-article.html",
  "02-article-source-link.html",
  "03-article-with-audio.html",
  "04-article-author.html",
  "09-reprint.html",
];

const dir = corpusDir();
if (dir === null) {
  console.error("markdown.bench: corpus not found (set WECHAT_CORPUS_DIR)");
  process.exit(2);
}

function findBody(nodes: AnyNode[]): Element {
  const body = findOne((el) => el.attribs.id === "js_content", nodes, true);
  if (body === null) throw new Error("markdown.bench: no #js_content");
  return body;
}

for (const file of FILES) {
  const page = readFileSync(join(dir, file), "utf8");
  const html = getOuterHTML(findBody(parseDocument(page).children), { decodeEntities: false });
  const times: number[] = [];
  for (let i = 0; i < ROUNDS + 10; i++) {
    const body = findBody(parseDocument(html).children);
    const start = performance.now();
    toMarkdown(body, { canonicalUrl: null });
    if (i >= 10) times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const p50 = times[Math.floor(times.length / 2)] ?? 0;
  const p95 = times[Math.floor(times.length * 0.95)] ?? 0;
  const kb = (Buffer.byteLength(html) / 1024).toFixed(0);
  console.log(`${file.padEnd(30)} ${kb.padStart(4)} KB  p50 ${p50.toFixed(2)} ms  p95 ${p95.toFixed(2)} ms`);
}
