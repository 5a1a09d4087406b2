// Which notification events the pipeline's outcomes produce: a stored article, a failing source past
// the threshold (and its clearing poll), a verification page, the fetch that ends the cool-down, and
// sources that went silent. The notifier is an in-memory stand-in recording emits and clears.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JobOutcome } from "../../../src/jobs/job-outcome.ts";
import { createLogger } from "../../../src/logger.ts";
import { type NotifyEvent, toMessageText } from "../../../src/notify/events.ts";
import type { Notifier } from "../../../src/notify/notifier.ts";
import {
  checkSilence,
  createNotifyObserver,
  type PipelineEventDeps,
} from "../../../src/notify/pipeline-events.ts";
import type { SourceStatus, Status } from "../../../src/status/read-status.ts";
import type { ArticleStore } from "../../../src/store/article-store.ts";
import type { SourceState, SourceStateRecord } from "../../../src/store/source-state.ts";
import { waitFor } from "../../support/service-harness.ts";

function setup(streak = 0, egress = "default", active = new Set<string>()) {
  const emitted: NotifyEvent[] = [];
  const notifier: Notifier = {
    async emit(e) {
      if (e.condition !== null) {
        if (active.has(e.condition)) return 0;
        active.add(e.condition);
      }
      emitted.push(e);
      return 1;
    },
    clear: async (c) => active.delete(c),
    readActive: async () => [...active],
  };
  const state: SourceStateRecord = {
    lastPollAt: 1,
    ok: false,
    found: 0,
    added: 0,
    error: "FETCH_HTTP_STATUS http: status 500",
    lastSuccessAt: null,
    failureStreak: streak,
    feeds: [],
  };
  const deps: PipelineEventDeps = {
    notifier,
    store: { readArticle: async () => null } as unknown as ArticleStore,
    sourceState: {
      readSourceState: async () => state,
      readCooldown: async () => ({ until: Date.parse("2026-12-05T01:00:00Z"), level: 1, reason: "x" }),
    } as unknown as SourceState,
    failingAfter: 3,
    egress,
    publicUrl: "http://feeds.test",
    logger: createLogger({ level: "silent" }),
    now: () => Date.parse("2026-12-05T00:00:00Z"),
  };
  return { deps, emitted, active, observe: createNotifyObserver(deps) };
}

const outcome = (o: Partial<JobOutcome>): JobOutcome => ({
  queue: "wechat",
  jobName: "fetch-article",
  outcome: "stored",
  code: null,
  durationMs: 10,
  data: { url: "https://mp.weixin.qq.com/s/x", sourceId: "tech" },
  result: { key: "1-2-1" },
  ...o,
});

describe("article.new with summaries", () => {
  const article = {
    key: "1-2-1",
    title: "标题",
    account: "号",
    url: "https://mp.weixin.qq.com/s/x",
    sourceId: "tech",
    summary: { text: "一句话摘要", category: "AI", contentHash: "h" },
  };

  it("waits for the summary job of a new article and then carries its summary and category", async () => {
    const { deps, emitted } = setup();
    let awaiting = true;
    const observe = createNotifyObserver({
      ...deps,
      store: { readArticle: async () => article } as unknown as ArticleStore,
      awaitsSummary: () => awaiting,
    });
    observe(outcome({}));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(emitted.length, 0, "the fetch outcome does not announce it");
    observe(
      outcome({
        queue: "summarize",
        jobName: "summarize-article",
        outcome: "summarized",
        data: { key: "1-2-1", announce: false },
      }),
    );
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(emitted.length, 0, "an edit's summary announces nothing");
    observe(
      outcome({
        queue: "summarize",
        jobName: "summarize-article",
        outcome: "error",
        data: { key: "1-2-1", announce: true },
      }),
    );
    await waitFor(() => emitted.length === 1, { timeoutMs: 2000, what: "article.new" });
    assert.equal(emitted[0]?.details.summary, "一句话摘要");
    assert.equal(emitted[0]?.details.category, "AI");
    assert.equal(
      toMessageText(emitted[0] as NotifyEvent),
      "[wechat-feed] 标题 — 号\n一句话摘要\nhttps://mp.weixin.qq.com/s/x",
    );
    awaiting = false;
    observe(outcome({}));
    await waitFor(() => emitted.length === 2, {
      timeoutMs: 2000,
      what: "announced at once without a summary job",
    });
  });
});

describe("pipeline events", () => {
  it("announces a stored article with its link and source", async () => {
    const { observe, emitted } = setup();
    observe(outcome({}));
    await waitFor(() => emitted.length === 1, { timeoutMs: 2000, what: "article.new" });
    assert.equal(emitted[0]?.event, "article.new");
    assert.equal(emitted[0]?.sourceId, "tech");
    assert.equal(emitted[0]?.link, "https://mp.weixin.qq.com/s/x");
    observe(outcome({ outcome: "duplicate" }));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(emitted.length, 1, "a duplicate is no news");
  });

  it("alerts a failing source once past the threshold, and clears it on a good poll", async () => {
    const below = setup(2);
    below.observe(
      outcome({ queue: "discover", jobName: "poll-source", outcome: "error", code: "FETCH_HTTP_STATUS" }),
    );
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(below.emitted.length, 0);
    const { observe, emitted, active } = setup(3);
    const failed = outcome({
      queue: "discover",
      jobName: "poll-source",
      outcome: "error",
      code: "FETCH_HTTP_STATUS",
    });
    observe(failed);
    observe(failed);
    await waitFor(() => emitted.length === 1, { timeoutMs: 2000, what: "source.failing" });
    assert.equal(emitted[0]?.event, "source.failing");
    assert.equal(emitted[0]?.condition, "source.failing:tech");
    observe(outcome({ queue: "discover", jobName: "poll-source", outcome: "polled", result: {} }));
    await waitFor(() => active.size === 0, { timeoutMs: 2000, what: "cleared" });
  });

  it("alerts the cool-down, then announces fetch.resumed on the next good fetch", async () => {
    const { observe, emitted } = setup();
    observe(outcome({ outcome: "error", code: "WECHAT_VERIFY_REQUIRED", result: null }));
    await waitFor(() => emitted.length === 1, { timeoutMs: 2000, what: "fetch.cooldown" });
    assert.equal(emitted[0]?.details.until, "2026-12-05T01:00:00.000Z");
    observe(outcome({ outcome: "duplicate" }));
    await waitFor(() => emitted.length === 2, { timeoutMs: 2000, what: "fetch.resumed" });
    assert.equal(emitted[1]?.event, "fetch.resumed");
  });

  it("keeps the cool-down of one egress while another egress fetches well", async () => {
    const east = setup(0, "east");
    const west = setup(0, "west", east.active);
    east.observe(outcome({ outcome: "error", code: "WECHAT_VERIFY_REQUIRED", result: null }));
    await waitFor(() => east.emitted.length === 1, { timeoutMs: 2000, what: "fetch.cooldown" });
    assert.equal(east.emitted[0]?.condition, "fetch.cooldown:east");
    assert.equal(east.emitted[0]?.details.egress, "east");
    west.observe(outcome({ outcome: "stored" }));
    await waitFor(() => west.emitted.length === 1, { timeoutMs: 2000, what: "west's article.new" });
    assert.deepEqual(
      west.emitted.map((e) => e.event),
      ["article.new"],
      "no fetch.resumed from another egress",
    );
    assert.ok(east.active.has("fetch.cooldown:east"), "east's condition still active");
  });

  it("alerts silent sources once and clears those that spoke again", async () => {
    const { deps, emitted, active } = setup();
    const source = (id: string, silent: boolean) =>
      ({
        id,
        silent,
        silentForMs: silent ? 10 * 86_400_000 : 3_600_000,
        usualIntervalMs: 86_400_000,
      }) as SourceStatus;
    const status = (sources: SourceStatus[]) => ({ sources }) as unknown as Status;
    await checkSilence(deps, status([source("quiet", true), source("busy", false)]));
    await checkSilence(deps, status([source("quiet", true), source("busy", false)]));
    assert.deepEqual(
      emitted.map((e) => `${e.event} ${e.sourceId}`),
      ["source.silent quiet"],
    );
    assert.match(emitted[0]?.headline ?? "", /no new article for 240 h \(usually every 24 h\)/);
    await checkSilence(deps, status([source("quiet", false)]));
    assert.equal(active.size, 0);
  });
});
