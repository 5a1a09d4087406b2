// loadConfig: file selection, defaults, env overrides, deep freezing and one-line errors naming file + key.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ENV_OVERRIDES, loadConfig, resolveConfigPath } from "../../../src/config/load.ts";
import { ConfigError } from "../../../src/errors.ts";

const projectRoot = fileURLToPath(new URL("../../../", import.meta.url));
const scratch = mkdtempSync(path.join(tmpdir(), "wf-config-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

let dirCount = 0;
/** A fresh working directory holding `files` (paths relative to it). */
function workdir(files: Record<string, string> = {}): string {
  dirCount += 1;
  const dir = path.join(scratch, `case-${dirCount}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** Loads `yaml` as config/my.yaml with extra env; returns the config. */
function load(yaml: string, env: Record<string, string | undefined> = {}) {
  const cwd = workdir({ "config/my.yaml": yaml });
  return loadConfig({ cwd, env: { WECHAT_FEED_CONFIG: "config/my.yaml", ...env } });
}

/** Loads `yaml` as config/my.yaml, expecting a ConfigError; returns its message. */
function loadError(yaml: string, env: Record<string, string | undefined> = {}): string {
  try {
    load(yaml, env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    assert.equal(error.code, "CONFIG_INVALID");
    assert.ok(!error.message.includes("\n"), `message must be one line: ${JSON.stringify(error.message)}`);
    return error.message;
  }
  assert.fail("expected loadConfig to throw");
}

const feed = (id: string, extra = "") =>
  `  - id: ${id}\n    type: feed\n    url: https://rss.example.com/${id}.xml\n${extra}`;

describe("loadConfig: file selection", () => {
  it("prefers config/wechat-feed.yaml, else the example, else WECHAT_FEED_CONFIG when set", () => {
    const both = workdir({
      "config/wechat-feed.yaml": "feeds:\n  title: mine\n",
      "config/wechat-feed.example.yaml": "feeds:\n  title: example\n",
      "other.yaml": "feeds:\n  title: other\n",
    });
    assert.equal(loadConfig({ cwd: both, env: {} }).feeds.title, "mine");
    assert.equal(loadConfig({ cwd: both, env: { WECHAT_FEED_CONFIG: "other.yaml" } }).feeds.title, "other");
    assert.equal(loadConfig({ cwd: both, env: { WECHAT_FEED_CONFIG: "" } }).feeds.title, "mine");
    const exampleOnly = workdir({ "config/wechat-feed.example.yaml": "feeds:\n  title: example\n" });
    assert.equal(loadConfig({ cwd: exampleOnly, env: {} }).feeds.title, "example");
    assert.equal(
      resolveConfigPath({ cwd: exampleOnly, env: {} }),
      path.join(exampleOnly, "config/wechat-feed.example.yaml"),
    );
  });

  it("fails in one line when neither default file exists", () => {
    assert.throws(
      () => loadConfig({ cwd: workdir(), env: {} }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /^config: config\/wechat-feed\.example\.yaml: file not found, nor config\/wechat-feed\.yaml; [^\n]+$/.test(
          error.message,
        ),
    );
  });

  it("treats an empty file as all defaults", () => {
    assert.equal(load("").server.port, 8080);
    assert.equal(load("# only a comment\n").redis.prefix, "wf");
  });
});

describe("loadConfig: defaults and derived values", () => {
  it("fills defaults and resolves dataDir against cwd", () => {
    const cwd = workdir({ "c.yaml": "{}\n" });
    const config = loadConfig({ cwd, env: { WECHAT_FEED_CONFIG: "c.yaml" } });
    assert.equal(config.dataDir, path.join(cwd, "data"));
    assert.equal(config.redis.url, "redis://127.0.0.1:6379");
    assert.equal(config.server.publicUrl, "http://localhost:8080");
    assert.equal(config.server.apiToken, undefined);
    assert.equal(config.fetch.origin, "https://mp.weixin.qq.com");
    assert.deepEqual(config.sources, []);
  });

  it("derives publicUrl from the port and strips trailing slashes", () => {
    assert.equal(load("server:\n  port: 9001\n").server.publicUrl, "http://localhost:9001");
    assert.equal(
      load("server:\n  publicUrl: https://feeds.example.org/wf/\n").server.publicUrl,
      "https://feeds.example.org/wf",
    );
    assert.equal(load("fetch:\n  origin: http://127.0.0.1:4010/\n").fetch.origin, "http://127.0.0.1:4010");
  });

  it("treats an empty YAML value as unset", () => {
    const config = load("server:\n  apiToken:\nfetch:\n  dailyBudget:\nsources:\n");
    assert.equal(config.server.apiToken, undefined);
    assert.equal(config.fetch.dailyBudget, undefined);
    assert.deepEqual(config.sources, []);
  });

  it("returns a deep-frozen object", () => {
    const config = load(`sources:\n${feed("a")}`);
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.fetch.cooldown));
    assert.ok(Object.isFrozen(config.sources));
    assert.ok(Object.isFrozen(config.sources[0]));
    assert.throws(() => {
      (config.server as { port: number }).port = 1;
    }, TypeError);
  });

  it("resolves a urls source file against the config file's directory", () => {
    const cwd = workdir({
      "config/my.yaml": "sources:\n  - id: list\n    type: urls\n    file: lists/urls.txt\n",
      "config/lists/urls.txt": "https://mp.weixin.qq.com/s/abc\n",
    });
    const config = loadConfig({ cwd, env: { WECHAT_FEED_CONFIG: "config/my.yaml" } });
    const source = config.sources[0];
    assert.ok(source !== undefined && source.type === "urls");
    assert.equal(source.file, path.join(cwd, "config/lists/urls.txt"));
  });
});

describe("loadConfig: environment overrides", () => {
  const cases: Array<[string, string, (c: ReturnType<typeof load>) => unknown, unknown]> = [
    ["REDIS_URL", "redis://redis.internal:6380/2", (c) => c.redis.url, "redis://redis.internal:6380/2"],
    ["REDIS_PREFIX", "test-abc", (c) => c.redis.prefix, "test-abc"],
    ["PORT", "9090", (c) => c.server.port, 9090],
    ["CHROMIUM_PATH", "/opt/chromium/chrome", (c) => c.browser.executablePath, "/opt/chromium/chrome"],
    ["LOG_LEVEL", "debug", (c) => c.log.level, "debug"],
    ["API_TOKEN", "token-1234567890", (c) => c.server.apiToken, "token-1234567890"],
    ["IMAGE_PROXY_SECRET", "s".repeat(32), (c) => c.imageProxy.secret, "s".repeat(32)],
    ["PUBLIC_URL", "https://feeds.example.org", (c) => c.server.publicUrl, "https://feeds.example.org"],
    ["FEED_TOKEN", "env-feed-token-0123", (c) => c.feeds.token, "env-feed-token-0123"],
    ["SUMMARIZE_API_KEY", "sk-env-123", (c) => c.summarize.apiKey, "sk-env-123"],
    ["WORKER_EGRESS", "east-2", (c) => c.worker.egress, "east-2"],
    ["FETCH_LOCAL_ADDRESS", "192.0.2.10", (c) => c.fetch.localAddress, "192.0.2.10"],
    ["WORKER_ARCHIVE", "false", (c) => c.worker.archive, false],
  ];
  const fileValues =
    "redis:\n  url: redis://file:6379\n  prefix: fromfile\nserver:\n  port: 8181\n  apiToken: file-token-123\n" +
    "  publicUrl: https://file.example.org\nbrowser:\n  executablePath: /file/chromium\nlog:\n  level: warn\n" +
    "imageProxy:\n  secret: file-secret-0123456789\ndataDir: /srv/file-data\nfeeds:\n  token: file-feed-token-0123\n" +
    "worker:\n  egress: from-file\n  archive: true\nfetch:\n  localAddress: 192.0.2.1\n";

  for (const [name, value, read, expected] of cases) {
    it(`${name} overrides the file`, () => {
      assert.notDeepEqual(
        read(load(fileValues)),
        expected,
        "the file value must differ for the test to mean anything",
      );
      assert.deepEqual(read(load(fileValues, { [name]: value })), expected);
    });
  }

  it("DATA_DIR overrides the file, resolved against cwd", () => {
    const cwd = workdir({ "c.yaml": fileValues });
    const config = loadConfig({ cwd, env: { WECHAT_FEED_CONFIG: "c.yaml", DATA_DIR: "var/wf" } });
    assert.equal(config.dataDir, path.join(cwd, "var/wf"));
  });

  it("WORKER_ARCHIVE takes only true or false, naming the variable otherwise", () => {
    assert.equal(load("", { WORKER_ARCHIVE: "true" }).worker.archive, true);
    assert.throws(() => load("", { WORKER_ARCHIVE: "no" }), /worker\.archive.*WORKER_ARCHIVE/);
  });

  it("covers every env override in the table", () => {
    const tested = new Set([...cases.map(([name]) => name), "DATA_DIR"]);
    assert.deepEqual([...tested].sort(), Object.keys(ENV_OVERRIDES).sort());
  });

  it("leaves a malformed parent key to the schema's error", () => {
    assert.equal(
      loadError("server: 8080\n", { PORT: "9000" }),
      "config: config/my.yaml: server: expected a mapping, got 8080",
    );
  });

  it("ignores empty env values", () => {
    const config = load(fileValues, { PORT: "", API_TOKEN: " ", REDIS_URL: "" });
    assert.equal(config.server.port, 8181);
    assert.equal(config.server.apiToken, "file-token-123");
    assert.equal(config.redis.url, "redis://file:6379");
  });

  it("names the env variable when its value is invalid", () => {
    assert.equal(
      loadError("", { PORT: "http" }),
      'config: config/my.yaml: server.port (env PORT): expected a number, got "http"',
    );
    assert.match(
      loadError("", { LOG_LEVEL: "verbose" }),
      /^config: config\/my\.yaml: log\.level \(env LOG_LEVEL\): /,
    );
    assert.match(
      loadError("", { WORKER_EGRESS: "East:1" }),
      /^config: config\/my\.yaml: worker\.egress \(env WORKER_EGRESS\): expected lower-case letters/,
    );
  });
});

describe("loadConfig: one-line errors naming the file and the key", () => {
  it("bad cron expression", () => {
    const message = loadError(`sources:\n${feed("a")}${feed("b", '    schedule: "*/61 * * * *"\n')}`);
    assert.match(
      message,
      /^config: config\/my\.yaml: sources\[1\]\.schedule: invalid cron expression "\*\/61 \* \* \* \*"/,
    );
    assert.match(
      loadError('digest:\n  schedule: "0 25 * * *"\n'),
      /^config: config\/my\.yaml: digest\.schedule: invalid cron/,
    );
  });

  it("duplicate source id", () => {
    const message = loadError(`sources:\n${feed("same")}${feed("other")}${feed("same")}`);
    assert.match(
      message,
      /^config: config\/my\.yaml: sources\[2\]\.id: duplicate source id "same" \(also sources\[0\]\.id\)$/,
    );
  });

  it("bad id characters", () => {
    for (const id of ["Upper", "has_underscore", "-leading", "with:colon"]) {
      const message = loadError(
        `sources:\n  - id: "${id}"\n    type: feed\n    url: https://rss.example.com/a.xml\n`,
      );
      assert.match(message, /^config: config\/my\.yaml: sources\[0\]\.id: invalid source id /, id);
      assert.ok(message.includes(JSON.stringify(id)), message);
    }
  });

  it("unknown key, with a suggestion for a near miss", () => {
    assert.equal(
      loadError("fetch:\n  cooldwn:\n    initialMs: 1000\n"),
      'config: config/my.yaml: fetch.cooldwn: unknown key (did you mean "cooldown"?)',
    );
    assert.equal(loadError("colour: red\n"), "config: config/my.yaml: colour: unknown key");
    assert.equal(loadError("__proto__:\n  polluted: 1\n"), "config: config/my.yaml: __proto__: unknown key");
    assert.match(
      loadError(`sources:\n${feed("a", "    shedule: '0 * * * *'\n")}`),
      /sources\[0\]\.shedule: unknown key \(did you mean "schedule"\?\)/,
    );
  });

  it("wrong type", () => {
    assert.equal(
      loadError("server:\n  port: 80.5\n"),
      "config: config/my.yaml: server.port: expected an integer, got 80.5",
    );
    assert.equal(
      loadError("server:\n  port: eighty\n"),
      'config: config/my.yaml: server.port: expected a number, got "eighty"',
    );
    assert.equal(
      loadError("imageProxy:\n  enabled: yes\n"),
      'config: config/my.yaml: imageProxy.enabled: expected true or false, got "yes"',
    );
    assert.equal(
      loadError("sources: {}\n"),
      "config: config/my.yaml: sources: expected a list, got a mapping",
    );
    assert.match(loadError("- a\n- b\n"), /^config: config\/my\.yaml: the top level must be a mapping/);
  });

  it("unknown source type and missing required keys", () => {
    assert.match(
      loadError("sources:\n  - id: a\n    type: rss\n    url: https://rss.example.com/a.xml\n"),
      /^config: config\/my\.yaml: sources\[0\]\.type: expected one of feed, opml, album, urls, got "rss"$/,
    );
    assert.equal(
      loadError("sources:\n  - id: a\n    type: feed\n"),
      "config: config/my.yaml: sources[0].url: required key is missing",
    );
    assert.match(
      loadError("sources:\n  - id: a\n"),
      /sources\[0\]\.type: expected one of feed, opml, album, urls, got nothing$/,
    );
    assert.match(loadError("sources:\n  - x\n"), /sources\[0\]: /);
  });

  it("bad YAML names the line", () => {
    const message = loadError("server:\n  port: 8080\n  host: [0.0.0.0\nlog:\n  level: info\n");
    assert.match(message, /^config: config\/my\.yaml: line \d+, column \d+: invalid YAML: /);
    assert.match(
      loadError("log:\n  level: info\nlog:\n  level: debug\n"),
      /^config: config\/my\.yaml: line 3, column 1: invalid YAML: Map keys must be unique$/,
    );
  });

  it("missing file", () => {
    const cwd = workdir();
    assert.throws(
      () => loadConfig({ cwd, env: { WECHAT_FEED_CONFIG: "config/nope.yaml" } }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.code === "CONFIG_INVALID" &&
        /^config: config\/nope\.yaml: file not found/.test(error.message) &&
        !error.message.includes("\n"),
    );
    const missingList = loadError("sources:\n  - id: a\n    type: urls\n    file: absent.txt\n");
    assert.match(
      missingList,
      /^config: config\/my\.yaml: sources\[0\]\.file: file not found: .*absent\.txt$/,
    );
  });

  it("reports one problem and counts the rest", () => {
    const message = loadError("server:\n  port: 0\nlog:\n  level: loud\n");
    assert.match(message, /^config: config\/my\.yaml: server\.port: .* \(and 1 more problem\(s\)\)$/);
  });

  it("never echoes a secret's value", () => {
    const short = loadError("server:\n  apiToken: sh0rt\n");
    assert.match(short, /^config: config\/my\.yaml: server\.apiToken: must be at least 8 characters/);
    assert.ok(!short.includes("sh0rt"), short);
    const numeric = loadError("imageProxy:\n  secret: 98765432109876543210\n");
    assert.match(
      numeric,
      /^config: config\/my\.yaml: imageProxy\.secret: expected a string, got a number \(quote it\)$/,
    );
    assert.ok(!loadError("", { API_TOKEN: "tiny" }).includes("tiny"));
  });

  it("image proxy enabled without a secret", () => {
    assert.match(
      loadError("imageProxy:\n  enabled: true\n"),
      /^config: config\/my\.yaml: imageProxy\.secret: required when imageProxy\.enabled/,
    );
    const config = load("imageProxy:\n  enabled: true\n", { IMAGE_PROXY_SECRET: "0123456789abcdef" });
    assert.equal(config.imageProxy.secret, "0123456789abcdef");
  });
});

describe("config/wechat-feed.example.yaml and .env.example", () => {
  const exampleFile = path.join(projectRoot, "config/wechat-feed.example.yaml");

  it("the example config loads from the project root", () => {
    const config = loadConfig({
      cwd: projectRoot,
      env: { WECHAT_FEED_CONFIG: "config/wechat-feed.example.yaml" },
    });
    assert.deepEqual(config.sources, [], "the shipped example must not poll anything");
    assert.equal(config.fetch.origin, "https://mp.weixin.qq.com");
  });

  it("states the true default of every key (loading it equals loading an empty file)", () => {
    const cwd = workdir({ "empty.yaml": "" });
    const fromExample = loadConfig({ cwd, env: { WECHAT_FEED_CONFIG: exampleFile } });
    const fromNothing = loadConfig({ cwd, env: { WECHAT_FEED_CONFIG: "empty.yaml" } });
    assert.deepEqual(fromExample, fromNothing);
  });

  it("its commented example sources are valid when uncommented", () => {
    const text = readFileSync(exampleFile, "utf8");
    const start = text.indexOf("\n# sources:\n");
    assert.ok(start > 0, "the example must keep a commented `# sources:` block");
    const block = text
      .slice(start + 1)
      .split("\n")
      .filter((line) => line.startsWith("#"))
      .map((line) => line.replace(/^# ?/, ""))
      .join("\n");
    const cwd = workdir({ "config/my.yaml": block, "config/my-urls.txt": "https://mp.weixin.qq.com/s/x\n" });
    const config = loadConfig({ cwd, env: { WECHAT_FEED_CONFIG: "config/my.yaml" } });
    assert.deepEqual([...new Set(config.sources.map((source) => source.type))].sort(), [
      "album",
      "feed",
      "opml",
      "urls",
    ]);
  });

  it(".env.example lists every variable exactly once, and nothing else", () => {
    const text = readFileSync(path.join(projectRoot, ".env.example"), "utf8");
    const listed = [...text.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]);
    // REDIS_SERVER_PATH is read by the first-start logic (src/cli/embedded-redis.ts), REDIS_HOST_PORT by compose.
    const expected = [
      ...Object.keys(ENV_OVERRIDES),
      "WECHAT_FEED_CONFIG",
      "TZ",
      "REDIS_SERVER_PATH",
      "REDIS_HOST_PORT",
    ];
    assert.deepEqual([...listed].sort(), [...expected].sort());
    for (const name of expected) {
      const commented = new RegExp(`^# .+\\n(?:# .*\\n)*${name}=`, "m");
      assert.match(text, commented, `${name} needs a comment above it`);
    }
  });
});
