/**
 * The embedded Redis of a first start. When `wechat-feed start` runs without REDIS_URL and nothing
 * answers at the configured redis.url on this machine (redis://127.0.0.1:6379 by default), it runs
 * `redis-server` itself as a child process on that same address, with its append-only file under
 * `<dataDir>/redis` (AOF, `appendfsync everysec`, no RDB snapshots, `noeviction`), and stops it after
 * the service. The same address, not a spare port, so that the other commands run meanwhile
 * (`wechat-feed status`, `import`...) reach it with the same configuration, and so that a second
 * `start` uses the running server instead of opening a second one on the same files.
 *
 * The binary is REDIS_SERVER_PATH when set (e.g. a valkey-server), else `redis-server` on PATH, then in
 * /usr/bin, /usr/sbin, /usr/local/bin. Without one, start fails with one line naming the two ways to
 * get Redis. The child gets its own process group: a Ctrl-C in the terminal reaches the service,
 * which still needs Redis while it finishes its jobs, and not Redis itself.
 */
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { connect } from "node:net";
import { delimiter, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { StoreError } from "../errors.ts";
import type { Logger } from "../logger.ts";

/** Directories searched for `redis-server` after PATH (Debian puts it in /usr/bin). */
export const REDIS_SERVER_DIRS: readonly string[] = ["/usr/bin", "/usr/sbin", "/usr/local/bin"];

/** A redis-server started by this process. */
export interface EmbeddedRedis {
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  /** Its data directory (the AOF lives in `appendonlydir/` inside). */
  readonly dir: string;
  /** SIGTERM (Redis flushes its AOF and exits), SIGKILL after `timeoutMs`; resolves once it is gone. */
  stop(timeoutMs?: number): Promise<void>;
}

/** What answers at an address: a Redis (`pong`), one still loading its data, nothing, or something else. */
export type RedisProbe = "pong" | "loading" | "none" | "other";

type Env = Readonly<Record<string, string | undefined>>;

const LOOPBACK = new Map([
  ["127.0.0.1", "127.0.0.1"],
  ["localhost", "127.0.0.1"],
  ["[::1]", "::1"],
]);
const READY_TIMEOUT_MS = 15_000;
const PROBE_TIMEOUT_MS = 1000;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where `redis-server` is looked for: REDIS_SERVER_PATH alone when set, else PATH and then `dirs`. */
export function listRedisServerCandidates(env: Env, dirs: readonly string[] = REDIS_SERVER_DIRS): string[] {
  const override = env.REDIS_SERVER_PATH?.trim();
  if (override !== undefined && override !== "") return [override];
  const pathDirs = (env.PATH ?? "").split(delimiter).filter((dir) => dir !== "");
  return [...new Set([...pathDirs, ...dirs])].map((dir) => join(dir, "redis-server"));
}

/** The first executable candidate (symlinks kept: Debian's redis-server is a link that reads argv[0]). */
export function findRedisServer(env: Env, dirs: readonly string[] = REDIS_SERVER_DIRS): string | null {
  return listRedisServerCandidates(env, dirs).find(isExecutable) ?? null;
}

/** Why no embedded Redis is started for `redisUrl`, in words for an error line; null when it may be. */
export function explainNoEmbeddedRedis(env: Env, redisUrl: string): string | null {
  if ((env.REDIS_URL ?? "").trim() !== "")
    return "no embedded redis-server was tried because REDIS_URL is set";
  if (toEmbeddedAddress(env, redisUrl) === null) {
    return "no embedded redis-server was tried because redis.url is not a plain redis:// address on this machine";
  }
  return null;
}

/**
 * The address an embedded Redis would serve for `redisUrl`, or null when the embedded Redis is not an
 * option: REDIS_URL is set (the operator chose a server), or the URL is not a plain redis:// URL on
 * this machine (TLS, credentials, another host).
 */
export function toEmbeddedAddress(env: Env, redisUrl: string): { host: string; port: number } | null {
  if ((env.REDIS_URL ?? "").trim() !== "") return null;
  let url: URL;
  try {
    url = new URL(redisUrl);
  } catch {
    return null;
  }
  const host = LOOPBACK.get(url.hostname);
  if (url.protocol !== "redis:" || host === undefined || url.username !== "" || url.password !== "") {
    return null;
  }
  return { host, port: url.port === "" ? 6379 : Number(url.port) };
}

/** Sends PING to `host:port` and classifies the answer (`none` when the connection is refused). */
export function probeRedis(host: string, port: number, timeoutMs = PROBE_TIMEOUT_MS): Promise<RedisProbe> {
  return new Promise((resolve) => {
    let reply = "";
    let connected = false;
    const socket = connect({ host, port });
    const done = (result: RedisProbe) => {
      socket.destroy();
      resolve(result);
    };
    // No answer at all is not "nothing there" (a refused connection is): starting a second server
    // on a port that something holds would only fail later.
    socket.setTimeout(timeoutMs, () => done("other"));
    socket.on("connect", () => {
      connected = true;
      socket.write("PING\r\n");
    });
    socket.on("data", (chunk: Buffer) => {
      reply += chunk.toString("latin1");
      if (!reply.includes("\r\n")) return;
      done(reply.startsWith("+PONG") ? "pong" : reply.startsWith("-LOADING") ? "loading" : "other");
    });
    socket.on("error", () => done(connected ? "other" : "none"));
    socket.on("close", () => done(connected ? "other" : "none"));
  });
}

/** The last line of redis-server's log worth showing (a warning or error, else the last one). */
async function readLogTail(logFile: string): Promise<string> {
  const text = await readFile(logFile, "utf8").catch(() => "");
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  const last = lines.findLast((line) => / # /.test(line)) ?? lines.at(-1) ?? "no output";
  // Drop the "pid:role date time # " prefix of Redis' log lines.
  return last.replace(/^\d+:[A-Z] \d+ \w+ \d+ [\d:.]+ [#*.-] /, "").trim();
}

/** redis-server's command line: AOF every second, no RDB snapshots, never evict (queue keys must stay). */
function redisServerArgs(host: string, port: number, dir: string, logFile: string): string[] {
  return [
    ...["--bind", host, "--port", String(port), "--dir", dir, "--logfile", logFile],
    ...["--daemonize", "no", "--save", "", "--appendonly", "yes", "--appendfsync", "everysec"],
    ...["--maxmemory-policy", "noeviction"],
  ];
}

/** Starts redis-server on `host:port` with its data in `dir`; resolves once it answers PING. */
export async function startEmbeddedRedis(options: {
  readonly binary: string;
  readonly host: string;
  readonly port: number;
  readonly dir: string;
}): Promise<EmbeddedRedis> {
  const { binary, host, port, dir } = options;
  await mkdir(dir, { recursive: true });
  const logFile = join(dir, "redis-server.log");
  const child = spawn(binary, redisServerArgs(host, port, dir, logFile), { stdio: "ignore", detached: true });
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once("exit", () => {
      exited = true;
      resolve();
    });
  });
  const spawnError = new Promise<Error>((resolve) =>
    child.once("error", (error) => {
      // Not started at all (ENOENT, EACCES): there is no exit to wait for.
      exited = true;
      resolve(error);
    }),
  );
  // If this process ends without stop() (a crash, a forced exit), Redis must not outlive it.
  const onExit = () => {
    if (!exited) child.kill("SIGTERM");
  };
  process.once("exit", onExit);
  const failure = async (reason: string) => {
    process.removeListener("exit", onExit);
    if (!exited) {
      child.kill("SIGKILL");
      await exit;
    }
    return new StoreError(
      "STORE_UNAVAILABLE",
      `redis: embedded redis-server (${binary}) did not start on ${host}:${port}: ${reason}`,
      { binary, host, port, dir },
    );
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const state = await Promise.race([
      spawnError.then((error) => ({ error })),
      exit.then(() => ({ error: null })),
      probeRedis(host, port).then((probe) => ({ probe })),
    ]);
    if ("error" in state) {
      throw await failure(state.error === null ? await readLogTail(logFile) : state.error.message);
    }
    if (state.probe === "pong") break;
    // Loading a large AOF takes as long as it takes; only a server that never listens times out.
    if (state.probe !== "loading" && Date.now() > deadline) {
      throw await failure(`no answer within ${READY_TIMEOUT_MS} ms`);
    }
    await sleep(50);
  }

  return {
    host,
    port,
    pid: child.pid ?? -1,
    dir,
    async stop(timeoutMs = 10_000) {
      process.removeListener("exit", onExit);
      if (exited) return;
      child.kill("SIGTERM");
      const outcome = await Promise.race([
        exit.then(() => "exited"),
        sleep(timeoutMs, "timeout", { ref: false }),
      ]);
      if (outcome === "timeout") {
        child.kill("SIGKILL");
        await exit;
      }
    },
  };
}

/** The one-line error of a machine with no Redis at all. */
export function buildNoRedisError(host: string, port: number, candidates: readonly string[]): StoreError {
  return new StoreError(
    "STORE_UNAVAILABLE",
    `redis: nothing answers on ${host}:${port} and no redis-server was found ` +
      `(looked for ${candidates.length === 1 ? candidates[0] : "it on PATH and in /usr/bin, /usr/sbin, /usr/local/bin"}); ` +
      `get Redis with "docker compose up -d redis" or the system package ("apt-get install redis-server"), or set REDIS_URL`,
    { host, port, candidates },
  );
}

/**
 * Starts the embedded Redis when `start` needs one (no REDIS_URL, a local redis.url, nothing answering
 * there); null when Redis is someone else's. Throws the one-line STORE_UNAVAILABLE error when no
 * redis-server is installed.
 */
export async function startRedisIfNeeded(options: {
  readonly redisUrl: string;
  readonly dataDir: string;
  readonly env: Env;
  readonly logger: Logger;
}): Promise<EmbeddedRedis | null> {
  const address = toEmbeddedAddress(options.env, options.redisUrl);
  if (address === null) return null;
  const { host, port } = address;
  if ((await probeRedis(host, port)) !== "none") return null;
  const binary = findRedisServer(options.env);
  if (binary === null) throw buildNoRedisError(host, port, listRedisServerCandidates(options.env));
  try {
    const redis = await startEmbeddedRedis({ binary, host, port, dir: join(options.dataDir, "redis") });
    options.logger.info(
      { redisPid: redis.pid, host, port, dir: redis.dir, binary },
      "embedded redis-server started (nothing answered on the configured redis.url)",
    );
    return redis;
  } catch (error) {
    // Two first starts at once: the other one's server won the port; use it.
    if ((await probeRedis(host, port)) === "pong") return null;
    throw error;
  }
}
