/**
 * `scripts/build.js --if-stale` (run by `npm start` and by the tests that spawn the CLI) on a copy of
 * the project: it builds when dist/ is missing, does nothing while dist/ is current, rebuilds after a
 * source changes, and a rebuild after a source is deleted leaves no compiled copy of it behind.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { PROJECT_ROOT } from "../support/cli-command.ts";

function buildIfStale(dir: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(dir, "scripts", "build.js"), "--if-stale"],
      { cwd: dir, timeout: 120_000 },
      (error, _stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stderr }),
    );
  });
}

describe("scripts/build.js --if-stale", { timeout: 300_000 }, () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "wf-build-"));
    for (const entry of ["src", "scripts", "package.json", "tsconfig.json", "tsconfig.build.json"]) {
      await cp(join(PROJECT_ROOT, entry), join(dir, entry), { recursive: true });
    }
    await symlink(join(PROJECT_ROOT, "node_modules"), join(dir, "node_modules"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("builds a missing dist/, then leaves a current one alone", async () => {
    const first = await buildIfStale(dir);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /dist\/ is missing/);
    assert.ok(existsSync(join(dir, "dist", "cli", "index.js")));
    const compiled = await readFile(join(dir, "dist", "cli", "index.js"), "utf8");
    assert.match(compiled, /from "\.\/command-table\.js"/, "relative imports are rewritten to .js");
    const second = await buildIfStale(dir);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stderr, "");
  });

  it("rebuilds when a source is newer than the build", async () => {
    const file = join(dir, "src", "errors.ts");
    const later = new Date(Date.now() + 5000);
    await utimes(file, later, later);
    const result = await buildIfStale(dir);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /src\/errors\.ts changed/);
  });

  it("rebuilds when a source is removed, leaving no compiled copy of it", async () => {
    await writeFile(
      join(dir, "src", "extra-module.ts"),
      "/** A module for this test. */\nexport const x = 1;\n",
    );
    assert.match((await buildIfStale(dir)).stderr, /added or removed/);
    assert.ok(existsSync(join(dir, "dist", "extra-module.js")));
    await rm(join(dir, "src", "extra-module.ts"));
    const result = await buildIfStale(dir);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /added or removed/);
    assert.equal(existsSync(join(dir, "dist", "extra-module.js")), false);
  });
});
