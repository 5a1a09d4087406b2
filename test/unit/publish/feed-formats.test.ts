/**
 * The feed formats of the output table on hostile items: Atom stays strict XML and JSON Feed stays
 * valid JSON, both readable by feedsmith, with the RSS feed's items (same ids, titles, links, dates, in
 * the same order) and the same bytes for the same items. And the table itself: every scope in every
 * format, unique paths, and patterns that capture exactly the argument.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseAtomFeed, parseJsonFeed, parseRssFeed } from "feedsmith";
import { ATOM_ID_PREFIX } from "../../../src/publish/atom.ts";
import type { FeedChannel } from "../../../src/publish/feed-entry.ts";
import {
  FEED_FORMATS,
  FEED_SCOPES,
  OUTPUTS,
  toOutputPath,
  toPathPattern,
} from "../../../src/publish/output-table.ts";
import { buildAtom, buildJsonFeed, buildRss } from "../../support/build-feeds.ts";
import { makeFeedItem } from "../../support/feed-item-factory.ts";
import { hostileItem } from "../../support/hostile-text.ts";
import { firstIllegalChar, parseStrictXml } from "../../support/strict-xml.ts";

const CHANNEL: FeedChannel = {
  title: "t ]]> <script>",
  description: "d \u0000",
  siteUrl: "http://127.0.0.1:8080",
  feedUrl: "http://127.0.0.1:8080/feed.atom",
  buildDate: new Date(Date.UTC(2026, 0, 3)),
};
const text = (t: string | { readonly value?: string } | undefined) =>
  typeof t === "string" ? t : (t?.value ?? "");

describe("Atom and JSON Feed", () => {
  it("carry the RSS feed's items on hostile input, as strict XML and valid JSON (property)", () => {
    fc.assert(
      fc.property(fc.array(hostileItem, { maxLength: 4 }), (records) => {
        const items = records.map((r, i) => makeFeedItem(i, { ...r, key: `${r.key}#${i}` }));
        const rss = (parseRssFeed(buildRss(items, CHANNEL)).items ?? []).map((i) => ({
          id: i.guid?.value ?? "",
          title: i.title ?? "",
          link: i.link ?? null,
          date: Date.parse(i.pubDate ?? ""),
        }));
        const atomXml = buildAtom(items, CHANNEL);
        parseStrictXml(atomXml);
        assert.equal(firstIllegalChar(atomXml), null);
        const atom = (parseAtomFeed(atomXml).entries ?? []).map((e) => ({
          id: (e.id ?? "").replace(ATOM_ID_PREFIX, ""),
          title: text(e.title),
          link: e.links?.find((l) => l.rel === "alternate")?.href ?? null,
          date: Date.parse(e.published ?? ""),
        }));
        assert.deepEqual(atom, rss);
        const jsonText = buildJsonFeed(items, CHANNEL);
        const json = (parseJsonFeed(JSON.parse(jsonText)).items ?? []).map((i) => ({
          id: i.id ?? "",
          title: i.title ?? "",
          link: i.url ?? null,
          date: Date.parse(i.date_published ?? ""),
        }));
        assert.deepEqual(json, rss);
        assert.equal(buildAtom([...items].reverse(), CHANNEL), atomXml, "same items, same bytes");
        assert.equal(buildJsonFeed([...items].reverse(), CHANNEL), jsonText, "same items, same bytes");
      }),
      { numRuns: 150 },
    );
  });

  it("date an empty Atom feed at the epoch rather than the clock", () => {
    const xml = buildAtom([], { ...CHANNEL, buildDate: null });
    assert.equal(parseAtomFeed(xml).updated, "1970-01-01T00:00:00.000Z");
    assert.equal(parseJsonFeed(JSON.parse(buildJsonFeed([], CHANNEL))).items, undefined);
  });
});

describe("the output table", () => {
  it("publishes every feed scope in every format at a unique path", () => {
    const paths = OUTPUTS.map((row) => row.path);
    assert.equal(new Set(paths).size, paths.length);
    for (const [scope, base] of Object.entries(FEED_SCOPES)) {
      for (const format of FEED_FORMATS) {
        const row = OUTPUTS.find((r) => r.scope === scope && r.format === format);
        assert.equal(row?.path, `${base}.${format.extension}`, `${scope}.${format.id}`);
        assert.equal(row?.contentType, format.contentType);
      }
    }
    assert.deepEqual(
      FEED_FORMATS.map((f) => f.extension),
      ["xml", "atom", "json"],
    );
  });

  it("matches request paths to rows and captures only the argument", () => {
    const cases: [string, string, string | null][] = [
      ["source.atom", "/feeds/alpha-1.atom", "alpha-1"],
      ["source.atom", "/feeds/alpha.atom.atom", null],
      ["source.json", "/feeds/../x.json", null],
      ["tag.rss", "/tags/%E7%A7%91%E6%8A%80.xml", "%E7%A7%91%E6%8A%80"],
      ["tag.rss", "/tags/a/b.xml", null],
      ["digest-day", "/digests/2025-01-02", "2025-01-02"],
      ["digest-day", "/digests/2025-01-02x", null],
      ["all.rss", "/feed.xml", ""],
      ["all.rss", "/feedxxml", null],
    ];
    for (const [id, path, arg] of cases) {
      const row = OUTPUTS.find((r) => r.id === id);
      assert.ok(row, id);
      const match = toPathPattern(row).exec(path);
      assert.equal(match === null ? null : (match[1] ?? ""), arg, `${id} ${path}`);
    }
    const tag = OUTPUTS.find((r) => r.id === "tag.json");
    assert.equal(tag && toOutputPath(tag, "科技", true), "tags/科技.json");
  });
});
