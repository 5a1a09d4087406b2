import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import { isAppError } from "../../../src/errors.ts";
import {
  createImageUrlRewriter,
  isProxiableImageHost,
  signImageUrl,
  verifyImageSignature,
} from "../../../src/publish/image-url.ts";
import { renderArticleHtml } from "../../../src/publish/markdown-html.ts";

const SECRET = "test-secret-0123456789";
const IMG = "https://mmbiz.qpic.cn/mmbiz_jpg/abc/640?wx_fmt=jpeg&from=appmsg";

/** The query values a server would see for a signed path. */
function query(path: string): { u: string; s: string } {
  const url = new URL(path, "http://127.0.0.1");
  assert.equal(url.pathname, "/img");
  return { u: url.searchParams.get("u") ?? "", s: url.searchParams.get("s") ?? "" };
}

describe("signImageUrl / verifyImageSignature", () => {
  it("signs with the first 32 hex characters of HMAC-SHA256 over the URL", () => {
    const { u, s } = query(signImageUrl(IMG, SECRET));
    assert.equal(u, IMG);
    assert.equal(s, createHmac("sha256", SECRET).update(IMG).digest("hex").slice(0, 32));
    assert.equal(verifyImageSignature(u, s, SECRET), true);
  });

  it("round-trips any URL text through the query string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (text) => {
        const { u, s } = query(signImageUrl(text, SECRET));
        assert.equal(u, text);
        assert.equal(verifyImageSignature(u, s, SECRET), true);
      }),
    );
  });

  const good = query(signImageUrl(IMG, SECRET));
  const rejects: [string, string, string, string][] = [
    ["a different URL", `${IMG}&x=1`, good.s, SECRET],
    ["another host", IMG.replace("mmbiz.qpic.cn", "evil.example"), good.s, SECRET],
    ["a flipped signature digit", IMG, `${good.s.slice(0, -1)}${good.s.endsWith("0") ? "1" : "0"}`, SECRET],
    ["a truncated signature", IMG, good.s.slice(0, 31), SECRET],
    [
      "a full-length (64 char) signature",
      IMG,
      createHmac("sha256", SECRET).update(IMG).digest("hex"),
      SECRET,
    ],
    ["an uppercase signature", IMG, good.s.toUpperCase(), SECRET],
    ["an empty signature", IMG, "", SECRET],
    ["a non-hex signature", IMG, "z".repeat(32), SECRET],
    ["the wrong secret", IMG, good.s, `${SECRET}x`],
    ["an empty secret", IMG, createHmac("sha256", "").update(IMG).digest("hex").slice(0, 32), ""],
  ];
  for (const [name, u, s, secret] of rejects) {
    it(`rejects ${name}`, () => assert.equal(verifyImageSignature(u, s, secret), false));
  }

  it("refuses to sign with an empty secret", () => {
    assert.throws(
      () => signImageUrl(IMG, ""),
      (error) => isAppError(error, "CONFIG_INVALID"),
    );
  });
});

describe("isProxiableImageHost", () => {
  const cases: [string, boolean][] = [
    ["mmbiz.qpic.cn", true],
    ["MMBIZ.QPIC.CN", true],
    ["mmecoa.qpic.cn", true],
    ["mmsns.qpic.cn", true],
    ["qpic.cn", false],
    ["evil.qpic.cn.attacker.com", false],
    ["mmbiz.qpic.cn.evil.com", false],
    ["evilqpic.cn", false],
    ["mmbiz.qpic.cn:443", false],
    ["wx.qlogo.cn", false],
    ["mp.weixin.qq.com", false],
    ["127.0.0.1", false],
    ["", false],
  ];
  for (const [host, expected] of cases) {
    it(`${JSON.stringify(host)} → ${expected}`, () => assert.equal(isProxiableImageHost(host), expected));
  }
});

describe("createImageUrlRewriter", () => {
  const rewrite = createImageUrlRewriter("https://feeds.example.org/", SECRET);

  it("turns qpic URLs into absolute signed proxy URLs that verify", () => {
    const out = rewrite(IMG);
    assert.ok(out.startsWith("https://feeds.example.org/img?u="), out);
    const { u, s } = query(new URL(out).pathname + new URL(out).search);
    assert.equal(u, IMG);
    assert.equal(verifyImageSignature(u, s, SECRET), true);
  });

  it("proxies old http:// qpic URLs too", () => {
    assert.ok(rewrite("http://mmbiz.qpic.cn/x/0").startsWith("https://feeds.example.org/img?"));
  });

  const unchanged = [
    "https://example.com/a.png",
    "https://mmbiz.qpic.cn.evil.com/a.png",
    "https://wx.qlogo.cn/mmhead/x/0",
    "ftp://mmbiz.qpic.cn/a.png",
    "data:image/png;base64,AAAA",
    "not a url",
  ];
  for (const url of unchanged) {
    it(`leaves ${url} unchanged`, () => assert.equal(rewrite(url), url));
  }

  it("refuses an empty secret", () => {
    assert.throws(
      () => createImageUrlRewriter("https://x", ""),
      (error) => isAppError(error, "CONFIG_INVALID"),
    );
  });

  it("points article images at the proxy when passed to renderArticleHtml", () => {
    const html = renderArticleHtml(`![a](${IMG})\n\n![b](https://example.com/b.png)`, { imageUrl: rewrite });
    const srcs = [...html.matchAll(/src="([^"]*)"/g)].map((m) => (m[1] ?? "").replaceAll("&amp;", "&"));
    assert.equal(srcs.length, 2);
    const proxied = new URL(srcs[0] ?? "");
    assert.equal(proxied.origin + proxied.pathname, "https://feeds.example.org/img");
    assert.equal(
      verifyImageSignature(proxied.searchParams.get("u") ?? "", proxied.searchParams.get("s") ?? "", SECRET),
      true,
    );
    assert.equal(srcs[1], "https://example.com/b.png");
  });
});
