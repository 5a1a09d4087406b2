/**
 * Request logs: at debug, one "request answered" line per request with method, path (the query, which
 * may carry a feed token, left out) and status; at the default info level none.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { after, describe, it } from "node:test";
import { createLogger } from "../../../src/logger.ts";
import { createMetrics } from "../../../src/ops/metrics.ts";
import { createRouter, READ, type Route } from "../../../src/server/router.ts";

/** A router answering /feed.xml, behind a logger at `level` that collects its JSON lines. */
async function start(
  level: string,
): Promise<{ base: string; lines: Record<string, unknown>[]; server: Server }> {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line !== "") lines.push(JSON.parse(line));
      done();
    },
  });
  const logger = createLogger({ level, destination });
  const feed: Route = {
    methods: READ,
    handle: (_req, res) => {
      res.end("<rss/>");
    },
  };
  const server = createServer(
    createRouter(new Map([["/feed.xml", feed]]), [], { logger, metrics: createMetrics() }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, lines, server };
}

describe("request logs", () => {
  const servers: Server[] = [];
  after(() => {
    for (const server of servers) server.close();
  });

  it("logs each request at debug with method, path without query, and status", async () => {
    const { base, lines, server } = await start("debug");
    servers.push(server);
    assert.equal((await fetch(`${base}/feed.xml?token=secret-feed-token`)).status, 200);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
    const answered = lines.filter((l) => l.msg === "request answered");
    assert.equal(answered.length, 2, JSON.stringify(lines));
    assert.deepEqual(
      answered.map((l) => [l.level, l.req, (l.res as { statusCode: number }).statusCode]),
      [
        [20, { method: "GET", path: "/feed.xml" }, 200],
        [20, { method: "GET", path: "/nope" }, 404],
      ],
    );
    assert.doesNotMatch(JSON.stringify(lines), /secret-feed-token/);
  });

  it("logs no request at info", async () => {
    const { base, lines, server } = await start("info");
    servers.push(server);
    assert.equal((await fetch(`${base}/feed.xml`)).status, 200);
    assert.deepEqual(lines, []);
  });
});
