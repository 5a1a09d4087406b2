/** `wechat-feed feeds rotate-token`: a valid fresh token on stdout, how to apply it on stderr. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigSchema } from "../../../src/config/schema.ts";
import { runCliInProcess } from "../../support/cli-run.ts";

describe("feeds rotate-token", () => {
  it("prints a new token the config accepts, different each time", async () => {
    const first = await runCliInProcess(["feeds", "rotate-token"], { env: {} });
    const second = await runCliInProcess(["feeds", "rotate-token"], { env: {} });
    assert.equal(first.code, 0);
    const token = first.stdout.trim();
    assert.match(token, /^[A-Za-z0-9_-]{32}$/);
    assert.notEqual(second.stdout.trim(), token);
    assert.equal(ConfigSchema.parse({ feeds: { token } }).feeds.token, token);
  });

  it("says where to apply it: the config file, or FEED_TOKEN when that is set", async () => {
    const viaFile = await runCliInProcess(["feeds", "rotate-token"], {
      env: { WECHAT_FEED_CONFIG: "/etc/wf/my.yaml" },
    });
    assert.match(viaFile.stderr, /set feeds\.token in \/etc\/wf\/my\.yaml \(or the FEED_TOKEN/);
    assert.match(viaFile.stderr, /restart the server/);
    const viaEnv = await runCliInProcess(["feeds", "rotate-token"], { env: { FEED_TOKEN: "x".repeat(20) } });
    assert.match(viaEnv.stderr, /^FEED_TOKEN is set in this environment/);
  });

  it("refuses anything but rotate-token with one usage line, exit 2", async () => {
    for (const args of [["feeds"], ["feeds", "rotate"], ["feeds", "rotate-token", "now"]]) {
      const result = await runCliInProcess(args, { env: {} });
      assert.equal(result.code, 2, args.join(" "));
      assert.equal(result.stdout, "");
      assert.match(result.stderr, /^wechat-feed: feeds: expected "rotate-token", got .+\n$/);
    }
  });
});
