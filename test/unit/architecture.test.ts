/**
 * The dependency rules of ../shared/docs/architecture.md section 2, checked on the import statements
 * of src/: pure layers stay pure, siblings don't import each other, and there are no import cycles;
 * only the config loader reads the config file and the environment; no function is longer than 80
 * lines and every module opens with a comment saying what it owns; worker threads start from
 * paths that work both compiled (dist/*.js) and from the sources.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";
import { hasModuleHeader, measureFunctions } from "../support/function-lengths.ts";

const src = resolve(import.meta.dirname, "..", "..", "src");

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listFiles(join(dir, entry.name))
      : entry.name.endsWith(".ts")
        ? [join(dir, entry.name)]
        : [],
  );
}

const IMPORT = /^\s*(?:import|export)\s(?:type\s)?[^'"]*?from\s+"([^"]+)"|^\s*import\s+"([^"]+)"/gm;

/** Every file's imports: project files as src-relative paths, packages and node: modules as given. */
const graph = new Map<string, { local: string[]; external: string[]; typeOnly: Set<string> }>();
for (const file of listFiles(src)) {
  const text = readFileSync(file, "utf8");
  const local: string[] = [];
  const external: string[] = [];
  const typeOnly = new Set<string>();
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2] ?? "";
    if (spec.startsWith(".")) {
      const target = relative(src, resolve(dirname(file), spec));
      local.push(target);
      if (/^\s*(?:import|export)\s+type\s/.test(match[0])) typeOnly.add(target);
    } else external.push(spec);
  }
  graph.set(relative(src, file), { local, external, typeOnly });
}

const area = (path: string) => (path.includes("/") ? (path.split("/")[0] ?? "") : path.replace(/\.ts$/, ""));
const LEAVES = new Set(["model", "errors"]);
/** The longest function the style allows ("functions ≤ ~80 lines"). */
const MAX_FUNCTION_LINES = 80;

/** Source text without block and line comments (a comment may name a file or a variable freely). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

function violations(rule: (from: string, to: string, typeOnly: boolean) => boolean): string[] {
  const found: string[] = [];
  for (const [from, { local, typeOnly }] of graph) {
    for (const to of local) if (rule(from, to, typeOnly.has(to))) found.push(`${from} → ${to}`);
  }
  return found;
}

describe("architecture", () => {
  it("finds the source tree", () => assert.ok(graph.size > 50));

  it("keeps parsers and publish builders free of I/O, clocks and logging", () => {
    const impure =
      /^(?:node:(?:fs|fs\/promises|net|http|https|child_process|dgram)|ioredis|bullmq|playwright|pino|node-cron)$/;
    const bad: string[] = [];
    for (const [file, { external }] of graph) {
      if (!["parsers", "publish"].includes(area(file))) continue;
      for (const spec of external) if (impure.test(spec)) bad.push(`${file} imports ${spec}`);
      const code = readFileSync(join(src, file), "utf8")
        .split("\n")
        .filter((line) => !/^\s*(?:\*|\/\/|\/\*)/.test(line))
        .join("\n");
      if (/\bDate\.now\(\)|process\.env|console\./.test(code))
        bad.push(`${file} reads the clock, env or console`);
    }
    assert.deepEqual(bad, []);
  });

  it("keeps parsers and publish on the leaves (publish may use parsers)", () => {
    const allowed: Record<string, string[]> = { parsers: ["parsers"], publish: ["publish", "parsers"] };
    const bad = violations((from, to, typeOnly) => {
      const rules = allowed[area(from)];
      return rules !== undefined && !typeOnly && !LEAVES.has(area(to)) && !rules.includes(area(to));
    });
    assert.deepEqual(bad, []);
  });

  it("keeps publish off the store, even for types (shared shapes live in model.ts)", () => {
    const bad = violations((from, to) => area(from) === "publish" && area(to) === "store");
    assert.deepEqual(bad, []);
  });

  it("keeps feed formats out of the server (one more format is one file and one row in src/publish/)", async () => {
    const { FEED_FORMATS } = await import("../../src/publish/output-table.ts");
    const bad: string[] = [];
    for (const file of graph.keys()) {
      if (area(file) !== "server") continue;
      const text = readFileSync(join(src, file), "utf8");
      for (const format of FEED_FORMATS) {
        if (text.includes(format.linkType)) bad.push(`${file} names ${format.linkType}`);
        if (text.includes(`/feed.${format.extension}"`)) bad.push(`${file} names /feed.${format.extension}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it("keeps siblings apart: fetchers, store and parsers don't import each other, nothing imports cli", () => {
    const siblings = new Set(["fetchers", "store", "parsers"]);
    const bad = violations((from, to, typeOnly) => {
      const [a, b] = [area(from), area(to)];
      if (b === "cli" && a !== "cli") return true;
      return (
        !typeOnly && siblings.has(a) && siblings.has(b) && a !== b && !(a === "store" && b === "parsers")
      );
    });
    assert.deepEqual(bad, []);
  });

  it("lets only config/load.ts and logger.ts reach the config file and pino", () => {
    const bad: string[] = [];
    for (const [file, { external }] of graph) {
      if (external.includes("pino") && file !== "logger.ts") bad.push(`${file} imports pino`);
      // The config file is YAML, read by config/load.ts alone.
      if (external.includes("yaml") && file !== "config/load.ts") bad.push(`${file} imports yaml`);
      const code = withoutComments(readFileSync(join(src, file), "utf8"));
      // process.env is read where the config is loaded: config/load.ts, and the CLI's entry point,
      // which hands the environment to loadConfig.
      if (/\bprocess\.env\b/.test(code) && file !== "config/load.ts" && file !== "cli/index.ts")
        bad.push(`${file} reads process.env`);
    }
    assert.deepEqual(bad, []);
  });

  it("starts worker threads from modules named without a literal .ts extension (dist/ runs .js)", () => {
    const bad: string[] = [];
    for (const file of graph.keys()) {
      const code = withoutComments(readFileSync(join(src, file), "utf8"));
      for (const match of code.matchAll(/new\s+(?:URL|Worker)\(\s*(["'`])([^"'`]*)\1/g)) {
        if (/\.ts$/.test(match[2] ?? "")) bad.push(`${file}: ${match[0]}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it(`keeps every function in src/ at most ${MAX_FUNCTION_LINES} lines long`, () => {
    const long: string[] = [];
    let counted = 0;
    for (const file of graph.keys()) {
      for (const span of measureFunctions(readFileSync(join(src, file), "utf8"))) {
        counted++;
        if (span.lines > MAX_FUNCTION_LINES)
          long.push(`${file}:${span.line} ${span.name} (${span.lines} lines)`);
      }
    }
    assert.ok(counted > 500, `only ${counted} functions found: the counter no longer reads the sources`);
    assert.deepEqual(long, []);
  });

  it("opens every module with a comment saying what it owns", () => {
    const bare = [...graph.keys()].filter((file) => !hasModuleHeader(readFileSync(join(src, file), "utf8")));
    assert.deepEqual(bare, []);
  });

  it("has no import cycles", () => {
    const state = new Map<string, "visiting" | "done">();
    const cycles: string[] = [];
    const visit = (node: string, path: string[]) => {
      if (state.get(node) === "done") return;
      if (state.get(node) === "visiting") {
        cycles.push([...path.slice(path.indexOf(node)), node].join(" → "));
        return;
      }
      state.set(node, "visiting");
      for (const next of graph.get(node)?.local ?? [])
        if (!graph.get(node)?.typeOnly.has(next)) visit(next, [...path, node]);
      state.set(node, "done");
    };
    for (const node of graph.keys()) visit(node, []);
    assert.deepEqual(cycles, []);
  });
});
