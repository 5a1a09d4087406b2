/**
 * Offline checks of docker-compose.yml (no Docker engine here): dclint validates it against the
 * Compose schema and its rules with zero errors and warnings; every command a service runs is a real
 * command (our CLI with `--help`, and Redis' own flags on a local redis-server); and the settings the
 * service depends on are there: Redis AOF + noeviction + volume + healthcheck, init, a stop grace
 * period above the job timeout plus the shutdown slack, shm for Chromium, the data volume, the env
 * file, the port, and the start order on a healthy Redis. Redis is published on the host only through
 * the override file docker-compose.redis-port.yml (loopback, REDIS_HOST_PORT), which the README names.
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Redis } from "ioredis";
import { parse as parseYaml } from "yaml";
import { findRedisServer, probeRedis } from "../../../src/cli/embedded-redis.ts";
import { loadConfig } from "../../../src/config/load.ts";
import { waitFor } from "../../support/child-process.ts";
import { assertRealCliCommand, PROJECT_ROOT } from "../../support/cli-command.ts";
import { findAll, parseKeyValues, readDockerfile } from "../../support/dockerfile.ts";
import { findFreePort } from "../../support/redis-server.ts";

const COMPOSE_FILE = join(PROJECT_ROOT, "docker-compose.yml");
const REDIS_PORT_OVERRIDE = join(PROJECT_ROOT, "docker-compose.redis-port.yml");
const DCLINT = join(PROJECT_ROOT, "node_modules", "dclint", "bin", "dclint.cjs");
/** start.ts gives shutdown jobs.timeoutMs plus this slack (SHUTDOWN_SLACK_MS) before forcing the exit. */
const SHUTDOWN_SLACK_MS = 10_000;

type Service = Record<string, unknown> & {
  build?: unknown;
  image?: string;
  command?: unknown;
  environment?: Record<string, string>;
  volumes?: string[];
};
const compose = parseYaml(await readFile(COMPOSE_FILE, "utf8")) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const exampleConfig = loadConfig({
  env: { WECHAT_FEED_CONFIG: "config/wechat-feed.example.yaml" },
  cwd: PROJECT_ROOT,
});
/** Services built from our Dockerfile (the app); the others use published images. */
const appServices = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);

interface LintResult {
  readonly errorCount: number;
  readonly warningCount: number;
  readonly messages: readonly { readonly type: string; readonly rule: string; readonly message: string }[];
}

function dclint(file: string): Promise<LintResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [DCLINT, file, "-f", "json"], { timeout: 30_000 }, (error, stdout) => {
      try {
        const [result] = JSON.parse(stdout) as LintResult[];
        if (result === undefined) throw new Error("no result");
        resolve(result);
      } catch (parseError) {
        reject(new Error(`dclint printed no JSON (${String(error ?? parseError)}): ${stdout}`));
      }
    });
  });
}

/** True when a service's workers leave the archive to the archiver (WORKER_ARCHIVE=false, as loaded). */
function writesNoArchive(service: Service): boolean {
  const value = service.environment?.WORKER_ARCHIVE;
  if (value === undefined) return false;
  return !loadConfig({ env: { WORKER_ARCHIVE: value }, cwd: PROJECT_ROOT }).worker.archive;
}

/** Compose durations: `150s`, `2m30s`, `1h`. */
function toMs(duration: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...duration.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  assert.ok(parts.length > 0 && parts.map((p) => p[0]).join("") === duration, `duration ${duration}`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * (units[p[2] ?? ""] ?? 0), 0);
}

/** Compose byte sizes: `1gb`, `512m`. */
function toBytes(size: string): number {
  const match = /^(\d+)([kmg]?)b?$/i.exec(size);
  assert.ok(match !== null, `size ${size}`);
  const power = { "": 0, k: 1, m: 2, g: 3 }[(match[2] ?? "").toLowerCase()] ?? 0;
  return Number(match[1]) * 1024 ** power;
}

function commandOf(service: Service, name: string): string[] {
  assert.ok(Array.isArray(service.command), `${name}: command must be an exec-form list`);
  return service.command as string[];
}

describe("docker-compose.yml", () => {
  it("passes dclint (Compose schema and rules) with no errors or warnings", async () => {
    const result = await dclint(COMPOSE_FILE);
    const shown = result.messages.map((m) => `${m.type} ${m.rule}: ${m.message}`).join("\n");
    assert.equal(result.errorCount, 0, shown);
    assert.equal(result.warningCount, 0, shown);
  });

  it("dclint does reject a schema error in this file (the validator is live)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wf-compose-"));
    try {
      const broken = (await readFile(COMPOSE_FILE, "utf8")).replace("init: true", "init: [true]");
      const file = join(dir, "docker-compose.yml");
      await writeFile(file, broken);
      const result = await dclint(file);
      assert.ok(
        result.messages.some((m) => m.rule === "invalid-schema"),
        JSON.stringify(result.messages),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("runs a real CLI command in every service built from the Dockerfile", async () => {
    assert.ok(appServices.length >= 1);
    for (const [name, service] of appServices) {
      await assertRealCliCommand(commandOf(service, name), `service ${name}`);
    }
    const [, main] = appServices.find(([, s]) => s.profiles === undefined) ?? [];
    assert.ok(main !== undefined, "a service without a profile runs by default");
    const roles = commandOf(main, "default service").join(" ");
    assert.match(roles, /start --role all$/, "the default service runs every role");
  });

  it("runs a scalable stateless worker service next to the one service that owns the volume", () => {
    const worker = compose.services.worker;
    assert.ok(worker !== undefined, "a `worker` service");
    assert.match(commandOf(worker, "worker").join(" "), /start --role worker$/);
    assert.ok(writesNoArchive(worker), "its workers leave the archive to the archiver");
    assert.equal(
      (worker as { profiles?: unknown }).profiles,
      undefined,
      "`--scale worker=N` needs no profile",
    );
    assert.equal((worker.deploy as { replicas?: number } | undefined)?.replicas, 0, "none unless scaled");
    assert.equal(worker.ports, undefined, "no published port, so it scales");
    const owners = appServices.filter(([, s]) => !writesNoArchive(s) && s.deploy === undefined);
    assert.deepEqual(
      owners.map(([name]) => name),
      ["wechat-feed"],
    );
    assert.match(
      commandOf(owners[0]?.[1] ?? {}, "owner").join(" "),
      /start --role all$/,
      "it runs the archiver",
    );
  });

  it("runs Redis with AOF every second and noeviction (checked on a local redis-server)", async (t) => {
    const binary = findRedisServer(process.env);
    const redis = compose.services.redis ?? {};
    assert.ok(redis.image?.startsWith("redis:7"), "redis:7 service");
    const [program, ...flags] = commandOf(redis, "redis");
    assert.equal(program, "redis-server");
    if (binary === null) {
      t.skip("redis-server is not installed: the flags are not run");
      return;
    }
    const dir = await mkdtemp(join(tmpdir(), "wf-compose-redis-"));
    const port = await findFreePort();
    const child = spawn(binary, [...flags, "--port", String(port), "--bind", "127.0.0.1", "--dir", dir], {
      stdio: "ignore",
    });
    const client = new Redis({ host: "127.0.0.1", port, lazyConnect: true });
    try {
      await waitFor(async () => (await probeRedis("127.0.0.1", port)) === "pong", {
        timeoutMs: 10_000,
        what: "redis-server with the compose flags",
      });
      await client.connect();
      const get = async (key: string) => ((await client.config("GET", key)) as string[])[1];
      assert.equal(await get("appendonly"), "yes");
      assert.equal(await get("appendfsync"), "everysec");
      assert.equal(await get("maxmemory-policy"), "noeviction");
    } finally {
      client.disconnect();
      child.kill("SIGKILL");
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("gives Redis a named volume and a healthcheck the app waits for", () => {
    const redis = compose.services.redis as Service & { healthcheck?: { test?: string[] } };
    const volume = (redis.volumes ?? []).find((v) => v.endsWith(":/data"))?.split(":")[0] ?? "";
    assert.ok(compose.volumes !== undefined && volume in compose.volumes, `redis volume ${volume}`);
    assert.match((redis.healthcheck?.test ?? []).join(" "), /redis-cli ping/);
    for (const [name, service] of appServices) {
      const dependsOn = service.depends_on as Record<string, { condition?: string }> | undefined;
      assert.equal(dependsOn?.redis?.condition, "service_healthy", name);
      assert.equal(service.environment?.REDIS_URL, "redis://redis:6379", name);
    }
  });

  it("runs the app with init, enough shm and a stop grace period above the job timeout", () => {
    const needed = exampleConfig.jobs.timeoutMs + SHUTDOWN_SLACK_MS;
    for (const [name, service] of appServices) {
      assert.equal(service.init, true, `${name}: init`);
      assert.ok(toBytes(String(service.shm_size)) >= 1024 ** 3, `${name}: shm_size ${service.shm_size}`);
      const grace = toMs(String(service.stop_grace_period));
      assert.ok(grace > needed, `${name}: stop_grace_period ${grace} ms <= ${needed} ms`);
      assert.equal(service.restart, "unless-stopped", name);
    }
  });

  it("keeps the data in a named volume at DATA_DIR, mounted only where the archive is written, and reads an optional .env", () => {
    const workdir = findAll(readDockerfile(PROJECT_ROOT), "WORKDIR").at(-1)?.args;
    for (const [name, service] of appServices) {
      const dataDir = service.environment?.DATA_DIR ?? "";
      assert.equal(dataDir, "/data", name);
      const volume = (service.volumes ?? []).find((v) => v.split(":")[1] === dataDir)?.split(":")[0] ?? "";
      if (writesNoArchive(service)) {
        assert.equal(volume, "", `${name}: a worker without the archive mounts no data volume`);
        continue;
      }
      assert.ok(compose.volumes !== undefined && volume in compose.volumes, `${name}: data volume ${volume}`);
      assert.ok(
        (service.volumes ?? []).includes(`./config:${workdir}/config:ro`),
        `${name}: ./config mounted read-only where the app looks for it (${workdir}/config)`,
      );
      const envFiles = service.env_file as { path: string; required?: boolean }[] | undefined;
      assert.ok(
        envFiles?.some((f) => f.path === ".env" && f.required === false),
        `${name}: .env optional`,
      );
    }
  });

  it("publishes the port the service listens on", () => {
    const exposed = findAll(readDockerfile(PROJECT_ROOT), "ENV")
      .map((i) => parseKeyValues(i.args).get("PORT"))
      .find((p) => p !== undefined);
    const servers = appServices.filter(([, s]) => Array.isArray(s.ports));
    assert.equal(servers.length, 1, "exactly one service publishes the HTTP port");
    const [name, service] = servers[0] ?? ["", {}];
    const port = String(service.environment?.PORT ?? exposed);
    assert.equal(port, String(exampleConfig.server.port));
    const published = (service.ports as string[]).map((p) => p.split(":").at(-1));
    assert.ok(published.includes(port), `${name}: ports ${String(service.ports)}`);
  });

  it("publishes no Redis port by default, so a Redis already on the host is no conflict", () => {
    const redis = compose.services.redis ?? {};
    assert.equal(redis.ports, undefined, `redis publishes ${String(redis.ports)}`);
    assert.equal(redis.network_mode, undefined, "redis must stay on the compose network");
  });
});

describe("docker-compose.redis-port.yml", () => {
  it("passes dclint and publishes only Redis, on loopback at REDIS_HOST_PORT (default 6379)", async () => {
    const result = await dclint(REDIS_PORT_OVERRIDE);
    assert.equal(result.errorCount + result.warningCount, 0, JSON.stringify(result.messages));
    const override = parseYaml(await readFile(REDIS_PORT_OVERRIDE, "utf8")) as {
      name?: string;
      services: Record<string, Service>;
    };
    assert.equal(override.name, (compose as { name?: string }).name, "same project name as the main file");
    assert.deepEqual(Object.keys(override.services), ["redis"]);
    // Compose interpolation syntax, not a JavaScript template: REDIS_HOST_PORT with 6379 as default.
    const published = ["127.0.0.1:", "$", "{REDIS_HOST_PORT:-6379}:6379"].join("");
    assert.deepEqual(override.services.redis, { ports: [published] });
  });

  it("is documented in the README's compose section and .env.example, with REDIS_HOST_PORT", async () => {
    const readme = await readFile(join(PROJECT_ROOT, "README.md"), "utf8");
    const section = readme.slice(
      readme.indexOf("### With docker compose"),
      readme.indexOf("\n## ", readme.indexOf("### With docker compose")),
    );
    assert.match(section, /-f docker-compose\.yml -f docker-compose\.redis-port\.yml/);
    assert.match(section, /REDIS_HOST_PORT/);
    const envExample = await readFile(join(PROJECT_ROOT, ".env.example"), "utf8");
    assert.match(envExample, /docker-compose\.redis-port\.yml[\s\S]*\nREDIS_HOST_PORT=/);
  });
});

describe("docker-compose.egress.yml", () => {
  const EGRESS_OVERRIDE = join(PROJECT_ROOT, "docker-compose.egress.yml");

  it("passes dclint and runs two worker groups, each in its own egress and on its own host address", async () => {
    const result = await dclint(EGRESS_OVERRIDE);
    assert.equal(result.errorCount + result.warningCount, 0, JSON.stringify(result.messages));
    // The yaml package resolves the `<<` merge keys the way Compose does.
    const override = parseYaml(await readFile(EGRESS_OVERRIDE, "utf8"), { merge: true }) as {
      name?: string;
      services: Record<string, Service & { networks?: string[] }>;
      networks: Record<string, { driver_opts?: Record<string, string> }>;
    };
    assert.equal(override.name, (compose as { name?: string }).name, "same project name as the main file");
    const workers = Object.entries(override.services).filter(([name]) => name !== "redis");
    assert.equal(workers.length, 2);
    const egresses = new Set<string>();
    const addresses = new Set<string>();
    for (const [name, service] of workers) {
      const roles = commandOf(service, name);
      assert.match(roles.join(" "), /start --role worker$/, name);
      await assertRealCliCommand(roles, `service ${name}`);
      const egress = service.environment?.WORKER_EGRESS ?? "";
      assert.ok(
        loadConfig({ env: { WORKER_EGRESS: egress }, cwd: PROJECT_ROOT }).worker.egress === egress,
        name,
      );
      egresses.add(egress);
      assert.deepEqual(service.networks?.length, 1, `${name}: one network, so one outbound address`);
      const network = override.networks[service.networks?.[0] ?? ""];
      addresses.add(network?.driver_opts?.["com.docker.network.host_ipv4"] ?? "");
      assert.ok(writesNoArchive(service), `${name}: leaves the archive to the archiver`);
      assert.ok(!service.volumes?.some((v) => v.startsWith("wechat-feed-data:")), `${name}: no data volume`);
    }
    assert.equal(egresses.size, 2, "two egress groups");
    assert.equal(addresses.size, 2, "two host addresses");
    assert.deepEqual(override.services.redis?.networks, ["default", ...Object.keys(override.networks)]);
  });

  it("is named in the README's Scaling out section", async () => {
    const readme = await readFile(join(PROJECT_ROOT, "README.md"), "utf8");
    const section = readme.slice(
      readme.indexOf("## Scaling out"),
      readme.indexOf("\n## ", readme.indexOf("## Scaling out") + 3),
    );
    assert.match(section, /-f docker-compose\.yml -f docker-compose\.egress\.yml/);
  });
});
