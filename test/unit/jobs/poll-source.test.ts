/**
 * The per-listing item cap of the poll processor: a feed with far more items than
 * `maxItemsPerListing` gives exactly that many jobs, the newest ones, and reports the rest as skipped.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Source } from "../../../src/config/sources.ts";
import { createPollSource, type PollSourceDeps, takeNewestItems } from "../../../src/jobs/poll-source.ts";
import type { ArticleRef } from "../../../src/model.ts";
import type { ArticleStore } from "../../../src/store/article-store.ts";

const BIZ = "MzIyNjMxOTY0NA=="; // uin 3226319644
const BASE_MID = 2247500000;
const DAY = 86_400_000;
const START = Date.UTC(2020, 0, 1);

/** An RSS feed of `count` items; item i is published on day i, listed oldest first (a worst case). */
function feedOf(count: number): string {
  const items = Array.from({ length: count }, (_, i) => {
    const link = `https://mp.weixin.qq.com/s?__biz=${BIZ}&amp;mid=${BASE_MID + i}&amp;idx=1&amp;sn=ab${i}`;
    const date = new Date(START + i * DAY).toUTCString();
    return `<item><title>t${i}</title><link>${link}</link><pubDate>${date}</pubDate></item>`;
  });
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>big</title>${items.join("")}</channel></rss>`;
}

/** The poll processor over fakes: no store hits, jobs recorded by the caller's callbacks. */
function createTestPoll(source: Source, overrides: Partial<PollSourceDeps>) {
  const store = { isKnown: async () => false, markSeen: async () => true } as unknown as ArticleStore;
  const poll = createPollSource({
    store,
    findSource: () => source,
    fetchListing: async () => "",
    readTextFile: async () => "",
    addArticleJobs: async () => undefined,
    addAlbumJob: async () => undefined,
    onRejected: () => undefined,
    maxItemsPerListing: 500,
    onSkipped: () => undefined,
    tagArticles: async () => assert.fail("this source has no outline tags"),
    ...overrides,
  });
  return () => poll({ sourceId: source.id, reason: "manual", scheduledAt: "2026-01-01T00:00:00Z" });
}

function setup(count: number, max: number) {
  const added: ArticleRef[] = [];
  const skipped: number[] = [];
  const source: Source = {
    id: "big",
    type: "feed",
    url: "https://feeds.example.com/big.xml",
    schedule: "*/30 * * * *",
    timezone: "Asia/Shanghai",
    enabled: true,
  };
  const run = createTestPoll(source, {
    fetchListing: async () => feedOf(count),
    addArticleJobs: async (refs) => {
      added.push(...refs);
    },
    maxItemsPerListing: max,
    onSkipped: (_id, n) => skipped.push(n),
  });
  return { added, skipped, run };
}

describe("poll-source item cap", () => {
  it("takes the newest maxItemsPerListing items of a huge feed and reports the rest as skipped", async () => {
    const { added, skipped, run } = setup(5000, 500);
    const outcome = await run();
    assert.equal(added.length, 500);
    assert.equal(outcome.added, 500);
    assert.equal(outcome.skipped, 4500);
    assert.deepEqual(skipped, [4500]);
    const mids = added.map((ref) => Number(ref.key.split("-")[1]) - BASE_MID).sort((a, b) => a - b);
    assert.equal(mids[0], 4500, "the oldest item taken is the 500th newest");
    assert.equal(mids.at(-1), 4999);
  });

  it("takes everything, skipping nothing, when the listing is within the cap", async () => {
    const { added, skipped, run } = setup(20, 500);
    const outcome = await run();
    assert.equal(added.length, 20);
    assert.equal(outcome.skipped, 0);
    assert.deepEqual(skipped, []);
  });
});

describe("poll-source OPML tags", () => {
  it("tags the articles of each outline with its folders and categories, untagged outlines not at all", async () => {
    const opml = `<?xml version="1.0"?><opml version="2.0"><head/><body>
      <outline text="科技"><outline text="a" xmlUrl="https://feeds.example.com/a.xml" category="AI"/></outline>
      <outline text="b" xmlUrl="https://feeds.example.com/b.xml"/></body></opml>`;
    const tagged: [string[], string[]][] = [];
    const source: Source = {
      id: "list",
      type: "opml",
      url: "https://feeds.example.com/list.opml",
      schedule: "*/30 * * * *",
      timezone: "Asia/Shanghai",
      enabled: true,
    };
    const run = createTestPoll(source, {
      fetchListing: async (url) => (url.endsWith(".opml") ? opml : feedOf(url.endsWith("a.xml") ? 2 : 1)),
      tagArticles: async (keys, tags) => {
        tagged.push([[...keys], [...tags]]);
      },
    });
    await run();
    assert.deepEqual(tagged, [
      [
        [`3226319644-${BASE_MID}-1`, `3226319644-${BASE_MID + 1}-1`],
        ["科技", "AI"],
      ],
    ]);
  });
});

describe("takeNewestItems", () => {
  it("orders dated items newest first and keeps undated ones after them in listing order", () => {
    const item = (link: string, day: number | null) => ({
      link,
      title: null,
      date: day === null ? null : new Date(START + day * DAY),
    });
    const items = [item("a", null), item("b", 1), item("c", 3), item("d", null), item("e", 2)];
    assert.deepEqual(
      takeNewestItems(items, 4).map((i) => i.link),
      ["c", "e", "b", "a"],
    );
    assert.deepEqual(
      takeNewestItems(items, 9).map((i) => i.link),
      ["a", "b", "c", "d", "e"],
      "within the cap the listing is untouched",
    );
  });
});
