import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isAppError } from "../../../src/errors.ts";
import {
  createHopGuard,
  createWeChatHopGuard,
  toFetchUrl,
  toOrigin,
  toWeChatUrl,
} from "../../../src/fetchers/url-guard.ts";

const MOCK = "http://127.0.0.1:40123";
const LONG = "https://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&mid=2247504179&idx=1&sn=52c2c5ac";

function throwsCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (error: unknown) => isAppError(error) && error.code === code);
}

describe("toFetchUrl", () => {
  it("keeps path and query on the configured origin", () => {
    assert.equal(toFetchUrl(LONG, MOCK), `${MOCK}/s?__biz=MzIyNjMxOTY0NA==&mid=2247504179&idx=1&sn=52c2c5ac`);
    assert.equal(toFetchUrl("https://mp.weixin.qq.com/s/AbC-12_x", `${MOCK}/`), `${MOCK}/s/AbC-12_x`);
  });

  it("is the identity for the default WeChat origin and drops the fragment", () => {
    assert.equal(toFetchUrl(`${LONG}#rd`, "https://mp.weixin.qq.com"), LONG);
    assert.equal(
      toFetchUrl("http://mp.weixin.qq.com/s/abc", "https://mp.weixin.qq.com"),
      "https://mp.weixin.qq.com/s/abc",
    );
  });

  it("is idempotent for a URL already on the origin", () => {
    const once = toFetchUrl(LONG, MOCK);
    assert.equal(toFetchUrl(once, MOCK), once);
  });

  it("refuses other hosts, look-alikes and other schemes", () => {
    throwsCode(() => toFetchUrl("https://evil.example/s/x", MOCK), "URL_HOST_DENIED");
    throwsCode(() => toFetchUrl("https://mp.weixin.qq.com.evil.com/s/x", MOCK), "URL_HOST_DENIED");
    throwsCode(() => toFetchUrl("http://127.0.0.1/", MOCK), "URL_HOST_DENIED");
    throwsCode(() => toFetchUrl("file:///etc/passwd", MOCK), "URL_INVALID");
    throwsCode(() => toFetchUrl("not a url", MOCK), "URL_INVALID");
    throwsCode(() => toFetchUrl(LONG, "ftp://mirror.example"), "URL_INVALID");
  });
});

describe("toWeChatUrl", () => {
  it("maps a captcha final URL on the mock back to the WeChat host", () => {
    const finalUrl = `${MOCK}/mp/wappoc_appmsgcaptcha?poc_token=t&target_url=x`;
    assert.equal(
      toWeChatUrl(finalUrl, MOCK),
      "https://mp.weixin.qq.com/mp/wappoc_appmsgcaptcha?poc_token=t&target_url=x",
    );
  });

  it("leaves URLs on other origins unchanged", () => {
    assert.equal(toWeChatUrl("http://127.0.0.1:9/s/x", MOCK), "http://127.0.0.1:9/s/x");
    assert.equal(toWeChatUrl(LONG, MOCK), LONG);
  });
});

describe("createHopGuard", () => {
  const guard = createHopGuard(["https://mp.weixin.qq.com", `${MOCK}/`]);

  it("accepts the exact allowed origins", () => {
    guard(new URL(LONG));
    guard(new URL(`${MOCK}/mp/wappoc_appmsgcaptcha?x=1`));
  });

  it("refuses another host, port or scheme of an allowed host", () => {
    throwsCode(() => guard(new URL("https://evil.example/")), "URL_HOST_DENIED");
    throwsCode(() => guard(new URL("http://127.0.0.1:40124/s/x")), "URL_HOST_DENIED");
    throwsCode(() => guard(new URL("http://mp.weixin.qq.com/s/x")), "URL_HOST_DENIED");
    throwsCode(() => guard(new URL("https://mp.weixin.qq.com.evil.com/s/x")), "URL_HOST_DENIED");
    throwsCode(() => guard(new URL("https://user@evil.example/")), "URL_HOST_DENIED");
  });

  it("refuses non-http schemes as invalid", () => {
    throwsCode(() => guard(new URL("file:///etc/passwd")), "URL_INVALID");
    throwsCode(() => guard(new URL("data:text/html,hi")), "URL_INVALID");
  });

  it("the WeChat guard allows WeChat plus the configured origin only", () => {
    const wechat = createWeChatHopGuard(MOCK);
    wechat(new URL(LONG));
    wechat(new URL(`${MOCK}/s/x`));
    throwsCode(() => wechat(new URL("https://mmbiz.qpic.cn/x.png")), "URL_HOST_DENIED");
  });

  it("toOrigin strips path and refuses non-http origins", () => {
    assert.equal(toOrigin("http://127.0.0.1:40123/anything?q"), MOCK);
    throwsCode(() => toOrigin("javascript:alert(1)"), "URL_INVALID");
  });
});
