/**
 * Every tick runs, even when the scheduler process is stopped across its slot. A real `start --role
 * scheduler` is SIGSTOPped two seconds before a slot shared by a source (every 15 s) and the digest, and
 * resumed five seconds after it (node-cron then reports the slot as missed): the source's poll job for
 * that slot and that day's digest job are both in the queues, without a restart. No worker runs, so the
 * jobs stay where they were added.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Queue } from "bullmq";
import { createTestRedis, type TestRedis } from "../../support/redis.ts";
import { createServiceHarness, type ServiceHarness, waitFor } from "../../support/service-harness.ts";

const SOURCE = "quarter-minute";

/** `20260103T013015Z` for an instant on a whole second, written out here rather than taken from src. */
function slotOf(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.000Z$/, "Z")
    .replace(/[-:]/g, "");
}

describe("late ticks", () => {
  let t: TestRedis;
  let h: ServiceHarness;
  before(async () => {
    t = await createTestRedis();
  });
  after(async () => {
    await h?.cleanup();
    await t?.cleanup();
  });

  it("runs the source's and the digest's slot that passed while the process was stopped", async () => {
    // The first whole minute at least 40 s away: time to boot (slowly, on a busy machine) first. A whole
    // minute because the digest's window ends on the minute of its schedule (its seconds are not part
    // of the day boundary): a slot at second 45 would close the day 45 s before its tick.
    const slot = Math.ceil((Date.now() + 40_000) / 60_000) * 60_000;
    const at = new Date(slot);
    const digestSchedule = `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;
    h = await createServiceHarness({
      prefix: t.prefix,
      config: {
        digest: { schedule: digestSchedule, timezone: "UTC" },
        sources: [
          {
            id: SOURCE,
            type: "urls",
            urls: ["https://mp.weixin.qq.com/s/never-fetched-here"],
            schedule: "*/15 * * * * *",
            timezone: "UTC",
          },
        ],
      },
    });
    const scheduler = await h.startRole("scheduler");
    const publish = new Queue("publish", { connection: t.connect(), prefix: t.prefix });
    const discover = new Queue("discover", { connection: t.connect(), prefix: t.prefix });
    const digestIdsBefore = new Set((await publish.getJobs(["waiting"])).map((j) => j.id));
    assert.ok(Date.now() < slot - 3000, "the scheduler booted before the slot (machine too busy?)");

    await sleep(slot - 2000 - Date.now());
    scheduler.kill("SIGSTOP");
    await sleep(slot + 5000 - Date.now());
    scheduler.kill("SIGCONT");

    const pollId = `discover-${SOURCE}-${slotOf(slot)}`;
    await waitFor(async () => (await discover.getJob(pollId)) !== undefined, {
      timeoutMs: 20_000,
      what: `the poll job of the stopped slot (${pollId})`,
    });
    // The UTC day whose digest window closed at the slot.
    const day = new Date(slot).toISOString().slice(0, 10).replace(/-/g, "");
    const digestId = `digest-${day}`;
    await waitFor(async () => (await publish.getJob(digestId)) !== undefined, {
      timeoutMs: 20_000,
      what: `the digest job of the stopped slot (${digestId})`,
    });
    assert.ok(
      !digestIdsBefore.has(digestId),
      `the digest job was added after the stop, not at boot (${[...digestIdsBefore].join(", ")}; slot ${new Date(slot).toISOString()})`,
    );
    assert.equal(scheduler.hasExited(), false, "no restart was needed");
    await publish.close();
    await discover.close();
    const exit = await scheduler.stop(15_000);
    assert.equal(exit.code, 0, scheduler.tail());
  });
});
