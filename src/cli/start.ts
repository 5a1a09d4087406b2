/**
 * `wechat-feed start [--role scheduler|worker|server|archiver|all]`: runs the service until SIGINT or
 * SIGTERM, then shuts down in order within a bounded time (a second signal forces the exit).
 */
import { resolveConfigPath } from "../config/load.ts";
import { isAppError, StoreError, UsageError } from "../errors.ts";
import { createLogger } from "../logger.ts";
import { ALL_ROLES, type Role, type Service, startService } from "../main.ts";
import { checkChromium } from "./chromium-check.ts";
import { type CliContext, type Command, parseCommandArgs } from "./command.ts";
import { explainNoEmbeddedRedis, startRedisIfNeeded } from "./embedded-redis.ts";
import { loadCliConfig } from "./runtime.ts";

const usage = `Usage: wechat-feed start [--role scheduler|worker|server|archiver|all]

Runs the service. Roles (comma-separated or repeated; default all, in one process):
  scheduler  node-cron ticks that enqueue source polls (any number of schedulers is safe)
  worker     polls sources and fetches articles (run several for more throughput); with
             WORKER_ARCHIVE=false it needs no DATA_DIR and leaves the files to the archiver
  server     the HTTP server: feeds, digest, API
  archiver   writes the archive files and digests of workers without DATA_DIR (owns DATA_DIR)
Stops on SIGINT/SIGTERM: no new ticks or jobs, active jobs finished or released, then exit; a
second signal (a second or more later) exits at once. Under \`npm start\`, signal npm's pid or
this one: npm runs this process directly (\`exec\`) and passes SIGINT/SIGTERM on.

First start: without REDIS_URL, when nothing answers at the configured redis.url on this machine
(default redis://127.0.0.1:6379), starts redis-server there itself, with its data in <dataDir>/redis,
and stops it with the service (REDIS_SERVER_PATH picks the binary). A missing Chromium is reported
at start; only browser fetches need it.`;

/**
 * A signal this soon after the first is the same request, not a second one: on Ctrl-C under
 * `npm start` node gets SIGINT from the terminal and again from npm, which forwards it to its child.
 */
const DUPLICATE_SIGNAL_MS = 1000;

/** Extra time for closing the browser, server and Redis after the workers. */
const SHUTDOWN_SLACK_MS = 10_000;

function parseRoles(values: string[]): Set<Role> {
  const names = values
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);
  if (names.length === 0 || names.includes("all")) return new Set(ALL_ROLES);
  const roles = new Set<Role>();
  for (const name of names) {
    if (!(ALL_ROLES as readonly string[]).includes(name)) {
      throw new UsageError(
        "USAGE",
        `start: unknown role "${name}" (use scheduler, worker, server, archiver or all)`,
      );
    }
    roles.add(name as Role);
  }
  return roles;
}

async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs("start", args, {
    role: { type: "string", multiple: true, default: ["all"] },
  });
  const roles = parseRoles(values.role);
  const config = loadCliConfig(ctx);
  const logger = createLogger({ level: config.log.level, pretty: ctx.isTTY });
  logger.info({ file: resolveConfigPath({ env: ctx.env, cwd: ctx.cwd }) }, "config loaded");
  // First-start prerequisites (chromium-check.ts, embedded-redis.ts).
  const chromiumProblem = checkChromium(config, roles);
  if (chromiumProblem !== null) logger.warn({}, chromiumProblem);
  const embeddedRedis = await startRedisIfNeeded({
    redisUrl: config.redis.url,
    dataDir: config.dataDir,
    env: ctx.env,
    logger,
  });
  // A signal while the roles start (the port may already answer) is kept and acted on once they have.
  let early: NodeJS.Signals | null = null;
  const keepEarly = (signal: NodeJS.Signals) => {
    early ??= signal;
  };
  process.on("SIGINT", keepEarly);
  process.on("SIGTERM", keepEarly);
  let service: Service;
  try {
    service = await startService(config, roles, logger);
  } catch (error) {
    process.off("SIGINT", keepEarly);
    process.off("SIGTERM", keepEarly);
    await embeddedRedis?.stop();
    const why = explainNoEmbeddedRedis(ctx.env, config.redis.url);
    if (isAppError(error, "STORE_UNAVAILABLE") && why !== null) {
      throw new StoreError("STORE_UNAVAILABLE", `${error.message}; ${why}`, error.details, error);
    }
    throw error;
  }
  logger.info({ roles: [...roles] }, "service started");

  const timeoutMs = config.jobs.timeoutMs + SHUTDOWN_SLACK_MS;
  await new Promise<void>((resolve) => {
    let stoppingSince: number | null = null;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stoppingSince !== null) {
        if (Date.now() - stoppingSince < DUPLICATE_SIGNAL_MS) return;
        logger.warn({ signal }, "forced exit");
        process.exit(1);
      }
      stoppingSince = Date.now();
      logger.info({ signal, timeoutMs }, "shutdown started");
      const timer = setTimeout(() => {
        logger.error({ timeoutMs }, "shutdown timed out");
        process.exit(1);
      }, timeoutMs);
      timer.unref();
      service.stop(timeoutMs).then(resolve, (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        resolve();
      });
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    process.off("SIGINT", keepEarly);
    process.off("SIGTERM", keepEarly);
    if (early !== null) onSignal(early);
  });
  if (embeddedRedis !== null) {
    await embeddedRedis.stop();
    logger.info({ redisPid: embeddedRedis.pid }, "embedded redis-server stopped");
  }
  return 0;
}

/** The `start` command. */
export const startCommand: Command = {
  name: "start",
  usage,
  run,
};
