/**
 * A rendered output as the server sends it: the body bytes, a strong ETag that is a hash of them (so two
 * builds of the same items carry the same tag whatever the build time), Last-Modified, and every header
 * precomputed once per build, so serving it per request is a lookup, a header comparison and one write.
 * Pure: hashing only, no I/O, no clock.
 */

import { createHash } from "node:crypto";

/** Response headers by name (publishing precomputes them; the server writes them as they are). */
export type OutputHeaders = Readonly<Record<string, string | number>>;

/** Cache-Control of feeds and pages: readers may reuse them for five minutes. */
export const FEED_CACHE_CONTROL = "public, max-age=300";

/** A rendered body with its validators and headers, ready to be served many times. */
export interface Representation {
  readonly body: Buffer;
  readonly etag: string;
  /** Newest item's store time; null when there is no item (then no Last-Modified header). */
  readonly lastModified: Date | null;
  readonly headers200: OutputHeaders;
  readonly headers304: OutputHeaders;
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
    ...options.extra,
  };
  return {
    body: bytes,
    etag,
    lastModified,
    headers200: { ...common, "Content-Type": contentType, "Content-Length": bytes.length },
    headers304: common,
  };
}
