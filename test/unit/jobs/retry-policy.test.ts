import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { AppError, type ErrorCode, FetchError, ParseError, WeChatPageError } from "../../../src/errors.ts";
import {
  type Decision,
  decide,
  nextAutomaticRetry,
  type PolicyState,
  parseRetryAfter,
  summaryRetryDelay,
  UNAVAILABLE_DELAYS_MS,
} from "../../../src/jobs/retry-policy.ts";
import { parseArticle } from "../../../src/parsers/wechat-article.ts";

const fresh: PolicyState = {
  delaysSoFar: 0,
  cooldownLevel: 0,
  cooldown: { initialMs: 3_600_000, maxMs: 21_600_000 },
};

function page(code: ErrorCode): AppError {
  return new WeChatPageError(code, `test: ${code}`);
}

describe("retry policy", () => {
  const table: [string, unknown, PolicyState, Decision][] = [
    ["plain Error retries", new Error("boom"), fresh, { kind: "retry" }],
    ["timeout retries", new FetchError("FETCH_TIMEOUT", "t"), fresh, { kind: "retry" }],
    ["network retries", new FetchError("FETCH_NETWORK", "t"), fresh, { kind: "retry" }],
    ["503 retries", new FetchError("FETCH_HTTP_STATUS", "t", { status: 503 }), fresh, { kind: "retry" }],
    ["429 retries", new FetchError("FETCH_HTTP_STATUS", "t", { status: 429 }), fresh, { kind: "retry" }],
    [
      "404 fails",
      new FetchError("FETCH_HTTP_STATUS", "t", { status: 404 }),
      fresh,
      { kind: "fail", alert: false },
    ],
    ["browser crash retries", new FetchError("FETCH_BROWSER_CRASH", "t"), fresh, { kind: "retry" }],
    ["oversized fails", new FetchError("FETCH_TOO_LARGE", "t"), fresh, { kind: "fail", alert: false }],
    [
      "redirect loop fails",
      new FetchError("FETCH_REDIRECT_LOOP", "t"),
      fresh,
      { kind: "fail", alert: false },
    ],
    [
      "a refused private address fails",
      new FetchError("FETCH_ADDRESS_DENIED", "t"),
      fresh,
      { kind: "fail", alert: false },
    ],
    ["deleted tombstones", page("WECHAT_DELETED"), fresh, { kind: "tombstone", alert: false }],
    ["violation tombstones", page("WECHAT_VIOLATION"), fresh, { kind: "tombstone", alert: false }],
    ["send failed tombstones", page("WECHAT_SEND_FAILED"), fresh, { kind: "tombstone", alert: false }],
    ["blocked account alerts", page("WECHAT_ACCOUNT_BLOCKED"), fresh, { kind: "tombstone", alert: true }],
    ["migrated account alerts", page("WECHAT_ACCOUNT_MIGRATED"), fresh, { kind: "tombstone", alert: true }],
    [
      "unavailable delays 6 h",
      page("WECHAT_UNAVAILABLE"),
      fresh,
      { kind: "delay", delayMs: UNAVAILABLE_DELAYS_MS[0] ?? 0 },
    ],
    [
      "under review delays 24 h the second time",
      page("WECHAT_UNDER_REVIEW"),
      { ...fresh, delaysSoFar: 1 },
      { kind: "delay", delayMs: UNAVAILABLE_DELAYS_MS[1] ?? 0 },
    ],
    [
      "unavailable tombstones after the delays",
      page("WECHAT_UNAVAILABLE"),
      { ...fresh, delaysSoFar: 2 },
      { kind: "tombstone", alert: false },
    ],
    [
      "verification cools down 1 h first",
      page("WECHAT_VERIFY_REQUIRED"),
      fresh,
      { kind: "cooldown", durationMs: 3_600_000, level: 1 },
    ],
    [
      "verification doubles while it persists",
      page("WECHAT_VERIFY_REQUIRED"),
      { ...fresh, cooldownLevel: 2 },
      { kind: "cooldown", durationMs: 14_400_000, level: 3 },
    ],
    [
      "a second verification page in the same episode waits out the cool-down without escalating",
      page("WECHAT_VERIFY_REQUIRED"),
      { ...fresh, cooldownLevel: 1, cooldownRemainingMs: 3_500_000 },
      { kind: "pause", durationMs: 3_500_000 },
    ],
    [
      "verification is capped",
      page("WECHAT_VERIFY_REQUIRED"),
      { ...fresh, cooldownLevel: 9 },
      { kind: "cooldown", durationMs: 21_600_000, level: 10 },
    ],
    ["expired link fails", page("WECHAT_LINK_EXPIRED"), fresh, { kind: "fail", alert: false }],
    ["not an article fails", page("WECHAT_NOT_ARTICLE"), fresh, { kind: "fail", alert: false }],
    ["unknown page retries", page("WECHAT_UNKNOWN_PAGE"), fresh, { kind: "retry" }],
    [
      "parse failure fails for good, with an alert",
      new ParseError("PARSE_ARTICLE", "p"),
      fresh,
      { kind: "fail", alert: true },
    ],
    [
      "a spent budget pauses until it renews",
      new FetchError("FETCH_BUDGET_EXHAUSTED", "b", { retryInMs: 5000 }),
      fresh,
      { kind: "pause", durationMs: 5000 },
    ],
    [
      "an egress in cool-down pauses this worker for the rest of it",
      new FetchError("FETCH_EGRESS_PAUSED", "e", { retryInMs: 7000 }),
      fresh,
      { kind: "pause", durationMs: 7000 },
    ],
    ["store trouble retries", new AppError("STORE_UNAVAILABLE", "s"), fresh, { kind: "retry" }],
  ];
  for (const [name, error, state, expected] of table) {
    it(name, () => assert.deepEqual(decide(error, state), expected));
  }
});

describe("automatic retries of failed articles", () => {
  const HOUR = 3_600_000;
  const policy = { delaysMs: [HOUR, 6 * HOUR, 24 * HOUR], days: 7 };
  const t0 = 1_000_000_000_000;

  it("waits 1 h, 6 h, then 24 h at a time", () => {
    const first = { transient: true, firstFailedAt: t0, retries: 0 };
    assert.equal(nextAutomaticRetry(first, t0, policy), t0 + HOUR);
    assert.equal(nextAutomaticRetry({ ...first, retries: 1 }, t0 + 2 * HOUR, policy), t0 + 8 * HOUR);
    assert.equal(nextAutomaticRetry({ ...first, retries: 5 }, t0 + 50 * HOUR, policy), t0 + 74 * HOUR);
  });

  it("stops after the bounded number of days", () => {
    const late = { transient: true, firstFailedAt: t0, retries: 8 };
    assert.equal(nextAutomaticRetry(late, t0 + 6.5 * 24 * HOUR, policy), null);
  });

  it("never retries a permanent failure by itself", () => {
    assert.equal(nextAutomaticRetry({ transient: false, firstFailedAt: t0, retries: 0 }, t0, policy), null);
  });
});

describe("retry policy: the errors the parser throws for expired and unparseable pages", () => {
  const thrownBy = (html: string): unknown => {
    try {
      parseArticle(html);
    } catch (error) {
      return error;
    }
    return assert.fail("the page parsed as an article");
  };

  it("an expired link fails for good without keeping the page (a fresh link is needed)", () => {
    const html = readFileSync(new URL("../../fixtures/synthetic/link-expired.html", import.meta.url), "utf8");
    const error = thrownBy(html);
    assert.ok(error instanceof AppError);
    assert.equal(error.details.pageClass, "expired");
    assert.deepEqual(decide(error, fresh), { kind: "fail", alert: false });
  });

  it("an unparseable article page fails for good, keeping the page and alerting", () => {
    const html = `<html><body><div id="js_content"><p>正文</p></div>
      <script>var item_show_type = "0"; var msg_title = "标题"; var ct = "1762747210";</script></body></html>`;
    const error = thrownBy(html);
    assert.ok(error instanceof AppError);
    assert.deepEqual([error.details.pageClass, error.details.missing], ["unparseable", ["account"]]);
    assert.deepEqual(decide(error, fresh), { kind: "fail", alert: true });
  });
});

describe("summary retries", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  const status = (s: number, retryAfter?: string) =>
    new FetchError("FETCH_HTTP_STATUS", "x", {
      status: s,
      ...(retryAfter === undefined ? {} : { retryAfter }),
    });

  it("reads Retry-After as seconds or an HTTP date", () => {
    assert.equal(parseRetryAfter("3", now), 3000);
    assert.equal(parseRetryAfter("Thu, 01 Jan 2026 00:00:10 GMT", now), 10_000);
    assert.equal(parseRetryAfter("soon", now), null);
    assert.equal(parseRetryAfter(undefined, now), null);
  });

  it("backs off exponentially on 429, 5xx and timeouts; a longer Retry-After wins; other 4xx fail", () => {
    assert.equal(summaryRetryDelay(status(500), 1, 100, now), 100);
    assert.equal(summaryRetryDelay(status(503), 3, 100, now), 400);
    assert.equal(summaryRetryDelay(status(429, "2"), 1, 100, now), 2000);
    assert.equal(summaryRetryDelay(status(429, "0"), 2, 100, now), 200);
    assert.equal(summaryRetryDelay(new FetchError("FETCH_TIMEOUT", "t"), 1, 50, now), 50);
    assert.equal(summaryRetryDelay(status(401), 1, 100, now), null);
    assert.equal(summaryRetryDelay(new FetchError("FETCH_ADDRESS_DENIED", "d"), 1, 100, now), null);
  });
});
