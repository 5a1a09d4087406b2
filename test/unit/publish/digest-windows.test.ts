import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  addDays,
  isDay,
  latestDigestDay,
  toDigestTime,
  toDigestWindow,
} from "../../../src/publish/digest-windows.ts";

describe("digest windows", () => {
  it("reads the daily time from M H * * * schedules and falls back to 08:00", () => {
    assert.deepEqual(toDigestTime("0 8 * * *"), { hour: 8, minute: 0 });
    assert.deepEqual(toDigestTime("30 21 * * *"), { hour: 21, minute: 30 });
    assert.deepEqual(toDigestTime("0 15 6 * * *"), { hour: 6, minute: 15 });
    assert.deepEqual(toDigestTime("*/5 * * * *"), { hour: 8, minute: 0 });
    assert.deepEqual(toDigestTime("0 8 * * 1"), { hour: 8, minute: 0 });
  });

  it("covers the 24 h before the day's run time, in Beijing time", () => {
    const w = toDigestWindow("2025-11-20", { hour: 8, minute: 0 }, "Asia/Shanghai");
    assert.equal(w.day, "2025-11-20");
    assert.equal(w.to.toISOString(), "2025-11-20T00:00:00.000Z");
    assert.equal(w.from.toISOString(), "2025-11-19T00:00:00.000Z");
  });

  it("follows the zone's offset on either side of a DST change", () => {
    const time = { hour: 8, minute: 0 };
    assert.equal(
      toDigestWindow("2025-03-08", time, "America/New_York").to.toISOString(),
      "2025-03-08T13:00:00.000Z",
    );
    assert.equal(
      toDigestWindow("2025-03-09", time, "America/New_York").to.toISOString(),
      "2025-03-09T12:00:00.000Z",
    );
  });

  it("names the newest digest whose run time has passed", () => {
    const time = { hour: 8, minute: 0 };
    assert.equal(latestDigestDay(new Date("2025-11-20T00:00:00Z"), time, "Asia/Shanghai"), "2025-11-20");
    assert.equal(latestDigestDay(new Date("2025-11-19T23:59:59Z"), time, "Asia/Shanghai"), "2025-11-19");
    // 23:30 UTC is already the next day in Beijing, but before its 08:00 run.
    assert.equal(latestDigestDay(new Date("2025-11-20T23:30:00Z"), time, "Asia/Shanghai"), "2025-11-20");
  });

  it("validates and steps days", () => {
    assert.equal(isDay("2024-02-29"), true);
    assert.equal(isDay("2025-02-29"), false);
    assert.equal(isDay("2025-1-01"), false);
    assert.equal(addDays("2025-03-01", -1), "2025-02-28");
    assert.equal(addDays("2024-12-31", 1), "2025-01-01");
  });
});
