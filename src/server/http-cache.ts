/**
 * Conditional GET for everything the server renders: a strong ETag that is a hash of the body (so two
 * builds of the same items answer the same tag whatever the build time), Last-Modified, and the
 * RFC 9110 evaluation order (If-None-Match wins over If-Modified-Since; weak comparison for GET/HEAD;
 * `*` and comma-separated lists). A `Representation` precomputes its headers once, so serving a cached
 * feed per request is a map lookup, a header comparison and one write.
 */

import { createHash } from "node:crypto";
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";

/** Cache-Control of feeds and pages: readers may reuse them for five minutes. */
export const FEED_CACHE_CONTROL = "public, max-age=300";

/** A rendered body with its validators and headers, ready to be served many times. */
export interface Representation {
  readonly body: Buffer;
  readonly etag: string;
  /** Newest item's store time; null when there is no item (then no Last-Modified header). */
  readonly lastModified: Date | null;
  readonly headers200: OutgoingHttpHeaders;
  readonly headers304: OutgoingHttpHeaders;
}

/** A strong ETag of `body`: the quoted first 27 base64url characters (160 bits) of its SHA-256. */
export function computeEtag(body: Buffer | string): string {
  return `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
}

/** Builds a representation; `extra` headers (CSP, Referrer-Policy...) go on both 200 and 304. */
export function createRepresentation(
  body: Buffer | string,
  contentType: string,
  options: {
    readonly lastModified?: Date | null;
    readonly cacheControl?: string;
    readonly extra?: OutgoingHttpHeaders;
  } = {},
): Representation {
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  const etag = computeEtag(bytes);
  const lastModified =
    options.lastModified instanceof Date && !Number.isNaN(options.lastModified.getTime())
      ? options.lastModified
      : null;
  const common: OutgoingHttpHeaders = {
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

/** True when an If-None-Match header value matches `etag` (weak comparison, `*`, lists). */
export function matchesIfNoneMatch(header: string, etag: string): boolean {
  const opaque = etag.startsWith("W/") ? etag.slice(2) : etag;
  for (const part of header.split(",")) {
    const tag = part.trim();
    if (tag === "*") return true;
    if ((tag.startsWith("W/") ? tag.slice(2) : tag) === opaque) return true;
  }
  return false;
}

/** True when the request's validators say the client's copy is current (answer 304). */
export function isNotModified(req: IncomingMessage, etag: string, lastModified: Date | null): boolean {
  const inm = req.headers["if-none-match"];
  // RFC 9110 13.2.2: when If-None-Match is present, If-Modified-Since is ignored.
  if (inm !== undefined) return matchesIfNoneMatch(inm, etag);
  const ims = req.headers["if-modified-since"];
  if (ims === undefined || lastModified === null) return false;
  const since = Date.parse(ims);
  if (Number.isNaN(since)) return false;
  // HTTP dates have one-second resolution.
  return Math.floor(lastModified.getTime() / 1000) * 1000 <= since;
}

/** Serves `rep` for GET/HEAD: 304 with the validators when the client is current, else 200 (no body on HEAD). */
export function sendRepresentation(req: IncomingMessage, res: ServerResponse, rep: Representation): void {
  if (isNotModified(req, rep.etag, rep.lastModified)) {
    res.writeHead(304, rep.headers304);
    res.end();
    return;
  }
  res.writeHead(200, rep.headers200);
  if (req.method === "HEAD") res.end();
  else res.end(rep.body);
}
