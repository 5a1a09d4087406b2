/**
 * The README's command table stays in step with the code: one row per command the CLI lists in its
 * `--help` overview, each row's synopsis exactly the first line of that command's own `--help`.
 * Commands and options are read from the running CLI, never from a list kept here.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { PROJECT_ROOT } from "../../support/cli-command.ts";
import { runCliInProcess } from "../../support/cli-run.ts";

/** The synopses in the first column of the table under `## Command line`, `\|` unescaped. */
async function readReadmeSynopses(): Promise<string[]> {
  const readme = await readFile(join(PROJECT_ROOT, "README.md"), "utf8");
  const start = readme.indexOf("\n## Command line\n");
  assert.ok(start >= 0, "README has no Command line section");
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return section
    .split("\n")
    .filter((line) => line.startsWith("| `wechat-feed "))
    .map((line) => {
      const cell = /^\| `((?:[^`\\]|\\.)+)` \|/.exec(line)?.[1];
      assert.ok(cell !== undefined, `unreadable row: ${line}`);
      return cell.replaceAll("\\|", "|");
    });
}

/** The command names of `wechat-feed --help`, and the first usage line of each. */
async function readCliSynopses(): Promise<Map<string, string>> {
  const overview = await runCliInProcess(["--help"]);
  assert.equal(overview.code, 0);
  const list = overview.stdout.slice(overview.stdout.indexOf("Commands:\n"));
  const names = [...list.matchAll(/^ {2}(\S+) {2,}/gm)].map((m) => m[1] ?? "");
  assert.ok(names.length >= 5, `too few commands found in:\n${overview.stdout}`);
  const synopses = new Map<string, string>();
  for (const name of names) {
    const help = await runCliInProcess([name, "--help"]);
    assert.equal(help.code, 0, `${name} --help`);
    const first = help.stdout.split("\n")[0] ?? "";
    assert.match(first, new RegExp(`^Usage: wechat-feed ${name}( |$)`), `${name} --help`);
    synopses.set(name, first.replace(/^Usage: /, ""));
  }
  return synopses;
}

describe("README command table", () => {
  it("has one row per command, each matching the command's --help usage line", async () => {
    const readme = await readReadmeSynopses();
    const cli = await readCliSynopses();
    const byName = new Map(readme.map((synopsis) => [synopsis.split(" ")[1] ?? "", synopsis]));
    assert.equal(byName.size, readme.length, `a command has two rows:\n${readme.join("\n")}`);
    assert.deepEqual([...byName.keys()].sort(), [...cli.keys()].sort(), "commands in the README vs --help");
    for (const [name, usage] of cli) assert.equal(byName.get(name), usage, `README row of ${name}`);
  });
});
