/** formatBeijingTime: Beijing wall-clock time with the zone shown, whatever the process's TZ. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatBeijingTime, TIME_ZONE_LABEL } from "../../../src/status/format-time.ts";

describe("formatBeijingTime", () => {
  it("shows Beijing time (UTC+8) with the zone, across a day boundary", () => {
    assert.equal(formatBeijingTime(new Date("2026-12-05T08:00:00Z")), "2026-12-05 16:00 (UTC+8)");
    assert.equal(formatBeijingTime(new Date("2026-12-05T16:30:00Z")), "2026-12-06 00:30 (UTC+8)");
    assert.equal(formatBeijingTime(Date.parse("2026-12-31T23:59:59Z")), "2027-01-01 07:59:59 (UTC+8)");
  });

  it("always carries the zone label", () => {
    for (const ms of [0, 1_700_000_000_000, Date.parse("2026-06-01T12:34:56Z")]) {
      assert.ok(formatBeijingTime(ms).endsWith(` ${TIME_ZONE_LABEL}`), formatBeijingTime(ms));
    }
  });
});
