/**
 * The README's run command on a fresh working copy: `node <flags> bin/wechat-feed.js start` (what
 * `npm start` runs) with the example configuration, no REDIS_URL, a temp DATA_DIR and a spare HTTP port.
 *   (a) Redis answers at redis.url: the service uses it and serves /feed.xml and a healthy /healthz
 *       within 30 s, starting no Redis of its own.
 *   (b) Nothing answers there (the example config, its redis.url moved to a spare port so the shared
 *       Redis on 6379 stays out of it): the service starts redis-server itself, keeps its AOF under
 *       DATA_DIR (a key survives a restart), serves within 30 s, and after SIGTERM that redis-server is
 *       gone. A missing Chromium is one warning, not a failure.
 *   (c) No redis-server to be found (REDIS_SERVER_PATH names a missing file, PATH is empty): exit 1
 *       with one line on stderr naming both ways to get Redis, no stack trace.
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { XMLValidator } from "fast-xml-parser";
import { Redis } from "ioredis";
import { probeRedis } from "../../src/cli/embedded-redis.ts";
import { killGroup, type ServiceChild, superviseChild, waitFor } from "../support/child-process.ts";
import { PROJECT_ROOT, startNodeFlags } from "../support/cli-command.ts";
import { ensureDist } from "../support/dist.ts";
import { createTestRedis, testRedisUrl } from "../support/redis.ts";
import { findFreePort } from "../support/redis-server.ts";

const BIN = join(PROJECT_ROOT, "bin", "wechat-feed.js");
const EXAMPLE_CONFIG = join(PROJECT_ROOT, "config", "wechat-feed.example.yaml");
/** The acceptance bound: serving within 30 s of `start`. */
const READY_MS = 30_000;
const STOP_MS = 30_000;
/** Variables of the test runner's environment that would change what `start` does. */
const SCRUBBED = [
  "NODE_TEST_CONTEXT",
  "NODE_OPTIONS",
  "REDIS_URL",
  "REDIS_PREFIX",
  "WECHAT_FEED_CONFIG",
  "DATA_DIR",
  "PORT",
  "PUBLIC_URL",
  "CHROMIUM_PATH",
  "REDIS_SERVER_PATH",
  "LOG_LEVEL",
];

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of SCRUBBED) delete env[name];
  return { ...env, ...extra };
}

/** The example configuration, with only its redis.url line changed to `redisUrl`. */
async function writeExampleConfig(dir: string, redisUrl: string): Promise<string> {
  const example = await readFile(EXAMPLE_CONFIG, "utf8");
  const line = /^ {2}url: redis:\/\/127\.0\.0\.1:6379$/m;
  assert.match(example, line, "the example config's redis.url line moved: update this test");
  const file = join(dir, "wechat-feed.yaml");
  await writeFile(file, example.replace(line, `  url: ${redisUrl}`));
  return file;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until /healthz is 200 with status ok and /feed.xml is an RSS document; returns when. */
async function waitServing(port: number, child: ServiceChild): Promise<void> {
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.hasExited()) throw new Error(`service exited:\n${child.tail()}`);
      // Live, not necessarily ready: a first start without Chromium serves feeds, and /readyz says why
      // it is not ready for browser fetches.
      return (await fetch(`${base}/livez`)).status === 200;
    },
    { timeoutMs: READY_MS, intervalMs: 100, what: `a live /livez on ${port}` },
  );
  const feed = await fetch(`${base}/feed.xml`);
  const xml = await feed.text();
  assert.equal(feed.status, 200, xml);
  assert.match(feed.headers.get("content-type") ?? "", /xml/);
  assert.equal(XMLValidator.validate(xml), true);
  assert.match(xml, /<rss[\s>][\s\S]*<channel>/);
}

describe("first start", { timeout: 180_000 }, () => {
  // `npm start` builds dist/ first (prestart); the test runs node directly, so it builds the same way.
  before(() => ensureDist());
  const cleanups: Array<() => Promise<void> | void> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "wf-first-start-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  function startService(name: string, env: Record<string, string>): ServiceChild {
    const proc = spawn(process.execPath, [...startNodeFlags(), BIN, "start"], {
      cwd: PROJECT_ROOT,
      env: childEnv(env),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const child = superviseChild(name, proc);
    cleanups.push(() => killGroup(child.pid));
    return child;
  }

  it("(a) uses the Redis that answers and serves within 30 s", async () => {
    const redis = await createTestRedis();
    cleanups.push(() => redis.cleanup());
    const dir = await tempDir();
    const dataDir = join(dir, "data");
    const port = await findFreePort();
    const started = Date.now();
    const child = startService("start (a)", {
      WECHAT_FEED_CONFIG: await writeExampleConfig(dir, testRedisUrl()),
      REDIS_PREFIX: redis.prefix,
      DATA_DIR: dataDir,
      PORT: String(port),
    });
    await waitServing(port, child);
    assert.ok(Date.now() - started < READY_MS);
    assert.equal(
      child.logs.some((line) => String(line.msg).startsWith("embedded redis-server")),
      false,
      "started its own Redis although one answered",
    );
    assert.equal(existsSync(join(dataDir, "redis")), false);
    // Which config file was read, and that the server listens: each said once.
    const said = (msg: string) => child.logs.filter((line) => line.msg === msg);
    assert.deepEqual(
      said("config loaded").map((line) => line.file),
      [join(dir, "wechat-feed.yaml")],
    );
    assert.deepEqual(
      said("server listening").map((line) => line.port),
      [port],
    );
    const exit = await child.stop(STOP_MS);
    assert.equal(exit.code, 0, child.tail());
  });

  it("(b) starts redis-server itself when nothing answers, and stops it with the service", async () => {
    const dir = await tempDir();
    const dataDir = join(dir, "data");
    const redisPort = await findFreePort();
    assert.equal(await probeRedis("127.0.0.1", redisPort), "none");
    const env = {
      WECHAT_FEED_CONFIG: await writeExampleConfig(dir, `redis://127.0.0.1:${redisPort}`),
      DATA_DIR: dataDir,
      PORT: String(await findFreePort()),
      // Only browser fetches need Chromium: its absence is a warning, and the service still serves.
      CHROMIUM_PATH: join(dir, "no-chromium"),
    };

    const run = async (name: string, during: (client: Redis) => Promise<void>) => {
      const started = Date.now();
      const child = startService(name, env);
      await waitServing(Number(env.PORT), child);
      assert.ok(Date.now() - started < READY_MS);
      const line = await child.waitForLog(
        (l) => String(l.msg).startsWith("embedded redis-server started"),
        1000,
        "the embedded redis-server line",
      );
      const redisPid = Number(line.redisPid);
      cleanups.push(() => {
        if (isAlive(redisPid)) process.kill(redisPid, "SIGKILL");
      });
      assert.ok(redisPid > 0 && isAlive(redisPid), `redis-server pid ${redisPid}`);
      const warning = child.logs.find((l) => l.level === 40 && String(l.msg).startsWith("chromium:"));
      assert.match(String(warning?.msg), /apt-get install chromium/);
      const ready = await fetch(`http://127.0.0.1:${env.PORT}/readyz`);
      assert.equal(ready.status, 503, "not ready for browser fetches without Chromium");
      assert.match(await ready.text(), /browser/);

      const client = new Redis({ host: "127.0.0.1", port: redisPort, lazyConnect: true });
      await client.connect();
      await during(client);
      await client.quit();

      const exit = await child.stop(STOP_MS);
      assert.equal(exit.code, 0, child.tail());
      assert.equal(isAlive(redisPid), false, "the embedded redis-server outlived the service");
      assert.equal(await probeRedis("127.0.0.1", redisPort), "none");
      assert.ok(child.logs.some((l) => l.msg === "embedded redis-server stopped"));
    };

    await run("start (b)", async (client) => {
      assert.equal(await client.config("GET", "dir").then((r) => (r as string[])[1]), join(dataDir, "redis"));
      await client.set("first-start-marker", "kept");
    });
    // Redis 7 keeps its AOF in appendonlydir/, older versions in appendonly.aof.
    const aof = ["appendonlydir", "appendonly.aof"].map((name) => join(dataDir, "redis", name));
    assert.ok(
      aof.some((path) => existsSync(path)),
      "no AOF under DATA_DIR/redis",
    );
    await run("start (b, again)", async (client) => {
      assert.equal(await client.get("first-start-marker"), "kept", "the data did not survive a restart");
    });
  });

  it("(c) without any redis-server, exits 1 with one line naming the two ways to get Redis", async () => {
    const dir = await tempDir();
    const emptyBin = join(dir, "bin");
    await mkdir(emptyBin);
    const env = childEnv({
      WECHAT_FEED_CONFIG: await writeExampleConfig(dir, `redis://127.0.0.1:${await findFreePort()}`),
      DATA_DIR: join(dir, "data"),
      PORT: String(await findFreePort()),
      PATH: emptyBin,
      REDIS_SERVER_PATH: join(emptyBin, "redis-server"),
    });
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [BIN, "start"],
        { cwd: PROJECT_ROOT, env, timeout: STOP_MS },
        (error, _out, stderr) =>
          resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stderr }),
      );
    });
    assert.equal(result.code, 1, result.stderr);
    const lines = result.stderr.split("\n").filter((l) => l !== "");
    assert.equal(lines.length, 1, result.stderr);
    const [line = ""] = lines;
    assert.match(line, /^wechat-feed: redis: /);
    assert.match(line, /docker compose up -d redis/);
    assert.match(line, /apt-get install redis-server/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
    assert.equal(existsSync(join(dir, "data", "redis")), false);
  });
});
