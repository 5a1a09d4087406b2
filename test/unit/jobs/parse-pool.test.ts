/**
 * The parse pool: the same articles and the same typed errors as parseArticle on the main thread, and
 * an event loop that keeps answering while a 15 MiB page is parsed (issue 10's bound: 250 ms).
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ParseError, WeChatPageError } from "../../../src/errors.ts";
import { createParsePool, isLightPage } from "../../../src/jobs/parse-pool.ts";
import { parseArticle } from "../../../src/parsers/wechat-article.ts";
import { buildArticlePage, buildDeepArticlePage, buildLargeArticlePage } from "../../support/deep-page.ts";

const MAX_LAG_MS = 250;

describe("createParsePool", () => {
  // Every page goes to a thread here; the inline path is parseArticle itself.
  const pool = createParsePool({ threads: 2, inlineMaxChars: 0 });
  after(() => pool.close());

  it("returns what parseArticle returns", async () => {
    const html = buildArticlePage("<p>第一段<strong>加粗</strong></p><p>第二段</p>");
    const url = "https://mp.weixin.qq.com/s/AbCdEf123";
    assert.deepEqual(await pool.parseArticle(html, { url }), parseArticle(html, { url }));
  });

  it("rethrows the parser's typed errors with their code and details", async () => {
    await assert.rejects(pool.parseArticle(buildDeepArticlePage(3000)), (error: unknown) => {
      assert.ok(error instanceof ParseError);
      assert.equal(error.code, "PARSE_ARTICLE");
      assert.equal(error.details.pageClass, "unparseable");
      return true;
    });
    const deleted = "<html><head><title></title></head><body><p>该内容已被发布者删除</p></body></html>";
    await assert.rejects(pool.parseArticle(deleted), (error: unknown) => {
      assert.ok(error instanceof WeChatPageError);
      assert.equal(error.code, "WECHAT_DELETED");
      return true;
    });
  });

  it("parses pages in parallel and in any number", async () => {
    const pages = Array.from({ length: 6 }, (_, i) =>
      buildArticlePage(`<p>第${i}段</p>`, { mid: `26500001${i}` }),
    );
    const articles = await Promise.all(pages.map((html) => pool.parseArticle(html)));
    assert.deepEqual(
      articles.map((a) => a.content),
      pages.map((_, i) => `第${i}段`),
    );
  });

  it(`keeps the event loop answering within ${MAX_LAG_MS} ms while a 15 MiB page is parsed`, async () => {
    // Decoded from bytes, as the fetchers hand pages over (a flat string, not a concatenation).
    const html = Buffer.from(buildLargeArticlePage(14 * 1024 * 1024)).toString("utf8");
    let maxLag = 0;
    let done = false;
    const parsed = pool.parseArticle(html).finally(() => {
      done = true;
    });
    while (!done) {
      const start = performance.now();
      await sleep(10);
      maxLag = Math.max(maxLag, performance.now() - start - 10);
    }
    const article = await parsed;
    assert.ok(article.content.length > 1_000_000, "the whole body was parsed");
    assert.ok(maxLag < MAX_LAG_MS, `the event loop stalled ${maxLag.toFixed(0)} ms`);
  });

  it("parses a light page on the calling thread and a heavy one on a thread", async () => {
    const light = createParsePool({ threads: 1 });
    try {
      const html = buildArticlePage("<p>轻</p>");
      assert.equal(isLightPage(html, 512 * 1024), true);
      // A real page: a short body among megabytes of inline script stays on the calling thread.
      const script = `<script>var pad = "${"x".repeat(3_500_000)}";</script>`;
      assert.equal(isLightPage(html.replace("</body>", `${script}</body>`), 512 * 1024), true);
      const allScript = `<script>var pad = "${"x".repeat(9_000_000)}";</script>`;
      assert.equal(isLightPage(html.replace("</body>", `${allScript}</body>`), 512 * 1024), false);
      assert.equal(isLightPage(buildLargeArticlePage(600 * 1024), 512 * 1024), false);
      assert.equal(isLightPage(buildDeepArticlePage(300_000), 512 * 1024), false);
      assert.deepEqual(await light.parseArticle(html), parseArticle(html));
    } finally {
      await light.close();
    }
  });

  it("rejects pages after close", async () => {
    const closing = createParsePool({ threads: 1, inlineMaxChars: 0 });
    const pending = closing.parseArticle(buildLargeArticlePage(2 * 1024 * 1024));
    await closing.close();
    await assert.rejects(pending, /closed/);
    await assert.rejects(closing.parseArticle("<p>x</p>"), /closed/);
  });
});
