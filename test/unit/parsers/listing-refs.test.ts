import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ListingItem, toArticleRefs } from "../../../src/parsers/listing-refs.ts";
import { ARTICLES, expectedRef } from "../../support/listing-articles.ts";

const SN = "8c1f7e2a9b3d4c5e6f708192a3b4c5d6";
const item = (link: string, title: string | null = null, date: string | null = null): ListingItem => ({
  link,
  title,
  date: date === null ? null : new Date(date),
});

describe("toArticleRefs", () => {
  it("the same article in five URL forms gives one ref with the canonical URL", () => {
    const forms = [
      `https://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&mid=2247504179&idx=1&sn=${SN}&chksm=e9a1c07bded6496d3e7a4f1c8b2d0e5f&scene=21#rd`,
      `http://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&mid=2247504179&idx=1&sn=${SN}#wechat_redirect`,
      `https://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&amp;mid=2247504179&amp;idx=1&amp;sn=${SN}&amp;scene=126`,
      `https://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA%3D%3D&mid=2247504179&idx=1&sn=${SN}&sessionid=1718764200&subscene=0`,
      `https://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&appmsgid=2247504179&itemidx=1&sign=${SN}&scene=27#rd`,
    ];
    assert.deepEqual(toArticleRefs(forms.map((link) => item(link))), {
      refs: [expectedRef(ARTICLES.a1, null, null)],
      rejected: [],
    });
  });

  it("a short link stays its own ref: it has no identity until fetched", () => {
    const { refs } = toArticleRefs([item(ARTICLES.a1.url), item(`${ARTICLES.s1.url}?scene=1#rd`)]);
    assert.deepEqual(
      refs.map((ref) => ref.key),
      [ARTICLES.a1.key, ARTICLES.s1.key],
    );
  });

  it("merging keeps the first URL and position, the first non-empty title and the earliest date", () => {
    const { refs } = toArticleRefs([
      item(`${ARTICLES.a1.url}&scene=1`, "  ", "2024-06-18T12:30:00Z"),
      item(ARTICLES.b1.url, "夜跑", null),
      item(`http://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&mid=2247504179&idx=1`, "第一个标题", null),
      item(ARTICLES.a1.url, "第二个标题", "2024-06-18T11:00:00Z"),
      item(ARTICLES.a1.url, null, "2024-06-18T11:30:00Z"),
    ]);
    assert.deepEqual(refs, [
      expectedRef(ARTICLES.a1, "第一个标题", "2024-06-18T11:00:00Z"),
      expectedRef(ARTICLES.b1, "夜跑", null),
    ]);
  });

  it("an invalid Date from a caller is treated as no date", () => {
    const { refs } = toArticleRefs([{ link: ARTICLES.s2.url, title: " 标题 ", date: new Date(Number.NaN) }]);
    assert.deepEqual(refs, [expectedRef(ARTICLES.s2, "标题", null)]);
  });

  it("reports each rejected link with its error code, never echoing the query", () => {
    const secret = "key=SECRETKEY0123456789abcdef&pass_ticket=SECRETTICKET9876543210";
    const links = [
      "https://sspai.com/post/89012",
      "https://mp.weixin.qq.com.evil.example/s/Xc3kG8pQe1vN0aBdRt7yLw",
      `https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz=MzIyNjMxOTY0NA==&${secret}#wechat_redirect`,
      "https://mp.weixin.qq.com/mp/appmsgalbum?__biz=MzIyNjMxOTY0NA==&action=getalbum&album_id=2873311234567890",
      "file:///etc/passwd",
      "看完记得点个在看",
      "   ",
    ];
    const { refs, rejected } = toArticleRefs(links.map((link) => item(link)));
    assert.deepEqual(refs, []);
    assert.deepEqual(
      rejected.map((r) => r.reason),
      [
        "URL_HOST_DENIED",
        "URL_HOST_DENIED",
        "URL_NOT_ARTICLE",
        "URL_NOT_ARTICLE",
        "URL_INVALID",
        "URL_INVALID",
        "URL_INVALID",
      ],
    );
    assert.deepEqual(
      rejected.map((r) => r.link),
      [...links.slice(0, 6), ""],
    );
    for (const r of rejected) assert.doesNotMatch(r.reason, /SECRET|pass_ticket|key=|__biz/);
  });

  it("an empty listing gives nothing", () => {
    assert.deepEqual(toArticleRefs([]), { refs: [], rejected: [] });
  });
});
