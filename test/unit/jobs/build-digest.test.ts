import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveDigestWindow, toDigestSummary } from "../../../src/jobs/build-digest.ts";
import { digestDayOfTick } from "../../../src/jobs/digest-scheduler.ts";
import { makeFeedItem } from "../../support/feed-item-factory.ts";

const SHANGHAI = { schedule: "0 8 * * *", timezone: "Asia/Shanghai" };

describe("resolveDigestWindow", () => {
  it("defaults to the window that closed last (08:00 Beijing is 00:00 UTC)", () => {
    const after = resolveDigestWindow(null, new Date("2025-11-20T03:00:00Z"), SHANGHAI);
    assert.deepEqual(after, {
      day: "2025-11-20",
      from: new Date("2025-11-19T00:00:00Z"),
      to: new Date("2025-11-20T00:00:00Z"),
    });
    const before = resolveDigestWindow(null, new Date("2025-11-19T23:59:59Z"), SHANGHAI);
    assert.equal(before.day, "2025-11-19");
  });

  it("follows the configured run time and zone", () => {
    const w = resolveDigestWindow("2025-07-01", new Date("2025-08-01T00:00:00Z"), {
      schedule: "30 6 * * *",
      timezone: "Europe/Berlin",
    });
    // 06:30 in Berlin summer time (UTC+2) is 04:30 UTC.
    assert.equal(w.to.toISOString(), "2025-07-01T04:30:00.000Z");
    assert.equal(w.from.toISOString(), "2025-06-30T04:30:00.000Z");
  });

  it("refuses days that are not dates, and windows still open", () => {
    const now = new Date("2025-11-20T03:00:00Z");
    for (const day of ["2025-02-30", "2025-1-05", "tomorrow", "2025-11-21"]) {
      assert.throws(() => resolveDigestWindow(day, now, SHANGHAI), { code: "USAGE" }, day);
    }
    assert.throws(() => resolveDigestWindow("2025-11-21", now, SHANGHAI), /has not closed yet/);
  });
});

describe("digestDayOfTick", () => {
  it("names the window closing at the tick, even a millisecond early", () => {
    assert.equal(
      digestDayOfTick(new Date("2025-11-20T00:00:00Z"), "0 8 * * *", "Asia/Shanghai"),
      "2025-11-20",
    );
    assert.equal(
      digestDayOfTick(new Date("2025-11-19T23:59:59.999Z"), "0 8 * * *", "Asia/Shanghai"),
      "2025-11-20",
    );
    assert.equal(
      digestDayOfTick(new Date("2025-11-19T23:59:00Z"), "0 8 * * *", "Asia/Shanghai"),
      "2025-11-19",
    );
  });
});

describe("toDigestSummary", () => {
  it("counts the items stored in the window per source", () => {
    const window = {
      day: "2025-11-20",
      from: new Date("2025-11-19T00:00:00Z"),
      to: new Date("2025-11-20T00:00:00Z"),
    };
    const items = [
      makeFeedItem(1, { sourceId: "a", source: "甲", storedAt: new Date("2025-11-19T01:00:00Z") }),
      makeFeedItem(2, { sourceId: "a", source: "甲", storedAt: new Date("2025-11-19T02:00:00Z") }),
      makeFeedItem(3, { sourceId: "b", source: "乙", storedAt: new Date("2025-11-19T03:00:00Z") }),
      makeFeedItem(4, { sourceId: "c", source: "丙", storedAt: new Date("2025-11-20T00:00:00Z") }),
    ];
    const summary = toDigestSummary(items, window, "http://x.test/digests/2025-11-20");
    assert.equal(summary.articles, 3);
    assert.equal(summary.from, "2025-11-19T00:00:00.000Z");
    assert.equal(summary.to, "2025-11-20T00:00:00.000Z");
    assert.deepEqual(
      [...summary.sources].sort((x, y) => x.id.localeCompare(y.id)),
      [
        { id: "a", name: "甲", count: 2 },
        { id: "b", name: "乙", count: 1 },
      ],
    );
  });
});
