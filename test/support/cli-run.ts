/**
 * Runs the CLI in-process with captured streams, for tests of commands that need no service.
 */
import { PassThrough, Readable } from "node:stream";
import type { CliContext } from "../../src/cli/command.ts";
import { runCli } from "../../src/cli/index.ts";

/** What one CLI run printed and returned. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks).toString("utf8");
}

/** Runs `wechat-feed <argv>` with `stdin` as standard input and the given environment. */
export async function runCliInProcess(
  argv: string[],
  options: { stdin?: string; env?: Record<string, string | undefined>; cwd?: string } = {},
): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = collect(stdout);
  const err = collect(stderr);
  const ctx: CliContext = {
    stdout,
    stderr,
    stdin: Readable.from([options.stdin ?? ""]),
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    isTTY: false,
  };
  const code = await runCli(argv, ctx);
  stdout.end();
  stderr.end();
  return { code, stdout: out(), stderr: err() };
}
