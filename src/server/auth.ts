/**
 * Bearer-token check for the write API (`POST /api/enqueue`). Both sides are hashed to fixed-length
 * digests before `timingSafeEqual`, so the comparison time reveals neither the token nor its length.
 */

import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** Result of checking a request against the configured token. */
export type AuthResult = "ok" | "disabled" | "missing" | "invalid";

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** True when `given` equals `expected`, compared in constant time. */
export function isSameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** Checks `Authorization: Bearer <token>`; `disabled` when no token is configured (the API is refused). */
export function checkBearer(req: IncomingMessage, token: string | undefined): AuthResult {
  if (token === undefined || token === "") return "disabled";
  const header = req.headers.authorization;
  if (header === undefined) return "missing";
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (match === null) return "invalid";
  return isSameSecret(match[1] ?? "", token) ? "ok" : "invalid";
}
