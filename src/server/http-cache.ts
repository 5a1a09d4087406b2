/**
 * Conditional GET for everything the server renders (publish/representation.ts builds the bodies and
 * their validators): the RFC 9110 evaluation order (If-None-Match wins over If-Modified-Since; weak
 * comparison for GET/HEAD; `*` and comma-separated lists) and content negotiation of the precompressed
 * gzip and brotli bodies, answered in one handler.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import type { EncodedBody, Representation } from "../publish/representation.ts";

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

/** True when Accept-Encoding accepts `coding` (listed, or `*`, with a q-value above 0). */
export function acceptsEncoding(header: string, coding: string): boolean {
  let star = false;
  for (const part of header.split(",")) {
    const [name = "", ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const accepted = q === undefined || Number(q.slice(2)) > 0;
    if (name.trim() === coding) return accepted;
    if (name.trim() === "*") star = accepted;
  }
  return star;
}

/** The encoding of `rep` to send: brotli, else gzip, when the client accepts it and it exists. */
export function pickEncoding(req: IncomingMessage, rep: Representation): EncodedBody {
  const header = req.headers["accept-encoding"];
  if (header === undefined || header === "" || (rep.br === null && rep.gzip === null)) return rep;
  if (rep.br !== null && acceptsEncoding(header, "br")) return rep.br;
  if (rep.gzip !== null && acceptsEncoding(header, "gzip")) return rep.gzip;
  return rep;
}

/**
 * Serves `rep` for GET/HEAD in the encoding the client accepts: 304 with the validators when the
 * client's copy (in any encoding) is current, else 200 (no body on HEAD).
 */
export function sendRepresentation(req: IncomingMessage, res: ServerResponse, rep: Representation): void {
  const chosen = pickEncoding(req, rep);
  // The client's copy may be of any encoding; the 304 names the tag it holds.
  const current = isNotModified(req, chosen.etag, rep.lastModified)
    ? chosen
    : [rep, rep.gzip, rep.br].find((v) => v !== null && isNotModified(req, v.etag, rep.lastModified));
  if (current !== undefined && current !== null) {
    res.writeHead(304, current.headers304);
    res.end();
    return;
  }
  res.writeHead(200, chosen.headers200);
  if (req.method === "HEAD") res.end();
  else res.end(chosen.body);
}
