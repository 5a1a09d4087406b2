import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { albumJobId, articleJobId, digestJobId, tickJobId, tickSlot } from "../../../src/jobs/job-ids.ts";

const SAFE = /^[A-Za-z][A-Za-z0-9_-]*$/;

describe("job ids", () => {
  it("derives the tick slot from the scheduled time in UTC", () => {
    assert.equal(tickSlot(new Date("2026-01-03T01:30:00.000Z")), "20260103T013000Z");
    assert.equal(
      tickJobId("tech-news", new Date("2026-01-03T09:30:00+08:00")),
      "discover-tech-news-20260103T013000Z",
    );
  });
  it("gives the same id for the same tick and different ids for different ticks", () => {
    const a = tickJobId("s1", new Date("2026-01-03T01:30:00Z"));
    assert.equal(a, tickJobId("s1", new Date("2026-01-03T01:30:00Z")));
    assert.notEqual(a, tickJobId("s1", new Date("2026-01-03T02:00:00Z")));
    assert.notEqual(a, tickJobId("s2", new Date("2026-01-03T01:30:00Z")));
  });
  it("never produces a colon or an integer-like id", () => {
    const ids = [
      tickJobId("a", new Date(0)),
      articleJobId("3226319644-2247504179-1"),
      articleJobId("short-AbC_d-9"),
      albumJobId("album-3226319644-123", "2247504179:1"),
      albumJobId("album-3226319644-123", null),
      digestJobId("2026-01-03"),
    ];
    for (const id of ids) assert.match(id, SAFE, id);
    assert.equal(digestJobId("2026-01-03"), "digest-20260103");
  });
});
