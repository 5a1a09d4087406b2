/**
 * The summarize queue's worker against real Redis and BullMQ: a spent budget parks the job until
 * `retryInMs` without spending an attempt, a 429 is retried after its Retry-After (the custom backoff),
 * a 401 fails at once, and adding the same article content twice makes one job.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Queue, type Worker } from "bullmq";
import { Redis } from "ioredis";
import { pino } from "pino";
import { FetchError } from "../../../src/errors.ts";
import { QUEUE } from "../../../src/jobs/queues.ts";
import type { SummarizeOutcome } from "../../../src/jobs/summarize-article.ts";
import { addSummarizeJob, createSummarizeWorker } from "../../../src/jobs/summarize-worker.ts";
import { waitFor } from "../../support/child-process.ts";
import { createTestRedis, type TestRedis, testRedisUrl } from "../../support/redis.ts";

describe("summarize worker", () => {
  let t: TestRedis;
  let queue: Queue;
  let worker: Worker;
  let connection: Redis;
  const calls = new Map<string, number[]>();
  const behaviour = new Map<string, (call: number) => Error | null>();

  before(async () => {
    t = await createTestRedis();
    // BullMQ workers need blocking connections without a per-request retry limit.
    connection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    queue = new Queue(QUEUE.summarize, { connection, prefix: t.prefix });
    worker = createSummarizeWorker({
      connection,
      prefix: t.prefix,
      concurrency: 2,
      lockMs: 30_000,
      retry: { attempts: 3, backoffMs: 50 },
      summarize: async (key): Promise<SummarizeOutcome> => {
        const list = calls.get(key) ?? [];
        list.push(Date.now());
        calls.set(key, list);
        const error = behaviour.get(key)?.(list.length);
        if (error) throw error;
        return { outcome: "summarized", key, category: "AI" };
      },
      logger: pino({ level: "silent" }),
      now: Date.now,
    });
  });
  after(async () => {
    await worker?.close(true);
    await queue?.close();
    await connection?.quit();
    await t?.cleanup();
  });

  const retry = { attempts: 3, backoffMs: 50 };
  const finished = async (key: string, hash: string) => {
    const job = await queue.getJob(`summarize-${key}-${hash.slice(0, 16)}`);
    return (await job?.isCompleted()) || (await job?.isFailed()) ? job : undefined;
  };

  it("parks a job on a spent budget without spending an attempt", async () => {
    behaviour.set("k-budget", (n) =>
      n === 1 ? new FetchError("FETCH_BUDGET_EXHAUSTED", "spent", { retryInMs: 600 }) : null,
    );
    await addSummarizeJob(queue, retry, "k-budget", "a".repeat(64));
    const job = await waitFor(() => finished("k-budget", "a".repeat(64)), {
      timeoutMs: 20_000,
      what: "budget job",
    });
    const [first = 0, second = 0] = calls.get("k-budget") ?? [];
    assert.ok(second - first >= 550, `waited for the budget (${second - first} ms)`);
    assert.equal(await job.isCompleted(), true);
    assert.equal(job.attemptsMade, 1, "the parked try spent no attempt");
  });

  it("retries a 429 after its Retry-After and fails a 401 at once", async () => {
    behaviour.set("k-429", (n) =>
      n === 1 ? new FetchError("FETCH_HTTP_STATUS", "429", { status: 429, retryAfter: "1" }) : null,
    );
    behaviour.set("k-401", () => new FetchError("FETCH_HTTP_STATUS", "401", { status: 401 }));
    await addSummarizeJob(queue, retry, "k-429", "b".repeat(64));
    await addSummarizeJob(queue, retry, "k-401", "c".repeat(64));
    await waitFor(() => finished("k-429", "b".repeat(64)), { timeoutMs: 20_000, what: "429 job" });
    const failed = await waitFor(() => finished("k-401", "c".repeat(64)), {
      timeoutMs: 20_000,
      what: "401 job",
    });
    const [first = 0, second = 0] = calls.get("k-429") ?? [];
    assert.ok(second - first >= 950, `retried after Retry-After (${second - first} ms)`);
    assert.equal(await failed.isFailed(), true);
    assert.equal(calls.get("k-401")?.length, 1, "a 401 is not retried");
  });

  it("adds one job per article content", async () => {
    await addSummarizeJob(queue, retry, "k-once", "d".repeat(64));
    await addSummarizeJob(queue, retry, "k-once", "d".repeat(64));
    await waitFor(() => finished("k-once", "d".repeat(64)), { timeoutMs: 20_000, what: "once job" });
    await addSummarizeJob(queue, retry, "k-once", "d".repeat(64));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(calls.get("k-once")?.length, 1);
  });
});
