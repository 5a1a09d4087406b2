import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderStatusLines } from "../../../src/cli/status.ts";
import { labelsFor } from "../../../src/server/status/i18n.ts";
import { renderStatusPage } from "../../../src/server/status/page.ts";
import type { Status } from "../../../src/status/read-status.ts";

const UNTIL = Date.parse("2026-12-05T04:00:00Z");

/** A status with two egress groups: east paused by a verification page, west fetching with a budget. */
const status: Status = {
  generatedAt: Date.parse("2026-12-05T03:00:00Z"),
  articles: 3,
  sources: [],
  fetching: {
    egresses: [
      {
        name: "east",
        liveWorkers: 2,
        lastSeenAt: Date.parse("2026-12-05T03:00:00Z"),
        cooldown: { until: UNTIL, level: 1, reason: "WECHAT_VERIFY_REQUIRED" },
        budget: null,
      },
      {
        name: "west",
        liveWorkers: 1,
        lastSeenAt: null,
        cooldown: null,
        budget: { limit: 100, spent: 40, left: 60 },
      },
    ],
    minIntervalMs: 5000,
  },
  queues: {},
  workers: [],
  failures: { total: 0, recent: [] },
  archive: { failing: false, lastError: null, lastFailureAt: null, pending: 0 },
  recent: [],
};

describe("status views of egress groups", () => {
  it("wechat-feed status prints one line per egress", () => {
    const lines = renderStatusLines(status).filter((l) => l.startsWith("wechat fetching"));
    assert.deepEqual(lines, [
      "wechat fetching via egress east (2 live workers): paused until 2026-12-05 12:00 (UTC+8) (level 1, WECHAT_VERIFY_REQUIRED)",
      "wechat fetching via egress west (1 live workers): active; daily budget: 60 of 100 left",
    ]);
  });

  it("the status page shows each egress with its workers, cool-down and budget", () => {
    const html = renderStatusPage(status, {
      lang: "en",
      labels: labelsFor("en"),
      csrf: null,
      canSignIn: false,
      notice: null,
    });
    const east = /<div class="egress" data-egress="east">(.*?)<\/div>/.exec(html)?.[1] ?? "";
    const west = /<div class="egress" data-egress="west">(.*?)<\/div>/.exec(html)?.[1] ?? "";
    assert.match(east, /Egress east \(2 live workers\)/);
    assert.match(east, /paused until 2026-12-05 12:00 \(UTC\+8\).*WECHAT_VERIFY_REQUIRED/);
    assert.match(west, /Egress west \(1 live workers\)/);
    assert.match(west, /none, fetching normally.*60 \/ 100/);
  });
});
