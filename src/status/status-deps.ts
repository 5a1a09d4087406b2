/**
 * Builds the status reader's dependencies from the configuration and the opened resources, so the
 * service (page, API, metrics) and `wechat-feed status` read through exactly the same wiring.
 */
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Config } from "../config/schema.ts";
import type { Queues } from "../jobs/queues.ts";
import type { ArticleStore } from "../store/article-store.ts";
import type { SourceState } from "../store/source-state.ts";
import type { FailureSource } from "./failures.ts";
import type { StatusDeps } from "./read-status.ts";

/** The resources the status reader reads. */
export interface StatusResources {
  readonly config: Config;
  readonly redis: Redis;
  readonly queues: Queues;
  readonly store: ArticleStore;
  readonly sourceState: SourceState;
  /** The failed-article records. */
  readonly failed: FailureSource;
}

/** The status reader's dependencies for `resources`. */
export function createStatusDeps(resources: StatusResources): StatusDeps & { queues: Queue[] } {
  const { config, queues } = resources;
  return {
    redis: resources.redis,
    prefix: config.redis.prefix,
    store: resources.store,
    sourceState: resources.sourceState,
    // The summarize queue only when summaries are on: its backlog is what an operator then watches.
    queues: [
      queues.discover,
      queues.wechat,
      queues.publish,
      ...(config.summarize.enabled ? [queues.summarize] : []),
    ],
    failures: resources.failed,
    sources: config.sources,
    fetch: config.fetch,
    egress: config.worker.egress,
    silentFactor: config.alerts.silentFactor,
    now: Date.now,
  };
}
