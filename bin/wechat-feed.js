#!/usr/bin/env node
// Runs the compiled CLI in dist/ (`npm run build`; `npm start` builds first when dist/ is stale). A
// working copy without a build gets one line saying how to make it, not a module-resolution trace.
import module from "node:module";

// Node ≥ 22.1 caches compiled code on disk between runs: a CLI call then skips most of its parse and
// compile work. Node 20 lacks the call and runs as before.
module.enableCompileCache?.();
const entry = new URL("../dist/cli/index.js", import.meta.url);
let cli;
try {
  cli = await import(entry.href);
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes(entry.pathname)) throw error;
  process.stderr.write(
    "wechat-feed: dist/ is missing: run `npm run build` (or `npm start`, which builds first)\n",
  );
  process.exit(1);
}
await cli.main();
