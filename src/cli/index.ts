/**
 * The `wechat-feed` command line: dispatches to one command per verb. User mistakes (usage, config,
 * invalid URL) print one line (a configuration: one line per problem) and exit 2, without a stack
 * trace; failures exit 1.
 */
import { AppError } from "../errors.ts";
import { checkConfigCommand } from "./check-config.ts";
import type { CliContext, Command } from "./command.ts";
import { digestCommand } from "./digest.ts";
import { enqueueCommand } from "./enqueue.ts";
import { feedsCommand } from "./feeds.ts";
import { importCommand } from "./import.ts";
import { parseCommand } from "./parse.ts";
import { pollCommand } from "./poll.ts";
import { reindexCommand } from "./reindex.ts";
import { startCommand } from "./start.ts";
import { statusCommand } from "./status.ts";
import { summarizeCommand } from "./summarize.ts";

const commands: readonly Command[] = [
  startCommand,
  parseCommand,
  enqueueCommand,
  pollCommand,
  statusCommand,
  checkConfigCommand,
  importCommand,
  reindexCommand,
  digestCommand,
  feedsCommand,
  summarizeCommand,
];

const EXIT_USAGE = 2;
const USER_MISTAKES = new Set([
  "USAGE",
  "CONFIG_INVALID",
  "STARTUP_FAILED",
  "URL_INVALID",
  "URL_HOST_DENIED",
  "URL_NOT_ARTICLE",
]);

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: wechat-feed <command> [options]\n\nCommands:\n${lines.join("\n")}\n\nRun \`wechat-feed <command> --help\` for a command's options.\n`;
}

/** What a failed command prints: every problem of a configuration, one per line; else the message. */
function errorLines(error: AppError): string[] {
  const problems = error.details.problems;
  const listed = Array.isArray(problems) && problems.every((p) => typeof p === "string");
  return error.code === "CONFIG_INVALID" && listed && problems.length > 0 ? problems : [error.message];
}

/** Runs the CLI with `argv` (without node and script) and resolves to the exit code. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? ctx.stderr : ctx.stdout).write(overview());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    ctx.stderr.write(`wechat-feed: unknown command "${name}" (run wechat-feed --help)\n`);
    return EXIT_USAGE;
  }
  if (args.includes("--help") || args.includes("-h")) {
    ctx.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(args, ctx);
  } catch (error) {
    if (error instanceof AppError) {
      for (const line of errorLines(error)) ctx.stderr.write(`wechat-feed: ${line}\n`);
      return USER_MISTAKES.has(error.code) ? EXIT_USAGE : 1;
    }
    throw error;
  }
}

/** Runs the CLI for this process (the `bin/wechat-feed.js` entry point). */
export async function main(): Promise<void> {
  const ctx: CliContext = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    isTTY: process.stdout.isTTY === true,
  };
  process.exitCode = await runCli(process.argv.slice(2), ctx);
}
