import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { isAppError } from "../../../src/errors.ts";
import { fetchBytes, fetchText, type HttpFetchOptions } from "../../../src/fetchers/http.ts";
import { createHopGuard } from "../../../src/fetchers/url-guard.ts";
import { corpusDir, skipReason } from "../../support/corpus.ts";
import { type MockOrigin, startMockOrigin } from "../../support/mock-wechat-origin.ts";

const ARTICLE = "01-article.html";
const BASE: HttpFetchOptions = { timeoutMs: 5000, maxBytes: 15 * 1024 * 1024 };

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

describe("fetchText against the mock origin", () => {
  let mock: MockOrigin;
  let other: MockOrigin;
  before(async () => {
    mock = await startMockOrigin();
    other = await startMockOrigin();
  });
  after(async () => {
    await mock.close();
    await other.close();
  });
  beforeEach(() => {
    mock.reset();
    other.reset();
  });

  const dir = corpusDir();
  it("returns a 3 MB corpus page byte for byte", { skip: skipReason(dir, "WeChat corpus") }, async () => {
    const expected = readFileSync(join(dir ?? "", ARTICLE), "utf8");
    assert.ok(Buffer.byteLength(expected) > 3_000_000);
    mock.route("/s?__biz=MzIyNjMxOTY0NA==&mid=2247504179&idx=1", { file: ARTICLE });
    const url = `${mock.origin}/s?__biz=MzIyNjMxOTY0NA==&mid=2247504179&idx=1&sn=52c2&chksm=zz`;
    const result = await fetchText(url, BASE);
    assert.equal(result.status, 200);
    assert.equal(result.finalUrl, url);
    assert.equal(result.contentType, "text/html; charset=utf-8");
    assert.equal(result.body.length, expected.length);
    assert.ok(result.body === expected, "body differs from the corpus file");
  });

  it("follows allowed redirects, re-checking each hop, and reports the final URL", async () => {
    mock.route("/s/short", { location: "/s/middle" });
    mock.route("/s/middle", { location: `${mock.origin}/s?__biz=QQ==&mid=1&idx=1`, status: 301 });
    mock.route("/s?__biz=QQ==", { body: "<html>final</html>" });
    const hops: string[] = [];
    const guard = createHopGuard([mock.origin]);
    const result = await fetchText(`${mock.origin}/s/short`, {
      ...BASE,
      checkHop: (url) => {
        hops.push(url.pathname);
        guard(url);
      },
    });
    assert.equal(result.body, "<html>final</html>");
    assert.equal(result.finalUrl, `${mock.origin}/s?__biz=QQ==&mid=1&idx=1`);
    assert.deepEqual(hops, ["/s/short", "/s/middle", "/s"]);
    assert.equal(mock.count(), 3);
  });

  it("times out a hanging server with FETCH_TIMEOUT", async () => {
    mock.route("/s/hang", { mode: "hang" });
    const started = Date.now();
    await rejectsCode(fetchText(`${mock.origin}/s/hang`, { ...BASE, timeoutMs: 300 }), "FETCH_TIMEOUT");
    assert.ok(Date.now() - started < 3000, "timeout took too long");
  });

  it("times out a body that arrives too late", async () => {
    mock.route("/s/slow", { mode: "slow", delayMs: 2000, body: "late" });
    await rejectsCode(fetchText(`${mock.origin}/s/slow`, { ...BASE, timeoutMs: 300 }), "FETCH_TIMEOUT");
  });

  it("maps 5xx, 429 and 404 to FETCH_HTTP_STATUS with the status", async () => {
    mock.route("/s/down", { mode: "error500", status: 503 });
    mock.route("/s/busy", { status: 429, body: "slow down", headers: { "retry-after": "120" } });
    const down = await rejectsCode(fetchText(`${mock.origin}/s/down`, BASE), "FETCH_HTTP_STATUS");
    assert.equal(down.status, 503);
    const busy = await rejectsCode(fetchText(`${mock.origin}/s/busy`, BASE), "FETCH_HTTP_STATUS");
    assert.equal(busy.status, 429);
    assert.equal(busy.retryAfter, "120");
    const missing = await rejectsCode(fetchText(`${mock.origin}/s/nothing-here`, BASE), "FETCH_HTTP_STATUS");
    assert.equal(missing.status, 404);
  });

  it("detects a redirect loop and a too-long redirect chain", async () => {
    mock.route("/s/loop", { mode: "redirectLoop" });
    await rejectsCode(fetchText(`${mock.origin}/s/loop`, BASE), "FETCH_REDIRECT_LOOP");
    assert.equal(mock.count("/s/loop"), 1);
    for (let i = 0; i < 8; i += 1) mock.route(`/chain/${i}`, { location: `/chain/${i + 1}` });
    await rejectsCode(
      fetchText(`${mock.origin}/chain/0`, { ...BASE, maxRedirects: 3 }),
      "FETCH_REDIRECT_LOOP",
    );
    assert.equal(mock.count("/chain/"), 4);
  });

  it("refuses a redirect to a disallowed host without contacting it", async () => {
    other.route("/stolen", { body: "should never be served" });
    mock.route("/s/away", { location: `${other.origin}/stolen` });
    const details = await rejectsCode(
      fetchText(`${mock.origin}/s/away`, { ...BASE, checkHop: createHopGuard([mock.origin]) }),
      "URL_HOST_DENIED",
    );
    assert.equal(details.host, new URL(other.origin).host);
    assert.equal(mock.count("/s/away"), 1);
    assert.equal(other.count(), 0);
  });

  it("refuses a disallowed first URL and non-http redirect targets", async () => {
    await rejectsCode(
      fetchText(`${other.origin}/x`, { ...BASE, checkHop: createHopGuard([mock.origin]) }),
      "URL_HOST_DENIED",
    );
    assert.equal(other.count(), 0);
    mock.route("/s/file", { location: "file:///etc/passwd" });
    await rejectsCode(fetchText(`${mock.origin}/s/file`, BASE), "URL_INVALID");
  });

  it("caps the body while streaming, with or without Content-Length", async () => {
    mock.route("/s/huge", { mode: "oversized", bytes: 64 * 1024 * 1024 });
    mock.route("/s/declared", { mode: "oversized", bytes: 2 * 1024 * 1024, declareLength: true });
    const started = Date.now();
    const huge = await rejectsCode(
      fetchText(`${mock.origin}/s/huge`, { ...BASE, maxBytes: 1024 * 1024 }),
      "FETCH_TOO_LARGE",
    );
    assert.equal(huge.maxBytes, 1024 * 1024);
    assert.ok(Date.now() - started < 2000, "the stream was not aborted early");
    await rejectsCode(
      fetchText(`${mock.origin}/s/declared`, { ...BASE, maxBytes: 1024 * 1024 }),
      "FETCH_TOO_LARGE",
    );
    const exact = await fetchText(`${mock.origin}/s/declared`, { ...BASE, maxBytes: 2 * 1024 * 1024 });
    assert.equal(exact.body.length, 2 * 1024 * 1024);
  });

  it("stops when the caller aborts, distinguishing deadlines from cancellation", async () => {
    mock.route("/s/hang", { mode: "hang" });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const aborted = await rejectsCode(
      fetchText(`${mock.origin}/s/hang`, { ...BASE, signal: controller.signal }),
      "FETCH_NETWORK",
    );
    assert.equal(aborted.aborted, true);
    const deadline = await rejectsCode(
      fetchText(`${mock.origin}/s/hang`, { ...BASE, signal: AbortSignal.timeout(100) }),
      "FETCH_TIMEOUT",
    );
    assert.equal(deadline.aborted, true);
    const early = new AbortController();
    early.abort();
    await rejectsCode(fetchText(`${mock.origin}/s/x`, { ...BASE, signal: early.signal }), "FETCH_NETWORK");
  });

  it("maps a refused connection to FETCH_NETWORK", async () => {
    const gone = await startMockOrigin();
    const url = `${gone.origin}/s/x`;
    await gone.close();
    const details = await rejectsCode(fetchText(url, BASE), "FETCH_NETWORK");
    assert.equal(details.errorCode, "ECONNREFUSED");
  });

  it("fetchBytes returns the exact bytes and headers are sent", async () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255, 128]);
    mock.route("/img/a.png", { body: png, contentType: "image/png" });
    const result = await fetchBytes(`${mock.origin}/img/a.png`, {
      ...BASE,
      headers: { "user-agent": "ua-test" },
    });
    assert.deepEqual([...result.body], [...png]);
    assert.equal(result.contentType, "image/png");
    assert.equal(mock.requests[0]?.headers["user-agent"], "ua-test");
  });
});
