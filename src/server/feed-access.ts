/**
 * Private feeds (config `feeds.token`): every feed, OPML, digest and archive-page route then requires
 * `?key=<token>`. A request without a key gets 401, one with a wrong key 403, each with a one-line
 * message saying what to do. The key is compared in constant time (`auth.ts` `isSameSecret`). Without a
 * token the gate lets everything through, so public deployments are unchanged.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { isSameSecret } from "./auth.ts";
import { sendError } from "./respond.ts";
import type { Handler } from "./router.ts";

/** Wraps reader-facing handlers with the feed key check. */
export type FeedGate = (handler: Handler) => Handler;

/** True when the request may read feeds; otherwise the 401/403 answer has been sent. */
function isAllowed(
  req: IncomingMessage,
  res: ServerResponse,
  params: URLSearchParams | null,
  token: string,
): boolean {
  const key = params?.get("key") ?? null;
  if (key === null || key === "") {
    req.resume();
    sendError(req, res, 401, "this feed is private: add ?key=<feeds.token> to the URL");
    return false;
  }
  if (!isSameSecret(key, token)) {
    req.resume();
    sendError(req, res, 403, "wrong feed key: use the current feeds.token (it may have been rotated)");
    return false;
  }
  return true;
}

/** The gate of `token` (config `feeds.token`); an identity wrapper when it is unset. */
export function createFeedGate(token: string | undefined): FeedGate {
  if (token === undefined || token === "") return (handler) => handler;
  return (handler) => (req, res, params, arg) => {
    if (isAllowed(req, res, params, token)) return handler(req, res, params, arg);
  };
}
