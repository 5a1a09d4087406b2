/**
 * Keeps README.md honest: every `wechat-feed <command>` it shows exists (`--help` exits 0), every
 * configuration key of the schema is in its reference table, and every env var of .env.example is named.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { listConfigKeys } from "../../../src/config/schema.ts";
import { runCliInProcess } from "../../support/cli-run.ts";

const root = join(import.meta.dirname, "..", "..", "..");
const readme = readFileSync(join(root, "README.md"), "utf8");

/** The command names the README shows, e.g. `wechat-feed enqueue` or `npx wechat-feed status`. */
function commandsInReadme(): string[] {
  // Only commands in code: `wechat-feed x` spans and `npx wechat-feed x` lines, not prose.
  const names = [...readme.matchAll(/(?:`|npx )wechat-feed ([a-z][a-z-]*)/g)].map((m) => m[1] ?? "");
  return [...new Set(names)].filter((name) => name !== "");
}

describe("README", () => {
  const commands = commandsInReadme();

  it("shows the CLI commands", () => {
    assert.ok(commands.length >= 8, `found ${commands.join(", ")}`);
  });

  for (const name of commands) {
    it(`wechat-feed ${name} --help works`, async () => {
      const result = await runCliInProcess([name, "--help"]);
      assert.equal(
        result.code,
        0,
        `wechat-feed ${name} is shown in the README but the CLI lacks it: ${result.stderr}`,
      );
      assert.match(result.stdout, new RegExp(`Usage: wechat-feed ${name}`));
    });
  }

  it("documents every configuration key", () => {
    const leaves = listConfigKeys().filter(
      (key) => !listConfigKeys().some((other) => other.startsWith(`${key}.`) || other.startsWith(`${key}[]`)),
    );
    const missing = leaves.filter((key) => !readme.includes(`\`${key}\``));
    assert.deepEqual(missing, [], "keys missing from the README's configuration table");
  });

  it("names every environment variable of .env.example", () => {
    const vars = [...readFileSync(join(root, ".env.example"), "utf8").matchAll(/^([A-Z_]+)=/gm)].map(
      (m) => m[1] ?? "",
    );
    assert.ok(vars.length > 5);
    assert.deepEqual(
      vars.filter((v) => !readme.includes(`\`${v}\``)),
      [],
    );
  });

  it("gives the two set-up commands", () => {
    assert.match(readme, /```sh\nnpm ci && npm start\n```/);
    assert.match(readme, /```sh\nnpm ci && npm run check\n```/);
  });
});
