/**
 * Offline checks of the Dockerfile (no Docker engine here): the base image is pinned to a Node major
 * that satisfies package.json's engines, the process runs as a non-root user, the healthcheck really
 * tells a healthy /healthz from an unhealthy or absent one, Playwright drives the system Chromium and
 * never downloads one, every COPY source exists in the build context, `npm ci --omit=dev` keeps every
 * package the code imports at run time, and the CMD is a real CLI command.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../../../src/config/load.ts";
import { CHROMIUM_PATHS } from "../../../src/fetchers/chromium.ts";
import { assertRealCliCommand, PROJECT_ROOT, startNodeFlags } from "../../support/cli-command.ts";
import {
  type DockerInstruction,
  findAll,
  isDockerIgnored,
  parseExecForm,
  parseKeyValues,
  readDockerfile,
  splitFlags,
} from "../../support/dockerfile.ts";
import { findFreePort } from "../../support/redis-server.ts";

const instructions = readDockerfile(PROJECT_ROOT);
const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as {
  engines: { node: string };
  dependencies: Record<string, string>;
};
const env = new Map(findAll(instructions, "ENV").flatMap((i) => [...parseKeyValues(i.args)]));
const args = new Map(findAll(instructions, "ARG").flatMap((i) => [...parseKeyValues(i.args)]));

function only(keyword: string): DockerInstruction {
  const found = findAll(instructions, keyword);
  assert.equal(found.length, 1, `expected exactly one ${keyword}`);
  return found[0] as DockerInstruction;
}

function runRuns(): string[] {
  return findAll(instructions, "RUN").map((i) => i.args);
}

describe("Dockerfile", () => {
  it("starts from a Node image pinned to a major that satisfies package.json engines", () => {
    const from = only("FROM").args;
    const match = /^node:(\d+)(?:\.(\d+))?(?:\.\d+)?-bookworm-slim$/.exec(from);
    assert.ok(match !== null, `FROM ${from}: expected node:<major>-bookworm-slim`);
    const engines = /^>=\s*(\d+)(?:\.(\d+))?/.exec(pkg.engines.node);
    assert.ok(engines !== null, `engines.node ${pkg.engines.node}`);
    const [major, minor] = [Number(match[1]), match[2] === undefined ? null : Number(match[2])];
    const [needMajor, needMinor] = [Number(engines[1]), Number(engines[2] ?? 0)];
    assert.ok(major >= needMajor, `node ${major} in FROM is older than engines ${pkg.engines.node}`);
    // A bare major tag follows that line's newest release; an explicit minor must be new enough itself.
    if (major === needMajor && minor !== null) assert.ok(minor >= needMinor, `FROM ${from}`);
  });

  it("runs as a non-root user that owns the data directory", () => {
    const cmdIndex = instructions.findIndex((i) => i.keyword === "CMD");
    const users = instructions.slice(0, cmdIndex).filter((i) => i.keyword === "USER");
    const user = users.at(-1)?.args;
    assert.ok(user !== undefined, "no USER before CMD");
    assert.ok(!/^(root|0)(:.*)?$/.test(user), `USER ${user}`);
    assert.equal(env.get("DATA_DIR"), "/data");
    assert.ok(
      runRuns().some((run) => run.includes("/data") && run.includes(`chown ${user}`)),
      "no RUN gives /data to the user",
    );
  });

  it("uses the system Chromium headless shell through Playwright and never downloads a browser", () => {
    const all = instructions.map((i) => `${i.keyword} ${i.args}`).join("\n");
    assert.doesNotMatch(all, /playwright\s+install/);
    assert.equal(env.get("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"), "1");
    // The binary the app itself prefers, from the package installed below.
    assert.equal(env.get("CHROMIUM_PATH"), CHROMIUM_PATHS[0]);
    assert.match(CHROMIUM_PATHS[0] ?? "", /\/chromium-headless-shell$/);
    const install = runRuns().find((run) => /apt-get install/.test(run)) ?? "";
    for (const name of ["chromium-headless-shell", "fonts-noto-cjk"]) {
      assert.match(install, new RegExp(`\\s${name}(\\s|$)`), `apt-get install lacks ${name}`);
    }
  });

  it("runs node with the flags of package.json's start script", () => {
    const flags = startNodeFlags();
    assert.ok(flags.length > 0, "the start script passes no node flags");
    assert.equal(env.get("NODE_OPTIONS"), flags.join(" "));
  });

  it("pins the Playwright version of package.json and checks it at build time", () => {
    assert.equal(args.get("PLAYWRIGHT_VERSION"), pkg.dependencies.playwright);
    assert.ok(
      runRuns().some((run) => run.includes("playwright/package.json") && run.includes("PLAYWRIGHT_VERSION")),
      "no build step compares the installed Playwright with PLAYWRIGHT_VERSION",
    );
  });

  it("copies only sources that exist and that .dockerignore keeps in the context", () => {
    const ignore = readFileSync(join(PROJECT_ROOT, ".dockerignore"), "utf8").split("\n");
    const copies = findAll(instructions, "COPY");
    assert.ok(copies.length > 0);
    for (const copy of copies) {
      const { flags, rest } = splitFlags(copy.args);
      if (flags.has("from")) continue;
      const parts = parseExecForm(rest) ?? rest.split(/\s+/);
      for (const source of parts.slice(0, -1)) {
        const path = source.replace(/^\.\//, "");
        assert.ok(statSync(join(PROJECT_ROOT, path), { throwIfNoEntry: false }), `COPY ${source}: missing`);
        assert.ok(!isDockerIgnored(ignore, path), `COPY ${source}: excluded by .dockerignore`);
      }
    }
    for (const secret of [".env", "node_modules", ".git", "data"]) {
      assert.ok(isDockerIgnored(ignore, secret), `.dockerignore should exclude ${secret}`);
    }
  });

  it("installs with --omit=dev, and every package the code imports at run time is a dependency", () => {
    assert.ok(
      runRuns().some((run) => /npm ci\b.*--omit=dev/.test(run)),
      "no `npm ci --omit=dev`",
    );
    const builtins = new Set(builtinModules);
    const imported = new Set<string>();
    const visit = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) visit(full);
        else if (/\.[cm]?[jt]s$/.test(entry.name)) {
          const text = readFileSync(full, "utf8");
          // `import type` is erased; `import { type X }` is not (verbatimModuleSyntax keeps it).
          const specs = [
            ...text.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^;]*?\sfrom\s+"([^"]+)"/gm),
            ...text.matchAll(/^\s*import\s+"([^"]+)"/gm),
            ...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g),
          ].map((m) => m[1] ?? "");
          for (const spec of specs) {
            if (spec.startsWith(".") || spec.startsWith("node:") || builtins.has(spec)) continue;
            const parts = spec.split("/");
            imported.add(spec.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? spec));
          }
        }
      }
    };
    visit(join(PROJECT_ROOT, "src"));
    visit(join(PROJECT_ROOT, "bin"));
    assert.ok(imported.has("tsx"), "bin/ runs through tsx");
    const missing = [...imported].filter((name) => pkg.dependencies[name] === undefined).sort();
    assert.deepEqual(
      missing,
      [],
      "imported at run time but not in dependencies (npm ci --omit=dev drops them)",
    );
  });

  it("exposes the port the service listens on by default", () => {
    const config = loadConfig({
      env: { WECHAT_FEED_CONFIG: "config/wechat-feed.example.yaml" },
      cwd: PROJECT_ROOT,
    });
    assert.equal(only("EXPOSE").args, String(config.server.port));
    assert.equal(env.get("PORT"), String(config.server.port));
  });

  it("runs a real CLI command", async () => {
    const cmd = parseExecForm(only("CMD").args);
    assert.ok(cmd !== null, "CMD must use the exec form (signals reach node)");
    await assertRealCliCommand(cmd, "Dockerfile CMD");
  });

  describe("HEALTHCHECK", () => {
    let server: Server;
    let status = 200;
    let port = 0;
    const check = only("HEALTHCHECK");
    const { flags, rest } = splitFlags(check.args);
    const command = parseExecForm(rest.replace(/^CMD\s+/, "")) ?? [];

    before(async () => {
      server = createServer((req, res) => {
        res.writeHead(req.url === "/readyz" ? status : 404).end("{}");
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const address = server.address();
      port = typeof address === "object" && address !== null ? address.port : 0;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const runCheck = (checkPort: number) =>
      new Promise<number | null>((resolve) => {
        const [program, ...rest2] = command;
        assert.equal(program, "node", "the slim image has no curl: the check must use node");
        execFile(process.execPath, rest2, { env: { PORT: String(checkPort) }, timeout: 10_000 }, (error) =>
          resolve(error === null ? 0 : typeof error.code === "number" ? error.code : null),
        );
      });

    it("is an exec-form node command against /readyz with a timeout", () => {
      assert.ok(command.length > 0, `HEALTHCHECK ${check.args}`);
      assert.ok(command.join(" ").includes("/readyz"));
      assert.ok(flags.has("timeout") && flags.has("interval"), "interval and timeout set");
    });

    it("passes while /readyz answers 200", async () => {
      status = 200;
      assert.equal(await runCheck(port), 0);
    });

    it("fails while /readyz answers 503 (Redis down)", async () => {
      status = 503;
      assert.equal(await runCheck(port), 1);
    });

    it("fails when nothing listens", async () => {
      assert.equal(await runCheck(await findFreePort()), 1);
    });
  });
});
