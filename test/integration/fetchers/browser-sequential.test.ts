/**
 * Fetches one after another in one browser pool: each gets a fresh tab and a real request. These cases
 * broke an earlier design that reused tabs: the same URL again, the same URL with a fragment (a
 * same-document navigation on a reused tab has no response), and fetches right after a failed or
 * timed-out one. Chromium is required: the suite fails (never skips) when it is missing, as
 * architecture.md section 6 asks.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { isAppError } from "../../../src/errors.ts";
import { type BrowserPool, createBrowserPool, findChromium } from "../../../src/fetchers/browser.ts";
import { createWeChatHopGuard } from "../../../src/fetchers/url-guard.ts";
import { type MockOrigin, startMockOrigin } from "../../support/mock-wechat-origin.ts";

const executablePath = findChromium(process.env);

describe("browser pool, sequential fetches", () => {
  let mock: MockOrigin;
  let pool: BrowserPool;

  before(async () => {
    assert.ok(executablePath !== null, "Chromium not found: install it or set CHROMIUM_PATH");
    mock = await startMockOrigin();
    // One page at a time: each fetch starts after the previous one's tab closed.
    pool = createBrowserPool({
      executablePath,
      navigationTimeoutMs: 2000,
      maxBytes: 1024 * 1024,
      concurrency: 1,
      checkHop: createWeChatHopGuard(mock.origin),
    });
  });
  after(async () => {
    await pool.close();
    await mock.close();
  });
  beforeEach(() => mock.reset());

  it("fetches the same URL again, and with a fragment, each time from the server", async () => {
    let served = 0;
    mock.route("/s/same", () => ({ body: `<html><body>copy ${++served}</body></html>` }));
    const url = `${mock.origin}/s/same`;
    const bodies: string[] = [];
    for (const target of [url, url, `${url}#rd`, url]) bodies.push((await pool.fetchHtml(target)).html);
    assert.deepEqual(
      bodies,
      [1, 2, 3, 4].map((n) => `<html><body>copy ${n}</body></html>`),
    );
    assert.equal(mock.count("/s/same"), 4);
  });

  it("fetches normally after a 404 and after a timeout", async () => {
    mock.route("/s/ok", { body: "<html>ok</html>" });
    mock.route("/s/missing", { status: 404, body: "<html>gone</html>" });
    mock.route("/s/hang", { mode: "hang" });
    const codeOf = (promise: Promise<unknown>) =>
      promise.then(
        () => "resolved",
        (error: unknown) => (isAppError(error) ? error.code : String(error)),
      );
    assert.equal((await pool.fetchHtml(`${mock.origin}/s/ok`)).html, "<html>ok</html>");
    assert.equal(await codeOf(pool.fetchHtml(`${mock.origin}/s/missing`)), "FETCH_HTTP_STATUS");
    assert.equal((await pool.fetchHtml(`${mock.origin}/s/ok`)).html, "<html>ok</html>");
    assert.equal(await codeOf(pool.fetchHtml(`${mock.origin}/s/hang`)), "FETCH_TIMEOUT");
    const after = await pool.fetchHtml(`${mock.origin}/s/ok`);
    assert.equal(after.html, "<html>ok</html>");
    assert.equal(after.finalUrl, `${mock.origin}/s/ok`);
  });

  it("serves many sequential fetches with correct bodies and final URLs", async () => {
    for (let i = 1; i <= 10; i++) mock.route(`/s/n${i}`, { body: `<html>n${i}</html>` });
    for (let i = 1; i <= 10; i++) {
      const page = await pool.fetchHtml(`${mock.origin}/s/n${i}`);
      assert.equal(page.html, `<html>n${i}</html>`);
      assert.equal(page.finalUrl, `${mock.origin}/s/n${i}`);
    }
    assert.equal(mock.count("/s/n"), 10);
  });
});
