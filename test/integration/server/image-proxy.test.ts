import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { fetchBytes } from "../../../src/fetchers/http.ts";
import { signImageUrl } from "../../../src/publish/image-url.ts";
import { createRepresentation } from "../../../src/publish/representation.ts";
import { createImageCache } from "../../../src/server/image-cache.ts";
import type { FetchImage } from "../../../src/server/image-proxy.ts";
import { makeArticle } from "../../support/seed-articles.ts";
import { startTestServer, type TestServer } from "../../support/test-server.ts";

const SECRET = "image-proxy-test-secret-0123456789";
// A 1×1 PNG, byte for byte.
const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d4948445200000001000000010806000000" +
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082",
  "hex",
);
const MAX_BYTES = 64 * 1024;

interface MockImageHost {
  readonly server: Server;
  readonly port: number;
  readonly requests: { path: string; referer: string | undefined }[];
}

/** Stands in for mmbiz.qpic.cn: each path answers one kind of upstream response. */
async function startMockImageHost(): Promise<MockImageHost> {
  const requests: MockImageHost["requests"] = [];
  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0] ?? "";
    requests.push({ path, referer: req.headers.referer });
    if (path === "/mmbiz_png/ok/640" || /^\/mmbiz_png\/img-\w+\/640$/.test(path))
      res.writeHead(200, { "Content-Type": "image/png" }).end(PNG);
    else if (path === "/mmbiz_png/html/640")
      res.writeHead(200, { "Content-Type": "text/html" }).end("<script>x</script>");
    else if (path === "/mmbiz_png/svg/640") {
      res.writeHead(200, { "Content-Type": "image/svg+xml" }).end("<svg onload='x()'/>");
    } else if (path === "/mmbiz_png/big/640") {
      res.writeHead(200, { "Content-Type": "image/jpeg" }).end(Buffer.alloc(MAX_BYTES * 2, 1));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port, requests };
}

/** The real HTTP fetcher, with the allowlisted qpic host pointed at the local mock. */
function fetchViaMock(port: number): FetchImage {
  return (url, options) => {
    const target = new URL(url);
    return fetchBytes(`http://127.0.0.1:${port}${target.pathname}${target.search}`, options);
  };
}

describe("image proxy", () => {
  let server: TestServer;
  let host: MockImageHost;
  const cover = "https://mmbiz.qpic.cn/mmbiz_png/ok/640?wx_fmt=png";

  before(async () => {
    host = await startMockImageHost();
    server = await startTestServer({
      articles: [
        makeArticle({
          key: "1000000001-5-1",
          title: "带图的文章",
          sourceId: "alpha",
          publishedAt: "2025-11-01T00:00:00Z",
          storedAt: Date.parse("2025-11-01T01:00:00Z"),
          text: `正文\n\n![](${cover})`,
          cover,
        }),
      ],
      settings: { imageProxy: { enabled: true, secret: SECRET, maxBytes: MAX_BYTES } },
      deps: () => ({ fetchImage: fetchViaMock(host.port) }),
    });
  });
  after(async () => {
    await server?.close();
    host?.server.close();
  });

  const get = (path: string, init?: RequestInit) => fetch(`${server.base}${path}`, init);

  it("passes a signed qpic image through with the WeChat Referer and safe headers", async () => {
    host.requests.length = 0;
    const res = await get(signImageUrl(cover, SECRET));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "image/png");
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.match(res.headers.get("content-security-policy") ?? "", /default-src 'none'/);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), PNG);
    assert.deepEqual(host.requests, [{ path: "/mmbiz_png/ok/640", referer: "https://mp.weixin.qq.com/" }]);
    const head = await get(signImageUrl(cover, SECRET), { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");
  });

  it("refuses a bad signature with 403 and a non-qpic host with 400, before any request", async () => {
    host.requests.length = 0;
    const signed = signImageUrl(cover, SECRET);
    const tampered = signed.replace(/s=([0-9a-f])/, (_m, c: string) => `s=${c === "0" ? "1" : "0"}`);
    assert.equal((await get(tampered)).status, 403);
    assert.equal((await get(signImageUrl(cover, "another-secret-0123456789abcdef"))).status, 403);
    const otherHost = cover.replace("mmbiz.qpic.cn", "mmbiz.qpic.cn.evil.example");
    assert.equal((await get(signImageUrl(otherHost, SECRET))).status, 400);
    assert.equal((await get(signImageUrl("https://127.0.0.1/x.png", SECRET))).status, 400);
    assert.equal((await get(signImageUrl("javascript:alert(1)", SECRET))).status, 400);
    assert.equal((await get("/img?u=x")).status, 400);
    assert.deepEqual(host.requests, [], "the image host was never contacted");
  });

  it("refuses upstream answers that are not raster images within the size cap", async () => {
    for (const kind of ["html", "svg", "big", "missing"]) {
      const res = await get(signImageUrl(`https://mmbiz.qpic.cn/mmbiz_png/${kind}/640`, SECRET));
      assert.equal(res.status, 502, kind);
      assert.match(res.headers.get("content-type") ?? "", /^application\/json/, kind);
    }
  });

  it("points feed images at the signed proxy", async () => {
    const xml = await (await get("/feed.xml")).text();
    const proxied = `http://feeds.test${signImageUrl(cover, SECRET)}`.replaceAll("&", "&amp;");
    assert.ok(xml.includes(proxied), "content and enclosure use the proxy URL");
    assert.ok(!xml.includes(`src="${cover.replaceAll("&", "&amp;")}"`), "no direct qpic image is left");
  });
});

describe("image proxy: strict targets, bounded fetches, recent images kept", () => {
  let server: TestServer;
  let host: MockImageHost;
  let active = 0;
  let maxActive = 0;
  let slow: Server;
  let slowPort = 0;
  const img = (name: string) => `https://mmbiz.qpic.cn/mmbiz_png/img-${name}/640`;

  before(async () => {
    host = await startMockImageHost();
    // Holds each image 100 ms, counting how many upstream requests are open at once.
    slow = createServer((_req, res) => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      setTimeout(() => {
        active -= 1;
        res.writeHead(200, { "Content-Type": "image/png" }).end(PNG);
      }, 100);
    });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    slowPort = (slow.address() as AddressInfo).port;
    server = await startTestServer({
      settings: { imageProxy: { enabled: true, secret: SECRET, maxBytes: MAX_BYTES } },
      deps: () => ({
        fetchImage: (url, options) =>
          new URL(url).pathname.includes("slow-")
            ? fetchViaMock(slowPort)(url, options)
            : fetchViaMock(host.port)(url, options),
      }),
    });
  });
  after(async () => {
    await server?.close();
    host?.server.close();
    slow?.close();
  });

  const get = (path: string, init?: RequestInit) => fetch(`${server.base}${path}`, init);

  it("refuses targets that URL parsing would normalise, before any request", async () => {
    host.requests.length = 0;
    const refused = [
      "https://mmbiz.qpic.cn\\mmbiz_png\\ok\\640",
      "https://mmbiz.qpic.cn/mmbiz_png\\ok/640",
      "https://mmbiz%2Eqpic.cn/mmbiz_png/ok/640",
      "https://MMBIZ.QPIC.CN/mmbiz_png/ok/640",
      "https://mmbiz.qpic.cn:443/mmbiz_png/ok/640",
      "https://mmbiz.qpic.cn:8443/mmbiz_png/ok/640",
      "https://user@mmbiz.qpic.cn/mmbiz_png/ok/640",
      "https://evil.example\\@mmbiz.qpic.cn/mmbiz_png/ok/640",
      "https:mmbiz.qpic.cn/mmbiz_png/ok/640",
      "https://mmbiz.qpic.cn/mmbiz_png/o\tk/640",
      "https://mmbiz.qpic.cn/mmbiz_png/ok/640#frag",
      " https://mmbiz.qpic.cn/mmbiz_png/ok/640",
      "https://mmbiz.qpic.cn./mmbiz_png/ok/640",
      "ftp://mmbiz.qpic.cn/mmbiz_png/ok/640",
    ];
    for (const target of refused) {
      assert.equal((await get(signImageUrl(target, SECRET))).status, 400, JSON.stringify(target));
    }
    assert.deepEqual(host.requests, [], "the image host was never contacted");
    assert.equal((await get(signImageUrl(img("plain"), SECRET))).status, 200, "a plain URL still passes");
  });

  it("keeps recent images with their validators: repeats and conditional requests stay local", async () => {
    host.requests.length = 0;
    const first = await get(signImageUrl(img("a"), SECRET));
    assert.equal(first.status, 200);
    const etag = first.headers.get("etag") ?? "";
    const lastModified = first.headers.get("last-modified") ?? "";
    assert.match(etag, /^"/);
    assert.notEqual(lastModified, "");
    await first.arrayBuffer();
    const again = await get(signImageUrl(img("a"), SECRET));
    assert.deepEqual(Buffer.from(await again.arrayBuffer()), PNG);
    const byEtag = await get(signImageUrl(img("a"), SECRET), { headers: { "If-None-Match": etag } });
    assert.equal(byEtag.status, 304);
    assert.equal(byEtag.headers.get("etag"), etag);
    const byDate = await get(signImageUrl(img("a"), SECRET), {
      headers: { "If-Modified-Since": lastModified },
    });
    assert.equal(byDate.status, 304);
    assert.deepEqual(
      host.requests.map((r) => r.path),
      ["/mmbiz_png/img-a/640"],
      "one upstream request",
    );
  });

  it("fetches at most `concurrency` images upstream at once", async () => {
    maxActive = 0;
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        get(signImageUrl(`https://mmbiz.qpic.cn/mmbiz_png/slow-${i}/640`, SECRET)),
      ),
    );
    assert.deepEqual(
      answers.map((r) => r.status),
      Array(8).fill(200),
    );
    assert.equal(maxActive, 4, "the default of 4 upstream fetches at once");
  });
});

describe("image cache", () => {
  it("evicts the least recently used image once the byte budget is spent", async () => {
    const cache = createImageCache(2 * PNG.length);
    const fetched: string[] = [];
    const rep = (name: string) => async () => {
      fetched.push(name);
      return createRepresentation(PNG, "image/png");
    };
    for (const name of ["a", "b", "a", "c", "a", "b"]) await cache.get(name, rep(name));
    assert.deepEqual(fetched, ["a", "b", "c", "b"], "c pushed out b (least recently used), not a");
    assert.equal(cache.bytes, 2 * PNG.length);
    const [x, y] = await Promise.all([cache.get("d", rep("d")), cache.get("d", rep("d"))]);
    assert.equal(x, y, "concurrent requests share one fetch");
    assert.deepEqual(fetched.slice(4), ["d"]);
  });
});

describe("image proxy disabled", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.close();
  });

  it("answers 404 even for a well-formed request", async () => {
    const res = await fetch(`${server.base}${signImageUrl("https://mmbiz.qpic.cn/a/640", SECRET)}`);
    assert.equal(res.status, 404);
  });
});
