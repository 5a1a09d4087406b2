/**
 * `wechat-feed check-config` refuses outbound URLs whose literal host is a private address (exit 2, one
 * line naming the key) unless `fetch.allowedPrivateHosts` lists their host:port.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { stringify } from "yaml";
import { runCliInProcess } from "../../support/cli-run.ts";

const dir = mkdtempSync(join(tmpdir(), "wf-check-config-"));

async function checkConfig(config: Record<string, unknown>) {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, stringify(config));
  return runCliInProcess(["check-config"], { env: { WECHAT_FEED_CONFIG: file }, cwd: dir });
}

const feed = (url: string) => ({ sources: [{ id: "a", type: "feed", url }] });

describe("check-config and private addresses", () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [url, kind] of [
    ["http://169.254.169.254/x", "link-local"],
    ["http://[::1]/x", "loopback"],
    ["http://2130706433/x", "loopback"],
    ["http://10.0.0.1/x", "private"],
    ["http://127.0.0.1:6379/x", "loopback"],
    ["http://[::ffff:192.168.0.1]/x", "private"],
  ] as const) {
    it(`refuses a feed at ${url}`, async () => {
      const result = await checkConfig(feed(url));
      assert.equal(result.code, 2);
      const lines = result.stderr.trim().split("\n");
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0] ?? "", new RegExp(`sources\\[0\\]\\.url: .* is a ${kind} address`));
      assert.match(lines[0] ?? "", /fetch\.allowedPrivateHosts/);
      assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
    });
  }

  it("refuses an OPML source and the digest webhook, naming each key", async () => {
    const opml = await checkConfig({
      sources: [{ id: "o", type: "opml", url: "http://192.168.1.5/list.opml" }],
    });
    assert.equal(opml.code, 2);
    assert.match(opml.stderr, /sources\[0\]\.url: 192\.168\.1\.5 is a private address/);
    const hook = await checkConfig({ digest: { webhookUrl: "http://100.64.1.1:9000/hook" } });
    assert.equal(hook.code, 2);
    assert.match(hook.stderr, /digest\.webhookUrl: 100\.64\.1\.1 is a shared \(CGNAT\) address/);
  });

  it("accepts public hosts, names, and private host:port pairs that are allowed", async () => {
    const ok = await checkConfig({
      fetch: { allowedPrivateHosts: ["127.0.0.1:8081", "[::1]:80"] },
      digest: { webhookUrl: "http://127.0.0.1:8081/hook" },
      sources: [
        { id: "a", type: "feed", url: "https://8.8.8.8/feed.xml" },
        { id: "b", type: "feed", url: "http://[::1]/x" },
        { id: "c", type: "feed", url: "https://rss.example.com/feed" },
      ],
    });
    assert.equal(ok.code, 0, ok.stderr);
    // Allowed pairs name a port: the same host on another port is still refused.
    const other = await checkConfig({
      fetch: { allowedPrivateHosts: ["127.0.0.1:8081"] },
      ...feed("http://127.0.0.1:8082/x"),
    });
    assert.equal(other.code, 2);
  });

  it("refuses an allow-list entry that is not host:port", async () => {
    const result = await checkConfig({ fetch: { allowedPrivateHosts: ["http://127.0.0.1:80/"] } });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /fetch\.allowedPrivateHosts\[0\]: expected host:port/);
  });
});
