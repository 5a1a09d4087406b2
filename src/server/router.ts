/**
 * Request dispatch shared by the main HTTP server and the small ops listener of worker and scheduler
 * processes: a map of exact paths plus a short list of patterns, 404 for unknown paths, 405 (with
 * Allow) for a known path and wrong method, 503 when the store is down, 500 otherwise (stack traces go
 * to the log, never into a response). Every answered request is counted by route pattern and status,
 * never by raw path, so a scanner cannot blow up the metric's label set.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { isAppError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../ops/metrics.ts";
import { createRequestLog } from "./request-log.ts";
import { sendError } from "./respond.ts";

/** A route handler: the query (null when none) and the pattern's captured argument. */
export type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: URLSearchParams | null,
  arg: string,
) => Promise<void> | void;

/** A route: the methods it answers and its handler. */
export interface Route {
  readonly methods: readonly string[];
  readonly handle: Handler;
}

/** A pattern route: `name` is its metrics label, e.g. `/feeds/:id.xml`. */
export interface PatternRoute extends Route {
  readonly pattern: RegExp;
  readonly name: string;
}

/** Read-only methods. */
export const READ = ["GET", "HEAD"] as const;

/** Builds the request listener over the route table. */
export function createRouter(
  exact: ReadonlyMap<string, Route>,
  patterns: readonly PatternRoute[],
  deps: { readonly logger: Logger; readonly metrics: Metrics },
): (req: IncomingMessage, res: ServerResponse) => void {
  const { logger, metrics } = deps;
  const logRequest = createRequestLog(logger);
  const fail = (req: IncomingMessage, res: ServerResponse, err: unknown): void => {
    const unavailable = isAppError(err, "STORE_UNAVAILABLE");
    logger.error({ err, method: req.method, path: (req.url ?? "").split("?")[0] }, "request failed");
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (unavailable) sendError(req, res, 503, "store unavailable", { "Retry-After": "10" });
    else sendError(req, res, 500, "internal error");
  };

  const find = (pathname: string): { route: Route; name: string; arg: string } | null => {
    const route = exact.get(pathname);
    if (route !== undefined) return { route, name: pathname, arg: "" };
    for (const candidate of patterns) {
      const m = candidate.pattern.exec(pathname);
      if (m !== null) return { route: candidate, name: candidate.name, arg: m[1] ?? "" };
    }
    return null;
  };

  return (req, res) => {
    logRequest(req, res);
    const url = req.url ?? "/";
    const cut = url.indexOf("?");
    const pathname = cut === -1 ? url : url.slice(0, cut);
    const params = cut === -1 ? null : new URLSearchParams(url.slice(cut + 1));
    const found = find(pathname);
    const method = req.method ?? "";
    res.once("finish", () =>
      metrics.httpRequests.inc({
        route: found?.name ?? "unmatched",
        method: READ.includes(method as "GET") || method === "POST" ? method : "other",
        status: String(res.statusCode),
      }),
    );
    if (found === null) {
      req.resume();
      sendError(req, res, 404, "not found");
      return;
    }
    if (!found.route.methods.includes(method)) {
      req.resume();
      sendError(req, res, 405, "method not allowed", { Allow: found.route.methods.join(", ") });
      return;
    }
    try {
      const done = found.route.handle(req, res, params, found.arg);
      if (done instanceof Promise) done.catch((err: unknown) => fail(req, res, err));
    } catch (err) {
      fail(req, res, err);
    }
  };
}
