/**
 * A local stand-in for mp.weixin.qq.com: an HTTP server on 127.0.0.1 (random port) that serves corpus
 * pages and synthetic bodies by path and query, and can misbehave on purpose (hang, slow, 5xx, redirect
 * loop, captcha redirect, oversized body). Point `fetch.origin` at `mock.origin`: fetchers keep the
 * WeChat path and query, so routes are written exactly as on WeChat (`/s?__biz=…&mid=…&idx=…&sn=…`,
 * `/s/<token>`, or the full `https://mp.weixin.qq.com/...` URL). Every request is logged, so tests can
 * assert counts, pacing and "no request at all".
 *
 * Routing: later routes win. A string route matches when the path is equal and every query parameter it
 * names is present with that value; extra request parameters (chksm, scene, …) are ignored, as WeChat
 * ignores them. A RegExp is tested against the raw path and query. Unmatched requests get a 404. The
 * captcha path `/mp/wappoc_appmsgcaptcha` serves a synthetic verification page unless routed otherwise.
 */

import { createReadStream, statSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isAbsolute, join } from "node:path";
import { corpusDir } from "./corpus.ts";

/** Misbehaviours a route can have. */
export type MockMode =
  /** Accept the request and never answer (until reset/close). */
  | "hang"
  /** Wait `delayMs` (default 1000) before answering normally. */
  | "slow"
  /** Answer `status` (default 500) with a small error page. */
  | "error500"
  /** 302 back to the same path and query, forever. */
  | "redirectLoop"
  /** 302 to `/mp/wappoc_appmsgcaptcha?…`, as WeChat does when it wants a verification. */
  | "captchaRedirect"
  /** Stream `bytes` (default 32 MiB) of filler HTML (one endless inline script), chunked unless `declareLength`. */
  | "oversized";

/** What a route answers. Without `mode`, it serves `file`, else `body`, else an empty page. */
export interface MockHandler {
  /** A corpus file name (resolved in the WeChat corpus dir) or an absolute path; streamed. */
  readonly file?: string;
  readonly body?: string | Uint8Array;
  /** Default 200 (500 for `error500`, 302 with `location`). */
  readonly status?: number;
  /** Default `text/html; charset=utf-8`. */
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Answer with a redirect to this (absolute or relative) location. */
  readonly location?: string;
  readonly mode?: MockMode;
  /** Delay before answering, in any mode (default 1000 for `slow`, else 0). */
  readonly delayMs?: number;
  /** Size of the `oversized` body in bytes. */
  readonly bytes?: number;
  /** `oversized` only: send a Content-Length header (default false: chunked). */
  readonly declareLength?: boolean;
}

/** One logged request. */
export interface MockRequest {
  readonly method: string;
  /** Raw path and query, e.g. `/s?__biz=…`. */
  readonly url: string;
  /** Arrival time (epoch ms). */
  readonly at: number;
  readonly headers: IncomingHttpHeaders;
  /** The client's address (which local address, hence which egress group, sent it). */
  readonly remoteAddress: string;
}

/** The running mock origin. */
export interface MockOrigin {
  /** Base URL, e.g. `http://127.0.0.1:40123` (no trailing slash). */
  readonly origin: string;
  /** Every request received since start or the last reset, in arrival order. */
  readonly requests: readonly MockRequest[];
  /** Adds a route; a handler function is called per request (e.g. captcha first, article after). */
  route(match: string | RegExp, handler: MockHandler | ((request: MockRequest) => MockHandler)): void;
  /** Number of logged requests whose path starts with `pathPrefix` (all requests when omitted). */
  count(pathPrefix?: string): number;
  /** Drops all routes and the request log, and ends hanging requests. */
  reset(): void;
  /** Ends every connection and stops the server. */
  close(): Promise<void>;
}

/** WeChat's verification redirect target (wechat-pages.md section 4). */
export const CAPTCHA_PATH = "/mp/wappoc_appmsgcaptcha";

/** A synthetic verification page with the markers of wechat-pages.md section 4 (no corpus page exists). */
export const CAPTCHA_HTML = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>环境异常</title></head>
<body><div class="weui-msg"><h2 class="weui-msg__title">环境异常</h2>
<p class="weui-msg__desc">当前环境异常，完成验证后即可继续访问。</p><div id="js_verify"></div></div></body></html>`;

type Matcher = (path: string, query: URLSearchParams, raw: string) => boolean;
interface Route {
  readonly matches: Matcher;
  readonly handler: MockHandler | ((request: MockRequest) => MockHandler);
}

function toMatcher(match: string | RegExp): Matcher {
  if (match instanceof RegExp) return (_path, _query, raw) => match.test(raw);
  const wanted = new URL(match, "http://mock.invalid");
  const params = [...wanted.searchParams];
  return (path, query) =>
    path === wanted.pathname && params.every(([key, value]) => query.getAll(key).includes(value));
}

/** Starts a mock WeChat origin on 127.0.0.1 with a random port. */
export async function startMockOrigin(): Promise<MockOrigin> {
  let routes: Route[] = [];
  let requests: MockRequest[] = [];
  const held = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    const raw = req.url ?? "/";
    const request: MockRequest = {
      method: req.method ?? "GET",
      url: raw,
      at: Date.now(),
      headers: req.headers,
      remoteAddress: req.socket.remoteAddress ?? "",
    };
    requests.push(request);
    const parsed = new URL(raw, "http://mock.invalid");
    const route = routes.findLast((r) => r.matches(parsed.pathname, parsed.searchParams, raw));
    let handler: MockHandler;
    if (route !== undefined) {
      handler = typeof route.handler === "function" ? route.handler(request) : route.handler;
    } else if (parsed.pathname === CAPTCHA_PATH) {
      handler = { body: CAPTCHA_HTML };
    } else {
      handler = { status: 404, body: "<html><body>mock: no route</body></html>" };
    }
    const delayMs = handler.delayMs ?? (handler.mode === "slow" ? 1000 : 0);
    if (handler.mode === "hang") {
      held.add(res);
      res.on("close", () => held.delete(res));
      return;
    }
    if (delayMs <= 0) {
      answer(handler, raw, res);
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      answer(handler, raw, res);
    }, delayMs);
    timers.add(timer);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const endHeld = (): void => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    for (const res of held) res.destroy();
    held.clear();
  };

  return {
    origin: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    route(match, handler) {
      routes.push({ matches: toMatcher(match), handler });
    },
    count(pathPrefix) {
      return pathPrefix === undefined
        ? requests.length
        : requests.filter((r) => r.url.startsWith(pathPrefix)).length;
    },
    reset() {
      routes = [];
      requests = [];
      endHeld();
    },
    async close() {
      endHeld();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function answer(handler: MockHandler, raw: string, res: ServerResponse): void {
  if (res.destroyed) return;
  const headers: Record<string, string> = {
    "content-type": handler.contentType ?? "text/html; charset=utf-8",
    ...handler.headers,
  };
  switch (handler.mode) {
    case "error500":
      res.writeHead(handler.status ?? 500, headers).end("<html><body>mock: server error</body></html>");
      return;
    case "redirectLoop":
      res.writeHead(302, { ...headers, location: raw }).end();
      return;
    case "captchaRedirect": {
      const target = encodeURIComponent(`https://mp.weixin.qq.com${raw}`);
      res
        .writeHead(302, { ...headers, location: `${CAPTCHA_PATH}?poc_token=mock&target_url=${target}` })
        .end();
      return;
    }
    case "oversized":
      streamFiller(res, handler.bytes ?? 32 * 1024 * 1024, handler.declareLength === true, headers);
      return;
    default:
      break;
  }
  if (handler.location !== undefined) {
    res.writeHead(handler.status ?? 302, { ...headers, location: handler.location }).end();
    return;
  }
  if (handler.file !== undefined) {
    serveFile(handler.file, handler.status ?? 200, headers, res);
    return;
  }
  res.writeHead(handler.status ?? 200, headers).end(handler.body ?? "");
}

function serveFile(name: string, status: number, headers: Record<string, string>, res: ServerResponse): void {
  const dir = corpusDir();
  const path = isAbsolute(name) ? name : dir === null ? null : join(dir, name);
  let size: number;
  try {
    if (path === null) throw new Error("corpus directory not found");
    size = statSync(path).size;
  } catch (error) {
    res.writeHead(500, { "content-type": "text/plain" }).end(`mock: cannot serve ${name}: ${String(error)}`);
    return;
  }
  res.writeHead(status, { ...headers, "content-length": String(size) });
  const stream = createReadStream(path);
  stream.on("error", () => res.destroy());
  res.on("close", () => stream.destroy());
  stream.pipe(res);
}

/** Writes `total` filler bytes with backpressure, stopping as soon as the client goes away. */
function streamFiller(
  res: ServerResponse,
  total: number,
  declare: boolean,
  headers: Record<string, string>,
): void {
  res.writeHead(200, declare ? { ...headers, "content-length": String(total) } : headers);
  // Inline-script filler, like the bulk of a real WeChat page: cheap for Chromium to parse (thousands
  // of small elements or comments instead make the renderer crawl for seconds).
  const opening = Buffer.from("<!DOCTYPE html><html><head><script>\n");
  const chunk = Buffer.alloc(
    64 * 1024,
    'var filler = "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijkl";\n',
  );
  let sent = 0;
  if (total >= opening.length) {
    res.write(opening);
    sent = opening.length;
  }
  const pump = (): void => {
    while (sent < total && !res.destroyed) {
      const piece = total - sent >= chunk.length ? chunk : chunk.subarray(0, total - sent);
      sent += piece.length;
      if (!res.write(piece)) {
        res.once("drain", pump);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  pump();
}
