/**
 * Checks that an argv a deployment file runs (`node bin/wechat-feed.js start --role all`) is a real
 * command of our CLI: the script is ours, `<argv> --help` exits 0 with the command's usage, and the
 * `--role` values are roles the service knows.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ALL_ROLES } from "../../src/main.ts";
import { ensureDist } from "./dist.ts";

/** The project root (deployment files and bin/ live there). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The CLI entry point as the image runs it, relative to the working directory /app. */
export const CLI_SCRIPT = "bin/wechat-feed.js";

/**
 * The node flags `npm start` runs the CLI with: package.json's start script is
 * `exec node <flags> bin/wechat-feed.js start` (`exec`, so a signal to npm's child reaches node). Tests and benchmarks start the service with the same flags.
 */
export function startNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as {
    scripts: { start: string };
  };
  const [shellExec, program, ...rest] = pkg.scripts.start.split(/\s+/);
  const script = rest.indexOf(CLI_SCRIPT);
  if (
    shellExec !== "exec" ||
    program !== "node" ||
    script === -1 ||
    rest.slice(0, script).some((arg) => !arg.startsWith("--"))
  )
    throw new Error(
      `package.json start script "${pkg.scripts.start}" is not exec node <flags> ${CLI_SCRIPT}`,
    );
  return rest.slice(0, script);
}

async function run(
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  await ensureDist();
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The test runner's markers would make the child think it is a test file.
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  return new Promise((resolveRun) => {
    execFile(process.execPath, args, { cwd: PROJECT_ROOT, env, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
      resolveRun({ code, stdout, stderr });
    });
  });
}

/** Asserts `argv` (as in a compose `command` or a Dockerfile CMD) runs a real wechat-feed command. */
export async function assertRealCliCommand(argv: readonly string[], where: string): Promise<void> {
  const [program, script, name, ...rest] = argv;
  assert.equal(program, "node", `${where}: runs ${argv.join(" ")}, not node`);
  assert.equal(script, CLI_SCRIPT, `${where}: runs ${script}, not ${CLI_SCRIPT}`);
  assert.ok(name !== undefined && !name.startsWith("-"), `${where}: no command in ${argv.join(" ")}`);
  const result = await run([join(PROJECT_ROOT, CLI_SCRIPT), name, ...rest, "--help"]);
  assert.equal(result.code, 0, `${where}: \`wechat-feed ${name} --help\` failed: ${result.stderr}`);
  assert.match(result.stdout, new RegExp(`^Usage: wechat-feed ${name}\\b`), `${where}: ${result.stdout}`);
  // --help is answered before the options are parsed, so check the role values here.
  const values = rest.flatMap((arg, i) =>
    arg === "--role" ? [rest[i + 1] ?? ""] : arg.startsWith("--role=") ? [arg.slice(7)] : [],
  );
  for (const value of values) {
    for (const role of value.split(",")) {
      assert.ok(role === "all" || (ALL_ROLES as readonly string[]).includes(role), `${where}: role ${role}`);
    }
  }
}
