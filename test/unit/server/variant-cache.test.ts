import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createVariantCache } from "../../../src/server/variant-cache.ts";

describe("createVariantCache", () => {
  it("shares one build between concurrent callers", async () => {
    const cache = createVariantCache<string>(4);
    let builds = 0;
    const make = async () => `v${++builds}`;
    const [a, b] = await Promise.all([cache.get("x", make), cache.get("x", make)]);
    assert.deepEqual([a, b, builds], ["v1", "v1", 1]);
  });

  it("keeps at most `max` entries, oldest out first", async () => {
    const cache = createVariantCache<string>(2);
    let builds = 0;
    const make = async () => `v${++builds}`;
    await cache.get("a", make);
    await cache.get("b", make);
    await cache.get("c", make);
    assert.equal(await cache.get("b", make), "v2");
    assert.equal(await cache.get("a", make), "v4", "a was evicted and rebuilt");
  });

  it("keeps the built values within the byte budget, the newest always staying", async () => {
    const cache = createVariantCache<string>(100, { maxBytes: 10, sizeOf: (v) => v.length });
    let builds = 0;
    const make = (size: number) => async () => `${++builds}`.padEnd(size, ".");
    await cache.get("a", make(4));
    await cache.get("b", make(4));
    await cache.get("c", make(4)); // 12 bytes: a goes
    assert.equal((await cache.get("b", make(4))).startsWith("2"), true);
    assert.equal((await cache.get("a", make(4))).startsWith("4"), true, "a was evicted and rebuilt");
    const huge = await cache.get("huge", make(50));
    assert.equal(await cache.get("huge", make(50)), huge, "a value over budget alone is still kept");
  });

  it("does not keep failed builds", async () => {
    const cache = createVariantCache<string>(4);
    await assert.rejects(cache.get("x", () => Promise.reject(new Error("boom"))));
    assert.equal(await cache.get("x", async () => "ok"), "ok");
  });
});
