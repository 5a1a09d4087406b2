/**
 * A small Dockerfile reader for the offline deployment tests (no Docker engine here): instructions
 * with their continuation lines joined and comments dropped, exec-form arrays, `KEY=value` lists of
 * ENV/ARG, the flags of HEALTHCHECK/COPY, and a .dockerignore matcher. It covers the syntax our
 * Dockerfile uses, not every corner of BuildKit's.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** One instruction: `keyword` upper-cased, `args` with continuations joined, `line` 1-based. */
export interface DockerInstruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

/** Splits a Dockerfile into instructions. */
export function parseDockerfile(text: string): DockerInstruction[] {
  const out: DockerInstruction[] = [];
  let pending: { text: string; line: number } | null = null;
  text.split("\n").forEach((raw, index) => {
    const line = raw.replace(/\r$/, "");
    const trimmed = line.trim();
    // Comment lines are dropped, even in the middle of a continued instruction (as Docker does).
    if (trimmed.startsWith("#") || (trimmed === "" && pending === null)) return;
    const continued = /\\\s*$/.test(line);
    const part = continued ? line.replace(/\\\s*$/, "") : line;
    pending =
      pending === null ? { text: part, line: index + 1 } : { ...pending, text: `${pending.text} ${part}` };
    if (!continued) {
      const match = /^\s*(\S+)\s*([\s\S]*)$/.exec(pending.text);
      if (match !== null) {
        out.push({
          keyword: (match[1] ?? "").toUpperCase(),
          args: (match[2] ?? "").trim(),
          line: pending.line,
        });
      }
      pending = null;
    }
  });
  return out;
}

/** The array of an exec-form argument (`["a", "b"]`), or null for the shell form. */
export function parseExecForm(args: string): string[] | null {
  if (!args.trimStart().startsWith("[")) return null;
  const value: unknown = JSON.parse(args);
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    throw new Error(`not an exec-form array: ${args}`);
  }
  return value;
}

/** Leading `--name=value` flags and the rest of the arguments. */
export function splitFlags(args: string): { flags: Map<string, string>; rest: string } {
  const flags = new Map<string, string>();
  let rest = args.trim();
  for (;;) {
    const match = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest);
    if (match === null) return { flags, rest };
    flags.set(match[1] ?? "", match[2] ?? "");
    rest = rest.slice(match[0].length);
  }
}

/** The `KEY=value` pairs of ENV, ARG or LABEL (double-quoted values allowed; `ARG NAME` has value ""). */
export function parseKeyValues(args: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_.-]*)(?:=("(?:[^"\\]|\\.)*"|\S*))?/g)) {
    const raw = match[2] ?? "";
    out.set(match[1] ?? "", raw.startsWith('"') ? (JSON.parse(raw) as string) : raw);
  }
  return out;
}

/** All instructions with `keyword`. */
export function findAll(instructions: readonly DockerInstruction[], keyword: string): DockerInstruction[] {
  return instructions.filter((i) => i.keyword === keyword);
}

/** Reads and parses `<dir>/Dockerfile`. */
export function readDockerfile(dir: string): DockerInstruction[] {
  return parseDockerfile(readFileSync(join(dir, "Dockerfile"), "utf8"));
}

function globToRegExp(pattern: string): RegExp {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] ?? "";
    if (char === "*" && pattern[i + 1] === "*") {
      out += ".*";
      i++;
    } else if (char === "*") out += "[^/]*";
    else if (char === "?") out += "[^/]";
    else out += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  // A pattern also excludes everything below a matching directory.
  return new RegExp(`^${out}(?:/.*)?$`);
}

/** True when .dockerignore `patterns` keep `path` (relative to the context) out of the build context. */
export function isDockerIgnored(patterns: readonly string[], path: string): boolean {
  let ignored = false;
  for (const line of patterns) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const negated = trimmed.startsWith("!");
    const pattern = (negated ? trimmed.slice(1) : trimmed).replace(/^\/+|\/+$/g, "");
    if (globToRegExp(pattern).test(path)) ignored = !negated;
  }
  return ignored;
}
