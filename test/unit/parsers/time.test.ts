/**
 * Table tests for the time helpers (wechat-pages.md section 7). Expected instants are written by hand:
 * the 18-article case comes from the doc and expected.json, the others are worked out in UTC+8.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  beijingDate,
  formatFetchDate,
  fromBeijingWallClock,
  fromUnixSeconds,
  toIsoSeconds,
} from "../../../src/parsers/time.ts";

function iso(d: Date | null): string | null {
  return d === null ? null : d.toISOString();
}

describe("fromUnixSeconds", () => {
  const cases: readonly (readonly [string | number, string | null])[] = [
    // 18-article-2017-browser-saved.html: ct 1500853064.
    [1500853064, "2017-07-23T23:37:44.000Z"],
    ["1500853064", "2017-07-23T23:37:44.000Z"],
    [" 1500853064 ", "2017-07-23T23:37:44.000Z"],
    // 01-article.html: publishedAt 2025-11-10T04:00:10Z.
    ["1762747210", "2025-11-10T04:00:10.000Z"],
    [1500853064.5, "2017-07-23T23:37:44.500Z"],
    [0, null],
    ["0", null],
    [-1500853064, null],
    ["-1500853064", null],
    ["", null],
    ["   ", null],
    ["abc", null],
    ["1500853064abc", null],
    ["1e9", null],
    ["0x59753348", null],
    [Number.NaN, null],
    [Number.POSITIVE_INFINITY, null],
    // Milliseconds mistaken for seconds land in the year 49000-something: absurd.
    [1500853064000, null],
    ["1500853064000", null],
    // 1970-01-02: a placeholder, not a WeChat publish time.
    [86400, null],
    [4102444800, null],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${expected}`, () => assert.equal(iso(fromUnixSeconds(input)), expected));
  }
});

describe("fromBeijingWallClock", () => {
  const cases: readonly (readonly [string, string | null])[] = [
    ["2017-07-24", "2017-07-23T16:00:00.000Z"],
    ["2017-07-24 07:37", "2017-07-23T23:37:00.000Z"],
    ["2017-07-24 07:37:44", "2017-07-23T23:37:44.000Z"],
    ["2025-11-10 12:00:10", "2025-11-10T04:00:10.000Z"],
    ["  2020-02-12 22:17:54 ", "2020-02-12T14:17:54.000Z"],
    ["2020-02-12T22:17:54", "2020-02-12T14:17:54.000Z"],
    ["2024-01-01 00:00", "2023-12-31T16:00:00.000Z"],
    ["2024-02-29", "2024-02-28T16:00:00.000Z"],
    ["2017-7-4", "2017-07-03T16:00:00.000Z"],
    ["2023-02-29", null],
    ["2017-13-01", null],
    ["2017-00-10", null],
    ["2017-07-32", null],
    ["2017-07-24 24:00", null],
    ["2017-07-24 07:60", null],
    ["2017-07-24 07:37:60", null],
    ["2017-07-24 07", null],
    ["2017-07-24Z", null],
    ["2017-07-24 07:37+08:00", null],
    ["今天", null],
    ["昨天 12:00", null],
    ["07-24", null],
    ["2017/07/24", null],
    ["", null],
    ["1500853064", null],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${expected}`, () =>
      assert.equal(iso(fromBeijingWallClock(input)), expected));
  }
});

describe("beijingDate", () => {
  const cases: readonly (readonly [string, string])[] = [
    // The 18-article case: UTC says the 23rd, Beijing says the 24th.
    ["2017-07-23T23:37:44Z", "2017-07-24"],
    ["2017-07-23T15:59:59.999Z", "2017-07-23"],
    ["2017-07-23T16:00:00Z", "2017-07-24"],
    ["2025-11-10T04:00:10Z", "2025-11-10"],
    ["2023-12-31T16:00:00Z", "2024-01-01"],
    ["2024-02-28T16:00:00Z", "2024-02-29"],
    ["2020-02-12T14:17:54Z", "2020-02-12"],
  ];
  for (const [input, expected] of cases) {
    it(`${input} → ${expected}`, () => assert.equal(beijingDate(new Date(input)), expected));
  }
  it("round-trips the 18-article ct", () => {
    const d = fromUnixSeconds(1500853064);
    assert.ok(d !== null);
    assert.equal(beijingDate(d), "2017-07-24");
    assert.equal(toIsoSeconds(d), "2017-07-23T23:37:44Z");
  });
  it("rejects an invalid Date", () => {
    assert.throws(() => beijingDate(new Date("nope")), RangeError);
  });
});

describe("formatFetchDate", () => {
  const cases: readonly (readonly [string, string])[] = [
    ["2025-10-06T17:46:02.915Z", "2025-10-06T17:46:02.915000"],
    ["2025-10-06T17:46:02Z", "2025-10-06T17:46:02.000000"],
    ["2025-01-02T03:04:05.006Z", "2025-01-02T03:04:05.006000"],
    // A Beijing-morning fetch keeps the UTC calendar day: no offset is applied.
    ["2017-07-23T23:37:44.100Z", "2017-07-23T23:37:44.100000"],
  ];
  for (const [input, expected] of cases) {
    it(`${input} → ${expected}`, () => {
      const out = formatFetchDate(new Date(input));
      assert.equal(out, expected);
      assert.match(out, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
    });
  }
  it("rejects an invalid Date", () => {
    assert.throws(() => formatFetchDate(new Date(Number.NaN)), RangeError);
  });
});

describe("toIsoSeconds", () => {
  const cases: readonly (readonly [string, string])[] = [
    ["2017-07-23T23:37:44.000Z", "2017-07-23T23:37:44Z"],
    ["2025-11-10T04:00:10.999Z", "2025-11-10T04:00:10Z"],
    ["2024-12-18T10:08:11.001Z", "2024-12-18T10:08:11Z"],
  ];
  for (const [input, expected] of cases) {
    it(`${input} → ${expected}`, () => assert.equal(toIsoSeconds(new Date(input)), expected));
  }
  it("rejects an invalid Date", () => {
    assert.throws(() => toIsoSeconds(new Date(Number.NaN)), RangeError);
  });
});
