import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toArticleRefs } from "../../../src/parsers/listing-refs.ts";
import { parseUrlList } from "../../../src/parsers/listing-urls.ts";
import { ARTICLES, expectedRef, readListingFixture } from "../../support/listing-articles.ts";

describe("parseUrlList", () => {
  it("keeps one trimmed link per line, skipping blank and comment lines and trailing notes", () => {
    const items = parseUrlList(readListingFixture("urls.txt"));
    assert.deepEqual(
      items.map((item) => item.link),
      [
        "https://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&mid=2247504179&idx=1&sn=8c1f7e2a9b3d4c5e6f708192a3b4c5d6&chksm=e9a1c07bded6496d3e7a4f1c8b2d0e5f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f70819&scene=21#rd",
        "https://mp.weixin.qq.com/s/Xc3kG8pQe1vN0aBdRt7yLw?scene=1&sharer_shareid=f00dcafe",
        "http://mp.weixin.qq.com/s?__biz=MzA5MzQyNjU2Nw==&amp;mid=2650188423&amp;idx=1&amp;sn=d41d8cd98f00b204e9800998ecf8427e&amp;chksm=8b7c2f01bc0ba61712ab34cd56ef7890a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071829#rd",
        "https://MP.WEIXIN.QQ.COM/s?__biz=MjM5NTgwMTcwMA%3D%3D&mid=2651234567&idx=3&sn=0cc175b9c0f1b6a831c399e269772661&scene=126&sessionid=1718000000#rd",
        "http://mp.weixin.qq.com/s?__biz=MzIyNjMxOTY0NA==&mid=2247504179&idx=1&sn=8c1f7e2a9b3d4c5e6f708192a3b4c5d6#wechat_redirect",
        "https://www.zhihu.com/question/123456789",
        "看完记得点个在看",
      ],
    );
    assert.ok(items.every((item) => item.title === null && item.date === null));
  });

  it("maps the fixture to refs: one per article, the foreign link and the junk line reported", () => {
    assert.deepEqual(toArticleRefs(parseUrlList(readListingFixture("urls.txt"))), {
      refs: [
        expectedRef(ARTICLES.a1, null, null),
        expectedRef(ARTICLES.s1, null, null),
        expectedRef(ARTICLES.b1, null, null),
        expectedRef(ARTICLES.c3, null, null),
      ],
      rejected: [
        { link: "https://www.zhihu.com/question/123456789", reason: "URL_HOST_DENIED" },
        { link: "看完记得点个在看", reason: "URL_INVALID" },
      ],
    });
  });

  it("handles CRLF and CR line ends, a BOM, tabs, and an empty or comment-only file", () => {
    const text = `\uFEFF${ARTICLES.s1.url}\r\n\t${ARTICLES.s2.url}\t\r# done\r`;
    assert.deepEqual(
      parseUrlList(text).map((item) => item.link),
      [ARTICLES.s1.url, ARTICLES.s2.url],
    );
    assert.deepEqual(parseUrlList(""), []);
    assert.deepEqual(parseUrlList("# nothing yet\n\n   \n"), []);
  });

  it("keeps a #fragment that is part of the URL, dropping only a whitespace-separated note", () => {
    const link = `${ARTICLES.a1.url}#rd`;
    assert.deepEqual(parseUrlList(`${link}\n${link} #note\n`), [
      { link, title: null, date: null },
      { link, title: null, date: null },
    ]);
  });
});
