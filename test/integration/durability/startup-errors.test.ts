/**
 * A start that cannot work says so in one line and exits non-zero, before any worker takes a job: the
 * port in use, a listen host that is no local address, a data directory that cannot be written, and
 * Redis unreachable with REDIS_URL set (the line says why no embedded redis-server was tried). No stack
 * trace and no ioredis "Unhandled error event" reaches the terminal.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Queue } from "bullmq";
import { createTestRedis, type TestRedis } from "../../support/redis.ts";
import { findFreePort } from "../../support/redis-server.ts";
import { type CliResult, createServiceHarness, type ServiceHarness } from "../../support/service-harness.ts";

/** Asserts `result` is one `wechat-feed:` line matching `pattern`, exit `code`, no stack trace. */
function assertOneLine(result: CliResult, code: number, pattern: RegExp): void {
  assert.equal(result.code, code, result.stdout + result.stderr);
  const lines = result.stderr.trim().split("\n");
  assert.equal(lines.length, 1, `one line on stderr:\n${result.stderr}`);
  assert.match(lines[0] ?? "", pattern);
  assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at |Unhandled error event|ioredis\]/);
}

describe("start-up failures", () => {
  let t: TestRedis;
  let h: ServiceHarness;
  let wechat: Queue;
  before(async () => {
    t = await createTestRedis();
    h = await createServiceHarness({ prefix: t.prefix, config: { sources: [] } });
    wechat = new Queue("wechat", { connection: t.connect(), prefix: t.prefix });
    // A job that must still be waiting after every failed start.
    await wechat.add(
      "fetch-article",
      { url: "https://mp.weixin.qq.com/s/x", key: "probe" },
      { jobId: "probe" },
    );
  });
  after(async () => {
    assert.equal(await (await wechat.getJob("probe"))?.getState(), "waiting", "no failed start took a job");
    await wechat.close();
    await h?.cleanup();
    await t?.cleanup();
  });

  it("port in use", async () => {
    const port = await findFreePort();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, "0.0.0.0", resolve));
    try {
      const result = await h.runCli(["start"], { env: { PORT: String(port) } });
      assertOneLine(result, 2, new RegExp(`^wechat-feed: server: port ${port} is already in use`));
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it("a listen host that is no local address", async () => {
    await h.writeConfig({ server: { host: "192.0.2.77" }, sources: [] });
    try {
      const result = await h.runCli(["start"], { env: { PORT: String(await findFreePort()) } });
      assertOneLine(result, 2, /^wechat-feed: server: cannot listen on host "192\.0\.2\.77"/);
    } finally {
      await h.writeConfig({ sources: [] });
    }
  });

  it("a data directory that cannot be written", async () => {
    const file = join(h.dir, "not-a-directory");
    await writeFile(file, "x");
    const result = await h.runCli(["start"], {
      env: { DATA_DIR: join(file, "data"), PORT: String(await findFreePort()) },
    });
    assertOneLine(result, 2, /^wechat-feed: start: data directory .* is not writable/);
  });

  it("Redis unreachable with REDIS_URL set", async () => {
    const port = await findFreePort();
    const result = await h.runCli(["start"], { env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
    assertOneLine(
      result,
      1,
      /^wechat-feed: redis: cannot connect to redis:\/\/127\.0\.0\.1:\d+ \(connect ECONNREFUSED .*\); no embedded redis-server was tried because REDIS_URL is set$/,
    );
  });
});
