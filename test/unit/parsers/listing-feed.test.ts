import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isAppError } from "../../../src/errors.ts";
import { parseFeedDate, parseFeedListing } from "../../../src/parsers/listing-feed.ts";
import { toArticleRefs } from "../../../src/parsers/listing-refs.ts";
import { ARTICLES, expectedRef, readListingFixture } from "../../support/listing-articles.ts";

describe("parseFeedListing: fixtures to refs", () => {
  it("RSS 2.0: every link form, duplicates merged, bad date null, foreign and junk links rejected", () => {
    const listing = parseFeedListing(readListingFixture("rss.xml"));
    assert.equal(listing.title, "码农札记");
    assert.equal(listing.items.length, 8);
    assert.deepEqual(toArticleRefs(listing.items), {
      refs: [
        // Listed twice (long + http form); the title of the first, the earlier date of the second.
        expectedRef(ARTICLES.a1, "Rust 异步运行时的取舍", "2024-06-18T12:00:00Z"),
        expectedRef(ARTICLES.s1, "六月第三周：周报", "2024-06-19T02:00:00Z"),
        // `&amp;amp;` in the XML, i.e. an `&amp;`-escaped link.
        expectedRef(ARTICLES.a3, "从零搭建 RSS 订阅服务", "2024-06-10T01:00:00Z"),
        // No <link>: the guid is a URL (with a percent-encoded biz).
        expectedRef(ARTICLES.a2, "一周资讯：六月第三周", "2024-06-19T00:05:00Z"),
        // pubDate "昨天 18:00" cannot be read: the item stays, without a date.
        expectedRef(ARTICLES.a4, "周末杂谈", null),
      ],
      rejected: [
        { link: "https://sspai.com/post/89012?utm_source=wechat", reason: "URL_HOST_DENIED" },
        { link: "javascript:void(0);", reason: "URL_INVALID" },
      ],
    });
  });

  it("Atom: rel=alternate over rel=self, a rel-less link, an id as link, alias params, hostile links", () => {
    const listing = parseFeedListing(readListingFixture("atom.xml"));
    assert.equal(listing.title, "公众号精选");
    assert.equal(
      listing.items[0]?.link,
      "https://mp.weixin.qq.com/s?__biz=MzA5MzQyNjU2Nw==&mid=2650188423&idx=1&sn=d41d8cd98f00b204e9800998ecf8427e&chksm=8b7c2f01bc0ba61712ab34cd56ef7890a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071829&scene=27#rd",
    );
    const { refs, rejected } = toArticleRefs(listing.items);
    assert.deepEqual(refs, [
      // published wins over updated; the alias-param duplicate (appmsgid/itemidx/sign) is earlier still.
      expectedRef(ARTICLES.b1, "长文｜城市夜跑指南", "2024-05-01T23:00:00Z"),
      expectedRef(ARTICLES.c3, "读书笔记：《置身事内》", "2024-05-03T01:00:00Z"),
      // type="html" title: markup removed.
      expectedRef(ARTICLES.s2, "快讯：五一假期出行数据", "2024-05-02T12:00:00Z"),
    ]);
    assert.deepEqual(
      rejected.map((r) => r.reason),
      ["URL_NOT_ARTICLE", "URL_HOST_DENIED"],
    );
    assert.equal(rejected[1]?.link, "https://mp.weixin.qq.com.evil.example/s/Xc3kG8pQe1vN0aBdRt7yLw");
    for (const r of rejected) assert.doesNotMatch(r.reason, /SECRET|pass_ticket|key=/);
  });

  it("JSON Feed: url, external_url and a URL id; zoneless dates read as Beijing time", () => {
    const listing = parseFeedListing(readListingFixture("feed.json"));
    assert.equal(listing.title, "码农札记（JSON）");
    assert.deepEqual(toArticleRefs(listing.items), {
      refs: [
        // The duplicate has an empty title and an unreadable date: neither replaces what the first gave.
        expectedRef(ARTICLES.a1, "Rust 异步运行时的取舍", "2024-06-18T12:30:00Z"),
        expectedRef(ARTICLES.a3, "从零搭建 RSS 订阅服务", "2024-06-10T01:00:00Z"),
        expectedRef(ARTICLES.s1, "六月第三周：周报", "2024-06-19T02:00:00Z"),
      ],
      rejected: [{ link: "https://example.com/weekly/42", reason: "URL_HOST_DENIED" }],
    });
  });

  it("RSS 1.0 / RDF: items with escaped ampersands in rdf:about are kept, dates from dc:date", () => {
    const listing = parseFeedListing(readListingFixture("rss1.rdf"));
    assert.equal(listing.title, "书房夜话");
    assert.deepEqual(toArticleRefs(listing.items), {
      refs: [
        expectedRef(ARTICLES.c3, "读书笔记：《置身事内》", "2024-05-03T01:00:00Z"),
        // dc:date "2024-05-02" is midnight in Beijing.
        expectedRef(ARTICLES.s2, "快讯：五一假期出行数据", "2024-05-01T16:00:00Z"),
      ],
      rejected: [],
    });
  });
});

describe("parseFeedListing: edge cases", () => {
  it("an item without link or URL guid yields an empty link, which toArticleRefs reports", () => {
    const rss = `<?xml version="1.0"?><rss version="2.0"><channel><title> Spaced
      Title </title><link>https://example.org/</link><description>d</description>
      <item><title>No link</title><guid isPermaLink="false">3226319644-2247504179-1</guid></item>
      </channel></rss>`;
    const listing = parseFeedListing(rss);
    assert.equal(listing.title, "Spaced Title");
    assert.deepEqual(listing.items, [{ link: "", title: "No link", date: null }]);
    assert.deepEqual(toArticleRefs(listing.items).rejected, [{ link: "", reason: "URL_INVALID" }]);
  });

  it("an empty channel gives no items; a BOM is tolerated", () => {
    const rss = `\uFEFF<?xml version="1.0"?><rss version="2.0"><channel><title>Empty</title></channel></rss>`;
    assert.deepEqual(parseFeedListing(rss), { title: "Empty", items: [] });
  });

  it("an Atom entry with only rel=self falls back to that first link", () => {
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title><id>urn:f</id>
      <entry><title>E</title><id>tag:x,2024:1</id><link rel="self" href="https://mp.weixin.qq.com/s/Xc3kG8pQe1vN0aBdRt7yLw"/>
      <link rel="enclosure" href="https://example.org/a.mp3"/><updated>2024-06-19T02:00:00Z</updated></entry></feed>`;
    assert.deepEqual(parseFeedListing(atom).items, [
      {
        link: "https://mp.weixin.qq.com/s/Xc3kG8pQe1vN0aBdRt7yLw",
        title: "E",
        date: new Date("2024-06-19T02:00:00Z"),
      },
    ]);
  });

  for (const [name, text] of [
    ["an empty string", ""],
    ["plain text", "hello, this is not a feed"],
    ["an HTML page (a verification page served instead of the feed)", "<html><body>环境异常</body></html>"],
    ["JSON that is not a JSON Feed", '{"errcode":40001,"errmsg":"invalid credential"}'],
    ["an OPML document", readListingFixture("sources.opml")],
    ["a truncated body", "<?xml version"],
  ] as const) {
    it(`throws PARSE_LISTING with a one-line message for ${name}`, () => {
      assert.throws(
        () => parseFeedListing(text),
        (error: unknown) =>
          isAppError(error, "PARSE_LISTING") &&
          error.message.startsWith("listing-feed: ") &&
          !error.message.includes("\n"),
      );
    });
  }
});

describe("parseFeedDate", () => {
  const table: [string | undefined, string | null][] = [
    ["Tue, 18 Jun 2024 12:30:00 GMT", "2024-06-18T12:30:00Z"],
    ["Wed, 19 Jun 2024 10:00:00 +0800", "2024-06-19T02:00:00Z"],
    // A server in Asia/Shanghai prints "CST"; it is China Standard Time here, not US Central.
    ["Wed, 19 Jun 2024 10:00:00 CST", "2024-06-19T02:00:00Z"],
    ["2024-06-18T20:30:00+08:00", "2024-06-18T12:30:00Z"],
    ["2024-05-01T23:00:00.250Z", "2024-05-01T23:00:00.250Z"],
    ["2024-06-10 09:00:00", "2024-06-10T01:00:00Z"],
    ["2024-06-10T09:00", "2024-06-10T01:00:00Z"],
    ["2024-05-02", "2024-05-01T16:00:00Z"],
    ["2024/06/19 10:00:00", "2024-06-19T02:00:00Z"],
    ["1718713800", "2024-06-18T12:30:00Z"],
    ["1718713800000", "2024-06-18T12:30:00Z"],
    ["  Tue, 18 Jun 2024 12:30:00 GMT  ", "2024-06-18T12:30:00Z"],
    ["昨天 18:00", null],
    ["not a date", null],
    ["2024-02-30", null],
    ["0", null],
    ["", null],
    [undefined, null],
  ];
  for (const [input, expected] of table) {
    it(`${JSON.stringify(input)} → ${expected}`, () => {
      assert.deepEqual(parseFeedDate(input), expected === null ? null : new Date(expected));
    });
  }
});
