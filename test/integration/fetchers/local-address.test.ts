import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createLocalAddressTransport } from "../../../src/fetchers/local-address.ts";
import { fetchPageHttp } from "../../../src/fetchers/wechat-page.ts";
import { type MockOrigin, startMockOrigin } from "../../support/mock-wechat-origin.ts";

describe("fetch.localAddress", () => {
  let mock: MockOrigin;
  before(async () => {
    mock = await startMockOrigin();
    mock.route("/s/abc", { body: "<html><body>page</body></html>" });
  });
  after(async () => mock.close());

  it("sends http article requests from the configured local address", async () => {
    for (const address of ["127.0.0.2", "127.0.0.3"]) {
      const transport = createLocalAddressTransport(address);
      try {
        const page = await fetchPageHttp("https://mp.weixin.qq.com/s/abc", {
          origin: mock.origin,
          timeoutMs: 5000,
          maxBytes: 1_000_000,
          send: transport.send,
        });
        assert.equal(page.status, 200);
      } finally {
        await transport.close();
      }
    }
    assert.deepEqual(
      mock.requests.map((r) => r.remoteAddress),
      ["127.0.0.2", "127.0.0.3"],
    );
  });
});
