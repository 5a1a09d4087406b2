/**
 * The embedded-Redis decisions of `wechat-feed start`: where redis-server is looked for, when the
 * embedded Redis is an option at all, how an address is probed, the one-line error of a machine
 * without Redis, and a redis-server that dies at start (a fake binary). The real redis-server runs in
 * test/integration/first-start.test.ts.
 */
import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  buildNoRedisError,
  findRedisServer,
  listRedisServerCandidates,
  probeRedis,
  startEmbeddedRedis,
  startRedisIfNeeded,
  toEmbeddedAddress,
} from "../../../src/cli/embedded-redis.ts";
import { isAppError } from "../../../src/errors.ts";
import { createLogger } from "../../../src/logger.ts";
import { findFreePort } from "../../support/redis-server.ts";

const silent = createLogger({ level: "silent", pretty: false });

/** A TCP server on 127.0.0.1 that answers every request with `reply` (or never, when null). */
async function startFakeServer(reply: string | null): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("data", () => {
      if (reply !== null) socket.write(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  assert.ok(typeof address === "object" && address !== null);
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe("embedded redis", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "wf-embedded-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  describe("finding redis-server", () => {
    it("uses REDIS_SERVER_PATH alone when it is set", () => {
      assert.deepEqual(
        listRedisServerCandidates({ REDIS_SERVER_PATH: "/opt/x/valkey-server", PATH: "/bin" }),
        ["/opt/x/valkey-server"],
      );
    });

    it("searches PATH first, then the usual directories, each once", () => {
      const found = listRedisServerCandidates({ PATH: "/a:/usr/bin::/b" }, ["/usr/bin", "/usr/sbin"]);
      assert.deepEqual(found, [
        "/a/redis-server",
        "/usr/bin/redis-server",
        "/b/redis-server",
        "/usr/sbin/redis-server",
      ]);
    });

    it("returns the first executable candidate and skips non-executable files", async () => {
      const plain = join(dir, "plain");
      const exec = join(dir, "exec");
      await mkdir(plain, { recursive: true });
      await mkdir(exec, { recursive: true });
      await writeFile(join(plain, "redis-server"), "not executable");
      await writeFile(join(exec, "redis-server"), "#!/bin/sh\n");
      await chmod(join(exec, "redis-server"), 0o755);
      assert.equal(findRedisServer({ PATH: `${plain}:${exec}` }, []), join(exec, "redis-server"));
      assert.equal(findRedisServer({ PATH: plain }, []), null);
      assert.equal(findRedisServer({ PATH: "", REDIS_SERVER_PATH: join(plain, "redis-server") }), null);
    });
  });

  describe("when the embedded Redis is an option", () => {
    it("serves the configured loopback address when REDIS_URL is unset or empty", () => {
      assert.deepEqual(toEmbeddedAddress({}, "redis://127.0.0.1:6379"), { host: "127.0.0.1", port: 6379 });
      assert.deepEqual(toEmbeddedAddress({ REDIS_URL: " " }, "redis://localhost:6390/2"), {
        host: "127.0.0.1",
        port: 6390,
      });
      assert.deepEqual(toEmbeddedAddress({}, "redis://[::1]"), { host: "::1", port: 6379 });
    });

    it("is not an option when the operator chose a Redis", () => {
      assert.equal(
        toEmbeddedAddress({ REDIS_URL: "redis://127.0.0.1:6379" }, "redis://127.0.0.1:6379"),
        null,
      );
      assert.equal(toEmbeddedAddress({}, "redis://redis:6379"), null);
      assert.equal(toEmbeddedAddress({}, "rediss://127.0.0.1:6379"), null);
      assert.equal(toEmbeddedAddress({}, "redis://:secret@127.0.0.1:6379"), null);
      assert.equal(toEmbeddedAddress({}, "not a url"), null);
    });
  });

  describe("probing an address", () => {
    it("tells a Redis, something else and nothing apart", async () => {
      const pong = await startFakeServer("+PONG\r\n");
      const http = await startFakeServer("HTTP/1.1 400 Bad Request\r\n\r\n");
      const mute = await startFakeServer(null);
      const loading = await startFakeServer("-LOADING Redis is loading the dataset in memory\r\n");
      try {
        assert.equal(await probeRedis("127.0.0.1", pong.port), "pong");
        assert.equal(await probeRedis("127.0.0.1", loading.port), "loading");
        assert.equal(await probeRedis("127.0.0.1", http.port), "other");
        assert.equal(await probeRedis("127.0.0.1", mute.port, 300), "other");
        assert.equal(await probeRedis("127.0.0.1", await findFreePort()), "none");
      } finally {
        await Promise.all([pong, http, mute, loading].map((fake) => fake.close()));
      }
    });
  });

  describe("deciding at start", () => {
    it("starts nothing when REDIS_URL is set or something answers", async () => {
      const busy = await startFakeServer("-NOAUTH Authentication required.\r\n");
      const missing = join(dir, "none", "redis-server");
      try {
        const base = { dataDir: join(dir, "data"), logger: silent };
        const url = `redis://127.0.0.1:${busy.port}`;
        assert.equal(
          await startRedisIfNeeded({ ...base, redisUrl: url, env: { REDIS_SERVER_PATH: missing } }),
          null,
        );
        const free = `redis://127.0.0.1:${await findFreePort()}`;
        const env = { REDIS_URL: free, REDIS_SERVER_PATH: missing };
        assert.equal(await startRedisIfNeeded({ ...base, redisUrl: free, env }), null);
        await assert.rejects(readdir(join(dir, "data")), { code: "ENOENT" });
      } finally {
        await busy.close();
      }
    });

    it("fails with one line naming both ways to get Redis when no redis-server is installed", async () => {
      const port = await findFreePort();
      const missing = join(dir, "none", "redis-server");
      await assert.rejects(
        startRedisIfNeeded({
          redisUrl: `redis://127.0.0.1:${port}`,
          dataDir: join(dir, "data"),
          env: { REDIS_SERVER_PATH: missing },
          logger: silent,
        }),
        (error: unknown) => {
          assert.ok(isAppError(error, "STORE_UNAVAILABLE"));
          assert.doesNotMatch(error.message, /\n/);
          assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
          assert.match(error.message, /docker compose up -d redis/);
          assert.match(error.message, /apt-get install redis-server/);
          assert.ok(error.message.includes(missing));
          return true;
        },
      );
    });

    it("names the search path in the error when nothing was configured", () => {
      const error = buildNoRedisError("127.0.0.1", 6379, ["/x/redis-server", "/usr/bin/redis-server"]);
      assert.match(error.message, /on PATH and in \/usr\/bin, \/usr\/sbin, \/usr\/local\/bin/);
    });
  });

  describe("a redis-server that dies at start", () => {
    it("is reported when the binary cannot be run at all", async () => {
      const missing = join(dir, "gone", "redis-server");
      const port = await findFreePort();
      await assert.rejects(
        startEmbeddedRedis({ binary: missing, host: "127.0.0.1", port, dir: join(dir, "r0") }),
        {
          code: "STORE_UNAVAILABLE",
          message: new RegExp(
            `^redis: embedded redis-server \\(${missing}\\) did not start on 127\\.0\\.0\\.1:${port}: .*ENOENT`,
          ),
        },
      );
    });

    it("is reported with the last line of its log", async () => {
      // Writes a Redis-style log line to the --logfile it is given, then exits like a failed bind.
      const fake = join(dir, "fake-redis-server");
      const script = [
        "#!/bin/sh",
        'while [ "$#" -gt 0 ]; do if [ "$1" = "--logfile" ]; then log="$2"; fi; shift; done',
        'echo "123:M 01 Jan 2026 00:00:00.000 # Failed listening on port 1 (tcp), aborting." >> "$log"',
        "exit 1",
      ].join("\n");
      await writeFile(fake, `${script}\n`);
      await chmod(fake, 0o755);
      const port = await findFreePort();
      await assert.rejects(
        startEmbeddedRedis({ binary: fake, host: "127.0.0.1", port, dir: join(dir, "r") }),
        {
          code: "STORE_UNAVAILABLE",
          message: `redis: embedded redis-server (${fake}) did not start on 127.0.0.1:${port}: Failed listening on port 1 (tcp), aborting.`,
        },
      );
    });
  });
});
