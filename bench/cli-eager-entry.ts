/**
 * The CLI as it started before the lazy command table, for bench:cli's baseline: the sources run
 * through tsx's loader and every command module is imported before the command line is read (what
 * the old static command index did), then the same `main` runs.
 */
import { COMMAND_TABLE } from "../src/cli/command-table.ts";
import { main } from "../src/cli/index.ts";

await Promise.all(COMMAND_TABLE.map((entry) => entry.load()));
await main();
