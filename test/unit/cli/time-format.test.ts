/** formatCliTime: Beijing wall-clock time with the zone shown, whatever the process's TZ. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CLI_TIME_ZONE_LABEL, formatCliTime } from "../../../src/cli/time-format.ts";

describe("formatCliTime", () => {
  it("shows Beijing time (UTC+8) with the zone, across a day boundary", () => {
    assert.equal(formatCliTime(new Date("2026-12-05T08:00:00Z")), "2026-12-05 16:00 (UTC+8)");
    assert.equal(formatCliTime(new Date("2026-12-05T16:30:00Z")), "2026-12-06 00:30 (UTC+8)");
    assert.equal(formatCliTime(Date.parse("2026-12-31T23:59:59Z")), "2027-01-01 07:59:59 (UTC+8)");
  });

  it("always carries the zone label", () => {
    for (const ms of [0, 1_700_000_000_000, Date.parse("2026-06-01T12:34:56Z")]) {
      assert.ok(formatCliTime(ms).endsWith(` ${CLI_TIME_ZONE_LABEL}`), formatCliTime(ms));
    }
  });
});
