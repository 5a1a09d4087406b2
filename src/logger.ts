/**
 * The root pino logger: JSON lines to stdout (or pino-pretty on a terminal), with secrets redacted.
 * This is the only file that imports pino; `main.ts` creates the root once and hands child loggers to
 * modules through their deps. Messages are constant and past tense, values go in camelCase fields.
 */
import { type DestinationStream, type Logger, pino } from "pino";
import { PinoPretty } from "pino-pretty";

export type { Logger } from "pino";

const SECRET_KEYS = ["apiToken", "apiKey", "secret", "token", "feedToken", "authorization", "webhookUrl"];

/**
 * Field paths whose values never reach a log line: the API token, HMAC and feed-token secrets,
 * authorization headers, and webhook URLs (chat webhooks embed their key in the URL). Each key is
 * covered at the top level and up to two levels down, so logging `{ config }` (where the token sits at
 * `config.server.apiToken`) or `{ req }` (`req.headers.authorization`) stays safe.
 */
export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
  "req.headers.authorization",
];

/** Options of the root logger. */
export interface LoggerOptions {
  /** pino level name (`info`, `debug`...); config.log.level. */
  readonly level: string;
  /** Human-readable output via pino-pretty; the CLI passes `process.stdout.isTTY`. */
  readonly pretty?: boolean;
  /** Where JSON lines go instead of stdout (tests); ignored when `pretty` is true. */
  readonly destination?: DestinationStream;
}

/** Creates the root logger with redaction, ISO timestamps and optional pretty printing. */
export function createLogger(options: LoggerOptions): Logger {
  const settings = {
    level: options.level,
    redact: { paths: [...REDACT_PATHS], censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (options.pretty === true) {
    // pino-pretty as an in-process stream, not a worker-thread transport: nothing to flush or close at exit.
    return pino(
      settings,
      PinoPretty({ colorize: true, translateTime: "SYS:standard", ignore: "pid,hostname" }),
    );
  }
  return options.destination === undefined ? pino(settings) : pino(settings, options.destination);
}
