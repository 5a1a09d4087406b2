/**
 * Property tests: hostile article fields (XML-illegal characters, `]]>`, markup, event handlers,
 * javascript: links, huge titles) must never break the feed's XML or put anything executable in it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseRssFeed } from "feedsmith";
import type { FeedItem } from "../../../src/model.ts";
import type { FeedChannel } from "../../../src/publish/feed-entry.ts";
import { buildRss } from "../../support/build-feeds.ts";
import { makeFeedItem } from "../../support/feed-item-factory.ts";
import { hostileItem } from "../../support/hostile-text.ts";
import { assertSafeFragment } from "../../support/html-safety.ts";
import { firstIllegalChar, isXmlChar, parseStrictXml } from "../../support/strict-xml.ts";
import { isBidiControl, isDroppedControl } from "../../support/text-spec.ts";

const CHANNEL: FeedChannel = {
  title: "t ]]> <script>",
  description: "d \u0000",
  siteUrl: "http://127.0.0.1:8080",
  feedUrl: "http://127.0.0.1:8080/feed.xml",
  buildDate: new Date(Date.UTC(2026, 0, 3)),
};

/**
 * The spec of a feed title: XML-illegal characters, other control characters (C0 but tab and newline,
 * DEL, C1) and bidi embeddings, overrides and isolates removed, whitespace runs collapsed, trimmed.
 */
function expectedTitle(raw: string): string {
  return [...raw]
    .filter((ch) => isXmlChar(ch.codePointAt(0) ?? 0))
    .filter((ch) => !isDroppedControl(ch.codePointAt(0) ?? 0) && !isBidiControl(ch.codePointAt(0) ?? 0))
    .join("")
    .replace(/\s+/g, " ")
    .trim();
}

function toItems(records: readonly Partial<FeedItem>[]): FeedItem[] {
  // Keys get a unique suffix so the item count is known; the hostile part stays in front.
  return records.map((r, i) => makeFeedItem(i, { ...r, key: `${r.key ?? ""}#${i}` }));
}

/** Every check a hostile feed must pass; returns the parsed feed. */
function assertSafeFeed(xml: string, items: FeedItem[]) {
  parseStrictXml(xml);
  const feed = parseRssFeed(xml);
  assert.equal(feed.items?.length ?? 0, items.length);
  for (const parsed of feed.items ?? []) {
    const content = parsed.content?.encoded ?? "";
    assertSafeFragment(content);
    // Text `<` is always escaped, so any `<` starts a real tag; "onerror=" as plain text is harmless.
    assert.ok(
      !/<script|<[^>]*\son[a-z]+\s*=|<[^>]*(?:href|src)="\s*javascript:/i.test(content),
      "executable markup",
    );
    // The description is escaped text: it holds no markup at all.
    assert.ok(!(parsed.description ?? "").includes("<"), "markup in the description");
    for (const text of [parsed.title, parsed.description, parsed.guid?.value, parsed.link, content]) {
      assert.equal(firstIllegalChar(text ?? ""), null);
    }
    if (parsed.link !== undefined) assert.match(parsed.link, /^https?:\/\//);
    for (const enclosure of parsed.enclosures ?? []) assert.match(enclosure.url ?? "", /^https?:\/\//);
  }
  return feed;
}

describe("buildRss with hostile fields", () => {
  it("stays valid XML with nothing executable (property)", () => {
    fc.assert(
      fc.property(fc.array(hostileItem, { maxLength: 4 }), (records) => {
        const items = toItems(records);
        const feed = assertSafeFeed(buildRss(items, CHANNEL), items);
        const titles = new Set(items.map((item) => expectedTitle(item.title)));
        for (const parsed of feed.items ?? []) {
          const title = parsed.title ?? "";
          assert.ok(titles.has(title) || title === "（无标题）", `unexpected title ${JSON.stringify(title)}`);
        }
      }),
      { numRuns: 120 },
    );
  });

  it("renders the same items to the same bytes in any order (property)", () => {
    fc.assert(
      fc.property(
        fc
          .array(hostileItem, { maxLength: 5 })
          .chain((records) =>
            fc.tuple(fc.constant(records), fc.shuffledSubarray(records, { minLength: records.length })),
          ),
        ([records, shuffled]) => {
          const items = toItems(records);
          const keyed = new Map(items.map((item, i) => [records[i], item]));
          const reordered = shuffled.map((r) => keyed.get(r) as FeedItem);
          assert.equal(buildRss(items, CHANNEL), buildRss(items, CHANNEL));
          assert.equal(buildRss(reordered, CHANNEL), buildRss(items, CHANNEL));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("survives a 1 MB hostile title", () => {
    const unit = "标题]]><script>alert(1)</script>\u0000\uFFFE\uD800 onerror=x javascript:y ";
    const title = unit.repeat(Math.ceil(1_048_576 / unit.length));
    const items = [
      makeFeedItem(1, { title, author: title, markdown: title, description: title }),
      makeFeedItem(2),
    ];
    const xml = buildRss(items, CHANNEL);
    const feed = assertSafeFeed(xml, items);
    const parsedTitle = feed.items?.find((i) => i.guid?.value === items[0]?.key)?.title ?? "";
    assert.ok(parsedTitle.length > 0 && parsedTitle.length <= 512, `title length ${parsedTitle.length}`);
    assert.ok(
      expectedTitle(title).startsWith(parsedTitle.slice(0, -1)),
      "the title is a prefix of the original",
    );
  });
});
