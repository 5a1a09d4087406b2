/**
 * Two `start --role scheduler` processes ticking the same every-second source: each tick becomes one
 * poll job, whatever the number of schedulers, because its id derives from the source and the tick's
 * scheduled second. The startup catch-up is kept out of that count on purpose (the source is kept
 * "recently polled" while the schedulers boot) and that is asserted too; a never-polled hourly
 * source gets exactly one catch-up job from both. No worker runs, so every job stays in the
 * discover queue to be counted.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Queue } from "bullmq";
import { createSourceState } from "../../src/store/source-state.ts";
import { createTestRedis, type TestRedis } from "../support/redis.ts";
import {
  createServiceHarness,
  type LogLine,
  type ServiceHarness,
  waitFor,
} from "../support/service-harness.ts";

const SOURCE = "every-second";
/** Never polled, so each scheduler wants a catch-up for it at boot: both must add the same one. */
const HOURLY = "hourly";
const HOUR = 3_600_000;

/** `20260103T013000Z` for 2026-01-03T01:30:00.000Z, written out here rather than taken from src. */
function slotOf(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.000Z$/.exec(iso);
  assert.ok(m !== null, `scheduled time on a whole second: ${iso}`);
  return `${m[1]}${m[2]}${m[3]}T${m[4]}${m[5]}${m[6]}Z`;
}

/** The epoch ms of a `discover-<source>-<slot>` id. */
function idTime(id: string): number {
  const m = /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(id);
  return m === null
    ? Number.NaN
    : Date.UTC(+(m[1] ?? 0), +(m[2] ?? 1) - 1, +(m[3] ?? 0), +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0));
}

/** The first three ids of `sorted` one second apart each, or null. */
function threeConsecutive(sorted: readonly string[]): string[] | null {
  for (let i = 0; i + 2 < sorted.length; i++) {
    const run = sorted.slice(i, i + 3);
    const [t0, t1, t2] = run.map(idTime);
    if (t1 === (t0 ?? 0) + 1000 && t2 === (t0 ?? 0) + 2000) return run;
  }
  return null;
}

function tickIds(logs: readonly LogLine[]): Set<string> {
  return new Set(
    logs.filter((l) => l.msg === "tick enqueued" && l.sourceId === SOURCE).map((l) => String(l.jobId)),
  );
}

describe("scheduler", () => {
  let t: TestRedis;
  let h: ServiceHarness;

  before(async () => {
    t = await createTestRedis();
    h = await createServiceHarness({
      prefix: t.prefix,
      logLevel: "debug",
      config: {
        sources: [
          {
            id: SOURCE,
            type: "urls",
            urls: ["https://mp.weixin.qq.com/s/never-fetched-here"],
            schedule: "* * * * * *",
            timezone: "UTC",
          },
          {
            id: HOURLY,
            type: "urls",
            urls: ["https://mp.weixin.qq.com/s/never-fetched-either"],
            schedule: "0 * * * *",
            timezone: "UTC",
          },
        ],
      },
    });
  });
  after(async () => {
    await h?.cleanup();
    await t?.cleanup();
  });

  it("adds exactly one poll job per tick with two scheduler processes", async () => {
    // Keep the source polled within its 1 s interval while both schedulers boot: no catch-up job.
    const sourceState = createSourceState(t.connect(), t.prefix);
    let polling = true;
    const keepPolled = (async () => {
      while (polling) {
        await sourceState.recordPoll(SOURCE, { at: Date.now(), ok: true, found: 0, added: 0 });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const bootStart = Date.now();
    const [a, b] = await Promise.all([
      h.startRole("scheduler", { name: "scheduler-a" }),
      h.startRole("scheduler", { name: "scheduler-b" }),
    ]);
    const bootEnd = Date.now();
    polling = false;
    await keepPolled;
    assert.ok(a !== undefined && b !== undefined);

    const common = () => [...tickIds(a.logs)].filter((id) => tickIds(b.logs).has(id)).sort();
    await waitFor(() => threeConsecutive(common()), {
      timeoutMs: 30_000,
      what: "three consecutive ticks seen by both",
    });
    for (const child of [a, b]) {
      const exit = await child.stop(15_000);
      assert.equal(exit.code, 0, `${child.name} exit; output:\n${child.tail()}`);
    }

    const catchUpLogs = [a, b].flatMap((child) =>
      child.logs.filter((l) => l.msg === "catch-up poll enqueued"),
    );
    assert.deepEqual(
      catchUpLogs.filter((l) => l.sourceId !== HOURLY),
      [],
      "no catch-up for the source polled recently",
    );
    const queue = new Queue("discover", { connection: t.connect(), prefix: t.prefix });
    const all = await queue.getJobs(["waiting", "prioritized", "delayed", "active", "completed", "failed"]);
    await queue.close();

    // The hourly source: one catch-up job for the last full hour, added by both, stored once.
    // (A real tick of it, should the test cross an hour, has a slot after the boots: left out.)
    const catchUps = all.filter((j) => {
      const data = j.data as { sourceId: string; scheduledAt: string };
      return data.sourceId === HOURLY && Date.parse(data.scheduledAt) <= bootEnd;
    });
    const hours = new Set([Math.floor(bootStart / HOUR) * HOUR, Math.floor(bootEnd / HOUR) * HOUR]);
    if (hours.size === 1) {
      const [hour = 0] = hours;
      const slot = slotOf(new Date(hour).toISOString());
      assert.deepEqual(
        catchUps.map((j) => [j.id, (j.data as { reason: string }).reason]),
        [[`discover-${HOURLY}-${slot}`, "catch-up"]],
      );
      assert.equal(catchUpLogs.length, 2, "both schedulers asked for it");
      for (const l of catchUpLogs) assert.equal(l.jobId, `discover-${HOURLY}-${slot}`);
    } else {
      // The boots straddled an hour: each may have caught up a different hour, never more.
      assert.ok(
        catchUps.length >= 1 && catchUps.length <= 2,
        `catch-ups: ${catchUps.map((j) => j.id).join(", ")}`,
      );
    }
    const jobs = all.filter((j) => j.data.sourceId === SOURCE);

    const bySlot = new Map<string, string[]>();
    for (const job of jobs) {
      const data = job.data as { sourceId: string; reason: string; scheduledAt: string };
      assert.equal(data.sourceId, SOURCE);
      assert.equal(data.reason, "tick", `job ${job.id} is a tick, not a catch-up`);
      const slot = slotOf(data.scheduledAt);
      assert.equal(job.id, `discover-${SOURCE}-${slot}`);
      bySlot.set(slot, [...(bySlot.get(slot) ?? []), String(job.id)]);
    }
    for (const [slot, ids] of bySlot) assert.equal(ids.length, 1, `one job for ${slot}: ${ids.join(", ")}`);

    // Every tick either process logged is a job, and every job is a logged tick.
    const logged = new Set([...tickIds(a.logs), ...tickIds(b.logs)]);
    assert.deepEqual([...jobs.map((j) => String(j.id))].sort(), [...logged].sort());

    // Three consecutive ticks both processes saw: exactly three jobs for them.
    const three = threeConsecutive(common()) ?? [];
    const seconds = three.map((id) => jobs.find((j) => j.id === id)?.data.scheduledAt as string);
    const times = seconds.map((iso) => Date.parse(iso));
    assert.deepEqual(
      times.map((ms) => ms - (times[0] ?? 0)),
      [0, 1000, 2000],
      `consecutive seconds: ${seconds.join(", ")}`,
    );
    const inWindow = jobs.filter((j) => {
      const at = Date.parse((j.data as { scheduledAt: string }).scheduledAt);
      return at >= (times[0] ?? 0) && at <= (times[2] ?? 0);
    });
    assert.equal(inWindow.length, 3, "exactly three poll jobs for three ticks");
  });
});
