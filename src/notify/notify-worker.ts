/**
 * Delivers queued notifications: one job per event and target, retried with backoff by BullMQ. Chat
 * and mail targets are rate limited per target (a fixed one-minute window counted in Redis, shared by
 * every worker): a job over the limit moves to the next window without spending an attempt. Webhooks
 * are machines and are not limited. Every delivery, and every delivery given up, is counted.
 */
import { DelayedError, type Job, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { NotifyTarget } from "../config/notify.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../ops/metrics.ts";
import type { Send } from "./http-send.ts";
import { DELIVERY_ATTEMPTS, type DeliverData, NOTIFY_QUEUE } from "./notifier.ts";
import { createSender, type Sender } from "./senders.ts";

/** What the delivery worker needs. */
export interface NotifyWorkerDeps {
  readonly connection: Redis;
  readonly prefix: string;
  readonly targets: readonly NotifyTarget[];
  readonly send: Send;
  readonly maxPerMinute: number;
  readonly metrics: Metrics;
  readonly logger: Logger;
  now(): number;
}

const WINDOW_MS = 60_000;

/** Spends one unit of `targetId`'s current window; answers the window's end when it is already full. */
async function takeRateSlot(deps: NotifyWorkerDeps, targetId: string): Promise<number | null> {
  const window = Math.floor(deps.now() / WINDOW_MS);
  const key = `${deps.prefix}:notify:rate:${targetId}:${window}`;
  const [[, used]] = (await deps.connection
    .multi()
    .incr(key)
    .pexpire(key, 2 * WINDOW_MS)
    .exec()) as [[null, number]];
  return used > deps.maxPerMinute ? (window + 1) * WINDOW_MS : null;
}

/** Starts the delivery worker. */
export function startNotifyWorker(deps: NotifyWorkerDeps): Worker {
  const senders = new Map<string, { target: NotifyTarget; send: Sender }>(
    deps.targets.map((t) => [t.id, { target: t, send: createSender(t, deps.send, deps.now) }]),
  );
  const worker = new Worker(
    NOTIFY_QUEUE,
    async (job: Job<DeliverData>, token?: string) => {
      const entry = senders.get(job.data.targetId);
      if (entry === undefined) throw new UnrecoverableError(`notify: no target ${job.data.targetId}`);
      const { target } = entry;
      if (target.type !== "webhook") {
        const nextWindow = await takeRateSlot(deps, target.id);
        if (nextWindow !== null) {
          deps.logger.info(
            { target: target.id, event: job.data.event.event },
            "notification held by rate limit",
          );
          await job.moveToDelayed(nextWindow, token);
          throw new DelayedError();
        }
      }
      await entry.send(job.data.event);
      deps.metrics.alertsSent.inc({ type: target.type, event: job.data.event.event, result: "sent" });
      deps.logger.info(
        { target: target.id, event: job.data.event.event, attempt: job.attemptsMade + 1 },
        "notification sent",
      );
    },
    { connection: deps.connection, prefix: deps.prefix, concurrency: 4 },
  );
  worker.on("failed", (job, error) => {
    if (job === undefined || error.name === "DelayedError") return;
    const target = senders.get(job.data.targetId)?.target;
    const final =
      job.attemptsMade >= (job.opts.attempts ?? DELIVERY_ATTEMPTS) || error.name === "UnrecoverableError";
    deps.logger.warn(
      {
        target: job.data.targetId,
        event: job.data.event.event,
        attempt: job.attemptsMade,
        err: error,
        alert: final,
      },
      final ? "notification given up" : "notification attempt failed",
    );
    if (final)
      deps.metrics.alertsSent.inc({
        type: target?.type ?? "unknown",
        event: job.data.event.event,
        result: "failed",
      });
  });
  worker.on("error", (error) => deps.logger.error({ queue: NOTIFY_QUEUE, err: error }, "worker error"));
  return worker;
}
