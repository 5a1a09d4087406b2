/**
 * Loads the configuration once at boot: picks the YAML file (WECHAT_FEED_CONFIG, else
 * config/wechat-feed.yaml, else the example), applies the environment overrides, validates with the zod
 * schema and returns a deep-frozen Config. This is the only reader of the config file and of the
 * environment's config variables; callers pass `process.env` in, so tests never touch the real one.
 * Every problem becomes a ConfigError whose message is one line naming the file, the key and the problem
 * (the first, counting the rest); `details.problems` holds every problem as such a line.
 */
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { ConfigError } from "../errors.ts";
import { type Config, ConfigSchema, findSimilarKey } from "./schema.ts";

/** Where loadConfig looks for its inputs. */
export interface LoadConfigOptions {
  /** The environment, normally `process.env`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory that relative paths (config file, DATA_DIR) are resolved against. */
  readonly cwd: string;
}

/** Environment variables that override a config key, with the key path they set. */
export const ENV_OVERRIDES: Readonly<Record<string, readonly string[]>> = {
  REDIS_URL: ["redis", "url"],
  REDIS_PREFIX: ["redis", "prefix"],
  DATA_DIR: ["dataDir"],
  PORT: ["server", "port"],
  PUBLIC_URL: ["server", "publicUrl"],
  API_TOKEN: ["server", "apiToken"],
  CHROMIUM_PATH: ["browser", "executablePath"],
  LOG_LEVEL: ["log", "level"],
  WORKER_EGRESS: ["worker", "egress"],
  WORKER_ARCHIVE: ["worker", "archive"],
  FETCH_LOCAL_ADDRESS: ["fetch", "localAddress"],
  IMAGE_PROXY_SECRET: ["imageProxy", "secret"],
  FEED_TOKEN: ["feeds", "token"],
  SUMMARIZE_API_KEY: ["summarize", "apiKey"],
};

/** Keys whose values are secrets (see also REDACT_PATHS in logger.ts). */
const SECRET_KEYS: ReadonlySet<string> = new Set(["apiToken", "secret", "token", "apiKey"]);

const DEFAULT_FILE = "config/wechat-feed.yaml";
const EXAMPLE_FILE = "config/wechat-feed.example.yaml";

/** The absolute path of the config file loadConfig reads (it may not exist). */
export function resolveConfigPath(options: LoadConfigOptions): string {
  const chosen = nonEmpty(options.env.WECHAT_FEED_CONFIG);
  if (chosen !== undefined) return path.resolve(options.cwd, chosen);
  const preferred = path.resolve(options.cwd, DEFAULT_FILE);
  return isFile(preferred) ? preferred : path.resolve(options.cwd, EXAMPLE_FILE);
}

/** Reads, overrides, validates and deep-freezes the configuration; throws ConfigError on any problem. */
export function loadConfig(options: LoadConfigOptions): Config {
  const file = resolveConfigPath(options);
  const shown = displayPath(file, options.cwd);
  const failAll = (problems: readonly string[]): never => {
    const lines = problems.map((problem) => `config: ${shown}: ${problem}`);
    const more = lines.length > 1 ? ` (and ${lines.length - 1} more problem(s))` : "";
    throw new ConfigError("CONFIG_INVALID", `${lines[0] ?? `config: ${shown}: invalid`}${more}`, {
      file,
      problems: lines,
    });
  };
  const fail = (problem: string): never => failAll([problem]);

  if (nonEmpty(options.env.WECHAT_FEED_CONFIG) === undefined && !isFile(file)) {
    return fail(`file not found, nor ${DEFAULT_FILE}; create one or set WECHAT_FEED_CONFIG`);
  }
  const raw = stripNulls(readYaml(file, fail)) ?? {};
  if (typeof raw !== "object" || Array.isArray(raw)) return fail("the top level must be a mapping of keys");
  const fromEnv = applyEnv(raw as Record<string, unknown>, options.env);

  const result = ConfigSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    const problems = result.error.issues.flatMap((issue) => describeIssue(issue, fromEnv));
    return failAll(problems.length > 0 ? problems : ["invalid configuration"]);
  }

  const config = result.data;
  const configDir = path.dirname(file);
  const missing: string[] = [];
  const sources = config.sources.map((source, index) => {
    if (source.type !== "urls" || source.file === undefined) return source;
    const resolved = path.resolve(configDir, source.file);
    if (!isFile(resolved)) missing.push(`sources[${index}].file: file not found: ${resolved}`);
    return { ...source, file: resolved };
  });
  if (missing.length > 0) failAll(missing);
  return deepFreeze({ ...config, dataDir: path.resolve(options.cwd, config.dataDir), sources });
}

function readYaml(file: string, fail: (problem: string) => never): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return fail("file not found (check WECHAT_FEED_CONFIG)");
    if (code === "EISDIR") return fail("is a directory, not a YAML file");
    return fail(`cannot read file (${code ?? String(error)})`);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const error = doc.errors[0];
  if (error !== undefined) {
    const where = error.linePos?.[0];
    const reason = (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
    return fail(
      `${where === undefined ? "" : `line ${where.line}, column ${where.col}: `}invalid YAML: ${reason}`,
    );
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (caught) {
    return fail(`invalid YAML: ${caught instanceof Error ? caught.message : String(caught)}`);
  }
}

// `apiToken:` with nothing after it reads as null in YAML; treat it like an absent key so the example
// can list optional keys without values.
function stripNulls(value: unknown): unknown {
  if (value === null) return undefined;
  if (Array.isArray(value)) return value.map((item) => (item === null ? null : stripNulls(item)));
  if (typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    // defineProperty, not assignment: a `__proto__:` key must stay a (rejected) key, not a prototype.
    if (child !== null)
      Object.defineProperty(out, key, { value: stripNulls(child), enumerable: true, writable: true });
  }
  return out;
}

/** Writes env overrides into `raw`; returns the dotted key paths it set, mapped to the variable name. */
function applyEnv(raw: Record<string, unknown>, env: LoadConfigOptions["env"]): Map<string, string> {
  const applied = new Map<string, string>();
  for (const [name, keyPath] of Object.entries(ENV_OVERRIDES)) {
    const value = nonEmpty(env[name]);
    if (value === undefined) continue;
    let target: Record<string, unknown> | undefined = raw;
    for (const key of keyPath.slice(0, -1)) {
      const next: unknown = target[key] ?? {};
      // A non-mapping here (`server: 8080`) is the file's own error; the schema reports it.
      if (typeof next !== "object" || next === null || Array.isArray(next)) {
        target = undefined;
        break;
      }
      target[key] = next;
      target = next as Record<string, unknown>;
    }
    if (target === undefined) continue;
    target[keyPath.at(-1) ?? ""] = toEnvValue(name, value);
    applied.set(keyPath.join("."), name);
  }
  return applied;
}

/** The typed value of an override: PORT as a number, WORKER_ARCHIVE `true`/`false` as a boolean. */
function toEnvValue(name: string, value: string): unknown {
  if (name === "PORT" && /^\d+$/.test(value)) return Number(value);
  if (name === "WORKER_ARCHIVE" && (value === "true" || value === "false")) return value === "true";
  return value;
}

/** One-line descriptions (`key.path: problem`) of a zod issue. */
function describeIssue(issue: z.core.$ZodIssue, fromEnv: Map<string, string>): string[] {
  // Never echo the value of a secret into an error message that may end up in logs.
  const hidden = SECRET_KEYS.has(String(issue.path.at(-1)));
  const got = (value: unknown) => describeValue(value, hidden);
  const at = (extra: readonly PropertyKey[] = []) => {
    const segments = [...issue.path, ...extra];
    const dotted = formatPath(segments);
    const envName = fromEnv.get(segments.filter((s) => typeof s === "string").join("."));
    return envName === undefined ? dotted : `${dotted} (env ${envName})`;
  };
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => `${at([key])}: unknown key${suggest(issue.path, key)}`);
    case "invalid_type":
      if (issue.input === undefined) return [`${at()}: required key is missing`];
      return [
        `${at()}: expected ${describeType(issue.expected)}, got ${got(issue.input)}` +
          (issue.expected === "string" && typeof issue.input !== "object" ? " (quote it)" : ""),
      ];
    case "invalid_union":
      if (issue.discriminator !== undefined && "options" in issue) {
        const options = issue.options?.map(String).join(", ") ?? "";
        const value = (issue.input as Record<string, unknown> | undefined)?.[issue.discriminator];
        return [`${at()}: expected one of ${options}, got ${value === undefined ? "nothing" : got(value)}`];
      }
      return [`${at()}: ${issue.message}`];
    case "invalid_value":
      return [`${at()}: expected one of ${issue.values.map(String).join(", ")}, got ${got(issue.input)}`];
    case "too_small":
    case "too_big":
      return [
        `${at()}: ${issue.message.replace(/^Too (small|big): /, "")}, got ${describeSize(issue.input, hidden)}`,
      ];
    default:
      return [`${at()}: ${issue.message}`];
  }
}

function formatPath(segments: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? String(segment) : `.${String(segment)}`;
  }
  return out === "" ? "(top level)" : out;
}

function describeType(expected: string): string {
  const names: Record<string, string> = {
    int: "an integer",
    number: "a number",
    string: "a string",
    boolean: "true or false",
    array: "a list",
    object: "a mapping",
  };
  return names[expected] ?? expected;
}

function describeValue(value: unknown, hidden = false): string {
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object" && value !== null) return "a mapping";
  if (hidden) return `a ${typeof value}`;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function describeSize(value: unknown, hidden: boolean): string {
  if (typeof value === "string") return `${value.length} character(s)`;
  if (Array.isArray(value)) return `${value.length} item(s)`;
  return describeValue(value, hidden);
}

/** ` (did you mean "x"?)` when a known sibling key is close to the unknown one. */
function suggest(parent: readonly PropertyKey[], key: string): string {
  const parentPath = parent.length === 0 ? "" : formatPath(parent).replace(/\[\d+\]/g, "[]");
  const similar = findSimilarKey(parentPath, key);
  return similar === undefined ? "" : ` (did you mean "${similar}"?)`;
}

function nonEmpty(value: string | undefined): string | undefined {
  // Compose env files often carry `API_TOKEN=`; an empty value means "not set".
  return value === undefined || value.trim() === "" ? undefined : value;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
