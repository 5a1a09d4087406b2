/** The "links rejected" log detail: each link shortened, query values never shown, with its code. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_LOGGED_LINKS, toLoggedRejectedLinks, toShortLink } from "../../../src/jobs/rejected-links.ts";
import { toArticleRefs } from "../../../src/parsers/listing-refs.ts";

const item = (link: string) => ({ link, title: null, date: null });

describe("toLoggedRejectedLinks", () => {
  it("names each rejected link of a listing with its reason, without query values", () => {
    const secret = "key=SECRETKEY0123456789abcdef&pass_ticket=SECRETTICKET9876543210";
    const { rejected } = toArticleRefs(
      [
        "https://sspai.com/post/89012",
        `https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz=MzIyNjMxOTY0NA==&${secret}#wechat_redirect`,
        "file:///etc/passwd",
        "   ",
      ].map(item),
    );
    assert.deepEqual(toLoggedRejectedLinks(rejected), [
      { url: "https://sspai.com/post/89012", reason: "URL_HOST_DENIED" },
      { url: "https://mp.weixin.qq.com/mp/profile_ext?…", reason: "URL_NOT_ARTICLE" },
      { url: "file:///etc/passwd", reason: "URL_INVALID" },
      { url: "(empty)", reason: "URL_INVALID" },
    ]);
    assert.ok(!JSON.stringify(toLoggedRejectedLinks(rejected)).includes("SECRET"));
  });

  it("cuts long links and long lists", () => {
    const long = `https://example.org/${"a".repeat(300)}`;
    const shown = toShortLink(long);
    assert.equal(shown.length, 100);
    assert.ok(shown.startsWith("https://example.org/aaa") && shown.endsWith("…"), shown);
    const many = Array.from({ length: MAX_LOGGED_LINKS + 5 }, (_, i) => ({
      link: `x${i}`,
      reason: "URL_INVALID",
    }));
    const logged = toLoggedRejectedLinks(many);
    assert.equal(logged.length, MAX_LOGGED_LINKS);
    assert.equal(logged.at(-1)?.url, `x${MAX_LOGGED_LINKS - 1}`);
  });
});
