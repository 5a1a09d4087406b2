import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseRssFeed } from "feedsmith";
import type { FeedItem } from "../../../src/model.ts";
import type { FeedChannel } from "../../../src/publish/feed-entry.ts";
import { createImageUrlRewriter, verifyImageSignature } from "../../../src/publish/image-url.ts";
import { buildOpml } from "../../../src/publish/opml.ts";
import { buildRss } from "../../support/build-feeds.ts";
import { makeFeedItem } from "../../support/feed-item-factory.ts";
import { assertSafeFragment } from "../../support/html-safety.ts";
import { parseStrictXml } from "../../support/strict-xml.ts";

const CHANNEL: FeedChannel = {
  title: "WeChat Feed · 全部",
  description: "公众号文章",
  siteUrl: "http://127.0.0.1:8080",
  feedUrl: "http://127.0.0.1:8080/feed.xml",
  buildDate: new Date(Date.UTC(2026, 0, 3, 0, 0, 0)),
};

function parse(xml: string) {
  parseStrictXml(xml);
  return parseRssFeed(xml);
}

describe("buildRss", () => {
  const items: FeedItem[] = [
    makeFeedItem(1),
    makeFeedItem(3, { author: null, sourceId: "other", source: "其他来源" }),
    makeFeedItem(2, { publishedAt: null, account: null }),
  ];
  const xml = buildRss(items, CHANNEL);
  const feed = parse(xml);

  it("leaves lastBuildDate out when there is no build date, instead of inventing one", () => {
    const empty = buildRss([], { ...CHANNEL, buildDate: null });
    assert.doesNotMatch(empty, /lastBuildDate|1970/);
    assert.equal(parse(empty).title, CHANNEL.title);
  });

  it("writes the channel: title, link, description, self link and the given lastBuildDate", () => {
    assert.equal(feed.title, CHANNEL.title);
    assert.equal(feed.description, CHANNEL.description);
    assert.equal(feed.link, "http://127.0.0.1:8080/");
    assert.equal(feed.lastBuildDate, "Sat, 03 Jan 2026 00:00:00 GMT");
    assert.deepEqual(
      feed.atom?.links?.map((l) => [l.rel, l.href]),
      [["self", CHANNEL.feedUrl]],
    );
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?><rss [^>]*version="2.0"/);
  });

  it("orders items newest first, by publish time else stored time", () => {
    // Item 2 has no publish time: it sorts by storedAt 02:45, after item 3 (03:30) and before item 1 (01:30).
    assert.deepEqual(
      feed.items?.map((i) => i.guid?.value),
      [items[1]?.key, items[2]?.key, items[0]?.key],
    );
  });

  it("writes title, link, guid, pubDate, category and creator per item", () => {
    const expected: Record<string, { item: FeedItem; pub: Date; creator: string }> = {
      [items[0]?.key ?? ""]: {
        item: items[0] as FeedItem,
        pub: new Date(Date.UTC(2026, 0, 2, 1, 30)),
        creator: "拉风的极客 (极客公园)",
      },
      [items[1]?.key ?? ""]: {
        item: items[1] as FeedItem,
        pub: new Date(Date.UTC(2026, 0, 2, 3, 30)),
        creator: "极客公园",
      },
      [items[2]?.key ?? ""]: {
        item: items[2] as FeedItem,
        pub: new Date(Date.UTC(2026, 0, 2, 2, 45)),
        creator: "拉风的极客",
      },
    };
    for (const parsed of feed.items ?? []) {
      const want = expected[parsed.guid?.value ?? ""];
      assert.ok(want, `unexpected guid ${parsed.guid?.value}`);
      assert.equal(parsed.guid?.isPermaLink, false);
      assert.equal(parsed.title, want.item.title);
      assert.equal(parsed.link, want.item.url);
      assert.equal(Date.parse(parsed.pubDate ?? ""), want.pub.getTime());
      assert.match(parsed.pubDate ?? "", /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
      assert.deepEqual(
        parsed.categories?.map((c) => c.name),
        [want.item.source],
      );
      assert.deepEqual(parsed.dc?.creators, [want.creator]);
    }
  });

  it("writes the full sanitized article as content:encoded and a plain excerpt as description", () => {
    for (const parsed of feed.items ?? []) {
      const html = parsed.content?.encoded ?? "";
      const els = assertSafeFragment(html);
      const imgs = els.filter((el) => el.tagName === "img");
      assert.equal(imgs.length, 2);
      assert.ok(imgs.every((img) => img.getAttribute("src")?.startsWith("https://mmbiz.qpic.cn/")));
      assert.ok(els.some((el) => el.tagName === "table"));
      assert.match(html, /今年为云厂商站台的合作企业/);
      // The excerpt skips the cover and byline paragraphs and leaves table syntax out.
      assert.match(parsed.description ?? "", /^今年为云厂商站台的合作企业/);
      assert.doesNotMatch(parsed.description ?? "", /[<>|]|cover_image|!\[|---|拉风的极客/);
    }
  });

  it("writes the cover as an image enclosure typed by its wx_fmt hint, without a made-up length", () => {
    const first = feed.items?.[0];
    assert.deepEqual(first?.enclosures, [{ url: items[1]?.cover, type: "image/jpeg" }]);
    assert.doesNotMatch(buildRss(items, CHANNEL), /length="0"/);
    const png = parse(
      buildRss([makeFeedItem(1, { cover: "https://mmbiz.qpic.cn/a/0?wx_fmt=png" })], CHANNEL),
    );
    assert.equal(png.items?.[0]?.enclosures?.[0]?.type, "image/png");
    const ext = parse(buildRss([makeFeedItem(1, { cover: "https://example.com/c.webp" })], CHANNEL));
    assert.equal(ext.items?.[0]?.enclosures?.[0]?.type, "image/webp");
    const none = parse(buildRss([makeFeedItem(1, { cover: null })], CHANNEL));
    assert.equal(none.items?.[0]?.enclosures, undefined);
  });

  it("omits a link that is not http(s) instead of writing it", () => {
    const out = parse(buildRss([makeFeedItem(1, { url: "javascript:alert(1)" })], CHANNEL));
    assert.equal(out.items?.[0]?.link, undefined);
    assert.equal(out.items?.[0]?.guid?.isPermaLink, false);
  });

  it("uses the byline author alone when it equals the account", () => {
    const out = parse(buildRss([makeFeedItem(1, { author: "极客公园" })], CHANNEL));
    assert.deepEqual(out.items?.[0]?.dc?.creators, ["极客公园"]);
  });

  it("keeps one item per key", () => {
    const out = parse(
      buildRss([makeFeedItem(1), makeFeedItem(1, { title: "dup" }), makeFeedItem(2)], CHANNEL),
    );
    assert.equal(out.items?.length, 2);
  });

  it("renders the same items to the same bytes, whatever the clock and input order", (t) => {
    t.mock.timers.enable({ apis: ["Date"], now: Date.UTC(2030, 5, 1) });
    const later = buildRss([...items].reverse(), CHANNEL);
    t.mock.timers.reset();
    assert.equal(later, xml);
    assert.equal(buildRss(items, CHANNEL), xml);
  });

  it("changes the bytes when an item changes", () => {
    const changed = items.map((item, i) => (i === 0 ? { ...item, title: `${item.title}（更新）` } : item));
    assert.notEqual(buildRss(changed, CHANNEL), xml);
  });

  it("points images and enclosures at the signed proxy when given a rewriter", () => {
    const rewrite = createImageUrlRewriter("http://127.0.0.1:8080", "secret");
    const out = parse(buildRss([makeFeedItem(1)], { ...CHANNEL, imageUrl: rewrite }));
    const item = out.items?.[0];
    const enclosure = new URL(item?.enclosures?.[0]?.url ?? "");
    assert.equal(enclosure.pathname, "/img");
    assert.equal(
      verifyImageSignature(
        enclosure.searchParams.get("u") ?? "",
        enclosure.searchParams.get("s") ?? "",
        "secret",
      ),
      true,
    );
    assert.equal(item?.enclosures?.[0]?.type, "image/jpeg");
    const imgs = assertSafeFragment(item?.content?.encoded ?? "").filter((el) => el.tagName === "img");
    assert.ok(imgs.every((img) => img.getAttribute("src")?.startsWith("http://127.0.0.1:8080/img?u=")));
  });

  it("builds a valid empty feed", () => {
    const out = parse(buildRss([], CHANNEL));
    assert.equal(out.items, undefined);
    assert.equal(out.title, CHANNEL.title);
  });
});

describe("buildOpml", () => {
  it("lists every feed with escaped attributes", () => {
    const feeds = [
      { title: "全部", xmlUrl: "http://127.0.0.1:8080/feed.xml", htmlUrl: "http://127.0.0.1:8080/" },
      { title: 'A & B "<x>" \u0001', xmlUrl: "http://127.0.0.1:8080/feeds/a-b.xml?token=x&y=1" },
    ];
    const doc = parseStrictXml(buildOpml(feeds, "wechat-feed <feeds>"));
    assert.equal(doc.getElementsByTagName("title")[0]?.textContent, "wechat-feed <feeds>");
    const outlines = [...doc.getElementsByTagName("outline")];
    assert.deepEqual(
      outlines.map((o) => [
        o.getAttribute("type"),
        o.getAttribute("text"),
        o.getAttribute("xmlUrl"),
        o.getAttribute("htmlUrl"),
      ]),
      [
        ["rss", "全部", feeds[0]?.xmlUrl, feeds[0]?.htmlUrl],
        ["rss", 'A & B "<x>"', feeds[1]?.xmlUrl, null],
      ],
    );
  });
});
