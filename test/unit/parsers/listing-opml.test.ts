import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isAppError } from "../../../src/errors.ts";
import { parseOpmlListing } from "../../../src/parsers/listing-opml.ts";
import { readListingFixture } from "../../support/listing-articles.ts";

describe("parseOpmlListing", () => {
  it("collects xmlUrl from nested folders, deduplicated, titles from title then text, folders as tags", () => {
    assert.deepEqual(parseOpmlListing(readListingFixture("sources.opml")), {
      title: "我的公众号订阅",
      feeds: [
        // Listed again under 收藏: that folder tags it too.
        {
          url: "https://feeds.example.org/wechat/MzIyNjMxOTY0NA==.xml",
          title: "码农札记",
          tags: ["微信公众号", "收藏"],
        },
        // Two folders deep.
        {
          url: "https://feeds.example.org/wechat/MzA5MzQyNjU2Nw==.xml",
          title: "夜跑城市",
          tags: ["微信公众号", "生活"],
        },
        // `&amp;` decoded; `title` preferred over `text`.
        {
          url: "https://rsshub.example.net/wechat/mp/msgalbum/MjM5NTgwMTcwMA==/2873311234567890?limit=20&format=atom",
          title: "书房夜话 · 合集",
          tags: [],
        },
        // The padded copy and the upper-case-host/:443 copy of the first feed are gone.
      ],
    });
  });

  it("keeps outlines that are both folder and feed, and their children", () => {
    const opml = `<?xml version="1.0"?><opml version="1.0"><head/><body>
      <outline text="parent" xmlUrl="https://a.example/feed.xml">
        <outline text="child" xmlUrl="https://b.example/feed.xml"/>
      </outline></body></opml>`;
    assert.deepEqual(parseOpmlListing(opml), {
      title: null,
      feeds: [
        { url: "https://a.example/feed.xml", title: "parent", tags: [] },
        { url: "https://b.example/feed.xml", title: "child", tags: [] },
      ],
    });
  });

  it("turns category attributes (comma lists, /paths) and folder names into tags", () => {
    const opml = `<?xml version="1.0"?><opml version="2.0"><head/><body>
      <outline text="Tech News">
        <outline text="a" xmlUrl="https://a.example/f.xml" category="/科技/AI, 每日 必读 ,/,-lead"/>
        <outline text="b" xmlUrl="https://b.example/f.xml" category="!!!"/>
      </outline></body></opml>`;
    assert.deepEqual(
      parseOpmlListing(opml).feeds.map((f) => f.tags),
      [["Tech-News", "科技", "AI", "每日-必读", "lead"], ["Tech-News"]],
    );
  });

  it("an OPML with an empty body has no feeds", () => {
    const opml = `<opml version="2.0"><head><title>Empty</title></head><body></body></opml>`;
    assert.deepEqual(parseOpmlListing(opml), { title: "Empty", feeds: [] });
  });

  for (const [name, text] of [
    ["plain text", "just some words"],
    ["an RSS feed", readListingFixture("rss.xml")],
    ["an empty string", ""],
  ] as const) {
    it(`throws PARSE_LISTING for ${name}`, () => {
      assert.throws(
        () => parseOpmlListing(text),
        (error: unknown) =>
          isAppError(error, "PARSE_LISTING") &&
          error.message.startsWith("listing-opml: ") &&
          !error.message.includes("\n"),
      );
    });
  }
});
