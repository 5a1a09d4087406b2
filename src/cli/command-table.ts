/**
 * The table of `wechat-feed` commands: each name with its one-line summary and a loader that imports
 * the command's module on demand. `--help` and `--version` read this table only, so they start
 * without loading bullmq, playwright or the parsers; a command loads just what it runs.
 */
import type { Command } from "./command.ts";

/** One row of the command table. */
export interface CommandEntry {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Imports the command's module. */
  load(): Promise<Command>;
}

/** Every command, in the order `--help` lists them. */
export const COMMAND_TABLE: readonly CommandEntry[] = [
  {
    name: "start",
    summary: "run the service (scheduler, workers, server)",
    load: async () => (await import("./start.ts")).startCommand,
  },
  {
    name: "parse",
    summary: "parse a saved WeChat page into a document",
    load: async () => (await import("./parse.ts")).parseCommand,
  },
  {
    name: "enqueue",
    summary: "add article URLs to the fetch queue",
    load: async () => (await import("./enqueue.ts")).enqueueCommand,
  },
  { name: "poll", summary: "poll sources now", load: async () => (await import("./poll.ts")).pollCommand },
  {
    name: "status",
    summary: "show sources, failures, the cool-down, queues and workers",
    load: async () => (await import("./status.ts")).statusCommand,
  },
  {
    name: "check-config",
    summary: "validate the configuration and show the sources' next runs",
    load: async () => (await import("./check-config.ts")).checkConfigCommand,
  },
  {
    name: "import",
    summary: "import an archive of article documents",
    load: async () => (await import("./import.ts")).importCommand,
  },
  {
    name: "reindex",
    summary: "rebuild Redis from the archive on disk",
    load: async () => (await import("./reindex.ts")).reindexCommand,
  },
  {
    name: "digest",
    summary: "build a day's digest now",
    load: async () => (await import("./digest.ts")).digestCommand,
  },
  {
    name: "feeds",
    summary: "private feeds: `feeds rotate-token` prints a new feeds.token",
    load: async () => (await import("./feeds.ts")).feedsCommand,
  },
  {
    name: "summarize",
    summary: "fill in LLM summaries of stored articles",
    load: async () => (await import("./summarize.ts")).summarizeCommand,
  },
];
