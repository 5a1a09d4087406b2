// createLogger: JSON lines, level filtering and redaction of secrets (written to a stream and parsed).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLogger } from "../../src/logger.ts";

/** A logger writing into an array of parsed JSON lines. */
function capture(level = "info") {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const destination = {
    write(chunk: string) {
      raw.push(chunk);
      lines.push(JSON.parse(chunk) as Record<string, unknown>);
    },
  };
  return { logger: createLogger({ level, destination }), lines, raw };
}

describe("createLogger", () => {
  it("writes one JSON line per call with the message, fields and an ISO time", () => {
    const { logger, lines } = capture();
    logger.info({ sourceId: "a", durationMs: 12 }, "article stored");
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.msg, "article stored");
    assert.equal(lines[0]?.sourceId, "a");
    assert.equal(lines[0]?.durationMs, 12);
    assert.equal(lines[0]?.level, 30);
    assert.match(String(lines[0]?.time), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it("honours the level", () => {
    const quiet = capture("info");
    quiet.logger.debug("step done");
    assert.equal(quiet.lines.length, 0);
    const verbose = capture("debug");
    verbose.logger.debug("step done");
    assert.equal(verbose.lines.length, 1);
  });

  it("redacts tokens, secrets and authorization headers, also in child loggers", () => {
    const { logger, lines, raw } = capture();
    const token = "tok-5f1c2a9e7b";
    logger.info(
      {
        apiToken: token,
        secret: `${token}-s`,
        authorization: `Bearer ${token}`,
        req: { headers: { authorization: `Bearer ${token}-r`, host: "localhost" } },
        server: { apiToken: `${token}-n` },
        config: { server: { apiToken: `${token}-c` }, imageProxy: { secret: `${token}-i` } },
        digest: { webhookUrl: `https://hooks.example.com/${token}` },
        url: "https://mp.weixin.qq.com/s/x",
      },
      "config loaded",
    );
    logger.child({ jobId: "j1" }).warn({ auth: { token: `${token}-t` } }, "request refused");
    assert.ok(!raw.join("").includes(token), `a secret leaked: ${raw.join("")}`);
    const [first, second] = lines;
    assert.equal(first?.apiToken, "[redacted]");
    assert.equal(first?.secret, "[redacted]");
    assert.equal(first?.authorization, "[redacted]");
    assert.deepEqual(first?.req, { headers: { authorization: "[redacted]", host: "localhost" } });
    assert.deepEqual(first?.server, { apiToken: "[redacted]" });
    assert.deepEqual(first?.config, {
      server: { apiToken: "[redacted]" },
      imageProxy: { secret: "[redacted]" },
    });
    assert.equal(first?.url, "https://mp.weixin.qq.com/s/x", "ordinary fields stay readable");
    assert.deepEqual(second?.auth, { token: "[redacted]" });
    assert.equal(second?.jobId, "j1");
  });

  it("rejects an unknown level", () => {
    assert.throws(() => createLogger({ level: "verbose", destination: { write() {} } }));
  });

  it("builds a pretty logger for terminals", () => {
    const logger = createLogger({ level: "warn", pretty: true });
    assert.equal(logger.level, "warn");
    assert.equal(logger.isLevelEnabled("info"), false);
  });
});
