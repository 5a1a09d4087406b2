#!/usr/bin/env node
// Compiles src/ to dist/ with tsc (tsconfig.build.json). `--if-stale` builds only when dist/ is
// missing, a source or build setting is newer than the last build, or a source file was added or
// removed since, so `npm start` and the tests that spawn the CLI pay for a build only after a change.
// A full build starts from an empty dist/, so a deleted module never lingers there. Concurrent callers
// (test files run in parallel) take turns through a lock directory and re-check after waiting.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const DIST = join(ROOT, "dist");
/** Written last by a successful build: the source list it compiled (to notice added/removed files). */
const STAMP = join(DIST, ".build-stamp");
const LOCK = join(ROOT, ".dist.lock");
/** A lock older than this belongs to a build that died; builds take a few seconds. */
const STALE_LOCK_MS = 120_000;
const SETTINGS = ["tsconfig.json", "tsconfig.build.json", "package.json"];

function listSources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return listSources(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

function sourceList() {
  return listSources(join(ROOT, "src"))
    .map((file) => relative(ROOT, file))
    .sort()
    .join("\n");
}

/** Why dist/ needs a build, or null when it is current. */
function staleReason() {
  if (!existsSync(STAMP)) return "dist/ is missing";
  const built = statSync(STAMP).mtimeMs;
  const list = sourceList();
  if (readFileSync(STAMP, "utf8") !== list) return "source files were added or removed";
  const newer = [...list.split("\n"), ...SETTINGS].find((file) => statSync(join(ROOT, file)).mtimeMs > built);
  return newer === undefined ? null : `${newer} changed`;
}

function compile() {
  let tsc;
  try {
    tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
  } catch {
    process.stderr.write(
      "wechat-feed: dist/ needs a build but typescript is not installed: run `npm ci` (with dev dependencies), then `npm run build`\n",
    );
    process.exit(1);
  }
  rmSync(DIST, { recursive: true, force: true });
  const result = spawnSync(process.execPath, [tsc, "-p", join(ROOT, "tsconfig.build.json")], {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
  writeFileSync(STAMP, sourceList());
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function withLock(fn) {
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      const age = Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      else sleep(100);
    }
  }
  try {
    fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

if (process.argv.includes("--if-stale")) {
  if (staleReason() !== null) {
    withLock(() => {
      const reason = staleReason();
      if (reason === null) return;
      process.stderr.write(`build: ${reason}, compiling src/ to dist/\n`);
      compile();
    });
  }
} else {
  withLock(compile);
}
