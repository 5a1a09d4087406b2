// The cadence and silence judgement of a source, the Beijing time and duration formats, and the
// status page's language choice.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { labelsFor, pickLang } from "../../../src/server/status/i18n.ts";
import { buildSilence, buildUsualInterval } from "../../../src/status/cadence.ts";
import { formatBeijingTime, formatDuration } from "../../../src/status/format-time.ts";

const H = 3_600_000;
const D = 24 * H;

describe("cadence", () => {
  it("is the median gap between articles, unknown below three", () => {
    assert.equal(buildUsualInterval([]), null);
    assert.equal(buildUsualInterval([10 * D, 9 * D]), null);
    assert.equal(buildUsualInterval([10 * D, 9 * D, 8 * D]), D);
    // One long holiday does not move the median.
    assert.equal(buildUsualInterval([0, 30 * D, 31 * D, 32 * D, 33 * D].reverse()), D);
    assert.equal(buildUsualInterval([0, 2 * H, 6 * H, 12 * H]), 4 * H);
  });

  it("calls a source silent past factor × its usual interval, never without a cadence", () => {
    const times = [10 * D, 9 * D, 8 * D, 7 * D];
    assert.deepEqual(buildSilence(times, null, 3, 12 * D), {
      silentForMs: 2 * D,
      usualIntervalMs: D,
      silent: false,
    });
    assert.equal(buildSilence(times, null, 3, 13 * D + 1).silent, true);
    // A source polled daily cannot look more frequent than daily.
    assert.equal(buildSilence([3 * H, 2 * H, H], D, 3, 2 * D).usualIntervalMs, D);
    assert.deepEqual(buildSilence([], D, 3, 5 * D), {
      silentForMs: null,
      usualIntervalMs: null,
      silent: false,
    });
    assert.equal(buildSilence([0], D, 3, 100 * D).silent, false);
  });
});

describe("time formats", () => {
  it("prints Beijing wall-clock time with the zone", () => {
    assert.equal(formatBeijingTime(Date.parse("2026-12-05T16:30:05Z")), "2026-12-06 00:30:05 (UTC+8)");
  });

  it("prints durations as their two largest units", () => {
    assert.equal(formatDuration(0), "0s");
    assert.equal(formatDuration(7000), "7s");
    assert.equal(formatDuration(4 * 60_000 + 2000), "4m 2s");
    assert.equal(formatDuration(2 * D + 3 * H + 59 * 60_000), "2d 3h");
    assert.equal(formatDuration(2 * D + 59 * 60_000), "2d");
  });
});

describe("status page language", () => {
  it("takes ?lang first, then Accept-Language, else Chinese", () => {
    assert.equal(pickLang(null, undefined), "zh");
    assert.equal(pickLang(null, "en-US,en;q=0.9"), "en");
    assert.equal(pickLang(null, "zh-CN,zh;q=0.9,en;q=0.8"), "zh");
    assert.equal(pickLang(null, "fr-FR, en;q=0.5"), "en");
    assert.equal(pickLang("zh", "en"), "zh");
    assert.equal(pickLang("en", "zh-CN"), "en");
    assert.equal(pickLang("de", "de-DE"), "zh");
  });

  it("has every label in both languages", () => {
    const zh = labelsFor("zh");
    const en = labelsFor("en");
    assert.deepEqual(Object.keys(en).sort(), Object.keys(zh).sort());
    for (const [key, value] of Object.entries(en))
      assert.notEqual(value, (zh as Record<string, string>)[key], key);
  });
});
