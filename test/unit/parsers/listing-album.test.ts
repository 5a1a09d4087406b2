import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isAppError } from "../../../src/errors.ts";
import { buildAlbumPageUrl, parseAlbumHtml, parseAlbumJson } from "../../../src/parsers/listing-album.ts";
import { toArticleRefs } from "../../../src/parsers/listing-refs.ts";
import { ARTICLES, expectedRef, readListingFixture } from "../../support/listing-articles.ts";

const ALBUM = "https://mp.weixin.qq.com/mp/appmsgalbum";

describe("parseAlbumHtml", () => {
  it("reads the album name and every li[data-link] of the album list, with Unix-time dates", () => {
    const listing = parseAlbumHtml(readListingFixture("album.html"));
    assert.equal(listing.title, "Rust 学习笔记");
    assert.equal(listing.items.length, 5, "the related-albums entry outside .js_album_list is ignored");
    assert.deepEqual(listing.items[1], {
      // The attribute's `&amp;amp;` decodes once, to an `&amp;`-escaped link.
      link: "http://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&amp;mid=2247504166&amp;idx=1&amp;sn=5e0d2c9b8a7f6e5d4c3b2a1908f7e6d5&amp;scene=189#rd",
      title: '从零搭建 "RSS" 订阅服务',
      date: new Date("2024-06-10T01:00:00Z"),
    });
    // No data-title: the visible title; an empty create-time span: no date.
    assert.deepEqual(listing.items[2], {
      link: "https://mp.weixin.qq.com/s/Xc3kG8pQe1vN0aBdRt7yLw",
      title: "六月第三周：周报",
      date: null,
    });
  });

  it("maps to refs: duplicates merged, the album's own link rejected", () => {
    assert.deepEqual(toArticleRefs(parseAlbumHtml(readListingFixture("album.html")).items), {
      refs: [
        // Listed again (percent-encoded biz, pinned) with an earlier create time.
        expectedRef(ARTICLES.a1, "Rust 异步运行时的取舍", "2024-06-18T12:00:00Z"),
        expectedRef(ARTICLES.a3, '从零搭建 "RSS" 订阅服务', "2024-06-10T01:00:00Z"),
        expectedRef(ARTICLES.s1, "六月第三周：周报", null),
      ],
      rejected: [
        {
          link: `${ALBUM}?__biz=MzIyNjMxOTY0NA==&action=getalbum&album_id=2873311234567890`,
          reason: "URL_NOT_ARTICLE",
        },
      ],
    });
  });

  it("falls back to og:title, then <title>, when #js_tag_name is absent; no list means no items", () => {
    assert.deepEqual(
      parseAlbumHtml('<head><meta property="og:title" content=" 合集 A "><title>B</title></head>'),
      {
        title: "合集 A",
        items: [],
      },
    );
    assert.equal(parseAlbumHtml("<title>#合集 B</title>").title, "#合集 B");
    assert.equal(parseAlbumHtml("").title, null);
  });
});

describe("parseAlbumJson", () => {
  it("reads a page: items, continue flag and the cursor of its last article", () => {
    const page = parseAlbumJson(readListingFixture("album.json"));
    assert.equal(page.continueFlag, true);
    assert.deepEqual(page.nextCursor, { beginMsgid: "2247504166", beginItemidx: "2" });
    assert.deepEqual(toArticleRefs(page.items), {
      refs: [
        expectedRef(ARTICLES.a1, "Rust 异步运行时的取舍", "2024-06-18T12:30:00Z"),
        // `&quot;` in the JSON title is decoded.
        expectedRef(ARTICLES.a3, '从零搭建 "RSS" 订阅服务', "2024-06-10T01:00:00Z"),
      ],
      rejected: [{ link: "https://www.example.com/mirror/2247504166-2", reason: "URL_HOST_DENIED" }],
    });
  });

  it("accepts article_list as a single object (a one-article page) and stops when continue_flag is 0", () => {
    const text = JSON.stringify({
      base_resp: { ret: 0, errmsg: "ok" },
      getalbum_resp: {
        article_list: {
          create_time: "1718755500",
          itemidx: "2",
          msgid: "2247504179",
          title: "一周资讯：六月第三周",
          url: "http://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&amp;mid=2247504179&amp;idx=2&amp;sn=1a2b3c4d5e6f708192a3b4c5d6e7f809&amp;chksm=e9a1c07b#rd",
        },
        continue_flag: "0",
      },
    });
    const page = parseAlbumJson(text);
    assert.equal(page.continueFlag, false);
    assert.equal(page.nextCursor, null);
    assert.deepEqual(toArticleRefs(page.items).refs, [
      expectedRef(ARTICLES.a2, "一周资讯：六月第三周", "2024-06-19T00:05:00Z"),
    ]);
  });

  it("an empty last page has no items and no cursor", () => {
    const page = parseAlbumJson('{"base_resp":{"ret":0},"getalbum_resp":{"continue_flag":"0"}}');
    assert.deepEqual(page, { items: [], continueFlag: false, nextCursor: null });
  });

  it("base_resp.ret ≠ 0 throws PARSE_LISTING carrying the ret code", () => {
    const text = '{"base_resp":{"ret":200013,"errmsg":"freq control"},"getalbum_resp":{}}';
    assert.throws(
      () => parseAlbumJson(text),
      (error: unknown) =>
        isAppError(error, "PARSE_LISTING") &&
        error.details.ret === 200013 &&
        error.message.includes("200013"),
    );
    assert.throws(
      () => parseAlbumJson('{"base_resp":{"ret":"-2"}}'),
      (error: unknown) => isAppError(error, "PARSE_LISTING") && error.details.ret === -2,
    );
  });

  for (const [name, text] of [
    ["an HTML page", "<html><body>环境异常</body></html>"],
    ["a JSON array", "[]"],
    ["JSON without getalbum_resp", '{"base_resp":{"ret":0}}'],
  ] as const) {
    it(`throws PARSE_LISTING for ${name}`, () => {
      assert.throws(
        () => parseAlbumJson(text),
        (error: unknown) => isAppError(error, "PARSE_LISTING") && error.message.startsWith("listing-album: "),
      );
    });
  }
});

describe("buildAlbumPageUrl", () => {
  const source =
    "http://mp.weixin.qq.com/mp/appmsgalbum?__biz=MzIyNjMxOTY0NA==&amp;action=getalbum&amp;album_id=2873311234567890&amp;scene=173&amp;from_msgid=2247504179#wechat_redirect";

  it("builds the first JSON page from an album URL in any accepted form", () => {
    assert.equal(
      buildAlbumPageUrl(source),
      `${ALBUM}?action=getalbum&__biz=MzIyNjMxOTY0NA==&album_id=2873311234567890&f=json&count=20`,
    );
  });

  it("continues after a cursor taken from the previous page", () => {
    const cursor = parseAlbumJson(readListingFixture("album.json")).nextCursor;
    assert.ok(cursor !== null);
    assert.equal(
      buildAlbumPageUrl(source, cursor),
      `${ALBUM}?action=getalbum&__biz=MzIyNjMxOTY0NA==&album_id=2873311234567890&f=json&count=20&begin_msgid=2247504166&begin_itemidx=2`,
    );
  });

  for (const [name, url, code] of [
    ["an article URL", ARTICLES.a1.url, "URL_NOT_ARTICLE"],
    [
      "another host",
      "https://mp.weixin.qq.com.evil.example/mp/appmsgalbum?__biz=MzIyNjMxOTY0NA==",
      "URL_HOST_DENIED",
    ],
    ["an album URL without album_id", `${ALBUM}?__biz=MzIyNjMxOTY0NA==&action=getalbum`, "URL_NOT_ARTICLE"],
  ] as const) {
    it(`refuses ${name} with ${code}`, () => {
      assert.throws(
        () => buildAlbumPageUrl(url),
        (error: unknown) => isAppError(error, code),
      );
    });
  }
});
