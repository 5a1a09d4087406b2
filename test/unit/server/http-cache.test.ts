import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { computeEtag, createRepresentation } from "../../../src/publish/representation.ts";
import {
  acceptsEncoding,
  isNotModified,
  matchesIfNoneMatch,
  pickEncoding,
} from "../../../src/server/http-cache.ts";

const request = (headers: Record<string, string>): IncomingMessage =>
  ({ headers }) as unknown as IncomingMessage;

describe("ETags", () => {
  it("depend on the bytes only", () => {
    assert.equal(computeEtag("<rss/>"), computeEtag(Buffer.from("<rss/>")));
    assert.notEqual(computeEtag("<rss/>"), computeEtag("<rss />"));
    assert.match(computeEtag("x"), /^"[A-Za-z0-9_-]+"$/);
  });

  it("are precomputed into both header sets", () => {
    const rep = createRepresentation("body", "text/plain", {
      lastModified: new Date("2025-01-02T03:04:05Z"),
    });
    assert.equal(rep.headers200.ETag, rep.etag);
    assert.equal(rep.headers304.ETag, rep.etag);
    assert.equal(rep.headers200["Content-Length"], 4);
    assert.equal(rep.headers304["Content-Length"], undefined);
    assert.equal(rep.headers200["Last-Modified"], "Thu, 02 Jan 2025 03:04:05 GMT");
  });
});

describe("If-None-Match", () => {
  const etag = '"abc"';
  it("matches the tag, its weak form, lists and *", () => {
    for (const header of ['"abc"', 'W/"abc"', '"x", "abc"', '"x",W/"abc"', "*"]) {
      assert.equal(matchesIfNoneMatch(header, etag), true, header);
    }
    for (const header of ['"abcd"', '"ab"', "abc", '"x", "y"', ""]) {
      assert.equal(matchesIfNoneMatch(header, etag), false, header);
    }
  });

  it("takes precedence over If-Modified-Since", () => {
    const modified = new Date("2025-01-02T03:04:05Z");
    const since = "Thu, 02 Jan 2025 03:04:05 GMT";
    assert.equal(isNotModified(request({ "if-modified-since": since }), etag, modified), true);
    assert.equal(
      isNotModified(request({ "if-none-match": '"other"', "if-modified-since": since }), etag, modified),
      false,
    );
  });

  it("compares If-Modified-Since at one-second resolution", () => {
    const modified = new Date("2025-01-02T03:04:05.900Z");
    assert.equal(
      isNotModified(request({ "if-modified-since": "Thu, 02 Jan 2025 03:04:05 GMT" }), etag, modified),
      true,
    );
    assert.equal(
      isNotModified(request({ "if-modified-since": "Thu, 02 Jan 2025 03:04:04 GMT" }), etag, modified),
      false,
    );
    assert.equal(isNotModified(request({ "if-modified-since": "garbage" }), etag, modified), false);
    assert.equal(
      isNotModified(request({ "if-modified-since": "Thu, 02 Jan 2025 03:04:05 GMT" }), etag, null),
      false,
    );
  });
});

describe("content codings", () => {
  const rep = createRepresentation("<rss>".repeat(200), "application/rss+xml", { compress: true });

  it("are built once with their own strong ETags and Vary on every answer", () => {
    assert.ok(rep.gzip && rep.br);
    assert.deepEqual(gunzipSync(rep.gzip.body), rep.body);
    assert.deepEqual(brotliDecompressSync(rep.br.body), rep.body);
    assert.equal(new Set([rep.etag, rep.gzip.etag, rep.br.etag]).size, 3);
    for (const e of [rep, rep.gzip, rep.br]) {
      assert.match(e.etag, /^"[A-Za-z0-9_-]+"$/);
      assert.equal(e.headers200.Vary, "Accept-Encoding");
      assert.equal(e.headers304.Vary, "Accept-Encoding");
      assert.equal(e.headers200["Content-Length"], e.body.length);
    }
    assert.equal(createRepresentation("x", "text/plain").gzip, null);
  });

  it("follow Accept-Encoding: brotli first, q=0 refuses, * accepts, none means identity", () => {
    const pick = (header?: string) =>
      pickEncoding(request(header === undefined ? {} : { "accept-encoding": header }), rep).headers200[
        "Content-Encoding"
      ];
    assert.equal(pick(), undefined);
    assert.equal(pick(""), undefined);
    assert.equal(pick("gzip, deflate, br"), "br");
    assert.equal(pick("gzip"), "gzip");
    assert.equal(pick("br;q=0, gzip;q=0.5"), "gzip");
    assert.equal(pick("BR"), "br");
    assert.equal(pick("*"), "br");
    assert.equal(pick("*, br;q=0"), "gzip");
    assert.equal(pick("gzip;q=0, br;q=0"), undefined);
    assert.equal(pick("deflate"), undefined);
    assert.equal(acceptsEncoding("gzip ; q=0.001", "gzip"), true);
  });
});
