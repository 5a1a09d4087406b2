import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { isAppError } from "../../../src/errors.ts";
import { fetchPageHttp, type HttpPageOptions } from "../../../src/fetchers/wechat-page.ts";
import { CAPTCHA_PATH, type MockOrigin, startMockOrigin } from "../../support/mock-wechat-origin.ts";

const LONG = "https://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&mid=2247504179&idx=1&sn=52c2c5ac";

describe("fetchPageHttp", () => {
  let mock: MockOrigin;
  let other: MockOrigin;
  let options: HttpPageOptions;
  before(async () => {
    mock = await startMockOrigin();
    other = await startMockOrigin();
    options = { origin: mock.origin, timeoutMs: 5000, maxBytes: 1024 * 1024, userAgent: "Mozilla/5.0 test" };
  });
  after(async () => {
    await mock.close();
    await other.close();
  });
  beforeEach(() => {
    mock.reset();
    other.reset();
  });

  it("sends the WeChat path and query to the origin and keeps WeChat URLs in the result", async () => {
    mock.route(LONG, { body: "<html>article</html>" });
    const before = Date.now();
    const page = await fetchPageHttp(`${LONG}#rd`, options);
    assert.equal(page.via, "http");
    assert.equal(page.status, 200);
    assert.equal(page.html, "<html>article</html>");
    assert.equal(page.requestedUrl, `${LONG}#rd`);
    assert.equal(page.finalUrl, LONG);
    assert.ok(page.fetchedAt.getTime() >= before && page.fetchedAt.getTime() <= Date.now());
    const [request] = mock.requests;
    assert.equal(request?.url, LONG.slice("https://mp.weixin.qq.com".length));
    assert.equal(request?.headers["user-agent"], "Mozilla/5.0 test");
    assert.match(String(request?.headers["accept-language"]), /^zh-CN/);
    assert.equal(request?.headers.referer, undefined);
  });

  it("reports a captcha redirect on the WeChat host", async () => {
    mock.route("/s/AbCdEf", { mode: "captchaRedirect" });
    const page = await fetchPageHttp("https://mp.weixin.qq.com/s/AbCdEf", options);
    const final = new URL(page.finalUrl);
    assert.equal(final.origin, "https://mp.weixin.qq.com");
    assert.equal(final.pathname, CAPTCHA_PATH);
    assert.equal(final.searchParams.get("target_url"), "https://mp.weixin.qq.com/s/AbCdEf");
    assert.match(page.html, /环境异常/);
  });

  it("refuses non-WeChat URLs and off-origin redirects before any request is sent there", async () => {
    for (const url of [
      "https://evil.example/s/x",
      "https://mp.weixin.qq.com.evil.com/s/x",
      `${other.origin}/s/x`,
    ]) {
      await assert.rejects(fetchPageHttp(url, options), (error: unknown) =>
        isAppError(error, "URL_HOST_DENIED"),
      );
    }
    await assert.rejects(fetchPageHttp("file:///etc/passwd", options), (error: unknown) =>
      isAppError(error, "URL_INVALID"),
    );
    assert.equal(mock.count(), 0);
    mock.route("/s/away", { location: `${other.origin}/s/x` });
    await assert.rejects(fetchPageHttp("https://mp.weixin.qq.com/s/away", options), (error: unknown) =>
      isAppError(error, "URL_HOST_DENIED"),
    );
    assert.equal(mock.count(), 1);
    assert.equal(other.count(), 0);
  });
});
