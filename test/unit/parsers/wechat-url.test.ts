/**
 * Table tests for WeChat URL acceptance and normalization (wechat-pages.md section 1). Expected keys and
 * URLs are written by hand from the docs and the corpus: uins were decoded from the biz values separately,
 * temporary-link keys are sha256 prefixes computed outside this code.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { isAppError } from "../../../src/errors.ts";
import {
  articleKey,
  buildCanonicalUrl,
  decodeBiz,
  isArticleKey,
  parseArticleUrl,
  parseWeChatUrl,
  urlKey,
} from "../../../src/parsers/wechat-url.ts";
import { corpusDir, skipReason } from "../../support/corpus.ts";

const S = "https://mp.weixin.qq.com";
// 01-article.html (expected.json): biz MzIyNjMxOTY0NA== is uin 3226319644.
const A01 = `${S}/s?__biz=MzIyNjMxOTY0NA==&mid=2247504179&idx=1&sn=52c2c5acc9ff4567b10d1408a333693c`;
const K01 = "3226319644-2247504179-1";
// 24-article-2022.html: idx 8, biz MzAxMzgxNzUxOA== is uin 3013817518.
const A24 = `${S}/s?__biz=MzAxMzgxNzUxOA==&mid=2650804290&idx=8&sn=d625de357b53f96d710aca4e6ec7f57c`;
const K24 = "3013817518-2650804290-8";
// The share card of 10-share-repost.html: biz MzIxNzE3MjEwNg== is uin 3217172106.
const A10 = `${S}/s?__biz=MzIxNzE3MjEwNg==&mid=2247483687&idx=1&sn=8c05352c98185e08f8100947f6f0b621`;
const K10 = "3217172106-2247483687-1";
// 18-article-2017-browser-saved.html: biz MzIwNzQ3MTI2Ng== is uin 3207471266.
const A18 = `${S}/s?__biz=MzIwNzQ3MTI2Ng==&mid=2247484035&idx=1&sn=dce43f29c3d5488a34105a06217f99e3`;
const K18 = "3207471266-2247484035-1";
// 03-article-with-audio.html links to biz MzIzNDcyMTI5MQ== (uin 3234721291) in a JS string.
const A03 = `${S}/s?__biz=MzIzNDcyMTI5MQ==&mid=2247664546&idx=2&sn=cf3b894cff1fe9892fb0598a40c465fb`;
const K03 = "3234721291-2247664546-2";
const TEMP_22 =
  "https://mp.weixin.qq.com/s?src=11&timestamp=1581604662&ver=2156&signature=0DjdDDf7zkog31VNBvskSzgo5k1M2cahGvJzmmEnKs6vCv6js7lFv8OLipwCkrIti5TPPQTHSSLt6-WbarnNwjeMuDLc1D9jLPvoMHJooMb2R2R0L5emBSWvjF7jflz1&new=1";
const CHKSM = "chksm=80687383b71ffa95268550a2331d599bcf29ddc4966bc56cb7f6717d2e1eab829ec635933ee5";

interface Accepted {
  readonly name: string;
  readonly input: string;
  readonly form: "long" | "short" | "temporary" | "album";
  readonly url: string;
  readonly key: string;
}

const accepted: readonly Accepted[] = [
  { name: "long, canonical (01-article)", input: A01, form: "long", url: A01, key: K01 },
  {
    name: "long with chksm, scene and #rd",
    input: `${A24}&${CHKSM}&scene=21#rd`,
    form: "long",
    url: A24,
    key: K24,
  },
  { name: "long with #wechat_redirect", input: `${A10}#wechat_redirect`, form: "long", url: A10, key: K10 },
  {
    name: "long over http (2017 page)",
    input: `${A18.replace("https:", "http:")}&chksm=abc#rd`,
    form: "long",
    url: A18,
    key: K18,
  },
  {
    name: "long, &amp;-escaped (HTML attribute)",
    input: `${A24.replaceAll("&", "&amp;")}#rd`,
    form: "long",
    url: A24,
    key: K24,
  },
  {
    name: "long, &amp;amp; double-escaped",
    input: A24.replaceAll("&", "&amp;amp;"),
    form: "long",
    url: A24,
    key: K24,
  },
  {
    name: "long, \\x26amp;-escaped (JS string)",
    input: `${A03.replaceAll("&", "\\x26amp;")}\\x26amp;chksm=e91364ef142eca99#rd`,
    form: "long",
    url: A03,
    key: K03,
  },
  { name: "long, \\x26-escaped", input: A03.replaceAll("&", "\\x26"), form: "long", url: A03, key: K03 },
  { name: "long, \\u0026-escaped", input: A03.replaceAll("&", "\\u0026"), form: "long", url: A03, key: K03 },
  { name: "long, &#38;-escaped", input: A03.replaceAll("&", "&#38;"), form: "long", url: A03, key: K03 },
  {
    name: "long, percent-encoded biz (10-share-repost)",
    input: `${S}/s?__biz=MzIxNzE3MjEwNg%3D%3D&amp;mid=2247483687&amp;idx=1&amp;sn=8c05352c98185e08f8100947f6f0b621&scene=45#wechat_redirect`,
    form: "long",
    url: A10,
    key: K10,
  },
  {
    name: "long, alias names appmsgid/itemidx/sign",
    input: `${S}/s?__biz=MzIyNjMxOTY0NA==&appmsgid=2247504179&itemidx=1&sign=52c2c5acc9ff4567b10d1408a333693c`,
    form: "long",
    url: A01,
    key: K01,
  },
  {
    name: "long, legacy /mp/appmsg/show path with aliases",
    input: `http://mp.weixin.qq.com/mp/appmsg/show?__biz=MzIyNjMxOTY0NA==&appmsgid=2247504179&itemidx=1&sign=52c2c5acc9ff4567b10d1408a333693c#wechat_redirect`,
    form: "long",
    url: A01,
    key: K01,
  },
  {
    name: "long, params out of order",
    input: `${S}/s?sn=52c2c5acc9ff4567b10d1408a333693c&idx=1&scene=1&mid=2247504179&__biz=MzIyNjMxOTY0NA==`,
    form: "long",
    url: A01,
    key: K01,
  },
  {
    name: "long, upper-case host",
    input: A01.replace("mp.weixin.qq.com", "MP.WEIXIN.QQ.COM"),
    form: "long",
    url: A01,
    key: K01,
  },
  {
    name: "long, upper-case scheme",
    input: A01.replace("https:", "HTTPS:"),
    form: "long",
    url: A01,
    key: K01,
  },
  {
    name: "long, trailing-dot host",
    input: A01.replace("qq.com/", "qq.com./"),
    form: "long",
    url: A01,
    key: K01,
  },
  {
    name: "long, /s/ with trailing slash",
    input: A01.replace("/s?", "/s/?"),
    form: "long",
    url: A01,
    key: K01,
  },
  {
    name: "long, session credentials dropped",
    input: `${A01}&key=deadbeefcafe&uin=MTIzNDU2&pass_ticket=Zm9vYmFy%2B&devicetype=iOS&version=1&lang=zh_CN&exportkey=x`,
    form: "long",
    url: A01,
    key: K01,
  },
  {
    name: "long without sn (identity only)",
    input: `${S}/s?__biz=MjM5NzE1NTMyNg==&mid=2650934104&idx=1&scene=0`,
    form: "long",
    url: `${S}/s?__biz=MjM5NzE1NTMyNg==&mid=2650934104&idx=1`,
    key: "2397155326-2650934104-1",
  },
  {
    name: "long, unpadded biz re-padded",
    input: `${S}/s?__biz=MzIyNjMxOTY0NA&mid=2247504179&idx=1&sn=52c2c5acc9ff4567b10d1408a333693c`,
    form: "long",
    url: A01,
    key: K01,
  },
  { name: "long, surrounding whitespace", input: `  \n${A01}\t `, form: "long", url: A01, key: K01 },
  {
    name: "long, JSON-escaped slashes",
    input: A01.replaceAll("/", "\\/"),
    form: "long",
    url: A01,
    key: K01,
  },
  {
    name: "short",
    input: `${S}/s/10C4BZQJwSW03kauuUmQ-g`,
    form: "short",
    url: `${S}/s/10C4BZQJwSW03kauuUmQ-g`,
    key: "short-10C4BZQJwSW03kauuUmQ-g",
  },
  {
    name: "short with query and fragment",
    input: `${S}/s/KDWh_qGpFN5Vu1TR9t30Mw?scene=1&poc_token=HAbc&key=secret#rd`,
    form: "short",
    url: `${S}/s/KDWh_qGpFN5Vu1TR9t30Mw`,
    key: "short-KDWh_qGpFN5Vu1TR9t30Mw",
  },
  {
    name: "short over http with leading underscore",
    input: "http://mp.weixin.qq.com/s/_2kC-fXw7UjneZSrsC9CVQ",
    form: "short",
    url: `${S}/s/_2kC-fXw7UjneZSrsC9CVQ`,
    key: "short-_2kC-fXw7UjneZSrsC9CVQ",
  },
  {
    name: "short with trailing slash",
    input: `${S}/s/bRt0seqxnIuoQnASJTU-8w/`,
    form: "short",
    url: `${S}/s/bRt0seqxnIuoQnASJTU-8w`,
    key: "short-bRt0seqxnIuoQnASJTU-8w",
  },
  {
    name: "short, protocol-relative",
    input: "//mp.weixin.qq.com/s/iuvEOr7jfGyVOWMyk-1Kgw",
    form: "short",
    url: `${S}/s/iuvEOr7jfGyVOWMyk-1Kgw`,
    key: "short-iuvEOr7jfGyVOWMyk-1Kgw",
  },
  {
    name: "temporary (22-article-2020-snapshot)",
    input: TEMP_22,
    form: "temporary",
    url: TEMP_22,
    key: "u71ab3cf350430f25",
  },
  {
    name: "temporary, &amp;-escaped, over http, tracking dropped",
    input: `${TEMP_22.replace("https:", "http:").replaceAll("&", "&amp;")}&amp;scene=27&amp;pass_ticket=abc#wechat_redirect`,
    form: "temporary",
    url: TEMP_22,
    key: "u71ab3cf350430f25",
  },
  {
    name: "temporary without new, params out of order",
    input: `${S}/s?signature=abc*def-GHI_&ver=1&timestamp=1700000000&src=3`,
    form: "temporary",
    url: `${S}/s?src=3&timestamp=1700000000&ver=1&signature=abc*def-GHI_`,
    key: "u284a2fd4c21503fc",
  },
  {
    name: "album, &amp;-escaped with #wechat_redirect",
    input: `${S}/mp/appmsgalbum?__biz=MzI2NDk5NzA0Mw==&amp;action=getalbum&amp;album_id=4128812927555911694#wechat_redirect`,
    form: "album",
    url: `${S}/mp/appmsgalbum?__biz=MzI2NDk5NzA0Mw==&action=getalbum&album_id=4128812927555911694`,
    key: "album-3264997043-4128812927555911694",
  },
  {
    name: "album, \\x26amp;-escaped, extra params",
    input: `http://mp.weixin.qq.com/mp/appmsgalbum?album_id=3457885223537541125\\x26amp;__biz=MzIyNjMxOTY0NA==\\x26amp;action=getalbum\\x26amp;scene=173\\x26amp;count=3#wechat_redirect`,
    form: "album",
    url: `${S}/mp/appmsgalbum?__biz=MzIyNjMxOTY0NA==&action=getalbum&album_id=3457885223537541125`,
    key: "album-3226319644-3457885223537541125",
  },
];

type Code = "URL_INVALID" | "URL_HOST_DENIED" | "URL_NOT_ARTICLE";
const rejected: readonly (readonly [string, Code])[] = [
  ["", "URL_INVALID"],
  ["   ", "URL_INVALID"],
  ["not a url", "URL_INVALID"],
  ["not-a-url", "URL_INVALID"],
  ["localhost:8080/s/x", "URL_INVALID"],
  ["mp.weixin.qq.com/s/10C4BZQJwSW03kauuUmQ-g", "URL_INVALID"],
  ["file:///etc/passwd", "URL_INVALID"],
  ["javascript:alert(1)", "URL_INVALID"],
  ["JavaScript://mp.weixin.qq.com/%0aalert(1)", "URL_INVALID"],
  ["data:text/html,<script>alert(1)</script>", "URL_INVALID"],
  ["ftp://mp.weixin.qq.com/s/x", "URL_INVALID"],
  ["https://mp%2eweixin.qq.com/s/x", "URL_INVALID"],
  ["https://mp.weixin.qq.com%40evil.com/s/x", "URL_INVALID"],
  ["https:///mp.weixin.qq.com/s/x", "URL_INVALID"],
  ["https://mp.weixin.qq.com/s/abc def", "URL_INVALID"],
  ["https://mp.weixin.qq.com/s\n/abc", "URL_INVALID"],
  ["https://mp.weixin\t.qq.com/s/abc", "URL_INVALID"],
  ["https://mp.weixin.qq.com\u200b/s/abc", "URL_INVALID"],
  ["https://evil.com\\@mp.weixin.qq.com/s/abc", "URL_INVALID"],
  ["https://mp.weixin.qq.com.evil.com/s/x", "URL_HOST_DENIED"],
  ["https://mp.weixin.qq.com.evil.example/s?__biz=MzIyNjMxOTY0NA==&mid=1&idx=1", "URL_HOST_DENIED"],
  ["https://evil.com/#mp.weixin.qq.com", "URL_HOST_DENIED"],
  ["https://evil.com/?u=https://mp.weixin.qq.com/s/x", "URL_HOST_DENIED"],
  ["https://mp.weixin.qq.com@evil.com/s/x", "URL_HOST_DENIED"],
  ["https://user:pw@mp.weixin.qq.com/s/x", "URL_HOST_DENIED"],
  ["https://user@mp.weixin.qq.com/s/x", "URL_HOST_DENIED"],
  ["https://mp.weixin.qq.com:443/s/x", "URL_HOST_DENIED"],
  ["https://mp.weixin.qq.com:8443/s/x", "URL_HOST_DENIED"],
  ["http://127.0.0.1/", "URL_HOST_DENIED"],
  ["http://2130706433/s/x", "URL_HOST_DENIED"],
  ["https://[::1]/s/x", "URL_HOST_DENIED"],
  ["https://evil.example/s/x", "URL_HOST_DENIED"],
  ["https://weixin.qq.com/s/x", "URL_HOST_DENIED"],
  ["https://xmp.weixin.qq.com/s/x", "URL_HOST_DENIED"],
  ["https://mp.weixin.qq.com../s/x", "URL_HOST_DENIED"],
  ["https://mp\u3002weixin.qq.com/s/x", "URL_HOST_DENIED"],
  [
    "https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz=MzIyNjMxOTY0NA==#wechat_redirect",
    "URL_NOT_ARTICLE",
  ],
  ["https://mp.weixin.qq.com/mp/getverifyinfo?__biz=MzIyNjMxOTY0NA==&type=reg_info", "URL_NOT_ARTICLE"],
  ["https://mp.weixin.qq.com/", "URL_NOT_ARTICLE"],
  ["https://mp.weixin.qq.com/s", "URL_NOT_ARTICLE"],
  ["https://mp.weixin.qq.com/s?scene=1&chksm=abc", "URL_NOT_ARTICLE"],
  [
    "https://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&idx=1&sn=52c2c5acc9ff4567b10d1408a333693c",
    "URL_NOT_ARTICLE",
  ],
  ["https://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&mid=2247504179", "URL_NOT_ARTICLE"],
  ["https://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&mid=abc&idx=1", "URL_NOT_ARTICLE"],
  ["https://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&mid=2247504179&idx=x1", "URL_NOT_ARTICLE"],
  ["https://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&mid=2247504179&idx=0", "URL_NOT_ARTICLE"],
  ["https://mp.weixin.qq.com/s?__biz=ZXZpbA==&mid=2247504179&idx=1", "URL_NOT_ARTICLE"],
  ["https://mp.weixin.qq.com/s?__biz=MDEyMw==&mid=2247504179&idx=1", "URL_NOT_ARTICLE"],
  ["https://mp.weixin.qq.com/s?__biz=not-base64!&mid=2247504179&idx=1", "URL_NOT_ARTICLE"],
  ["https://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&mid=1&appmsgid=2&idx=1", "URL_NOT_ARTICLE"],
  ["https://mp.weixin.qq.com/s?src=11&timestamp=1581604662&ver=2156", "URL_NOT_ARTICLE"],
  ["https://mp.weixin.qq.com/s?src=11&timestamp=soon&ver=2156&signature=abc", "URL_NOT_ARTICLE"],
  ["https://mp.weixin.qq.com/s/abc!def", "URL_NOT_ARTICLE"],
  ["https://mp.weixin.qq.com/s/abc/def", "URL_NOT_ARTICLE"],
  ["https://mp.weixin.qq.com/mp/opshowpage?action=newoplaw", "URL_NOT_ARTICLE"],
  ["https://mp.weixin.qq.com/mp/appmsgalbum?__biz=MzI2NDk5NzA0Mw==&action=getalbum", "URL_NOT_ARTICLE"],
  [
    "https://mp.weixin.qq.com/mp/appmsgalbum?__biz=MzI2NDk5NzA0Mw==&action=other&album_id=1",
    "URL_NOT_ARTICLE",
  ],
];

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(isAppError(error), `expected an AppError, got ${String(error)}`);
    assert.equal(error.name, "InvalidUrlError");
    assert.match(error.message, /^url: [^\n]+$/);
    return error.code;
  }
  return "accepted";
}

describe("parseWeChatUrl accepts every form and normalizes it", () => {
  for (const c of accepted) {
    it(c.name, () => {
      const parsed = parseWeChatUrl(c.input);
      assert.equal(parsed.form, c.form);
      assert.equal(parsed.url, c.url);
      assert.equal(parsed.key, c.key);
    });
  }
});

describe("parseWeChatUrl rejects hostile and non-article inputs", () => {
  for (const [input, code] of rejected) {
    it(`${code}: ${JSON.stringify(input)}`, () => {
      assert.equal(
        codeOf(() => parseWeChatUrl(input)),
        code,
      );
    });
  }
});

describe("parseWeChatUrl form details", () => {
  it("long form carries identity, sn and canonical URL", () => {
    const parsed = parseWeChatUrl(`${A01}&chksm=abc#rd`);
    assert.deepEqual(parsed, {
      form: "long",
      url: A01,
      identity: { biz: "MzIyNjMxOTY0NA==", mid: "2247504179", idx: "1" },
      sn: "52c2c5acc9ff4567b10d1408a333693c",
      key: K01,
      canonicalUrl: A01,
    });
  });
  it("long form without sn has no canonical URL", () => {
    const parsed = parseWeChatUrl(`${S}/s?__biz=MjM5NzE1NTMyNg==&mid=2650934104&idx=1`);
    assert.equal(parsed.form === "long" && parsed.sn === null && parsed.canonicalUrl === null, true);
  });
  it("short form carries the token", () => {
    const parsed = parseWeChatUrl(`${S}/s/10C4BZQJwSW03kauuUmQ-g?scene=1`);
    assert.deepEqual(parsed, {
      form: "short",
      url: `${S}/s/10C4BZQJwSW03kauuUmQ-g`,
      token: "10C4BZQJwSW03kauuUmQ-g",
      key: "short-10C4BZQJwSW03kauuUmQ-g",
    });
  });
  it("album form carries biz and album id", () => {
    const parsed = parseWeChatUrl(`${S}/mp/appmsgalbum?__biz=MzI2NDk5NzA0Mw==&album_id=4128812927555911694`);
    assert.equal(parsed.form, "album");
    assert.equal(
      parsed.form === "album" && `${parsed.biz} ${parsed.albumId}`,
      "MzI2NDk5NzA0Mw== 4128812927555911694",
    );
  });
});

describe("parseArticleUrl", () => {
  it("accepts articles", () => {
    assert.equal(parseArticleUrl(A01).key, K01);
    assert.equal(parseArticleUrl(TEMP_22).form, "temporary");
  });
  it("rejects an album as not an article", () => {
    const album = `${S}/mp/appmsgalbum?__biz=MzI2NDk5NzA0Mw==&action=getalbum&album_id=4128812927555911694`;
    assert.equal(
      codeOf(() => parseArticleUrl(album)),
      "URL_NOT_ARTICLE",
    );
  });
});

describe("error messages never leak query values", () => {
  const secret = "PT_s3cr3t_Zm9vYmFy";
  const inputs = [
    `https://evil.example/s?__biz=x&pass_ticket=${secret}&key=${secret}`,
    `https://mp.weixin.qq.com:8443/s?pass_ticket=${secret}`,
    `https://mp.weixin.qq.com/s?pass_ticket=${secret}&key=${secret}&uin=${secret}`,
    `https://mp.weixin.qq.com/mp/profile_ext?action=home&pass_ticket=${secret}`,
    `https://mp.weixin.qq.com/s?__biz=${secret}&mid=1&idx=1&pass_ticket=${secret}`,
    `https://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&mid=${secret}&idx=1`,
    `https://mp.weixin.qq.com/s?src=11&timestamp=1&ver=1&signature=${secret}!&pass_ticket=${secret}`,
    `https://mp.weixin.qq.com/s?pass_ticket=${secret}%zz&mid=%zz`,
    `https://mp.weixin.qq.com/s?pass_ticket=${secret} x`,
    `https://${secret}:${secret}@mp.weixin.qq.com/s/x`,
  ];
  for (const input of inputs) {
    it(input.slice(0, 60), () => {
      assert.throws(
        () => parseWeChatUrl(input),
        (error: unknown) =>
          isAppError(error) && !error.message.includes(secret) && !error.message.includes("s3cr3t"),
      );
    });
  }
});

describe("articleKey, decodeBiz, isArticleKey, buildCanonicalUrl, urlKey", () => {
  it("articleKey decodes the biz to the uin", () => {
    assert.equal(articleKey({ biz: "MzIyNjMxOTY0NA==", mid: "2247504179", idx: "1" }), K01);
    assert.equal(articleKey({ biz: "MzAxMzgxNzUxOA==", mid: "2650804290", idx: "8" }), K24);
  });
  it("articleKey rejects an identity that cannot make a safe key", () => {
    assert.equal(
      codeOf(() => articleKey({ biz: "ZXZpbA==", mid: "1", idx: "1" })),
      "URL_NOT_ARTICLE",
    );
    assert.equal(
      codeOf(() => articleKey({ biz: "MzIyNjMxOTY0NA==", mid: "../x", idx: "1" })),
      "URL_NOT_ARTICLE",
    );
    assert.equal(
      codeOf(() => articleKey({ biz: "MzIyNjMxOTY0NA==", mid: "1", idx: "" })),
      "URL_NOT_ARTICLE",
    );
  });
  const bizCases: readonly (readonly [string, string | null])[] = [
    ["MzIyNjMxOTY0NA==", "3226319644"],
    ["MzIyNjMxOTY0NA", "3226319644"],
    ["MTMwNDMwODQ0MQ==", "1304308441"],
    ["MjM5NzE1NTMyNg==", "2397155326"],
    ["MzkzMDY1NDgyOQ==", "3930654829"],
    ["ZXZpbA==", null],
    ["MDEyMw==", null],
    ["MTJh", null],
    ["", null],
    ["MzIyNjMxOTY0NA===", null],
    ["MzIy NjMxOTY0NA==", null],
    ["MzIyNjMxOTY0NB==", null],
  ];
  for (const [biz, uin] of bizCases) {
    it(`decodeBiz(${JSON.stringify(biz)}) = ${uin}`, () => assert.equal(decodeBiz(biz), uin));
  }
  it("isArticleKey", () => {
    assert.equal(isArticleKey(K01), true);
    assert.equal(isArticleKey("2397155326-2650934104-1"), true);
    for (const bad of [
      "short-abc",
      "u71ab3cf350430f25",
      "3226319644-2247504179",
      "a-1-1",
      "1-1-0",
      "1-1-1/..",
      "",
    ]) {
      assert.equal(isArticleKey(bad), false, bad);
    }
  });
  it("buildCanonicalUrl gives the four params in order", () => {
    const identity = { biz: "MzIyNjMxOTY0NA==", mid: "2247504179", idx: "1" };
    assert.equal(buildCanonicalUrl(identity, "52c2c5acc9ff4567b10d1408a333693c"), A01);
    assert.equal(
      codeOf(() => buildCanonicalUrl(identity, "x&y=1")),
      "URL_NOT_ARTICLE",
    );
  });
  it("urlKey is u + 16 hex chars of sha256", () => {
    assert.equal(urlKey("abc"), "uba7816bf8f01cfea");
    assert.equal(urlKey(TEMP_22), "u71ab3cf350430f25");
  });
});

describe("canonical URLs of expected.json", { skip: skipReason(corpusDir(), "WeChat corpus") }, () => {
  it("buildCanonicalUrl and parseWeChatUrl agree with every listed canonicalUrl", () => {
    const dir = corpusDir() ?? "";
    const entries = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as Record<string, unknown>[];
    let checked = 0;
    for (const e of entries) {
      const { biz, mid, idx, sn, canonicalUrl } = e;
      if (typeof canonicalUrl !== "string" || typeof biz !== "string" || typeof sn !== "string") continue;
      const identity = { biz, mid: String(mid), idx: String(idx) };
      assert.equal(buildCanonicalUrl(identity, sn), canonicalUrl, String(e.file));
      const parsed = parseWeChatUrl(`${canonicalUrl}&scene=21#rd`);
      assert.equal(parsed.form === "long" && parsed.canonicalUrl, canonicalUrl);
      assert.equal(parsed.key, articleKey(identity));
      checked++;
    }
    assert.ok(checked >= 8, `only ${checked} canonical URLs found`);
  });
});
