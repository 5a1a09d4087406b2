import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createRebuildQueue, type RebuildPlan } from "../../../src/server/rebuild-queue.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("rebuild queue", () => {
  it("batches requests within the debounce into one build", async () => {
    const plans: { full: boolean; digest: boolean; keys: string[] }[] = [];
    const queue = createRebuildQueue(
      async (plan: RebuildPlan) => {
        plans.push({ full: plan.full, digest: plan.digest, keys: [...plan.keys].sort() });
      },
      (err) => assert.fail(String(err)),
    );
    queue.request({ keys: ["a"] }, 40);
    queue.request({ keys: ["b", "a"] }, 40);
    queue.request({ digest: true }, 40);
    await sleep(10);
    assert.equal(plans.length, 0, "nothing runs before the debounce");
    await sleep(80);
    assert.deepEqual(plans, [{ full: false, digest: true, keys: ["a", "b"] }]);
    await queue.close();
  });

  it("never overlaps builds and picks up requests made during one", async () => {
    let active = 0;
    let maxActive = 0;
    const seen: string[][] = [];
    const queue = createRebuildQueue(
      async (plan: RebuildPlan) => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        seen.push([...plan.keys]);
        await sleep(50);
        active -= 1;
      },
      (err) => assert.fail(String(err)),
    );
    queue.request({ keys: ["a"] }, 0);
    await sleep(10);
    queue.request({ keys: ["b"] }, 0);
    queue.request({ keys: ["c"] }, 0);
    await sleep(10);
    await queue.flush();
    assert.equal(maxActive, 1);
    assert.deepEqual(seen, [["a"], ["b", "c"]]);
    await queue.close();
  });

  it("reports a failed build and keeps working", async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const queue = createRebuildQueue(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error("boom");
      },
      (err) => errors.push(err),
    );
    queue.request({ full: true }, 0);
    await queue.flush();
    queue.request({ full: true }, 0);
    await queue.flush();
    assert.equal(errors.length, 1);
    assert.equal(calls, 2);
    await queue.close();
  });
});
