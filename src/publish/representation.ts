/**
 * A rendered output as the server sends it: the body bytes, a strong ETag that is a hash of them (so two
 * builds of the same items carry the same tag whatever the build time), Last-Modified, and every header
 * precomputed once per build, so serving it per request is a lookup, a header comparison and one write.
 * Outputs built with `compress` also carry gzip and brotli bodies, compressed here once per build and
 * never per request, each with its own strong ETag (RFC 9110 8.8.3: another content coding is another
 * representation) and `Vary: Accept-Encoding`. Pure: hashing and compression only, no I/O, no clock.
 */

import { createHash } from "node:crypto";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

/** Response headers by name (publishing precomputes them; the server writes them as they are). */
export type OutputHeaders = Readonly<Record<string, string | number>>;

/** Cache-Control of feeds and pages: readers may reuse them for five minutes. */
export const FEED_CACHE_CONTROL = "public, max-age=300";

/** One encoding of a body: its bytes, ETag and headers. */
export interface EncodedBody {
  readonly body: Buffer;
  readonly etag: string;
  readonly headers200: OutputHeaders;
  readonly headers304: OutputHeaders;
}

/** A rendered body with its validators and headers, ready to be served many times. */
export interface Representation extends EncodedBody {
  /** Newest item's store time; null when there is no item (then no Last-Modified header). */
  readonly lastModified: Date | null;
  /** The gzip and brotli encodings, when built with `compress`. */
  readonly gzip: EncodedBody | null;
  readonly br: EncodedBody | null;
}

/** A strong ETag of `body`: the quoted first 27 base64url characters (160 bits) of its SHA-256. */
export function computeEtag(body: Buffer | string): string {
  return `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
}

/** Options of `createRepresentation`; `extra` headers (CSP, Referrer-Policy...) go on both 200 and 304. */
export interface RepresentationOptions {
  readonly lastModified?: Date | null;
  readonly cacheControl?: string;
  readonly extra?: OutputHeaders;
  /** Also build gzip and brotli bodies (feeds and pages; never for one-off answers). */
  readonly compress?: boolean;
}

/** Brotli quality 5: most of quality 11's gain on feed XML at a small fraction of its CPU time. */
const BROTLI_QUALITY = 5;

function encode(
  raw: Buffer,
  coding: "gzip" | "br",
  etag: string,
  common: OutputHeaders,
  contentType: string,
): EncodedBody {
  const body =
    coding === "gzip"
      ? gzipSync(raw, { level: 6 })
      : brotliCompressSync(raw, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
            [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
          },
        });
  // The coding goes inside the quotes, so the tag stays a valid strong entity tag.
  const tag = `${etag.slice(0, -1)}-${coding}"`;
  const headers304 = { ...common, ETag: tag };
  return {
    body,
    etag: tag,
    headers200: {
      ...headers304,
      "Content-Type": contentType,
      "Content-Encoding": coding,
      "Content-Length": body.length,
    },
    headers304,
  };
}

/** Builds a representation of `body` served as `contentType`. */
export function createRepresentation(
  body: Buffer | string,
  contentType: string,
  options: RepresentationOptions = {},
): Representation {
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  const etag = computeEtag(bytes);
  const lastModified =
    options.lastModified instanceof Date && !Number.isNaN(options.lastModified.getTime())
      ? options.lastModified
      : null;
  const common: Record<string, string | number> = {
    ETag: etag,
    "Cache-Control": options.cacheControl ?? FEED_CACHE_CONTROL,
    ...(lastModified === null ? {} : { "Last-Modified": lastModified.toUTCString() }),
    "X-Content-Type-Options": "nosniff",
    ...(options.compress === true ? { Vary: "Accept-Encoding" } : {}),
    ...options.extra,
  };
  const compress = options.compress === true;
  return {
    body: bytes,
    etag,
    lastModified,
    headers200: { ...common, "Content-Type": contentType, "Content-Length": bytes.length },
    headers304: common,
    gzip: compress ? encode(bytes, "gzip", etag, common, contentType) : null,
    br: compress ? encode(bytes, "br", etag, common, contentType) : null,
  };
}
