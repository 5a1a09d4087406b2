/**
 * Summaries and categories in what publishing renders: feed items, RSS, Atom and JSON Feed (summary as
 * description/summary, category as category/tag), and the digest (grouped either way).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseRssFeed } from "feedsmith";
import type { FeedItem, StoredArticle } from "../../../src/model.ts";
import { renderAtom } from "../../../src/publish/atom.ts";
import { buildDigest, toDigestGroups } from "../../../src/publish/digest.ts";
import { type FeedChannel, toFeedEntries } from "../../../src/publish/feed-entry.ts";
import { toFeedItem } from "../../../src/publish/feed-items.ts";
import { renderJsonFeed } from "../../../src/publish/json-feed.ts";
import { renderRss } from "../../../src/publish/rss.ts";
import { makeFeedItem } from "../../support/feed-item-factory.ts";
import { parseStrictXml } from "../../support/strict-xml.ts";

const CHANNEL: FeedChannel = {
  title: "t",
  description: "d",
  siteUrl: "https://feeds.example.org",
  feedUrl: "https://feeds.example.org/feed.xml",
  buildDate: new Date("2026-01-03T00:00:00Z"),
};
const WINDOW = {
  day: "2026-01-03",
  from: new Date("2026-01-02T00:00:00Z"),
  to: new Date("2026-01-03T00:00:00Z"),
};

const buildRss = (items: FeedItem[], ch: FeedChannel) => renderRss(toFeedEntries(items, ch), ch);
const buildAtom = (items: FeedItem[], ch: FeedChannel) => renderAtom(toFeedEntries(items, ch), ch);
const buildJsonFeed = (items: FeedItem[], ch: FeedChannel) => renderJsonFeed(toFeedEntries(items, ch), ch);

describe("summaries in published outputs", () => {
  const summarized = makeFeedItem(1, { summary: "1. 主题：云。\n2. 要点：代言 & <合作>。", category: "AI" });
  const other = makeFeedItem(2, {
    summary: "另一篇。",
    category: "Business",
    sourceId: "s2",
    source: "第二来源",
  });
  const plain = makeFeedItem(3);

  it("maps the stored summary and category onto the feed item (null when none)", () => {
    const stored = {
      key: "k1",
      url: "https://mp.weixin.qq.com/s/abc",
      title: "标题",
      source: "源",
      sourceId: "s",
      date: "2026-01-02",
      fetchDate: "2026-01-02T00:00:00.000000",
      publishedAt: null,
      account: null,
      author: null,
      cover: null,
      description: null,
      itemShowType: null,
      contentHash: "h",
      document: "---\ntitle: 标题\n---\n\n# 标题\n\n正文\n",
      archivePath: "/x.md",
      storedAt: 0,
    } satisfies StoredArticle;
    assert.deepEqual([toFeedItem(stored).summary, toFeedItem(stored).category], [null, null]);
    const withSummary = toFeedItem({
      ...stored,
      summary: { text: "摘要\u0007", category: "AI", contentHash: "h" },
    });
    assert.deepEqual([withSummary.summary, withSummary.category], ["摘要", "AI"]);
  });

  it("RSS: the summary is the description, the category an extra <category>, the full text stays", () => {
    const xml = buildRss([summarized, plain], CHANNEL);
    parseStrictXml(xml);
    const feed = parseRssFeed(xml);
    const item = feed.items?.find((i) => i.guid?.value === summarized.key);
    const bare = feed.items?.find((i) => i.guid?.value === plain.key);
    assert.equal(item?.description, "主题：云。 要点：代言 &amp; &lt;合作&gt;。");
    assert.deepEqual(
      item?.categories?.map((c) => c.name),
      ["极客公园", "AI"],
    );
    assert.match(item?.content?.encoded ?? "", /这是第 1 篇文章的正文/);
    assert.deepEqual(
      bare?.categories?.map((c) => c.name),
      ["极客公园"],
    );
    assert.doesNotMatch(bare?.description ?? "", /主题/);
  });

  it("Atom and JSON Feed: the summary is the summary, the category a category / tag", () => {
    const atom = buildAtom([summarized, plain], CHANNEL);
    parseStrictXml(atom);
    const entry = atom.slice(atom.indexOf(summarized.key) - 200);
    assert.match(atom, /<category term="AI"\/>/);
    assert.match(
      entry,
      /<summary[^>]*>\s*(?:<!\[CDATA\[)?主题：云。 要点：代言 (?:&amp;|&) (?:&lt;|<)合作(?:&gt;|>)。/,
    );
    const json = JSON.parse(buildJsonFeed([summarized, plain], CHANNEL)) as {
      items: { id: string; summary: string; tags?: string[]; content_html: string }[];
    };
    const item = json.items.find((i) => i.id === summarized.key);
    assert.equal(item?.summary, "主题：云。 要点：代言 & <合作>。");
    assert.deepEqual(item?.tags, ["极客公园", "AI"]);
    assert.match(item?.content_html ?? "", /这是第 1 篇文章的正文/);
    assert.deepEqual(json.items.find((i) => i.id === plain.key)?.tags, ["极客公园"]);
  });

  it("digest: shows each summary, and groups by category with Others last when asked", () => {
    const bySource = toDigestGroups([summarized, other, plain], WINDOW);
    assert.deepEqual(
      bySource.map((g) => g.source), // pinyin order: di < ji
      ["第二来源", "极客公园"],
    );
    const byCategory = toDigestGroups([summarized, other, plain], WINDOW, "category");
    assert.deepEqual(
      byCategory.map((g) => [g.source, g.entries.length]),
      [
        ["AI", 1],
        ["Business", 1],
        ["Others", 1],
      ],
    );
    const digest = buildDigest([summarized, other, plain], WINDOW, {
      siteUrl: "https://f.example.org",
      groupBy: "category",
    });
    assert.match(digest.document.body, /\n## AI\n[\s\S]*主题：云。 要点：代言 \\&[\s\S]*\n## Others\n/);
    assert.match(digest.html, /<h2>AI<sup>1<\/sup><\/h2>[\s\S]*要点：代言 &amp; &lt;合作&gt;/);
  });
});
