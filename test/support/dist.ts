/**
 * Makes sure dist/ (what `bin/wechat-feed.js` runs) is compiled from the current sources before a test
 * spawns the CLI: `scripts/build.js --if-stale`, once per test process. The build runs as an async
 * child, so a mock origin served by the test process keeps answering meanwhile.
 */
import { execFile } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
let built: Promise<void> | null = null;

/** Resolves once dist/ matches src/; rejects with the compiler's output when the build fails. */
export function ensureDist(): Promise<void> {
  built ??= new Promise((done, fail) => {
    execFile(
      process.execPath,
      [join(ROOT, "scripts", "build.js"), "--if-stale"],
      { cwd: ROOT, timeout: 300_000 },
      (error, stdout, stderr) =>
        error === null ? done() : fail(new Error(`dist build failed: ${stdout}${stderr}`)),
    );
  });
  return built;
}
