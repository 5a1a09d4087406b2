/**
 * The browser fetcher against system Chromium and the local mock origin. Chromium is required: this
 * suite fails (never skips) when it is missing, as architecture.md section 6 asks.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { isAppError } from "../../../src/errors.ts";
import { type BrowserPool, createBrowserPool, findChromium } from "../../../src/fetchers/browser.ts";
import { createHopGuard, createWeChatHopGuard } from "../../../src/fetchers/url-guard.ts";
import { fetchPageBrowser } from "../../../src/fetchers/wechat-page.ts";
import { corpusDir, skipReason } from "../../support/corpus.ts";
import { CAPTCHA_PATH, type MockOrigin, startMockOrigin } from "../../support/mock-wechat-origin.ts";

const ARTICLE = "01-article.html";
const executablePath = findChromium(process.env);

async function rejectsCode(promise: Promise<unknown>, code: string): Promise<Record<string, unknown>> {
  let details: Record<string, unknown> = {};
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isAppError(error), `expected an AppError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    details = { ...error.details };
    return true;
  });
  return details;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(predicate: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error("condition not reached in time");
    await sleep(25);
  }
}

describe("browser fetcher", () => {
  let mock: MockOrigin;
  let other: MockOrigin;
  let pool: BrowserPool;
  const newPool = (extra: Partial<Parameters<typeof createBrowserPool>[0]> = {}): BrowserPool =>
    createBrowserPool({
      ...(executablePath === null ? {} : { executablePath }),
      navigationTimeoutMs: 10_000,
      maxBytes: 15 * 1024 * 1024,
      concurrency: 2,
      checkHop: createWeChatHopGuard(mock.origin),
      ...extra,
    });

  before(async () => {
    assert.ok(executablePath !== null, "Chromium not found: install it or set CHROMIUM_PATH");
    mock = await startMockOrigin();
    other = await startMockOrigin();
    pool = newPool();
  });
  after(async () => {
    await pool.close();
    await mock.close();
    await other.close();
  });
  beforeEach(() => {
    mock.reset();
    other.reset();
  });

  const dir = corpusDir();
  it("returns the server HTML of a 3 MB corpus page", {
    skip: skipReason(dir, "WeChat corpus"),
  }, async () => {
    const expected = readFileSync(join(dir ?? "", ARTICLE), "utf8");
    const entries = JSON.parse(readFileSync(join(dir ?? "", "expected.json"), "utf8")) as { title: string }[];
    const title = entries[0]?.title ?? "";
    assert.ok(title.length > 5);
    mock.route("/s?__biz=MzIyNjMxOTY0NA==&mid=2247504179&idx=1", { file: ARTICLE });
    const url = `${mock.origin}/s?__biz=MzIyNjMxOTY0NA==&mid=2247504179&idx=1&sn=52c2`;
    const page = await pool.fetchHtml(url);
    assert.equal(page.status, 200);
    assert.equal(page.finalUrl, url);
    assert.ok(page.html.includes('id="js_content"'));
    assert.ok(page.html.includes(title));
    assert.ok(page.html === expected, "html differs from the corpus file");
    assert.ok(pool.isConnected());
  });

  it("shows a captcha redirect in the final URL, mapped back to WeChat", async () => {
    mock.route("/s/AbCdEf", { mode: "captchaRedirect" });
    const page = await fetchPageBrowser(pool, "https://mp.weixin.qq.com/s/AbCdEf", { origin: mock.origin });
    assert.equal(page.via, "browser");
    assert.equal(page.requestedUrl, "https://mp.weixin.qq.com/s/AbCdEf");
    const final = new URL(page.finalUrl);
    assert.equal(final.origin, "https://mp.weixin.qq.com");
    assert.equal(final.pathname, CAPTCHA_PATH);
    assert.equal(final.searchParams.get("target_url"), "https://mp.weixin.qq.com/s/AbCdEf");
    assert.ok(page.html.includes("环境异常"));
    assert.deepEqual(
      mock.requests.map((r) => new URL(r.url, mock.origin).pathname),
      ["/s/AbCdEf", CAPTCHA_PATH],
    );
  });

  it("requests nothing but the document: no images, media, fonts, stylesheets or favicon", async () => {
    // Subresources first, then ~1 MB of inline script so the page lives on while they would be requested.
    const filler = `<script>${'var x = "正文正文正文正文正文正文正文正文";\n'.repeat(30_000)}</script>`;
    mock.route("/s/images", {
      body: `<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title>
<link rel="stylesheet" href="/css/a.css"><style>@font-face{font-family:x;src:url(/font/a.woff2)}
body{font-family:x}</style></head><body><img src="/img/a.png"><img src="/img/b.jpg">
<video src="/media/v.mp4" autoplay></video><audio src="/media/a.mp3" autoplay></audio>
<img src="https://mmbiz.qpic.cn/mmbiz_png/x/640?wx_fmt=png"><div id="js_content">${filler}</div></body></html>`,
    });
    for (const prefix of ["/img/", "/css/", "/font/", "/media/"])
      mock.route(new RegExp(`^${prefix}`), { body: "x" });
    const page = await pool.fetchHtml(`${mock.origin}/s/images`);
    assert.ok(page.html.includes('<img src="/img/a.png">'));
    await sleep(300);
    // Not even /favicon.ico: the renderer's stub document declares an inline icon.
    assert.deepEqual(
      mock.requests.map((r) => r.url),
      ["/s/images"],
    );
  });

  it("times out a hanging server with FETCH_TIMEOUT", async () => {
    const quick = newPool({ navigationTimeoutMs: 1500 });
    try {
      mock.route("/s/hang", { mode: "hang" });
      mock.route("/s/ok", { body: "<html>ok</html>" });
      // The first call launches the browser; the launch is not part of a page's budget.
      const started = Date.now();
      await rejectsCode(quick.fetchHtml(`${mock.origin}/s/hang`), "FETCH_TIMEOUT");
      const second = Date.now();
      await rejectsCode(quick.fetchHtml(`${mock.origin}/s/hang`), "FETCH_TIMEOUT");
      const elapsed = Date.now() - second;
      assert.ok(elapsed >= 1400 && elapsed < 8000, `timeout after ${elapsed} ms`);
      assert.ok(second - started >= 1400);
      assert.equal((await quick.fetchHtml(`${mock.origin}/s/ok`)).html, "<html>ok</html>");
    } finally {
      await quick.close();
    }
  });

  it("maps 5xx, redirect loops and a 204 to their codes", async () => {
    mock.route("/s/down", { mode: "error500", status: 502 });
    const down = await rejectsCode(pool.fetchHtml(`${mock.origin}/s/down`), "FETCH_HTTP_STATUS");
    assert.equal(down.status, 502);
    mock.route("/s/loop", { mode: "redirectLoop" });
    await rejectsCode(pool.fetchHtml(`${mock.origin}/s/loop`), "FETCH_REDIRECT_LOOP");
    // A 2xx without a document: a network error at once, not a wait for the deadline.
    mock.route("/s/nothing", { status: 204, body: "" });
    const started = Date.now();
    await rejectsCode(pool.fetchHtml(`${mock.origin}/s/nothing`), "FETCH_NETWORK");
    assert.ok(Date.now() - started < 5000, `204 took ${Date.now() - started} ms`);
  });

  it("refuses a redirect to a disallowed host without contacting it", async () => {
    other.route("/stolen", { body: "should never be served" });
    mock.route("/s/away", { location: `${other.origin}/stolen` });
    const details = await rejectsCode(pool.fetchHtml(`${mock.origin}/s/away`), "URL_HOST_DENIED");
    assert.equal(details.host, new URL(other.origin).host);
    await rejectsCode(pool.fetchHtml(`${other.origin}/stolen`), "URL_HOST_DENIED");
    mock.route("/s/tls", { location: "https://evil.example/s/x" });
    await rejectsCode(pool.fetchHtml(`${mock.origin}/s/tls`), "URL_HOST_DENIED");
    await sleep(200);
    assert.equal(other.count(), 0);
  });

  it("refuses oversized bodies with FETCH_TOO_LARGE", async () => {
    const small = newPool({ maxBytes: 1024 * 1024 });
    try {
      mock.route("/s/declared", { mode: "oversized", bytes: 8 * 1024 * 1024, declareLength: true });
      mock.route("/s/chunked", { mode: "oversized", bytes: 3 * 1024 * 1024 });
      await rejectsCode(small.fetchHtml(`${mock.origin}/s/declared`), "FETCH_TOO_LARGE");
      await rejectsCode(small.fetchHtml(`${mock.origin}/s/chunked`), "FETCH_TOO_LARGE");
    } finally {
      await small.close();
    }
  });

  it("opens at most `concurrency` pages at a time and honours caller aborts", async () => {
    const delayMs = 1500;
    mock.route(/^\/s\/slow\d$/, { mode: "slow", delayMs, body: "<html>slow</html>" });
    const results = await Promise.all([1, 2, 3, 4].map((i) => pool.fetchHtml(`${mock.origin}/s/slow${i}`)));
    assert.ok(results.every((r) => r.html === "<html>slow</html>"));
    const arrivals = mock.requests.filter((r) => r.url.startsWith("/s/slow")).map((r) => r.at);
    assert.equal(arrivals.length, 4);
    // A request is open at the mock from its arrival until its delayed answer.
    const open = arrivals.map((t) => arrivals.filter((s) => s <= t && t < s + delayMs).length);
    assert.equal(Math.max(...open), 2, `pages open at each arrival: ${open}`);

    mock.route("/s/hang", { mode: "hang" });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const aborted = await rejectsCode(
      pool.fetchHtml(`${mock.origin}/s/hang`, controller.signal),
      "FETCH_NETWORK",
    );
    assert.equal(aborted.aborted, true);
  });

  it("relaunches after the browser process is killed", async () => {
    const own = newPool();
    try {
      mock.route("/s/ok", { body: "<html>ok</html>" });
      mock.route("/s/hang", { mode: "hang" });
      await own.fetchHtml(`${mock.origin}/s/ok`);
      const first = own.pid();
      assert.ok(first !== null && isAlive(first));
      const inFlight = own.fetchHtml(`${mock.origin}/s/hang`);
      await waitFor(() => mock.count("/s/hang") === 1, 5000);
      process.kill(first, "SIGKILL");
      await rejectsCode(inFlight, "FETCH_BROWSER_CRASH");
      await waitFor(() => !own.isConnected(), 5000);
      const again = await own.fetchHtml(`${mock.origin}/s/ok`);
      assert.equal(again.html, "<html>ok</html>");
      const second = own.pid();
      assert.ok(second !== null && second !== first && own.isConnected());
    } finally {
      await own.close();
    }
  });

  it("close() is idempotent, ends the browser and refuses later fetches", async () => {
    const own = newPool({ checkHop: createHopGuard([mock.origin]) });
    mock.route("/s/ok", { body: "<html>ok</html>" });
    await own.fetchHtml(`${mock.origin}/s/ok`);
    const pid = own.pid();
    assert.ok(pid !== null);
    await Promise.all([own.close(), own.close()]);
    await own.close();
    assert.equal(own.isConnected(), false);
    assert.equal(own.pid(), null);
    await waitFor(() => !isAlive(pid), 5000);
    await rejectsCode(own.fetchHtml(`${mock.origin}/s/ok`), "FETCH_BROWSER_CRASH");
    await createBrowserPool({ navigationTimeoutMs: 1000, maxBytes: 1, concurrency: 1 }).close();
  });
});
