/**
 * The `wechat-feed` command line: dispatches to one command per verb, loading only that command's
 * module (see command-table.ts), so `--help` and `--version` answer at once. User mistakes (usage, config,
 * invalid URL) print one line (a configuration: one line per problem) and exit 2, without a stack
 * trace; failures exit 1.
 */
import { readFileSync } from "node:fs";
import { AppError } from "../errors.ts";
import type { CliContext } from "./command.ts";
import { COMMAND_TABLE } from "./command-table.ts";

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
  const width = Math.max(...COMMAND_TABLE.map((c) => c.name.length));
  const lines = COMMAND_TABLE.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  const options = "Options:\n  -h, --help     show this list\n  -V, --version  print the version\n";
  return `Usage: wechat-feed <command> [options]\n\n${options}\nCommands:\n${lines.join("\n")}\n\nRun \`wechat-feed <command> --help\` for a command's options.\n`;
}

/** package.json's version (this file sits two levels below the package root, in src/ and in dist/). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
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
  if (name === "--version" || name === "-V" || name === "version") {
    ctx.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const entry = COMMAND_TABLE.find((c) => c.name === name);
  if (entry === undefined) {
    ctx.stderr.write(`wechat-feed: unknown command "${name}" (run wechat-feed --help)\n`);
    return EXIT_USAGE;
  }
  const command = await entry.load();
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
