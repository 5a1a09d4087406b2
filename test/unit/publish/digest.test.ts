import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseRssFeed } from "feedsmith";
import { JSDOM } from "jsdom";
import { isAppError } from "../../../src/errors.ts";
import type { FeedItem } from "../../../src/model.ts";
import { readDocument, renderDocument } from "../../../src/parsers/front-matter.ts";
import {
  buildDigest,
  escapeMarkdown,
  type StoredDigest,
  toDigestGroups,
  toDigestItem,
} from "../../../src/publish/digest.ts";
import { createImageUrlRewriter, verifyImageSignature } from "../../../src/publish/image-url.ts";
import { renderArticleHtml } from "../../../src/publish/markdown-html.ts";
import { buildRss } from "../../support/build-feeds.ts";
import { makeFeedItem } from "../../support/feed-item-factory.ts";
import { assertSafeFragment } from "../../support/html-safety.ts";
import { parseStrictXml } from "../../support/strict-xml.ts";

const at = (iso: string): Date => new Date(iso);
const WINDOW = { day: "2026-01-03", from: at("2026-01-02T00:00:00Z"), to: at("2026-01-03T00:00:00Z") };
const SITE = "http://127.0.0.1:8080/";

const bj = { sourceId: "bjrb", source: "北京日报", account: "北京日报" };
const items: FeedItem[] = [
  makeFeedItem(1, {
    ...bj,
    title: "早间新闻",
    publishedAt: at("2026-01-02T10:00:00Z"),
    storedAt: at("2026-01-02T10:05:00Z"),
  }),
  makeFeedItem(2, {
    ...bj,
    title: "深夜快讯",
    publishedAt: at("2026-01-02T16:30:00Z"),
    storedAt: at("2026-01-02T16:40:00Z"),
  }),
  makeFeedItem(3, {
    ...bj,
    title: '# <script>alert(1)</script> [x](javascript:alert(1)) *粗* & "引号"',
    author: "<b>作者</b>",
    publishedAt: at("2026-01-02T12:00:00Z"),
    storedAt: at("2026-01-02T12:00:00Z"),
    description: "第一句。第二句！<img src=x onerror=alert(1)>",
  }),
  makeFeedItem(4, {
    sourceId: "aliyun",
    source: "阿里云",
    account: "阿里云",
    author: null,
    publishedAt: null,
    storedAt: at("2026-01-02T05:00:00Z"),
  }),
  // Published long ago but stored at the very start of the window: included (the window is by stored time).
  makeFeedItem(5, {
    sourceId: "caixin",
    source: "财新",
    publishedAt: at("2025-12-30T00:00:00Z"),
    storedAt: WINDOW.from,
  }),
  // Stored exactly at the window end, and just before its start: excluded.
  makeFeedItem(6, { sourceId: "caixin", source: "财新", storedAt: WINDOW.to, publishedAt: null }),
  makeFeedItem(7, {
    sourceId: "other",
    source: "其他",
    storedAt: at("2026-01-01T23:59:59Z"),
    publishedAt: null,
  }),
];

describe("toDigestGroups", () => {
  const groups = toDigestGroups(items, WINDOW);

  it("keeps exactly the items stored in [from, to), grouped by source, sources by (pinyin) name", () => {
    assert.deepEqual(
      groups.map((g) => [g.source, g.entries.map((e) => e.title)]),
      [
        ["阿里云", [items[3]?.title]],
        ["北京日报", ["深夜快讯", items[2]?.title, "早间新闻"]],
        ["财新", [items[4]?.title]],
      ],
    );
  });

  it("formats times in Asia/Shanghai and joins author and account", () => {
    const [ali, bjrb] = groups;
    assert.equal(ali?.entries[0]?.time, "2026-01-02 13:00");
    assert.deepEqual(ali?.entries[0]?.byline, ["阿里云"]);
    assert.equal(bjrb?.entries[0]?.time, "2026-01-03 00:30");
    assert.deepEqual(bjrb?.entries[0]?.byline, ["拉风的极客", "北京日报"]);
  });

  it("takes a short excerpt from the description, else the body", () => {
    assert.match(groups[1]?.entries[1]?.excerpt ?? "", /^第一句。第二句！/);
    assert.match(groups[0]?.entries[0]?.excerpt ?? "", /今年为云厂商站台的合作企业/);
    assert.ok((groups[0]?.entries[0]?.excerpt.length ?? 999) <= 121);
  });
});

describe("buildDigest", () => {
  const { document, html } = buildDigest(items, WINDOW, { siteUrl: SITE });

  it("fills the document fields", () => {
    assert.equal(document.title, "每日摘要 2026-01-03");
    assert.equal(document.url, "http://127.0.0.1:8080/digests/2026-01-03");
    assert.equal(document.source, "wechat-feed");
    assert.equal(document.date, "2026-01-03");
    assert.equal(document.fetch_date, "2026-01-03T00:00:00.000000");
    assert.ok(document.body.startsWith("# 每日摘要 2026-01-03\n"));
  });

  it("renders as a valid document that reads back unchanged", () => {
    const text = renderDocument(document);
    const back = readDocument(text);
    for (const key of ["title", "url", "source", "date", "fetch_date", "body"] as const) {
      assert.equal(back[key], document[key], key);
    }
  });

  it("has a Markdown body with the groups, links and times in order, markup in titles inert", () => {
    const els = assertSafeFragment(renderArticleHtml(document.body));
    const text = (tag: string) => els.filter((el) => el.tagName === tag).map((el) => el.textContent);
    assert.deepEqual(text("h1"), ["每日摘要 2026-01-03"]);
    assert.deepEqual(text("h2"), ["阿里云", "北京日报", "财新"]);
    assert.deepEqual(
      text("h3"),
      [items[3], items[1], items[2], items[0], items[4]].map((i) => i?.title),
    );
    assert.deepEqual(
      els.filter((el) => el.tagName === "a").map((el) => el.getAttribute("href")),
      [items[3], items[1], items[2], items[0], items[4]].map((i) => i?.url),
    );
    assert.ok(text("p").some((p) => p === "2026-01-03 00:30 · 拉风的极客 · 北京日报"));
    assert.ok(
      text("p").some((p) => p?.startsWith("北京时间 2026-01-02 08:00 至 2026-01-03 08:00，收录 5 篇文章")),
    );
  });

  it("is a complete, safe HTML page", () => {
    assert.ok(html.startsWith("<!doctype html>"));
    const dom = new JSDOM(html);
    const doc = dom.window.document;
    assert.equal(doc.title, "每日摘要 2026-01-03");
    assert.equal(doc.querySelector('meta[name="referrer"]')?.getAttribute("content"), "no-referrer");
    assert.ok(doc.querySelector('meta[name="viewport"]'));
    assert.ok(doc.querySelector("style")?.textContent?.includes("max-width"));
    assert.equal(doc.querySelectorAll("script, iframe, [onerror], [onclick]").length, 0);
    assert.deepEqual(
      [...doc.querySelectorAll("h2")].map((h) => h.firstChild?.textContent),
      ["阿里云", "北京日报", "财新"],
    );
    assert.deepEqual(
      [...doc.querySelectorAll("ul")].map((ul) => ul.querySelectorAll("li").length),
      [1, 3, 1],
    );
    assert.deepEqual(
      [...doc.querySelectorAll("h3")].map((h) => h.textContent),
      [items[3], items[1], items[2], items[0], items[4]].map((i) => i?.title),
    );
    const imgs = [...doc.querySelectorAll("img")];
    assert.equal(imgs.length, 5);
    assert.ok(imgs.every((img) => img.getAttribute("referrerpolicy") === "no-referrer"));
    dom.window.close();
  });

  it("points cover images at the proxy when given a rewriter", () => {
    const rewrite = createImageUrlRewriter("http://127.0.0.1:8080", "s3cret");
    const page = buildDigest(items, WINDOW, { siteUrl: SITE, imageUrl: rewrite }).html;
    const dom = new JSDOM(page);
    const srcs = [...dom.window.document.querySelectorAll("img")].map(
      (img) => new URL(img.getAttribute("src") ?? ""),
    );
    assert.equal(srcs.length, 5);
    for (const src of srcs) {
      assert.equal(src.pathname, "/img");
      assert.equal(
        verifyImageSignature(src.searchParams.get("u") ?? "", src.searchParams.get("s") ?? "", "s3cret"),
        true,
      );
    }
    dom.window.close();
  });

  it("builds an empty digest for an empty window", () => {
    const empty = buildDigest([], WINDOW, { siteUrl: SITE, title: "日报" });
    assert.equal(empty.document.title, "日报 2026-01-03");
    assert.match(empty.document.body, /没有收录新文章/);
    assert.equal(new JSDOM(empty.html).window.document.querySelectorAll("li").length, 0);
  });

  it("rejects a malformed day or an empty window", () => {
    const usage = (error: unknown) => isAppError(error, "USAGE");
    assert.throws(() => buildDigest(items, { ...WINDOW, day: "2026-1-3" }, { siteUrl: SITE }), usage);
    assert.throws(() => buildDigest(items, { ...WINDOW, to: WINDOW.from }, { siteUrl: SITE }), usage);
  });
});

describe("escapeMarkdown", () => {
  it("makes any one-line text render as exactly that text (property)", () => {
    const line = fc.string({ unit: "grapheme", maxLength: 40 }).map((s) => s.replace(/\s+/g, " ").trim());
    const markdownish = fc
      .array(
        fc.constantFrom(
          "#",
          "*",
          "_",
          "`",
          "[x](y)",
          "<b>",
          "&amp;",
          "1.",
          "-",
          "+",
          ">",
          "|",
          "\\",
          "~~",
          "!",
          " ",
          "a",
        ),
        {
          maxLength: 12,
        },
      )
      .map((parts) => parts.join("").trim());
    fc.assert(
      fc.property(fc.oneof(line, markdownish), (text) => {
        fc.pre(text !== "");
        for (const prefix of ["", "### "]) {
          const els = assertSafeFragment(renderArticleHtml(`${prefix}${escapeMarkdown(text)}`));
          assert.equal(els.length, 1, `one block for ${JSON.stringify(text)}`);
          assert.equal(els[0]?.textContent, text);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("the digest feed", () => {
  const buildDigestRss = (days: readonly StoredDigest[], channel: Parameters<typeof buildRss>[1]) =>
    buildRss(days.map(toDigestItem), channel);
  const channel = {
    title: "每日摘要",
    description: "wechat-feed 每日摘要",
    siteUrl: SITE,
    feedUrl: "http://127.0.0.1:8080/digest.xml",
    buildDate: at("2026-01-04T00:00:00Z"),
  };
  const day3 = { day: "2026-01-03", ...buildDigest(items, WINDOW, { siteUrl: SITE }) };
  const window4 = { day: "2026-01-04", from: WINDOW.to, to: at("2026-01-04T00:00:00Z") };
  const day4 = { day: "2026-01-04", ...buildDigest(items, window4, { siteUrl: SITE }) };
  // The same day re-run later, with one more article stored.
  const extra = makeFeedItem(9, { title: "补录文章", storedAt: at("2026-01-03T06:00:00Z") });
  const rerun = {
    day: "2026-01-04",
    ...buildDigest([...items, extra], { ...window4, to: at("2026-01-04T01:00:00Z") }, { siteUrl: SITE }),
  };

  it("has one item per day with guid digest-<day>, the re-run replacing the earlier one", () => {
    const xml = buildDigestRss([day3, day4, rerun], channel);
    parseStrictXml(xml);
    const feed = parseRssFeed(xml);
    assert.deepEqual(
      feed.items?.map((i) => [i.guid?.value, i.guid?.isPermaLink, i.title, i.link]),
      [
        ["digest-2026-01-04", false, "每日摘要 2026-01-04", "http://127.0.0.1:8080/digests/2026-01-04"],
        ["digest-2026-01-03", false, "每日摘要 2026-01-03", "http://127.0.0.1:8080/digests/2026-01-03"],
      ],
    );
    assert.match(feed.items?.[0]?.content?.encoded ?? "", /补录文章/);
    assert.equal(Date.parse(feed.items?.[0]?.pubDate ?? ""), Date.parse("2026-01-04T01:00:00Z"));
    const els = assertSafeFragment(feed.items?.[1]?.content?.encoded ?? "");
    assert.deepEqual(
      els.filter((el) => el.tagName === "h1").length,
      0,
      "the title heading is not repeated in the content",
    );
    assert.equal(buildDigestRss([day3, day4, rerun], channel), xml);
  });
});
