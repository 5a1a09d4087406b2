/**
 * `wechat-feed summarize [--since DATE] [--source ID]`: fills in LLM summaries for stored articles
 * (jobs/summarize-backfill.ts) within `summarize.dailyBudget`, with a progress bar on a terminal.
 * The last line reads `summarize: candidates=<n> summarized=<n> failed=<n> budget=<ok|spent>`.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { createSourceFilter } from "../config/summarize.ts";
import { UsageError } from "../errors.ts";
import { createGuardedHttp, toGuardedHttpSettings } from "../fetchers/guarded-http.ts";
import { summarizeStored } from "../jobs/summarize-backfill.ts";
import { createSummarizer } from "../roles/summarizer.ts";
import { publishArticleChange } from "../store/change-feed.ts";
import { type CliContext, type Command, parseCommandArgs } from "./command.ts";
import { createProgressBar } from "./progress.ts";
import { openRuntime } from "./runtime.ts";

const usage = `Usage: wechat-feed summarize [--since YYYY-MM-DD] [--source ID]

Asks the configured summarize endpoint for the summary and category of every stored article that
has none for its current text (two requests per article), oldest first, and stops when the day's
summarize.dailyBudget is spent (run it again tomorrow to continue). Needs summarize.enabled: true.
  --since DATE   only articles dated DATE or later
  --source ID    only articles of this source id
Sources configured with summarize: false are never summarized.`;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

async function run(args: string[], ctx: CliContext): Promise<number> {
  const { positionals, values } = parseCommandArgs("summarize", args, {
    since: { type: "string" },
    source: { type: "string" },
  });
  if (positionals.length > 0) throw new UsageError("USAGE", "summarize: unexpected argument(s)");
  if (values.since !== undefined && !DATE.test(values.since)) {
    throw new UsageError(
      "USAGE",
      `summarize: --since expects YYYY-MM-DD, got ${JSON.stringify(values.since)}`,
    );
  }
  const rt = await openRuntime(ctx);
  const http = createGuardedHttp(toGuardedHttpSettings(rt.config.fetch));
  const bar = createProgressBar(ctx.stderr);
  try {
    const { config } = rt;
    if (!config.summarize.enabled) throw new UsageError("USAGE", "summarize: summarize.enabled is false");
    const logger = rt.logger.child({ command: "summarize" });
    const summarize = createSummarizer(config, { redis: rt.redis, store: rt.store, http, logger });
    const result = await summarizeStored(
      {
        ...(values.since === undefined ? {} : { since: values.since }),
        ...(values.source === undefined ? {} : { sourceId: values.source }),
      },
      {
        store: rt.store,
        summarize: async (key) => {
          const outcome = await summarize(key);
          if (outcome.outcome === "summarized")
            await publishArticleChange(rt.redis, config.redis.prefix, key);
          return outcome;
        },
        isSourceSummarized: createSourceFilter(config.sources),
        attempts: config.summarize.attempts,
        backoffMs: config.summarize.backoffMs,
        sleep: (ms) => sleep(ms),
        onProgress: (done, total) => bar.update("summarizing", done, total),
        onFailed: (key, err) => logger.warn({ articleKey: key, err }, "summary failed"),
        now: Date.now,
      },
    );
    bar.done();
    if (result.budgetSpent) ctx.stderr.write("summarize: the daily budget is spent; run again tomorrow\n");
    ctx.stdout.write(
      `summarize: candidates=${result.candidates} summarized=${result.summarized} failed=${result.failed} budget=${result.budgetSpent ? "spent" : "ok"}\n`,
    );
    return result.failed > 0 ? 1 : 0;
  } finally {
    bar.done();
    await http.close();
    await rt.close();
  }
}

/** The `summarize` command. */
export const summarizeCommand: Command = {
  name: "summarize",
  usage,
  run,
};
