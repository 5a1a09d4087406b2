/**
 * `wechat-feed check-config`: every configuration problem on its own line (file, key, problem),
 * stray arguments refused as usage errors, next runs in Beijing time with the zone shown.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { nextRunsOf } from "../../../src/jobs/scheduler.ts";
import { runCliInProcess } from "../../support/cli-run.ts";

const dir = await mkdtemp(join(tmpdir(), "wf-check-config-"));
after(() => rm(dir, { recursive: true, force: true }));

async function withConfig(name: string, yaml: string) {
  await writeFile(join(dir, name), yaml);
  return runCliInProcess(["check-config"], { cwd: dir, env: { WECHAT_FEED_CONFIG: name } });
}

describe("check-config", () => {
  it("prints every problem, one line each naming the file, the key and the problem", async () => {
    const result = await withConfig(
      "bad.yaml",
      "server:\n  port: 0\nlog:\n  level: loud\nfetch:\n  fetcher: curl\nsurces: []\n",
    );
    assert.equal(result.code, 2);
    assert.equal(result.stdout, "");
    const lines = result.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 4, result.stderr);
    for (const key of ["server.port", "log.level", "fetch.fetcher", "surces"]) {
      const line = lines.find((l) => l.includes(` ${key}: `));
      assert.ok(line !== undefined, `no line for ${key}:\n${result.stderr}`);
      assert.match(line, /^wechat-feed: config: bad\.yaml: \S+: \S/);
    }
    assert.doesNotMatch(result.stderr, /more problem|\n\s+at /);
  });

  it("lists every missing urls file too", async () => {
    const result = await withConfig(
      "files.yaml",
      "sources:\n  - {id: a, type: urls, file: a.txt}\n  - {id: b, type: urls, file: b.txt}\n",
    );
    assert.equal(result.code, 2);
    const lines = result.stderr.trimEnd().split("\n");
    assert.deepEqual(
      lines.map((l) => l.replace(/: file not found: .*/, "")),
      [
        "wechat-feed: config: files.yaml: sources[0].file",
        "wechat-feed: config: files.yaml: sources[1].file",
      ],
    );
  });

  it("refuses a stray argument with a usage error", async () => {
    const result = await runCliInProcess(["check-config", "extra"], {
      cwd: dir,
      env: { WECHAT_FEED_CONFIG: "bad.yaml" },
    });
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'wechat-feed: check-config: unexpected argument "extra" (it takes none)\n');
  });

  it("shows next runs in Beijing time with the zone", async () => {
    const result = await withConfig(
      "good.yaml",
      'sources:\n  - {id: a, type: urls, urls: ["https://mp.weixin.qq.com/s/abc"], schedule: "0 9 * * *", timezone: UTC}\n',
    );
    assert.equal(result.code, 0, result.stderr);
    const [next] = await nextRunsOf("0 9 * * *", "UTC", 1);
    assert.ok(next !== undefined);
    // 09:00 UTC is 17:00 in Beijing.
    const day = new Date(next.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
    assert.match(result.stdout, new RegExp(`next: ${day} 17:00 \\(UTC\\+8\\)`));
    assert.match(result.stdout, /^egress: default$/m);
  });

  it("names this worker's egress group and its local address", async () => {
    const result = await withConfig(
      "egress.yaml",
      "worker: {egress: east}\nfetch: {localAddress: 192.0.2.10}\n",
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^egress: east \(http fetches from 192\.0\.2\.10\)$/m);
    assert.doesNotMatch(result.stdout, /archiver/, "workers archive themselves by default");
  });

  it("says when this process's workers leave the archive to the archiver", async () => {
    const result = await withConfig("stateless.yaml", "worker: {archive: false}\n");
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^data: .+ \(workers leave the archive to the archiver: WORKER_ARCHIVE=false\)$/m,
    );
  });
});
