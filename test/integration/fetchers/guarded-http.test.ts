/**
 * The guarded client against real local servers: a canary on a loopback port that is not allowed must
 * receive nothing, whether it is asked for directly, by literal IP in any spelling, by a name that
 * resolves to it (the connect-time check), or through a redirect from an allowed upstream.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isAppError } from "../../../src/errors.ts";
import { createGuardedHttp, type GuardedHttp } from "../../../src/fetchers/guarded-http.ts";
import { type LocalServer, redirectTo, startCanary, startUpstream } from "../../support/canary-server.ts";

const denied = (error: unknown) => isAppError(error, "FETCH_ADDRESS_DENIED");

describe("guarded http client", () => {
  let canary: LocalServer;
  let upstream: LocalServer;
  let http: GuardedHttp;
  const posted: string[] = [];

  before(async () => {
    canary = await startCanary();
    upstream = await startUpstream({
      "/feed.xml": (_req, res) => res.end("<rss/>"),
      "/hook": (req, res) => {
        let body = "";
        req.on("data", (chunk: Buffer) => {
          body += chunk.toString();
        });
        req.on("end", () => {
          posted.push(body);
          res.end("ok");
        });
      },
      "/to-canary": redirectTo(`http://127.0.0.1:${canary.port}/latest/meta-data/iam`),
      "/to-canary-decimal": redirectTo(`http://2130706433:${canary.port}/x`, 307),
      "/to-canary-name": redirectTo(`http://localhost:${canary.port}/x`, 301),
      "/to-metadata": redirectTo("http://169.254.169.254/latest/meta-data/"),
      "/to-file": redirectTo("file:///etc/passwd"),
      "/hook-redirect": redirectTo(`http://127.0.0.1:${canary.port}/hook`, 307),
    });
    http = createGuardedHttp({
      allowedPrivateHosts: [upstream.hostKey],
      timeoutMs: 5000,
      maxBytes: 1 << 20,
      userAgent: "test",
    });
  });

  after(async () => {
    await http.close();
    await canary.close();
    await upstream.close();
  });

  it("fetches from an allowed private host:port", async () => {
    const result = await http.fetchText(`${upstream.base}/feed.xml`);
    assert.equal(result.body, "<rss/>");
  });

  it("refuses the canary by literal IP in every spelling, before connecting", async () => {
    for (const host of ["127.0.0.1", "2130706433", "0x7f.1", "[::ffff:127.0.0.1]", "127.1"]) {
      await assert.rejects(http.fetchText(`http://${host}:${canary.port}/x`), denied, host);
    }
    await assert.rejects(http.fetchText("http://[::1]/x"), denied);
    await assert.rejects(http.fetchText("http://169.254.169.254/latest/meta-data/"), denied);
    await assert.rejects(http.fetchText("http://10.0.0.1/x"), denied);
    assert.deepEqual(canary.requests, []);
  });

  it("refuses a name that resolves to loopback at connect time", async () => {
    await assert.rejects(http.fetchText(`http://localhost:${canary.port}/x`), (error: unknown) => {
      assert.ok(denied(error));
      assert.match((error as Error).message, /localhost:\d+ is a loopback address/);
      return true;
    });
    // The bare transport has no pre-check: the connector alone refuses.
    await assert.rejects(http.send(new URL(`http://localhost:${canary.port}/x`), {}), (error: unknown) => {
      assert.ok(error instanceof Error && denied(error.cause));
      return true;
    });
    assert.deepEqual(canary.requests, []);
  });

  it("re-checks every redirect hop", async () => {
    for (const path of ["/to-canary", "/to-canary-decimal", "/to-canary-name", "/to-metadata"]) {
      await assert.rejects(http.fetchText(`${upstream.base}${path}`), denied, path);
    }
    await assert.rejects(http.fetchText(`${upstream.base}/to-file`), (e: unknown) =>
      isAppError(e, "URL_INVALID"),
    );
    assert.deepEqual(canary.requests, []);
  });

  it("posts JSON to an allowed host and refuses private targets and redirects of a POST", async () => {
    const result = await http.postJson(`${upstream.base}/hook`, { day: "2026-01-02" });
    assert.equal(result.status, 200);
    assert.deepEqual(posted, ['{"day":"2026-01-02"}']);
    await assert.rejects(http.postJson(`${canary.base}/hook?key=secret`, {}), denied);
    await assert.rejects(http.postJson(`${upstream.base}/hook-redirect`, {}), (error: unknown) => {
      assert.ok(isAppError(error, "FETCH_HTTP_STATUS"));
      assert.equal(error.details.status, 307);
      assert.doesNotMatch(error.message, /hook/, "a webhook's path can carry its key");
      return true;
    });
    assert.deepEqual(canary.requests, []);
  });

  it("refuses an allow-list entry that is not host:port", () => {
    for (const entry of ["127.0.0.1", "http://127.0.0.1:80", "a b:80", "127.0.0.1:99999"]) {
      assert.throws(
        () => createGuardedHttp({ allowedPrivateHosts: [entry], timeoutMs: 1, maxBytes: 1, userAgent: "t" }),
        (e: unknown) => isAppError(e, "URL_INVALID"),
        entry,
      );
    }
  });
});
