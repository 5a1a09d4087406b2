/**
 * `wechat-feed check-config`: validates the configuration (on error one line per problem, naming
 * file, key and problem, exit 2) and prints the effective settings and each source's next run times
 * (Beijing time, see time-format.ts).
 */
import { resolveConfigPath } from "../config/load.ts";
import { UsageError } from "../errors.ts";
import { nextRunsOf } from "../jobs/scheduler.ts";
import { formatBeijingTime } from "../status/format-time.ts";
import { type CliContext, type Command, parseCommandArgs } from "./command.ts";
import { loadCliConfig } from "./runtime.ts";

const usage = `Usage: wechat-feed check-config

Validates the configuration (WECHAT_FEED_CONFIG, else config/wechat-feed.yaml, else the example)
with the environment overrides, and prints the effective sources and their next run times (in
Beijing time, UTC+8). Every problem is printed, one per line: file, key, problem; exit 2.`;

async function run(args: string[], ctx: CliContext): Promise<number> {
  const { positionals } = parseCommandArgs("check-config", args, {});
  if (positionals.length > 0) {
    throw new UsageError("USAGE", `check-config: unexpected argument "${positionals[0]}" (it takes none)`);
  }
  const config = loadCliConfig(ctx);
  const out = (line: string) => ctx.stdout.write(`${line}\n`);
  out(`config: ${resolveConfigPath({ env: ctx.env, cwd: ctx.cwd })} is valid`);
  out(`redis: ${config.redis.url.replace(/\/\/[^@/]*@/, "//***@")} (prefix ${config.redis.prefix})`);
  out(
    `data: ${config.dataDir}${config.worker.archive ? "" : " (workers leave the archive to the archiver: WORKER_ARCHIVE=false)"}`,
  );
  out(
    `fetch: ${config.fetch.fetcher} via ${config.fetch.origin}, one WeChat fetch per ${config.fetch.minIntervalMs} ms per egress group`,
  );
  const from =
    config.fetch.localAddress === undefined ? "" : ` (http fetches from ${config.fetch.localAddress})`;
  out(`egress: ${config.worker.egress}${from}`);
  out(`server: http://${config.server.host}:${config.server.port} (public ${config.server.publicUrl})`);
  out(`digest: "${config.digest.schedule}" (${config.digest.timezone})`);
  out(`sources: ${config.sources.length}`);
  for (const source of config.sources) {
    const where =
      source.type === "urls" ? (source.file ?? `${source.urls?.length ?? 0} inline URLs`) : source.url;
    const state = source.enabled ? "" : " [disabled]";
    out(`  ${source.id} (${source.type}${state}) ${where}`);
    const runs = source.enabled ? await nextRunsOf(source.schedule, source.timezone, 3) : [];
    const shown = runs.map(formatBeijingTime).join(", ");
    out(`    schedule "${source.schedule}" (${source.timezone})${shown ? `; next: ${shown}` : ""}`);
  }
  return 0;
}

/** The `check-config` command. */
export const checkConfigCommand: Command = {
  name: "check-config",
  usage,
  run,
};
