/**
 * `wechat-feed reindex [--source-id ID]`: rebuilds Redis from the archive on disk (see
 * jobs/reindex.ts). The last line reads `reindex: articles=<n> unreadable=<n>`.
 */
import { UsageError } from "../errors.ts";
import { formatReindexSummary, REINDEX_SOURCE_ID, reindexArchive } from "../jobs/reindex.ts";
import { publishArticleChange } from "../store/change-feed.ts";
import { type CliContext, type Command, parseCommandArgs } from "./command.ts";
import { createProgressBar } from "./progress.ts";
import { openRuntime, type Runtime } from "./runtime.ts";

const usage = `Usage: wechat-feed reindex [--source-id ID]

Rebuilds Redis from <dataDir>/articles/, the source of truth: every archive document is stored
again under the key of its file name. Articles still in Redis keep their source and page metadata;
the others are filed under the configured source named like their document's source, else ID.
  --source-id ID   source id for articles of unknown source (default: ${REINDEX_SOURCE_ID})
The last line reads: reindex: articles=<n> unreadable=<n>`;

const SOURCE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Hooks for the composition root: what to do when an article is stored or changed. */
export interface ReindexCommandHooks {
  onArticleChanged?(rt: Runtime, key: string): Promise<void>;
}

async function announceChange(rt: Runtime, key: string): Promise<void> {
  await publishArticleChange(rt.redis, rt.config.redis.prefix, key);
}

/** Creates the `reindex` command; by default each re-stored article is announced on the change feed. */
export function createReindexCommand(
  hooks: ReindexCommandHooks = { onArticleChanged: announceChange },
): Command {
  async function run(args: string[], ctx: CliContext): Promise<number> {
    const { positionals, values } = parseCommandArgs("reindex", args, { "source-id": { type: "string" } });
    if (positionals.length > 0) throw new UsageError("USAGE", "reindex: takes no arguments");
    const fallbackSourceId = values["source-id"] ?? REINDEX_SOURCE_ID;
    if (!SOURCE_ID.test(fallbackSourceId)) {
      throw new UsageError(
        "USAGE",
        `reindex: invalid --source-id ${JSON.stringify(fallbackSourceId)}: use a-z, 0-9 and "-"`,
      );
    }
    const onChange = hooks.onArticleChanged;
    const rt = await openRuntime(ctx);
    const bar = createProgressBar(ctx.stderr);
    try {
      const byName = new Map(
        rt.config.sources.flatMap((s) => (s.name === undefined ? [] : [[s.name, s.id] as const])),
      );
      const summary = await reindexArchive(
        { fallbackSourceId },
        {
          store: rt.store,
          archive: rt.archive,
          archiveHealth: rt.archiveHealth,
          dataDir: rt.config.dataDir,
          logger: rt.logger.child({ command: "reindex" }),
          now: Date.now,
          findSourceId: (name) => byName.get(name),
          onProgress: (done, total) => bar.update("reindexing", done, total),
          ...(onChange === undefined ? {} : { onArticleChanged: (key: string) => onChange(rt, key) }),
        },
      );
      bar.done();
      const out = [
        `reindex: ${rt.config.dataDir}: stored=${summary.stored} updated=${summary.updated} unchanged=${summary.unchanged}`,
      ];
      if (summary.shadowed > 0)
        out.push(`reindex: ${summary.shadowed} older file(s) sharing a key with a later one left alone`);
      out.push(formatReindexSummary(summary));
      ctx.stdout.write(`${out.join("\n")}\n`);
      return 0;
    } finally {
      bar.done();
      await rt.close();
    }
  }
  return { name: "reindex", usage, run };
}

/** The `reindex` command. */
export const reindexCommand: Command = createReindexCommand();
