/**
 * Emitting notifications: an event goes to every target that asked for its name (and, when the target
 * lists sources, is about one of them), as one job per target on the `notify` queue, which retries
 * deliveries on its own. Conditions alert once: the first event of a condition marks it active in Redis
 * (HSETNX, so concurrent workers agree) and later events of it are dropped until `clear` ends it.
 */
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { NotifyTarget } from "../config/notify.ts";
import type { NotifyEvent } from "./events.ts";

/** The notify queue's name and its one job name. */
export const NOTIFY_QUEUE = "notify";
export const DELIVER_JOB = "deliver";

/** The payload of a delivery job. */
export interface DeliverData {
  readonly targetId: string;
  readonly event: NotifyEvent;
}

/** Emits events and ends conditions. */
export interface Notifier {
  /** Queues `event` for its targets; a condition already active is dropped. Answers the jobs queued. */
  emit(event: NotifyEvent): Promise<number>;
  /** Ends `condition`; true when it was active (so a "resolved" event is due). */
  clear(condition: string): Promise<boolean>;
  /** Conditions currently active. */
  readActive(): Promise<string[]>;
}

/** Delivery attempts and the first backoff (doubling). */
export const DELIVERY_ATTEMPTS = 6;
const DELIVERY_BACKOFF_MS = 5000;

/** Opens the notify queue. */
export function createNotifyQueue(connection: Redis, prefix: string): Queue {
  return new Queue(NOTIFY_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: DELIVERY_ATTEMPTS,
      backoff: { type: "exponential", delay: DELIVERY_BACKOFF_MS },
      removeOnComplete: { age: 7 * 86_400, count: 10_000 },
      removeOnFail: { age: 14 * 86_400 },
    },
  });
}

/** True when `target` wants `event`. */
export function isWanted(target: NotifyTarget, event: NotifyEvent): boolean {
  if (!target.events.includes(event.event)) return false;
  return event.sourceId === null || target.sources === undefined || target.sources.includes(event.sourceId);
}

/** Creates the notifier over `redis` (conditions) and `queue` (deliveries). */
export function createNotifier(deps: {
  readonly redis: Redis;
  readonly prefix: string;
  readonly queue: Queue;
  readonly targets: readonly NotifyTarget[];
}): Notifier {
  const key = `${deps.prefix}:notify:conditions`;
  return {
    async emit(event) {
      const targets = deps.targets.filter((t) => isWanted(t, event));
      if (event.condition !== null) {
        // Marked even without targets, so adding a target later does not replay an old condition.
        if ((await deps.redis.hsetnx(key, event.condition, event.at)) === 0) return 0;
      }
      if (targets.length === 0) return 0;
      await deps.queue.addBulk(
        targets.map((t) => ({ name: DELIVER_JOB, data: { targetId: t.id, event } satisfies DeliverData })),
      );
      return targets.length;
    },
    async clear(condition) {
      return (await deps.redis.hdel(key, condition)) === 1;
    },
    async readActive() {
      return (await deps.redis.hkeys(key)).sort();
    },
  };
}
