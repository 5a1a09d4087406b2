import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isAppError } from "../../../src/errors.ts";
import { type EgressGateDeps, withEgressGate } from "../../../src/jobs/egress-gate.ts";
import type { Cooldown } from "../../../src/store/source-state.ts";

/** A gate over a fake clock and a fake slot store that grants one slot per `gap` like the Lua script. */
function fakeGate(overrides: Partial<EgressGateDeps> = {}) {
  let now = 1_000_000;
  let nextAt = 0;
  const claims: { egress: string; gapMs: number }[] = [];
  const slept: number[] = [];
  let cooldown: Cooldown | null = null;
  const deps: EgressGateDeps = {
    egress: "east",
    minIntervalMs: 1000,
    jitterMs: 500,
    claimFetchSlot: async (egress, gapMs) => {
      claims.push({ egress, gapMs });
      if (now < nextAt) return nextAt - now;
      nextAt = now + gapMs;
      return 0;
    },
    readCooldown: async () => cooldown,
    random: () => 0.5,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
    now: () => now,
    ...overrides,
  };
  return {
    deps,
    claims,
    slept,
    setCooldown: (c: Cooldown | null) => {
      cooldown = c;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe("egress gate", () => {
  it("spaces fetches by the interval plus jitter, waiting for the slot of its own egress", async () => {
    const g = fakeGate();
    let fetched = 0;
    const fetch = withEgressGate(async () => ++fetched, g.deps);
    assert.equal(await fetch(), 1);
    assert.deepEqual(g.slept, [], "the first slot is free");
    assert.equal(await fetch(), 2);
    assert.deepEqual(g.slept, [1250], "the second waits interval + 0.5 × jitter");
    assert.ok(g.claims.every((c) => c.egress === "east" && c.gapMs === 1250));
  });

  it("does not ask for slots when pacing is off", async () => {
    const g = fakeGate({ minIntervalMs: 0, jitterMs: 0 });
    const fetch = withEgressGate(async () => "page", g.deps);
    await fetch();
    await fetch();
    assert.deepEqual(g.claims, []);
  });

  it("refuses with FETCH_EGRESS_PAUSED and the time left while its egress cools down", async () => {
    const g = fakeGate();
    let fetched = 0;
    const fetch = withEgressGate(async () => ++fetched, g.deps);
    g.setCooldown({ until: g.deps.now() + 60_000, level: 1, reason: "WECHAT_VERIFY_REQUIRED" });
    await assert.rejects(fetch(), (error: unknown) => {
      assert.ok(isAppError(error, "FETCH_EGRESS_PAUSED"));
      assert.equal(error.details.retryInMs, 60_000);
      assert.equal(error.details.egress, "east");
      return true;
    });
    assert.equal(fetched, 0, "no request while paused");
    g.advance(60_000);
    assert.equal(await fetch(), 1, "fetches again once the cool-down is over");
  });

  it("re-checks the cool-down after waiting for its slot", async () => {
    const g = fakeGate();
    let fetched = 0;
    const deps: EgressGateDeps = {
      ...g.deps,
      // Another worker of the egress meets a verification page while this one waits.
      sleep: async (ms) => {
        await g.deps.sleep(ms);
        g.setCooldown({ until: g.deps.now() + 5000, level: 1, reason: "WECHAT_VERIFY_REQUIRED" });
      },
    };
    const fetch = withEgressGate(async () => ++fetched, deps);
    await fetch();
    await assert.rejects(fetch(), (error: unknown) => isAppError(error, "FETCH_EGRESS_PAUSED"));
    assert.equal(fetched, 1);
  });
});
