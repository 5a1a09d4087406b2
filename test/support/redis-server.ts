/**
 * A private `redis-server` for tests that must kill and restart Redis (the shared one at REDIS_URL is
 * never touched). It listens on 127.0.0.1 on a spare port and keeps an append-only file with
 * `appendfsync always` in its own temp dir, like production's AOF: a restart then comes back with
 * the queued jobs instead of an empty server, which is what "Redis restarted mid-run" means.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";

/** A test-owned redis-server. */
export interface OwnRedisServer {
  readonly port: number;
  readonly url: string;
  /** SIGKILLs the server (a crash: no shutdown save) and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data dir; resolves once it answers PING. */
  restart(): Promise<void>;
  /** Kills the server and removes its data dir. */
  close(): Promise<void>;
}

/** A TCP port that was free a moment ago. */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

async function waitForPing(port: number, proc: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`redis-server on port ${port} exited (${proc.exitCode})`);
    const client = new Redis({
      host: "127.0.0.1",
      port,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on("error", () => undefined);
    try {
      await client.connect();
      // While the AOF is loading, PING answers LOADING; wait for a real PONG.
      if ((await client.ping()) === "PONG") return;
    } catch {
      // Not up yet.
    } finally {
      client.disconnect();
    }
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} not ready in ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Starts a redis-server on a spare port with an AOF in a fresh temp dir. */
export async function startOwnRedisServer(): Promise<OwnRedisServer> {
  const dir = await mkdtemp(join(tmpdir(), "wf-redis-"));
  const port = await findFreePort();
  let proc: ChildProcess | null = null;
  let log = "";

  const launch = async () => {
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", ""];
    args.push("--appendonly", "yes", "--appendfsync", "always");
    const started = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    started.stdout?.on("data", (chunk: Buffer) => {
      log = (log + chunk.toString("utf8")).slice(-4000);
    });
    started.stderr?.on("data", (chunk: Buffer) => {
      log = (log + chunk.toString("utf8")).slice(-4000);
    });
    proc = started;
    try {
      await waitForPing(port, started, 15_000);
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}; log:\n${log}`);
    }
  };

  const kill = async () => {
    const running = proc;
    proc = null;
    if (running === null || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGKILL");
    await exited;
  };

  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    restart: launch,
    async close() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
