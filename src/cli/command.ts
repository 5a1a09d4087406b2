/**
 * The shape every CLI command shares, and argument parsing with one-line usage errors.
 * Commands get their streams and environment passed in, so tests can run them in-process.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "../errors.ts";

/** Streams and environment a command runs with. */
export interface CliContext {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
  readonly isTTY: boolean;
}

/** A subcommand of `wechat-feed`. `run` resolves to the process exit code. */
export interface Command {
  readonly name: string;
  /** The full `--help` text. */
  readonly usage: string;
  run(args: string[], ctx: CliContext): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** parseArgs with strict options; a mistake becomes a UsageError naming the command. */
export function parseCommandArgs<T extends Options>(command: string, args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new UsageError("USAGE", `${command}: ${reason}`);
  }
}

/** Reads a whole stream as UTF-8 (used for `-` meaning standard input). */
export async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}
