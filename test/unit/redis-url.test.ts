import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseRedisUrl } from "../../src/redis-url.ts";

describe("parseRedisUrl", () => {
  it("hands redis:// and rediss:// URLs to ioredis as they are", () => {
    for (const url of ["redis://127.0.0.1:6379", "rediss://user:pw@redis.example.com:6380/2"]) {
      assert.deepEqual(parseRedisUrl(url), { kind: "direct", url });
    }
  });

  it("takes a Sentinel URL apart into hosts, master name, credentials, database and TLS", () => {
    assert.deepEqual(parseRedisUrl("redis+sentinel://s1.example:26380,10.0.0.2,[::1]:26381/mymaster"), {
      kind: "sentinel",
      options: {
        sentinels: [
          { host: "s1.example", port: 26380 },
          { host: "10.0.0.2", port: 26379 },
          { host: "::1", port: 26381 },
        ],
        name: "mymaster",
      },
    });
    assert.deepEqual(parseRedisUrl("redis+sentinel://app:p%40ss@s1:26379/main/3?tls=1"), {
      kind: "sentinel",
      options: {
        sentinels: [{ host: "s1", port: 26379 }],
        name: "main",
        username: "app",
        sentinelUsername: "app",
        password: "p@ss",
        sentinelPassword: "p@ss",
        db: 3,
        tls: {},
        enableTLSForSentinelMode: true,
      },
    });
  });

  it("answers a one-line problem for anything else", () => {
    const table: [string, RegExp][] = [
      ["http://127.0.0.1:6379", /^expected redis:\/\/, rediss:\/\/ or redis\+sentinel:/],
      ["redis+sentinel://s1:26379", /^expected /],
      ["redis+sentinel://s1:99999/m", /^not a sentinel host:port: "s1:99999"$/],
      ["redis+sentinel://s 1/m", /^not a sentinel host:port/],
      ["redis://[nope", /^not a valid redis/],
    ];
    for (const [url, problem] of table) {
      const parsed = parseRedisUrl(url);
      assert.equal(typeof parsed, "string", url);
      assert.match(String(parsed), problem, url);
    }
  });
});
