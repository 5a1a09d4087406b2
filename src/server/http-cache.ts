/**
 * Conditional GET for everything the server renders (publish/representation.ts builds the bodies and
 * their validators): the RFC 9110 evaluation order (If-None-Match wins over If-Modified-Since; weak
 * comparison for GET/HEAD; `*` and comma-separated lists), answered in one handler.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import type { Representation } from "../publish/representation.ts";

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
