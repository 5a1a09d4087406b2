/**
 * The status page on a running service, opened in headless system Chromium: `start --role server` and
 * `--role worker` children over real Redis, the mock WeChat origin serving one good article, one
 * article that fails (HTTP 500, one attempt), one verification page, and a source feed that fails.
 * The page (Chinese by default, English on request) must show every source, the failing source's
 * error, the failed article with its reason, the cool-down and the queue counts; signing in with the
 * API token and pressing "retry now" must put the failed job back in the queue. `wechat-feed status`
 * names the same failed article. Desktop and phone screenshots are checked, and saved to docs/ with
 * DOCS_SCREENSHOT=1.
 */
import assert from "node:assert/strict";
import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Queue } from "bullmq";
import { type Browser, chromium, type Page } from "playwright";
import { findChromium } from "../../../src/fetchers/chromium.ts";
import { QUEUE_STATES, type Status } from "../../../src/status/read-status.ts";
import { corpusDir, skipReason } from "../../support/corpus.ts";
import {
  type CorpusArticle,
  readCorpusArticles,
  routeCorpusArticles,
} from "../../support/corpus-articles.ts";
import { type MockOrigin, startMockOrigin } from "../../support/mock-wechat-origin.ts";
import { readPngSize } from "../../support/png.ts";
import { createTestRedis, type TestRedis } from "../../support/redis.ts";
import { findFreePort } from "../../support/redis-server.ts";
import {
  createServiceHarness,
  PROJECT_ROOT,
  type ServiceHarness,
  waitFor,
} from "../../support/service-harness.ts";

const dir = corpusDir();
const WX = "https://mp.weixin.qq.com";
const TOKEN = "status-page-token-0123";
const NEVER = "0 0 1 1 *";
const FAILING = { biz: btoa("3000000033"), mid: "2650000003", key: "3000000033-2650000003-1" };
const CAPTCHA = { biz: btoa("3000000044"), mid: "2650000004", key: "3000000044-2650000004-1" };
const SN = "0cc175b9c0f1b6a831c399e269772661";
/** The text of the first element matching `selector`. */
const textOf = async (page: Page, selector: string) =>
  (await page.locator(selector).first().textContent()) ?? "";
const long = (a: { biz: string; mid: string }) => `${WX}/s?__biz=${a.biz}&mid=${a.mid}&idx=1&sn=${SN}`;

describe("the status page in headless Chromium", { skip: skipReason(dir, "WeChat corpus") }, () => {
  let t: TestRedis;
  let mock: MockOrigin;
  let h: ServiceHarness;
  let base: string;
  let browser: Browser;
  let shots: string;
  let wechat: Queue;
  let good: CorpusArticle;

  before(async () => {
    t = await createTestRedis();
    mock = await startMockOrigin();
    good = (dir === null ? [] : readCorpusArticles(dir))[0] as CorpusArticle;
    routeCorpusArticles(mock, [good]);
    mock.route(`/s?__biz=${FAILING.biz}&mid=${FAILING.mid}&idx=1`, { mode: "error500" });
    mock.route(`/s?__biz=${CAPTCHA.biz}&mid=${CAPTCHA.mid}&idx=1`, { mode: "captchaRedirect" });
    mock.route("/feeds/broken.xml", { mode: "error500" });
    h = await createServiceHarness({
      prefix: t.prefix,
      config: {
        server: { host: "127.0.0.1", port: await findFreePort(), opsPort: 0 },
        fetch: { fetcher: "http", origin: mock.origin, minIntervalMs: 0, jitterMs: 0, attempts: 1 },
        worker: { concurrency: 1 },
        sources: [
          {
            id: "reading",
            type: "urls",
            name: "阅读清单",
            urls: [long({ ...good }), long(FAILING)],
            schedule: NEVER,
          },
          { id: "broken", type: "feed", url: `${mock.origin}/feeds/broken.xml`, schedule: NEVER },
          { id: "guarded", type: "urls", urls: [long(CAPTCHA)], schedule: "*/30 * * * *" },
        ],
      },
    });
    wechat = new Queue("wechat", { connection: t.connect(), prefix: t.prefix });
    const server = await h.startRole("server", { name: "server", env: { API_TOKEN: TOKEN } });
    const listening = await server.waitForLog((l) => l.msg === "server listening", 30_000);
    base = `http://127.0.0.1:${String(listening.port)}`;
    await h.startRole("worker", { name: "worker" });
    assert.equal((await h.runCli(["poll", "reading", "broken"])).code, 0);
    await waitFor(
      async () => (await wechat.getFailedCount()) === 1 && (await wechat.getCompletedCount()) >= 1,
      {
        timeoutMs: 60_000,
        what: "the good article stored and the failing one failed",
      },
    );
    assert.equal((await h.runCli(["poll", "guarded"])).code, 0);
    await waitFor(
      async () => {
        const status = (await (await fetch(`${base}/api/status`)).json()) as Status;
        const broken = status.sources.find((s) => s.id === "broken");
        const paused = status.fetching.egresses.find((e) => e.name === "default")?.cooldown ?? null;
        return paused !== null && (broken?.failureStreak ?? 0) >= 1;
      },
      { timeoutMs: 60_000, what: "the cool-down and the failing source" },
    );
    const executablePath = findChromium(process.env);
    assert.ok(executablePath !== null, "Chromium not found: install it or set CHROMIUM_PATH");
    browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-gpu"] });
    shots = await mkdtemp(join(tmpdir(), "wf-status-shots-"));
  });
  after(async () => {
    await browser?.close();
    await wechat?.close();
    await h?.cleanup();
    await mock?.close();
    await t?.cleanup();
    if (shots) await rm(shots, { recursive: true, force: true });
  });

  async function screenshot(page: Page, name: string, width: number): Promise<void> {
    const file = join(shots, name);
    await page.screenshot({ path: file, fullPage: true });
    const png = await readFile(file);
    assert.equal(readPngSize(png).width, width);
    assert.ok(png.length > 20_000, `non-trivial screenshot: ${png.length} bytes`);
    if (process.env.DOCS_SCREENSHOT === "1") await copyFile(file, join(PROJECT_ROOT, "docs", name));
  }

  it("shows sources, the failing source, the failed article, the cool-down and the queues", async () => {
    const api = (await (await fetch(`${base}/api/status`)).json()) as Status;
    const failure = api.failures.recent[0];
    assert.equal(failure?.key, FAILING.key);
    assert.match(failure?.reason ?? "", /500/);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const res = await page.goto(`${base}/`);
    assert.equal(res?.status(), 200);
    assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
    for (const id of ["reading", "broken", "guarded"]) {
      assert.ok(await page.locator(`#source-${id}`).isVisible(), id);
    }
    const broken = await textOf(page, "#source-broken");
    assert.match(broken, /失败/);
    assert.match(broken, /500/);
    const failed = await textOf(page, `#failure-${FAILING.key}`);
    assert.ok(failed.includes(failure?.reason ?? "?"), failed);
    assert.match(
      await textOf(page, "#fetching"),
      /暂停至 \d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})? \(UTC\+8\)/,
    );
    assert.match(await textOf(page, "#fetching"), /WECHAT_VERIFY_REQUIRED/);
    const counts = api.queues.wechat ?? {};
    // The failed article, and the verification one held back in the queue.
    assert.equal(counts.failed, 1);
    assert.equal(counts.waiting, 1);
    for (const [i, state] of QUEUE_STATES.entries()) {
      const shown = await textOf(page, `#queue-wechat td:nth-child(${i + 2})`);
      assert.equal(shown, String(counts[state]), state);
    }
    assert.ok((await textOf(page, "text=在线 worker")).includes("wechat"));
    assert.equal(await page.locator("text=立即重试").count(), 0, "no actions before signing in");
    await screenshot(page, "status-desktop.png", 1280);

    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    await phone.goto(`${base}/`);
    await screenshot(phone, "status-phone.png", 390);
    await phone.close();
    await page.close();
  });

  it("speaks English on request", async () => {
    const page = await browser.newPage({ locale: "en-US", extraHTTPHeaders: { "Accept-Language": "en" } });
    await page.goto(`${base}/`);
    assert.equal(await page.getAttribute("html", "lang"), "en");
    assert.match(await textOf(page, "#fetching"), /paused until/);
    await page.goto(`${base}/?lang=zh`);
    assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
    await page.close();
  });

  it("links the combined feed in every format from its head, each answering 200", async () => {
    const html = await (await fetch(`${base}/`)).text();
    const links = [
      ...html.matchAll(/<link rel="alternate" type="([^"]+)" title="[^"]*" href="([^"]+)" \/>/g),
    ];
    assert.deepEqual(
      links.map((m) => [m[1], m[2]]),
      [
        ["application/rss+xml", "/feed.xml"],
        ["application/atom+xml", "/feed.atom"],
        ["application/feed+json", "/feed.json"],
      ],
    );
    for (const [, , href] of links) {
      const res = await fetch(`${base}${href}`);
      assert.equal(res.status, 200, href);
      await res.arrayBuffer();
    }
  });

  it("wechat-feed status reads the same status and names the failed article", async () => {
    const cli = await h.runCli(["status"]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /^source broken: .* failed: .*500/m);
    assert.match(
      cli.stdout,
      /^wechat fetching via egress default \(1 live workers\): paused until \d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})? \(UTC\+8\)/m,
    );
    assert.match(cli.stdout, /^workers: .*wechat@/m);
    assert.match(
      cli.stdout,
      new RegExp(`^failed articles: 1\n  ${FAILING.key} \\S+ \\[FETCH_HTTP_STATUS, transient\\] .*500`, "m"),
    );
    const json = JSON.parse((await h.runCli(["status", "--json"])).stdout) as Status;
    assert.deepEqual(
      json.sources.map((s) => s.id),
      ["reading", "broken", "guarded"],
    );
  });
  it("refuses actions without a session, and retries the failed article once signed in", async () => {
    const anonymous = await fetch(`${base}/actions/retry`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `key=${FAILING.key}&csrf=x`,
    });
    assert.equal(anonymous.status, 403);

    const page = await browser.newPage();
    await page.goto(`${base}/`);
    await page.fill("input[name=token]", "wrong-token-123");
    await page.click("#login button");
    assert.match(await textOf(page, ".notice"), /令牌不正确/);
    await page.fill("input[name=token]", TOKEN);
    await page.click("#login button");
    const cookie = (await page.context().cookies()).find((c) => c.name === "wf_session");
    assert.ok(cookie?.httpOnly && cookie.sameSite === "Strict", JSON.stringify(cookie));
    assert.notEqual(cookie.value, TOKEN);

    // The session alone is not enough: a forged form without the page's CSRF token is refused.
    const forged = await page.request.post(`${base}/actions/retry`, {
      form: { key: FAILING.key, csrf: "forged" },
    });
    assert.equal(forged.status(), 403);
    assert.equal((await wechat.getJob(`article-${FAILING.key}`))?.failedReason !== undefined, true);
    assert.equal(await wechat.getFailedCount(), 1);

    await page.locator(`#failure-${FAILING.key} button`).click();
    assert.match(await textOf(page, ".notice"), /已重新排队/);
    const job = await wechat.getJob(`article-${FAILING.key}`);
    assert.ok(job !== undefined);
    assert.notEqual(await job.getState(), "failed");

    await page.locator("#source-broken button").click();
    assert.match(await textOf(page, ".notice"), /已加入轮询队列/);
    await page.close();
  });
});
