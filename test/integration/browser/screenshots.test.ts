/**
 * The digest page and an article's `content:encoded`, as readers get them, opened in headless system
 * Chromium and screenshotted (full page). The corpus articles are stored in the latest digest window;
 * the server runs with the image proxy on, so every image is `/img?u=…&s=…` on the local server, whose
 * proxy fetches from a mock image host on 127.0.0.1 (standing in for mmbiz.qpic.cn) that serves real
 * PNGs and records the Referer. Requests to any other host are blocked and recorded: nothing may leave.
 * A second server, started "today" with three articles stored after the digest run, shows them on
 * `/digest` under the "today so far" heading. With DOCS_SCREENSHOT=1 both digest screenshots are also
 * saved as docs/digest.png and docs/digest-today.png for the README.
 */

import assert from "node:assert/strict";
import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parseRssFeed } from "feedsmith";
import { type Browser, chromium, type Page } from "playwright";
import { findChromium } from "../../../src/fetchers/chromium.ts";
import { fetchBytes } from "../../../src/fetchers/http.ts";
import type { StoredArticle } from "../../../src/model.ts";
import { PREVIEW_TITLE } from "../../../src/publish/digest-preview.ts";
import { toFeedItem } from "../../../src/publish/feed-items.ts";
import { createImageUrlRewriter } from "../../../src/publish/image-url.ts";
import { renderArticleHtml } from "../../../src/publish/markdown-html.ts";
import type { FetchImage } from "../../../src/server/image-proxy.ts";
import { corpusDir, skipReason } from "../../support/corpus.ts";
import { makeGradientPng, readPngSize } from "../../support/png.ts";
import { corpusArticles } from "../../support/seed-articles.ts";
import { startTestServer, type TestServer } from "../../support/test-server.ts";

const dir = corpusDir();
const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const SECRET = "screenshot-test-secret-0123456789";
const WECHAT_REFERER = "https://mp.weixin.qq.com/";
// 11:00 Beijing on 2025-11-20: the latest digest covers what was stored from 2025-11-19T00:00Z to 2025-11-20T00:00Z.
const NOW = new Date("2025-11-20T03:00:00Z");
const DAY = "2025-11-20";
/** The corpus article whose content:encoded is screenshotted (11 images, code, lists). */
const ARTICLE_KEY = "3226319644-2247504179-1";
const WIDTH = 860;
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** The corpus articles stored inside the window, one source per account (as a user would configure). */
function seedArticles(corpus: string): StoredArticle[] {
  const stored = corpusArticles(corpus, ["corpus"], Date.parse("2025-11-19T06:00:00Z"));
  const accounts = [...new Set(stored.map((c) => c.article.account ?? "公众号"))];
  return stored.map(({ article }) => {
    const account = article.account ?? "公众号";
    return { ...article, sourceId: `account-${accounts.indexOf(account) + 1}`, source: account };
  });
}

interface ImageHost {
  readonly port: number;
  readonly requests: { path: string; referer: string | undefined }[];
  /** Every path ever requested (never cleared: the proxy keeps recent images, so a repeat stays local). */
  readonly paths: Set<string>;
  close(): Promise<void>;
}

/** Stands in for mmbiz.qpic.cn: every path is a distinct real PNG. */
async function startImageHost(): Promise<ImageHost> {
  const requests: ImageHost["requests"] = [];
  const paths = new Set<string>();
  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0] ?? "";
    requests.push({ path, referer: req.headers.referer });
    paths.add(path);
    res.writeHead(200, { "Content-Type": "image/png" }).end(makeGradientPng(path));
  });
  await listen(server);
  return { port: port(server), requests, paths, close: () => close(server) };
}

/** The real HTTP fetcher, with the qpic host pointed at the mock (path and query kept). */
function fetchViaMock(mockPort: number): FetchImage {
  return (url, options) => {
    const target = new URL(url);
    return fetchBytes(`http://127.0.0.1:${mockPort}${target.pathname}${target.search}`, options);
  };
}

const listen = (server: Server) => new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
const port = (server: Server) => (server.address() as AddressInfo).port;
const close = (server: Server) =>
  new Promise<void>((done) => {
    server.closeAllConnections();
    server.close(() => done());
  });

async function freePort(): Promise<number> {
  const server = createServer();
  await listen(server);
  const p = port(server);
  await close(server);
  return p;
}

/** Scrolls through the page so lazy images start, then waits until every image has settled. */
async function settleImages(page: Page): Promise<void> {
  await page.evaluate(`(async () => {
    for (let y = 0; y < document.documentElement.scrollHeight; y += window.innerHeight / 2) {
      window.scrollTo(0, y);
      await new Promise((r) => setTimeout(r, 30));
    }
    window.scrollTo(0, 0);
  })()`);
  await page.waitForFunction("[...document.images].every((img) => img.complete)", null, { timeout: 20_000 });
}

interface ImageState {
  readonly src: string;
  readonly naturalWidth: number;
}

const imageStates = (page: Page) =>
  page.evaluate<ImageState[]>(
    "[...document.images].map((img) => ({ src: img.currentSrc || img.src, naturalWidth: img.naturalWidth }))",
  );

/** The upstream path of a proxied image URL (`/img?u=<encoded qpic url>&s=…`). */
function upstreamPath(src: string): string {
  const u = new URL(src).searchParams.get("u");
  assert.ok(u !== null, `not a proxy URL: ${src}`);
  return new URL(u).pathname;
}

async function checkScreenshot(file: string, minHeight: number): Promise<Buffer> {
  const png = await readFile(file);
  const { width, height } = readPngSize(png);
  assert.equal(width, WIDTH);
  assert.ok(height >= minHeight, `full page: ${height}px tall`);
  assert.ok(png.length > 30_000, `non-trivial screenshot: ${png.length} bytes`);
  return png;
}

describe("screenshots in headless Chromium", { skip: skipReason(dir, "WeChat corpus") }, () => {
  let server: TestServer;
  let host: ImageHost;
  let reader: Server;
  let readerBase: string;
  let browser: Browser;
  let shots: string;
  let articleHtml = "";
  const articles = dir === null ? [] : seedArticles(dir);

  before(async () => {
    host = await startImageHost();
    const serverPort = await freePort();
    server = await startTestServer({
      articles,
      settings: {
        port: serverPort,
        publicUrl: `http://127.0.0.1:${serverPort}`,
        imageProxy: { enabled: true, secret: SECRET },
        feeds: { limit: 50, title: "wechat-feed" },
      },
      deps: () => ({ now: () => NOW, fetchImage: fetchViaMock(host.port) }),
    });
    // A feed reader's view of one item: its content:encoded in a bare page on another origin.
    reader = createServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      res.end(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>article</title>
<style>body{font:16px/1.7 sans-serif;max-width:760px;margin:0 auto;padding:16px}img{max-width:100%}</style>
</head><body><article>${articleHtml}</article></body></html>`);
    });
    await listen(reader);
    readerBase = `http://127.0.0.1:${port(reader)}`;
    const executablePath = findChromium(process.env);
    assert.ok(executablePath !== null, "Chromium not found: install it or set CHROMIUM_PATH");
    browser = await chromium.launch({
      executablePath,
      args: CHROMIUM_ARGS,
    });
    shots = await mkdtemp(join(tmpdir(), "wf-screenshots-"));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await host?.close();
    if (reader) await close(reader);
    if (shots) await rm(shots, { recursive: true, force: true });
  });

  /** A page that blocks (and records) every request leaving 127.0.0.1. */
  async function openPage(blocked: string[]): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: WIDTH, height: 900 } });
    await page.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === "127.0.0.1") return route.continue();
      blocked.push(url.href);
      return route.abort();
    });
    return page;
  }

  it("the digest page: every cover loads through the proxy from the mock image host", async () => {
    host.requests.length = 0;
    const blocked: string[] = [];
    const page = await openPage(blocked);
    const res = await page.goto(`${server.base}/digests/${DAY}`, { waitUntil: "load" });
    assert.equal(res?.status(), 200);
    for (const a of articles) assert.ok((await page.content()).includes(a.title.slice(0, 8)), a.title);
    await settleImages(page);
    const images = await imageStates(page);
    assert.equal(images.length, articles.filter((a) => a.cover !== null).length);
    for (const img of images) {
      assert.ok(img.src.startsWith(`${server.base}/img?u=`), img.src);
      assert.ok(img.naturalWidth > 0, `loaded: ${img.src}`);
    }
    for (const img of images) assert.ok(host.paths.has(upstreamPath(img.src)), "fetched from the mock host");
    for (const r of host.requests) assert.equal(r.referer, WECHAT_REFERER, r.path);
    assert.deepEqual(blocked, []);

    const file = join(shots, "digest.png");
    await page.screenshot({ path: file, fullPage: true });
    await checkScreenshot(file, 900);
    if (process.env.DOCS_SCREENSHOT === "1") {
      await mkdir(join(PROJECT_ROOT, "docs"), { recursive: true });
      await copyFile(file, join(PROJECT_ROOT, "docs", "digest.png"));
    }
    await page.close();
  });

  it("the 'today so far' page of a service started today: its three articles under that heading", async () => {
    // Three articles stored after this morning's run, none before: the latest digest is empty.
    const todays = articles
      .filter((a) => a.cover !== null)
      .slice(0, 3)
      .map((a, i) => ({ ...a, storedAt: Date.parse("2025-11-20T00:30:00Z") + i * 600_000 }));
    assert.equal(todays.length, 3);
    const serverPort = await freePort();
    const today = await startTestServer({
      articles: todays,
      settings: {
        port: serverPort,
        publicUrl: `http://127.0.0.1:${serverPort}`,
        imageProxy: { enabled: true, secret: SECRET },
        feeds: { limit: 50, title: "wechat-feed" },
      },
      deps: () => ({ now: () => NOW, fetchImage: fetchViaMock(host.port) }),
    });
    try {
      const blocked: string[] = [];
      const page = await openPage(blocked);
      const res = await page.goto(`${today.base}/digest`, { waitUntil: "load" });
      assert.equal(res?.status(), 200);
      assert.equal(await page.textContent("h1"), PREVIEW_TITLE);
      assert.match((await page.textContent("blockquote")) ?? "", /^尚未完结.*Not final/);
      const titles = await page.$$eval("h3", (nodes) => nodes.map((n) => n.textContent ?? ""));
      assert.equal(titles.length, 3);
      for (const a of todays)
        assert.ok(
          titles.some((t) => t.startsWith(a.title.slice(0, 8))),
          a.title,
        );
      await settleImages(page);
      const images = await imageStates(page);
      assert.equal(images.length, 3);
      for (const img of images) assert.ok(img.naturalWidth > 0, `loaded: ${img.src}`);
      assert.deepEqual(blocked, []);

      const file = join(shots, "digest-today.png");
      await page.screenshot({ path: file, fullPage: true });
      await checkScreenshot(file, 900);
      if (process.env.DOCS_SCREENSHOT === "1") {
        await mkdir(join(PROJECT_ROOT, "docs"), { recursive: true });
        await copyFile(file, join(PROJECT_ROOT, "docs", "digest-today.png"));
      }
      await page.close();
    } finally {
      await today.close();
    }
  });

  it("an article rendered from content:encoded: every image loads through the proxy", async () => {
    const stored = articles.find((a) => a.key === ARTICLE_KEY);
    assert.ok(stored !== undefined, "the chosen corpus article is seeded");
    const xml = await (await fetch(`${server.base}/feed.xml`)).text();
    const item = (parseRssFeed(xml).items ?? []).find((i) => i.guid?.value === ARTICLE_KEY);
    articleHtml = item?.content?.encoded ?? "";
    const rewrite = createImageUrlRewriter(server.base, SECRET);
    // The feed parser trims the CDATA text; the HTML is otherwise what renderArticleHtml produced.
    const rendered = renderArticleHtml(toFeedItem(stored).markdown, { imageUrl: rewrite });
    assert.equal(articleHtml.trim(), rendered.trim());
    const expectedImages = (articleHtml.match(/<img /g) ?? []).length;
    assert.ok(expectedImages >= 5, `a picture-rich article (${expectedImages} images)`);

    host.requests.length = 0;
    const blocked: string[] = [];
    const page = await openPage(blocked);
    await page.goto(`${readerBase}/article.html`, { waitUntil: "load" });
    await settleImages(page);
    const images = await imageStates(page);
    assert.equal(images.length, expectedImages);
    for (const img of images) {
      assert.ok(img.src.startsWith(`${server.base}/img?u=`), img.src);
      assert.ok(img.naturalWidth > 0, `loaded: ${img.src}`);
    }
    for (const img of images) assert.ok(host.paths.has(upstreamPath(img.src)), "fetched from the mock host");
    for (const r of host.requests) assert.equal(r.referer, WECHAT_REFERER, r.path);
    assert.deepEqual(blocked, []);

    const file = join(shots, "article.png");
    await page.screenshot({ path: file, fullPage: true });
    await checkScreenshot(file, 1500);
    await page.close();
  });
});
