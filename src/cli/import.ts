/**
 * `wechat-feed import <dir> [--source-id ID]`: imports an archive of article documents (see
 * jobs/import-archive.ts). Prints the stub files and a summary whose last line is
 * `import: imported=<n> duplicates=<n> stubs=<n> truncated=<n> unreadable=<n>`; a progress bar goes to
 * stderr on a terminal.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../errors.ts";
import { formatImportSummary, IMPORT_SOURCE_ID, importArchive } from "../jobs/import-archive.ts";
import { publishArticleChange } from "../store/change-feed.ts";
import { createSummaryStore, removeSummaryFile, writeSummaryFile } from "../store/summary-store.ts";
import { type CliContext, type Command, parseCommandArgs } from "./command.ts";
import { createProgressBar } from "./progress.ts";
import { openRuntime, type Runtime } from "./runtime.ts";

const usage = `Usage: wechat-feed import <dir> [--source-id ID]

Imports every *.md and *.txt article document under <dir> (recursively), in the archive format,
read leniently: unquoted front matter, page chrome and the old writer's defects are tolerated.
  --source-id ID   source id the articles are filed under: lower-case letters, digits and "-"
                   (default: ${IMPORT_SOURCE_ID}); each keeps its document's source name
Summary documents (picker's summary/*_summary.md, our summaries/YYYY/MM/DD/<key>.md) are kept with
the article they summarize, once it is stored; they are not counted as document files.
Stubs (failed fetches saved as articles) are listed and not published. Truncated documents are
imported marked: a later fetch of the article replaces them. The same article under several URL
forms or dates is imported once (the best copy). Re-running an import changes nothing.
The last line reads: import: imported=<n> duplicates=<n> stubs=<n> truncated=<n> unreadable=<n>
(imported includes the truncated ones; files = imported + duplicates + stubs + unreadable).`;

const SOURCE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const LISTED_STUBS = 20;

/** Hooks for the composition root: what to do when an article is stored or changed. */
export interface ImportCommandHooks {
  onArticleChanged?(rt: Runtime, key: string): Promise<void>;
}

/** Tells running servers, through the change feed, that an article was stored or changed. */
async function announceChange(rt: Runtime, key: string): Promise<void> {
  await publishArticleChange(rt.redis, rt.config.redis.prefix, key);
}

/** Creates the `import` command; by default each stored article is announced on the change feed. */
export function createImportCommand(
  hooks: ImportCommandHooks = { onArticleChanged: announceChange },
): Command {
  async function run(args: string[], ctx: CliContext): Promise<number> {
    const { positionals, values } = parseCommandArgs("import", args, { "source-id": { type: "string" } });
    const [dirArg, ...extra] = positionals;
    if (dirArg === undefined || extra.length > 0)
      throw new UsageError("USAGE", "import: expected one directory");
    const sourceId = values["source-id"] ?? IMPORT_SOURCE_ID;
    if (!SOURCE_ID.test(sourceId)) {
      throw new UsageError(
        "USAGE",
        `import: invalid --source-id ${JSON.stringify(sourceId)}: use a-z, 0-9 and "-"`,
      );
    }
    const dir = path.resolve(ctx.cwd, dirArg);
    const isDir = await stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isDir) throw new UsageError("USAGE", `import: not a directory: ${dir}`);

    const onChange = hooks.onArticleChanged;
    const rt = await openRuntime(ctx);
    const bar = createProgressBar(ctx.stderr);
    const started = Date.now();
    try {
      const summary = await importArchive(
        { dir, sourceId },
        {
          store: rt.store,
          archive: rt.archive,
          archiveHealth: rt.archiveHealth,
          dataDir: rt.config.dataDir,
          logger: rt.logger.child({ command: "import" }),
          now: Date.now,
          summaries: {
            summaries: createSummaryStore(rt.redis, rt.config.redis.prefix),
            writeSummaryFile: (date, key, text) => writeSummaryFile(rt.config.dataDir, date, key, text),
            removeSummaryFile: (file) => removeSummaryFile(rt.config.dataDir, file),
          },
          onProgress: (phase, done, total) =>
            bar.update(phase === "read" ? "reading" : "storing", done, total),
          ...(onChange === undefined ? {} : { onArticleChanged: (key: string) => onChange(rt, key) }),
        },
      );
      bar.done();
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const out: string[] = [`import: ${summary.files} document files under ${dir} (${seconds} s)`];
      if (summary.stubs > 0) {
        out.push(`import: ${summary.stubs} stub(s) not published (failed fetches; re-enqueue their URLs):`);
        for (const file of summary.stubFiles.slice(0, LISTED_STUBS)) out.push(`  ${file}`);
        if (summary.stubs > LISTED_STUBS) out.push(`  … and ${summary.stubs - LISTED_STUBS} more`);
      }
      if (summary.summaryFiles > 0) {
        out.push(
          `import: summaries=${summary.summaries} without-article=${summary.summariesWithoutArticle} (of ${summary.summaryFiles} summary documents)`,
        );
      }
      out.push(formatImportSummary(summary));
      ctx.stdout.write(`${out.join("\n")}\n`);
      return 0;
    } finally {
      bar.done();
      await rt.close();
    }
  }
  return { name: "import", usage, run };
}

/** The `import` command. */
export const importCommand: Command = createImportCommand();
