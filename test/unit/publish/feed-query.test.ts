import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toFeedEntries } from "../../../src/publish/feed-entry.ts";
import {
  applyFeedQuery,
  type FeedQuery,
  MAX_PATTERN_LENGTH,
  parseFeedQuery,
} from "../../../src/publish/feed-query.ts";
import { renderRss } from "../../../src/publish/rss.ts";
import { makeFeedItem } from "../../support/feed-item-factory.ts";

function query(text: string): FeedQuery {
  const parsed = parseFeedQuery(new URLSearchParams(text));
  if (!parsed.ok) throw new Error(`unexpected error: ${parsed.error}`);
  return parsed.query;
}

function refusal(text: string): string {
  const parsed = parseFeedQuery(new URLSearchParams(text));
  assert.equal(parsed.ok, false, `expected ${text} to be refused`);
  return parsed.ok ? "" : parsed.error;
}

const NOW = new Date(Date.UTC(2026, 0, 3, 0, 0, 0));
const items = [
  makeFeedItem(5, { title: "Redis 7 发布", author: "张三" }),
  makeFeedItem(4, { title: "广告：限时优惠", author: "李四" }),
  makeFeedItem(3, { title: "openai 新模型", author: "王五", markdown: "正文讲 Kubernetes 调度。" }),
  makeFeedItem(2, { title: "周报", author: "张三", account: "极客公园" }),
];
const titles = (q: string, limit = 50) => applyFeedQuery(items, query(q), limit, NOW).map((i) => i.title);

describe("parseFeedQuery", () => {
  it("gives an empty canonical form for no parameters and ignores unrelated ones (key)", () => {
    assert.equal(query("").canonical, "");
    assert.equal(query("key=secret&utm_source=x").canonical, "");
    assert.equal(parseFeedQuery(null).ok, true);
  });

  it("orders the canonical form, so the same filter in any order shares one cache entry", () => {
    const a = query("limit=5&filterout=广告&filter=Redis&mode=brief&filter_case_sensitive=false");
    const b = query("filter_case_sensitive=false&mode=brief&filter=Redis&filterout=广告&limit=5");
    assert.equal(a.canonical, b.canonical);
    assert.match(a.canonical, /^filter=Redis&filterout=/);
    assert.notEqual(query("filter=Redis").canonical, query("filter=redis").canonical);
  });

  it("leaves defaults out of the canonical form (case sensitivity without a pattern, mode=full)", () => {
    assert.equal(query("filter_case_sensitive=false").canonical, "");
    assert.equal(query("mode=full&filter_case_sensitive=true").canonical, "");
  });

  it("refuses patterns longer than the cap before compiling them", () => {
    const message = refusal(`filter=${"a?".repeat(10_000)}${"a".repeat(10_000)}`);
    assert.equal(message, `filter is longer than ${MAX_PATTERN_LENGTH} characters`);
    assert.equal(query(`filter=${"a".repeat(MAX_PATTERN_LENGTH)}`).patterns.size, 1);
  });

  it("refuses patterns RE2 cannot run, with the parameter named", () => {
    assert.match(refusal("filter_title=a("), /^filter_title: invalid pattern "a\(": .*missing closing \)/);
    assert.match(refusal("filterout=(a)\\1"), /^filterout: invalid pattern/);
    assert.match(refusal("filter=(?=x)"), /^filter: invalid pattern/);
  });

  it("refuses bad scalar values with one line each", () => {
    assert.equal(refusal("limit=0"), "limit must be an integer from 1 to 1000");
    assert.equal(refusal("limit=abc"), "limit must be an integer from 1 to 1000");
    assert.equal(refusal("filter_time=-5"), "filter_time must be a whole number of seconds from 1");
    assert.equal(refusal("filter_case_sensitive=yes"), "filter_case_sensitive must be true or false");
    assert.equal(refusal("mode=short"), "mode must be brief or full");
  });
});

describe("applyFeedQuery", () => {
  it("filter matches title or body; filter_title only the title", () => {
    assert.deepEqual(titles("filter=Kubernetes"), ["openai 新模型"]);
    assert.deepEqual(titles("filter_title=Kubernetes"), []);
    assert.deepEqual(titles("filter_title=^(Redis|周报)"), ["Redis 7 发布", "周报"]);
  });

  it("filter_description looks at the body, filter_author at author and account", () => {
    assert.deepEqual(titles("filter_description=调度"), ["openai 新模型"]);
    assert.deepEqual(titles("filter_author=张三"), ["Redis 7 发布", "周报"]);
    assert.deepEqual(titles("filterout_author=张三|李四"), ["openai 新模型"]);
  });

  it("filterout drops matches; positive parameters must all match", () => {
    assert.deepEqual(titles("filterout=广告"), ["Redis 7 发布", "openai 新模型", "周报"]);
    assert.deepEqual(titles("filter_title=Redis|周报&filter_author=张三&filterout_title=周"), [
      "Redis 7 发布",
    ]);
  });

  it("is case-sensitive unless filter_case_sensitive=false", () => {
    assert.deepEqual(titles("filter_title=OPENAI"), []);
    assert.deepEqual(titles("filter_title=OPENAI&filter_case_sensitive=false"), ["openai 新模型"]);
  });

  it("filter_time keeps items published within that many seconds of now", () => {
    // Items are published at 2026-01-02 0n:30Z; now is 2026-01-03 00:00Z.
    const window = 24 * 3600 - 4 * 3600 - 1800;
    assert.deepEqual(titles(`filter_time=${window}`), ["Redis 7 发布", "广告：限时优惠"]);
  });

  it("applies limit after filtering, else the default", () => {
    assert.deepEqual(titles("filterout=广告&limit=2"), ["Redis 7 发布", "openai 新模型"]);
    assert.equal(titles("", 3).length, 3);
  });

  it("mode=brief keeps a summary and drops the full text from the feed", () => {
    const brief = applyFeedQuery(items, query("mode=brief"), 50, NOW);
    assert.equal(brief[2]?.markdown, "");
    assert.equal(brief[2]?.description, "正文讲 Kubernetes 调度。");
    const channel = {
      title: "t",
      description: "d",
      siteUrl: "http://127.0.0.1",
      feedUrl: "http://127.0.0.1/feed.xml",
      buildDate: NOW,
    };
    const xml = renderRss(toFeedEntries(brief, channel), channel);
    assert.doesNotMatch(xml, /content:encoded>/);
    assert.match(xml, /正文讲 Kubernetes 调度。/);
  });
});
