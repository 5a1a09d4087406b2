/**
 * Property (issue 11 points 3 and 8): arbitrary strings as titles, names and bodies of stored records
 * (old ones included, read through toFeedItem) go into the RSS feed, the OPML list and the digest
 * page: the XML stays strict and well-formed, the HTML holds nothing executable, and no title or name
 * carries a control or bidi control character anywhere it is published.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseRssFeed } from "feedsmith";
import { JSDOM } from "jsdom";
import { buildDigest } from "../../../src/publish/digest.ts";
import { toFeedItem } from "../../../src/publish/feed-items.ts";
import { buildOpml } from "../../../src/publish/opml.ts";
import { buildRss } from "../../support/build-feeds.ts";
import { FUZZ_SEED, fuzzParams, hostileText } from "../../support/fuzz.ts";
import { assertSafeFragment } from "../../support/html-safety.ts";
import { makeArticle } from "../../support/seed-articles.ts";
import { parseStrictXml } from "../../support/strict-xml.ts";
import { firstForbiddenInName } from "../../support/text-spec.ts";

const STORED_AT = Date.parse("2026-01-02T12:00:00Z");
const WINDOW = {
  day: "2026-01-03",
  from: new Date("2026-01-02T00:00:00Z"),
  to: new Date("2026-01-03T00:00:00Z"),
};
const CHANNEL = {
  title: "t",
  description: "d",
  siteUrl: "http://127.0.0.1:8080",
  feedUrl: "http://127.0.0.1:8080/feed.xml",
  buildDate: new Date(STORED_AT),
};

const record = fc.record({
  title: hostileText,
  source: hostileText,
  account: fc.option(hostileText),
  author: fc.option(hostileText),
  description: fc.option(hostileText),
  text: hostileText,
});

type RecordFields = typeof record extends fc.Arbitrary<infer T> ? T : never;

function toItems(records: readonly RecordFields[]) {
  return records.map((r, i) => {
    // The record as an older version stored it: fields written raw, no cleaning.
    const stored = makeArticle({
      key: `1000000001-${i + 1}-1`,
      title: r.title,
      sourceId: `s${i % 2}`,
      source: r.source,
      publishedAt: "2026-01-02T10:00:00Z",
      storedAt: STORED_AT,
      text: r.text,
    });
    return toFeedItem({ ...stored, account: r.account, author: r.author, description: r.description });
  });
}

function assertCleanName(text: string | undefined, what: string): void {
  const cp = firstForbiddenInName(text ?? "");
  assert.equal(cp, null, `${what} holds U+${cp?.toString(16).padStart(4, "0")}`);
}

describe(`publishing arbitrary titles, names and bodies (fast-check seed ${FUZZ_SEED})`, () => {
  it("keeps RSS and OPML strict XML with clean titles and names and safe content", () => {
    console.log(`# fast-check seed ${FUZZ_SEED}`);
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 3 }), (records) => {
        const items = toItems(records);
        const xml = buildRss(items, CHANNEL);
        parseStrictXml(xml);
        const feed = parseRssFeed(xml);
        assert.equal(feed.items?.length, items.length);
        for (const item of feed.items ?? []) {
          assertCleanName(item.title, "an item title");
          for (const creator of item.dc?.creators ?? []) assertCleanName(creator, "dc:creator");
          for (const category of item.categories ?? []) assertCleanName(category.name, "a category");
          assertSafeFragment(item.content?.encoded ?? "");
        }
        const opml = buildOpml(
          records.map((r, i) => ({ title: r.title, xmlUrl: `http://127.0.0.1:8080/feeds/s${i}.xml` })),
          records[0]?.source ?? "",
        );
        const doc = parseStrictXml(opml);
        for (const outline of [...doc.getElementsByTagName("outline")]) {
          assertCleanName(outline.getAttribute("title") ?? "", "an OPML title");
        }
      }),
      fuzzParams(100),
    );
  });

  it("renders a digest page with nothing executable and clean titles and names", () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 3 }), (records) => {
        const { html } = buildDigest(toItems(records), WINDOW, { siteUrl: "http://127.0.0.1:8080/" });
        const dom = new JSDOM(html);
        const doc = dom.window.document;
        assert.equal(doc.querySelectorAll("script, iframe, object, embed").length, 0);
        for (const el of doc.querySelectorAll("*")) {
          for (const attr of el.attributes) {
            assert.ok(!attr.name.toLowerCase().startsWith("on"), `event handler ${attr.name}`);
            if (attr.name === "href" || attr.name === "src") assert.match(attr.value, /^https?:\/\//);
          }
        }
        for (const heading of doc.querySelectorAll("h2, h3"))
          assertCleanName(heading.textContent ?? "", "a heading");
        assertCleanName(doc.title, "the page title");
        dom.window.close();
      }),
      fuzzParams(30),
    );
  });
});
