/**
 * What most CLI commands open: the configuration, a logger, one Redis connection (checked up front,
 * so an unreachable Redis is one clear line, not a hang), the store, the archive and the queues.
 */
import type { Redis } from "ioredis";
import { loadConfig } from "../config/load.ts";
import type { Config } from "../config/schema.ts";
import { createQueues, type Queues } from "../jobs/queues.ts";
import { createLogger, type Logger } from "../logger.ts";
import { connectRedis, createRedis } from "../redis.ts";
import { type ArchiveFiles, createArchiveFiles } from "../store/archive.ts";
import { type ArchiveHealth, createArchiveHealth } from "../store/archive-health.ts";
import { type ArticleStore, createArticleStore } from "../store/article-store.ts";
import { createSourceState, type SourceState } from "../store/source-state.ts";
import type { CliContext } from "./command.ts";

/** Opened resources; `close()` releases them all. */
export interface Runtime {
  readonly config: Config;
  readonly logger: Logger;
  readonly redis: Redis;
  readonly store: ArticleStore;
  readonly sourceState: SourceState;
  readonly queues: Queues;
  readonly archive: ArchiveFiles;
  readonly archiveHealth: ArchiveHealth;
  close(): Promise<void>;
}

/** Loads the configuration for a command (throws ConfigError with a one-line message). */
export function loadCliConfig(ctx: CliContext): Config {
  return loadConfig({ env: ctx.env, cwd: ctx.cwd });
}

/** Opens config, logger, Redis, store and queues for one command. */
export async function openRuntime(ctx: CliContext): Promise<Runtime> {
  const config = loadCliConfig(ctx);
  const logger = createLogger({ level: config.log.level, pretty: ctx.isTTY });
  const redis = createRedis(config.redis.url);
  await connectRedis(redis, config.redis.url);
  const { prefix } = config.redis;
  const queues = createQueues(redis, prefix, config.fetch.attempts, config.fetch.backoffMs);
  return {
    config,
    logger,
    redis,
    store: createArticleStore(redis, prefix),
    sourceState: createSourceState(redis, prefix),
    queues,
    archive: createArchiveFiles(config.dataDir),
    archiveHealth: createArchiveHealth(redis, prefix),
    async close() {
      await queues.close();
      await redis.quit();
    },
  };
}
