/**
 * `npm start` as the README runs it, stopped the ways a user stops it: SIGTERM to the npm process,
 * SIGTERM to its child (the pid the README says to signal), and Ctrl-C (SIGINT to the whole process
 * group, which npm also forwards). Each time the service shuts down cleanly (exit 0, no forced exit)
 * and no process of the group is left behind.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { killGroup, type ServiceChild, superviseChild, waitFor } from "../support/child-process.ts";
import { PROJECT_ROOT } from "../support/cli-command.ts";
import { createTestRedis, testRedisUrl } from "../support/redis.ts";
import { findFreePort } from "../support/redis-server.ts";

const READY_MS = 60_000;
const STOP_MS = 30_000;

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pids of `pid`'s direct children, from /proc. */
async function childrenOf(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, "utf8");
  return text.split(/\s+/).filter(Boolean).map(Number);
}

async function commandLineOf(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/cmdline`, "utf8")).replaceAll("\0", " ");
}

describe("npm start", { timeout: 240_000 }, () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function startNpm(name: string): Promise<{ npm: ServiceChild; nodePid: number }> {
    const redis = await createTestRedis();
    cleanups.push(() => redis.cleanup());
    const dir = await mkdtemp(join(tmpdir(), "wf-npm-start-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const port = await findFreePort();
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const key of ["NODE_TEST_CONTEXT", "NODE_OPTIONS", "WECHAT_FEED_CONFIG", "LOG_LEVEL"])
      delete env[key];
    const proc = spawn("npm", ["start"], {
      cwd: PROJECT_ROOT,
      env: {
        ...env,
        REDIS_URL: testRedisUrl(),
        REDIS_PREFIX: redis.prefix,
        DATA_DIR: join(dir, "data"),
        PORT: String(port),
        CHROMIUM_PATH: join(dir, "no-chromium"),
      },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const npm = superviseChild(name, proc);
    cleanups.push(() => killGroup(npm.pid));
    await npm.waitForLog((line) => line.msg === "service started", READY_MS, "service started");
    // Live is enough here: without Chromium the service serves but /readyz is 503 (not ready to browse).
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/livez`)).status === 200, {
      timeoutMs: READY_MS,
      what: "/livez",
    });
    const [nodePid] = await childrenOf(npm.pid);
    assert.ok(nodePid !== undefined, "npm has no child process");
    return { npm, nodePid };
  }

  async function assertStoppedCleanly(npm: ServiceChild): Promise<void> {
    const exit = await Promise.race([npm.exited, new Promise<null>((r) => setTimeout(r, STOP_MS, null))]);
    assert.notEqual(exit, null, `npm did not exit within ${STOP_MS} ms:\n${npm.tail()}`);
    assert.equal(exit?.code, 0, npm.tail());
    await waitFor(() => !groupAlive(npm.pid), {
      timeoutMs: STOP_MS,
      what: "every process of the group to exit",
    });
    assert.ok(npm.logs.some((line) => line.msg === "shutdown started"));
    assert.equal(
      npm.logs.some((line) => line.msg === "forced exit"),
      false,
      "one stop request was taken as two",
    );
  }

  it("stops on SIGTERM to the npm process (node is its direct child)", async () => {
    const { npm, nodePid } = await startNpm("npm start (child)");
    assert.match(await commandLineOf(nodePid), /^node .*bin\/wechat-feed\.js start/);
    process.kill(npm.pid, "SIGTERM");
    await assertStoppedCleanly(npm);
  });

  it("stops on SIGTERM to the node process", async () => {
    const { npm, nodePid } = await startNpm("npm start (node pid)");
    process.kill(nodePid, "SIGTERM");
    await assertStoppedCleanly(npm);
  });

  it("stops on Ctrl-C (SIGINT to the group) without a forced exit", async () => {
    const { npm } = await startNpm("npm start (ctrl-c)");
    process.kill(-npm.pid, "SIGINT");
    await assertStoppedCleanly(npm);
  });
});
