/**
 * The lazy command table: `--version` prints package.json's version, `--help` lists every command
 * without loading one, each loader yields the command of its name, and the modules the CLI's entry
 * point imports statically (what `--help` and `--version` load) reach none of the heavy packages.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, it } from "node:test";
import { COMMAND_TABLE } from "../../../src/cli/command-table.ts";
import { PROJECT_ROOT } from "../../support/cli-command.ts";
import { runCliInProcess } from "../../support/cli-run.ts";

/** Static imports only: `import … from "x"`, `export … from "x"` and `import "x"`, not `import("x")`. */
const STATIC_IMPORT = /^\s*(?:import|export)\s(?!type\s)[^'"]*?from\s+"([^"]+)"|^\s*import\s+"([^"]+)"/gm;

/** Every package reached from `entry` through static imports of project files. */
function staticPackages(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const match of readFileSync(file, "utf8").matchAll(STATIC_IMPORT)) {
      const spec = match[1] ?? match[2] ?? "";
      if (spec.startsWith(".")) visit(resolve(dirname(file), spec));
      else if (!spec.startsWith("node:")) packages.add(spec.split("/")[0] ?? spec);
    }
  };
  visit(entry);
  return packages;
}

describe("command table", () => {
  it("prints package.json's version for --version and -V", async () => {
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string };
    for (const flag of ["--version", "-V"]) {
      const result = await runCliInProcess([flag]);
      assert.equal(result.code, 0);
      assert.equal(result.stdout, `${pkg.version}\n`);
    }
  });

  it("lists every command of the table in --help with its summary", async () => {
    const result = await runCliInProcess(["--help"]);
    assert.equal(result.code, 0);
    for (const entry of COMMAND_TABLE) {
      assert.match(
        result.stdout,
        new RegExp(`^ {2}${entry.name} +${entry.summary.replace(/[()']/g, ".")}$`, "m"),
      );
    }
  });

  it("loads, for each name, the command of that name", async () => {
    assert.equal(new Set(COMMAND_TABLE.map((e) => e.name)).size, COMMAND_TABLE.length, "duplicate names");
    for (const entry of COMMAND_TABLE) assert.equal((await entry.load()).name, entry.name);
  });

  it("keeps bullmq, ioredis, playwright and the parsers out of the entry point's static imports", () => {
    const packages = staticPackages(join(PROJECT_ROOT, "src", "cli", "index.ts"));
    for (const heavy of ["bullmq", "ioredis", "playwright", "htmlparser2", "pino", "zod"]) {
      assert.ok(!packages.has(heavy), `src/cli/index.ts statically reaches ${heavy}`);
    }
    // The walk itself works: a command module does reach them.
    assert.ok(staticPackages(join(PROJECT_ROOT, "src", "cli", "start.ts")).has("bullmq"));
  });
});
