/**
 * The status page's sign-in: posting the API token sets an HttpOnly, SameSite=Strict cookie holding an
 * HMAC of the token (never the token itself), so it stays valid exactly as long as the token does and
 * needs no server-side store. Every action form carries a CSRF token derived from the session, checked
 * in constant time, on top of SameSite: a cross-site form can neither send the cookie nor know the token.
 */
import { createHmac } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { isSameSecret } from "../auth.ts";

/** The session cookie's name. */
export const SESSION_COOKIE = "wf_session";
const MAX_AGE_S = 30 * 86_400;

function hmac(key: string, text: string): string {
  return createHmac("sha256", key).update(text).digest("base64url");
}

/** The session value for `apiToken`. */
function sessionValue(apiToken: string): string {
  return hmac(apiToken, "wechat-feed session v1");
}

/** Reads one cookie from the request. */
function readCookie(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return null;
}

/** True when the request carries a valid session for `apiToken` (false when no token is configured). */
export function hasSession(req: IncomingMessage, apiToken: string | undefined): boolean {
  if (apiToken === undefined || apiToken === "") return false;
  const cookie = readCookie(req, SESSION_COOKIE);
  return cookie !== null && isSameSecret(cookie, sessionValue(apiToken));
}

/** The CSRF token of a signed-in page. */
export function csrfToken(apiToken: string): string {
  return hmac(apiToken, `csrf:${sessionValue(apiToken)}`);
}

/** True when `given` is the CSRF token of the session. */
export function isValidCsrf(given: string, apiToken: string): boolean {
  return isSameSecret(given, csrfToken(apiToken));
}

/** The Set-Cookie header signing in (`secure` on https deployments). */
export function sessionCookie(apiToken: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${sessionValue(apiToken)}; Path=/; Max-Age=${MAX_AGE_S}; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
}

/** The Set-Cookie header signing out. */
export function clearSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict`;
}
