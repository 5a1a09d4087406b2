/**
 * Keeps README.md's "Page classes" table in step with the classes the code can give a page
 * (PAGE_CLASSES, which `wechat-feed parse` prints), and checks that what `parse` answers for a file
 * that is no WeChat page at all (the README itself) is a documented class.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { PAGE_CLASSES } from "../../../src/model.ts";
import { runCliInProcess } from "../../support/cli-run.ts";

const readmePath = join(import.meta.dirname, "..", "..", "..", "README.md");
const readme = readFileSync(readmePath, "utf8");

/** The first-column class names of the table under `### Page classes`. */
function documentedClasses(): string[] {
  const heading = "### Page classes\n";
  const start = readme.indexOf(heading);
  assert.notEqual(start, -1, "README.md has no '### Page classes' section");
  const rest = readme.slice(start + heading.length);
  const next = rest.search(/^#{1,3} /m);
  const section = next === -1 ? rest : rest.slice(0, next);
  return [...section.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1] ?? "");
}

describe("README page classes", () => {
  it("lists every class the code can give, once, and nothing else", () => {
    const documented = documentedClasses();
    assert.deepEqual([...documented].sort(), [...PAGE_CLASSES].sort());
  });

  it("parse README.md exits 3 with one prefixed line naming a documented class", async () => {
    const result = await runCliInProcess(["parse", readmePath]);
    assert.equal(result.code, 3);
    assert.equal(result.stdout, "");
    const lines = result.stderr.trim().split("\n");
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? "", /^wechat-feed: parse: not an article: unknown$/);
    assert.ok(documentedClasses().includes("unknown"));
  });
});
