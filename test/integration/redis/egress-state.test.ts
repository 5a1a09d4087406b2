import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { startEgressPresence } from "../../../src/jobs/egress-presence.ts";
import { createLogger } from "../../../src/logger.ts";
import { createEgressState, EGRESS_LIVE_TTL_MS } from "../../../src/store/egress-state.ts";
import { createSourceState } from "../../../src/store/source-state.ts";
import { createTestRedis, type TestRedis } from "../../support/redis.ts";
import { waitFor } from "../../support/service-harness.ts";

describe("egress state", () => {
  let t: TestRedis;
  before(async () => {
    t = await createTestRedis();
  });
  after(async () => t.cleanup());

  it("grants one fetch slot per gap within an egress, independently per egress", async () => {
    const state = createEgressState(t.redis, t.prefix);
    const other = createEgressState(t.connect(), t.prefix);
    assert.equal(await state.claimFetchSlot("east", 10_000), 0, "the first slot is free");
    const wait = await other.claimFetchSlot("east", 10_000);
    assert.ok(wait > 9_000 && wait <= 10_000, `a second worker of east waits for the gap, got ${wait}`);
    assert.equal(await other.claimFetchSlot("west", 10_000), 0, "west has its own pace");
    // A refusal does not move the slot: asking again answers the same (shrinking) wait.
    const again = await state.claimFetchSlot("east", 10_000);
    assert.ok(again <= wait && again > 9_000, `${again} vs ${wait}`);
  });

  it("grants a slot again once the gap has passed", async () => {
    const state = createEgressState(t.redis, t.prefix);
    assert.equal(await state.claimFetchSlot("north", 150), 0);
    assert.ok((await state.claimFetchSlot("north", 150)) > 0);
    await sleep(200);
    assert.equal(await state.claimFetchSlot("north", 150), 0);
  });

  it("counts live workers per egress from recent heartbeats", async () => {
    const state = createEgressState(t.redis, t.prefix);
    const now = Date.now();
    await state.writeHeartbeat("a", "w1", now);
    await state.writeHeartbeat("a", "w2", now - 1000);
    await state.writeHeartbeat("b", "w3", now - EGRESS_LIVE_TTL_MS - 1);
    await state.writeHeartbeat("c", "w4", now);
    await state.removeWorker("c", "w4");
    const presence = await state.readPresence(now);
    assert.deepEqual(
      presence.filter((p) => ["a", "b", "c"].includes(p.egress)),
      [
        { egress: "a", liveWorkers: 2, lastSeenAt: now },
        { egress: "b", liveWorkers: 0, lastSeenAt: now - EGRESS_LIVE_TTL_MS - 1 },
      ],
    );
  });
});

describe("egress presence", () => {
  let t: TestRedis;
  before(async () => {
    t = await createTestRedis();
  });
  after(async () => t.cleanup());

  /** A stand-in for BullMQ's worker that records pause and resume calls. */
  function recordingWorker() {
    const calls: string[] = [];
    return {
      calls,
      pause: async (doNotWaitActive: boolean) => {
        calls.push(`pause(${doNotWaitActive})`);
      },
      resume: () => {
        calls.push("resume");
      },
    };
  }

  it("pauses the local worker when another process of its egress starts a cool-down, then resumes", async () => {
    const state = createEgressState(t.redis, t.prefix);
    const sourceState = createSourceState(t.redis, t.prefix);
    const east = recordingWorker();
    const west = recordingWorker();
    const common = {
      state,
      readCooldown: sourceState.readCooldown,
      logger: createLogger({ level: "silent" }),
      heartbeatMs: 50,
      now: Date.now,
    };
    const eastPresence = startEgressPresence(east, { ...common, egress: "east", workerId: "e1" });
    const westPresence = startEgressPresence(west, { ...common, egress: "west", workerId: "w1" });
    try {
      await waitFor(async () => (await state.readPresence(Date.now())).length === 2, {
        timeoutMs: 5000,
        what: "both workers in the registry",
      });
      await sourceState.startCooldown({ until: Date.now() + 400, level: 1, reason: "verify" }, "east");
      await waitFor(async () => east.calls.includes("pause(true)"), { timeoutMs: 5000, what: "east paused" });
      assert.ok(eastPresence.isPaused());
      await waitFor(async () => east.calls.includes("resume"), { timeoutMs: 5000, what: "east resumed" });
      assert.deepEqual(west.calls, [], "west never paused");
    } finally {
      await eastPresence.stop();
      await westPresence.stop();
    }
    assert.deepEqual(await state.readPresence(Date.now()), [], "stopped workers left the registry");
  });
});
