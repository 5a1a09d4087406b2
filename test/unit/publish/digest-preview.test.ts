/** buildDigestPreview: the open window so far, marked as not final, deterministic for the same items. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildDigestPreview, PREVIEW_TITLE } from "../../../src/publish/digest-preview.ts";
import { makeFeedItem } from "../../support/feed-item-factory.ts";

// The open window of the 2026-01-03 digest: 2026-01-02 08:00 to 2026-01-03 08:00 Beijing.
const WINDOW = {
  day: "2026-01-03",
  from: new Date("2026-01-02T00:00:00Z"),
  to: new Date("2026-01-03T00:00:00Z"),
};

describe("buildDigestPreview", () => {
  it("lists the items stored in the window so far, under the preview heading and the not-final mark", () => {
    // makeFeedItem(n) is stored at 2026-01-02 n:45Z; 0..2 are inside, and one stored before the window is not.
    const inside = [0, 1, 2].map((n) => makeFeedItem(n));
    const before = makeFeedItem(3, { storedAt: new Date("2026-01-01T23:59:59Z"), title: "窗口之前的文章" });
    const html = buildDigestPreview([...inside, before], WINDOW);
    assert.ok(html.includes(`<h1>${PREVIEW_TITLE}</h1>`));
    assert.ok(
      html.includes(
        "<blockquote>尚未完结：本期摘要收集中，将于北京时间 2026-01-03 08:00 截止，成为 2026-01-03 的每日摘要。 Not final: the open window so far; it closes at 2026-01-03 08:00 (UTC+8).</blockquote>",
      ),
      html,
    );
    // As of the newest stored item (02:45Z is 10:45 Beijing), never the clock.
    assert.ok(
      html.includes("北京时间 2026-01-02 08:00 起至 2026-01-02 10:45，已收录 3 篇文章，来自 1 个来源。"),
    );
    for (const item of inside) assert.ok(html.includes(item.title), item.title);
    assert.ok(!html.includes(before.title));
    assert.equal(buildDigestPreview([...inside].reverse(), WINDOW), buildDigestPreview(inside, WINDOW));
  });

  it("says plainly when nothing was stored yet", () => {
    const html = buildDigestPreview([], WINDOW);
    assert.ok(html.includes("北京时间 2026-01-02 08:00 起还没有收录新文章。"), html);
    assert.ok(html.includes("<blockquote>尚未完结"));
  });
});
