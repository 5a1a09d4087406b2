/**
 * What every role of one process shares: the configuration, the logger, the one Redis connection and
 * what is built on it (queues, article store, source state, failure records). The composition root
 * (`main.ts`) opens it once and each role module composes its own parts from it.
 */
import type { Redis } from "ioredis";
import type { Config } from "../config/schema.ts";
import type { Queues } from "../jobs/queues.ts";
import type { Logger } from "../logger.ts";
import type { ArticleStore } from "../store/article-store.ts";
import type { FailedArticles } from "../store/failed-articles.ts";
import type { SourceState } from "../store/source-state.ts";

/** The shared resources of a running process. */
export interface ServiceContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly redis: Redis;
  readonly queues: Queues;
  readonly store: ArticleStore;
  readonly sourceState: SourceState;
  readonly failed: FailedArticles;
}

/** A started role: stopping it releases what it started, within `timeoutMs`. */
export interface RunningRole {
  stop(timeoutMs: number): Promise<void>;
}
