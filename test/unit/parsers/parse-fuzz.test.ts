/**
 * Property (issue 11 point 8, issue 10 point 6): arbitrary HTML — random tags, attributes, text,
 * comments, unclosed and stray tags, and deep nesting — as an article body or a whole page goes into
 * parseArticle, which returns an article or throws an AppError, nothing else (no RangeError, no
 * TypeError); and its time grows linearly: a body twice the size takes about twice as long.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { AppError } from "../../../src/errors.ts";
import { parseArticle } from "../../../src/parsers/wechat-article.ts";
import { buildArticlePage } from "../../support/deep-page.ts";
import { FUZZ_SEED, fuzzParams, hostileText } from "../../support/fuzz.ts";

// biome-ignore format: a word list reads better packed
const TAGS = [
  "p", "div", "section", "span", "strong", "b", "em", "a", "img", "br", "ul", "ol", "li", "table", "tr", "td",
  "th", "blockquote", "pre", "code", "h1", "h3", "script", "style", "svg", "iframe", "mpvoice", "mp-common-profile",
  "video", "textarea", "title", "x-y", "p/", "section leaf",
];
const ATTRS = [
  ' style="display:none"',
  ' style="visibility: hidden"',
  ' style="display: block"',
  ' data-src="https://mmbiz.qpic.cn/x/0?wx_fmt=png"',
  ' href="javascript:alert(1)"',
  ' href="https://mp.weixin.qq.com/s/x"',
  " leaf",
  ' class="code-snippet__line-index"',
  ' id="js_content"',
  ' src="x" onerror="alert(1)"',
  "",
];

type Fragment = string;

const { node } = fc.letrec<{ node: Fragment }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    hostileText,
    fc.constantFrom("<!-- c -->", "<!--", "</div>", "</p>", "<br>", "&nbsp;", "&#0;", "<![CDATA[x]]>", "<"),
    fc
      .tuple(
        fc.constantFrom(...TAGS),
        fc.constantFrom(...ATTRS),
        fc.array(tie("node"), { maxLength: 4 }),
        fc.boolean(),
      )
      .map(([tag, attr, children, closed]) => {
        const name = tag.split(" ")[0] ?? tag;
        return `<${tag}${attr}>${children.join("")}${closed ? `</${name}>` : ""}`;
      }),
  ),
}));

const deep = fc
  .tuple(
    fc.array(fc.constantFrom(...TAGS), { minLength: 1, maxLength: 6 }),
    fc.integer({ min: 1, max: 1500 }),
  )
  .map(([tags, depth]) => {
    let open = "";
    let close = "";
    for (let i = 0; i < depth; i++) {
      const tag = tags[i % tags.length] ?? "div";
      open += `<${tag}>`;
      close = `</${tag.split(" ")[0]}>${close}`;
    }
    return `${open}文字${close}`;
  });

const body = fc.oneof(
  fc.array(node, { maxLength: 8 }).map((nodes) => nodes.join("")),
  deep,
);

function parseOrTypedError(html: string): void {
  try {
    parseArticle(html, { url: "https://mp.weixin.qq.com/s/FuzzPage" });
  } catch (error) {
    assert.ok(error instanceof AppError, `not an AppError: ${String(error)}`);
  }
}

/** The median time of `runs` parses of `html`, in ms. */
function medianParseMs(html: string, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    parseOrTypedError(html);
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)] ?? 0;
}

describe(`parseArticle on arbitrary HTML (fast-check seed ${FUZZ_SEED})`, () => {
  it("returns an article or throws an AppError, for bodies and whole pages", () => {
    console.log(`# fast-check seed ${FUZZ_SEED}`);
    fc.assert(
      fc.property(body, fc.boolean(), (html, wrapped) => {
        parseOrTypedError(wrapped ? buildArticlePage(html) : html);
      }),
      fuzzParams(300),
    );
  });

  it("takes time linear in the size of the body", () => {
    const samples = fc.sample(body, { seed: FUZZ_SEED, numRuns: 6 });
    for (const sample of samples) {
      // Repeat the sample to ~60 KB, then double it: twice the input, about twice the time.
      const times = Math.max(1, Math.ceil(60_000 / Math.max(1, sample.length)));
      const small = buildArticlePage(`<p>${sample}</p>`.repeat(times));
      const large = buildArticlePage(`<p>${sample}</p>`.repeat(times * 2));
      const smallMs = medianParseMs(small, 3);
      const largeMs = medianParseMs(large, 3);
      // Generous: a quadratic step shows as 4× and more; the 50 ms absorbs GC pauses and machine load.
      assert.ok(
        largeMs < smallMs * 4 + 50,
        `2× ${JSON.stringify(sample.slice(0, 80))} took ${largeMs.toFixed(1)} ms vs ${smallMs.toFixed(1)} ms`,
      );
    }
  });
});
