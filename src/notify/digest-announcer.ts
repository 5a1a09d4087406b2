/**
 * The `digest.built` notification: built from the digest's summary (day, window, article count per
 * source, page URL), so a webhook target receives those fields in its JSON body. Emitted by the
 * `build-digest` processor wherever it runs: in a worker through the process's notifier, and in
 * `wechat-feed digest` through an announcer of its own, which only queues the deliveries; a worker of
 * the running service sends them, with the same retries and limits as every other notification.
 */
import type { Redis } from "ioredis";
import type { NotifyTarget } from "../config/notify.ts";
import type { DigestSummary } from "../jobs/build-digest.ts";
import type { NotifyEvent } from "./events.ts";
import { createNotifier, createNotifyQueue, type Notifier } from "./notifier.ts";
import { buildEvent } from "./pipeline-events.ts";

/** The event announcing `summary`'s digest. */
export function toDigestBuiltEvent(now: number, summary: DigestSummary): NotifyEvent {
  return buildEvent(now, "digest.built", {
    headline: `digest ${summary.day}: ${summary.articles} articles`,
    link: summary.url,
    details: { ...summary },
  });
}

/** Emits `digest.built` through `notifier`; answers the targets it was queued for. */
export function announceDigest(notifier: Notifier, summary: DigestSummary): Promise<number> {
  return notifier.emit(toDigestBuiltEvent(Date.now(), summary));
}

/** An announcer over its own notify queue (for a process that runs no notification service). */
export function createDigestAnnouncer(deps: {
  readonly redis: Redis;
  readonly prefix: string;
  readonly targets: readonly NotifyTarget[];
}): { announce(summary: DigestSummary): Promise<number>; close(): Promise<void> } {
  if (!deps.targets.some((t) => t.events.includes("digest.built"))) {
    return { announce: async () => 0, close: async () => undefined };
  }
  const queue = createNotifyQueue(deps.redis, deps.prefix);
  const notifier = createNotifier({ ...deps, queue });
  return { announce: (summary) => announceDigest(notifier, summary), close: () => queue.close() };
}
