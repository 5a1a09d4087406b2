/**
 * `wechat-feed poll [source-id…]`: polls sources now (all enabled ones when none is named) by
 * adding the same poll job the scheduler adds on a tick.
 */
import { UsageError } from "../errors.ts";
import { addManualPollJob } from "../jobs/scheduler.ts";
import { type CliContext, type Command, parseCommandArgs } from "./command.ts";
import { openRuntime } from "./runtime.ts";

const usage = `Usage: wechat-feed poll [source-id…]

Polls the named sources now (every enabled source when none is named). A running worker picks the
poll jobs up; new articles are then fetched at the configured pace.`;

async function run(args: string[], ctx: CliContext): Promise<number> {
  const { positionals } = parseCommandArgs("poll", args, {});
  const rt = await openRuntime(ctx);
  try {
    const known = new Map(rt.config.sources.map((s) => [s.id, s]));
    const unknown = positionals.filter((id) => !known.has(id));
    if (unknown.length > 0)
      throw new UsageError("USAGE", `poll: unknown source id(s): ${unknown.join(", ")}`);
    const chosen =
      positionals.length > 0 ? positionals : rt.config.sources.filter((s) => s.enabled).map((s) => s.id);
    if (chosen.length === 0) ctx.stderr.write("poll: no enabled sources in the configuration\n");
    const now = new Date();
    for (const sourceId of chosen) {
      const jobId = await addManualPollJob(rt.queues.discover, sourceId, now);
      ctx.stdout.write(`queued ${jobId}\n`);
    }
    return 0;
  } finally {
    await rt.close();
  }
}

/** The `poll` command. */
export const pollCommand: Command = { name: "poll", usage, run };
