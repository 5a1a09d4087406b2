/**
 * A loopback forward proxy that the browser pool launches Chromium behind, so the hop guard sees every
 * request Chromium makes. Playwright's route handlers are never called for redirect hops ("The handler
 * will only be called for the first url if the response is a redirect", page.route docs), and CDP
 * URL blocking does not apply to navigations, so without this a 302 to another host would be followed.
 * Plain-HTTP requests to a refused host get a 403 marked with PROXY_DENIED_HEADER; refused CONNECT
 * tunnels (HTTPS) fail in Chromium with net::ERR_TUNNEL_CONNECTION_FAILED. Either way the other host
 * receives nothing. Allowed HTTPS passes through an opaque tunnel, so TLS stays the browser's own.
 */

import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { connect, type Socket } from "node:net";

/** Response header on the proxy's 403 for a refused plain-HTTP hop. */
export const PROXY_DENIED_HEADER = "x-wechat-feed-proxy-denied";
/** Response header on the proxy's 502 when the upstream could not be reached (value: the error code). */
export const PROXY_ERROR_HEADER = "x-wechat-feed-proxy-error";

/** A running hop proxy. */
export interface HopProxy {
  /** `http://127.0.0.1:<port>`, for Chromium's --proxy-server. */
  readonly url: string;
  close(): Promise<void>;
}

const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authorization",
  "transfer-encoding",
];

function isAllowed(checkHop: (url: URL) => void, url: string): boolean {
  try {
    checkHop(new URL(url));
    return true;
  } catch {
    return false;
  }
}

function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const copy = { ...headers };
  for (const name of HOP_BY_HOP) delete copy[name];
  return copy;
}

/** Starts a hop proxy on 127.0.0.1 that forwards only what `checkHop` accepts. */
export async function createHopProxy(checkHop: (url: URL) => void): Promise<HopProxy> {
  const agent = new Agent({ keepAlive: true });
  const tunnels = new Set<Socket>();

  const server = createServer((req, res) => {
    const target = req.url ?? "";
    if (!target.startsWith("http://") || !isAllowed(checkHop, target)) {
      req.resume();
      res.writeHead(403, { [PROXY_DENIED_HEADER]: "1", "content-type": "text/plain" }).end("hop denied");
      return;
    }
    const upstream = httpRequest(
      target,
      { method: req.method, headers: withoutHopByHop(req.headers), agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, withoutHopByHop(answer.headers));
        answer.pipe(res);
      },
    );
    upstream.on("error", (error: NodeJS.ErrnoException) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(502, { [PROXY_ERROR_HEADER]: error.code ?? "ERROR", "content-type": "text/plain" }).end();
    });
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });

  server.on("connect", (req, socket: Socket, head: Buffer) => {
    const authority = req.url ?? "";
    if (!isAllowed(checkHop, `https://${authority}`)) {
      socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      return;
    }
    const target = new URL(`https://${authority}`);
    const host = target.hostname.replace(/^\[(.*)\]$/, "$1");
    tunnels.add(socket);
    let established = false;
    const upstream = connect(Number(target.port || 443), host, () => {
      established = true;
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    tunnels.add(upstream);
    upstream.on("error", () => {
      if (established) socket.destroy();
      else socket.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
    });
    socket.on("error", () => upstream.destroy());
    socket.on("close", () => {
      upstream.destroy();
      tunnels.delete(socket);
      tunnels.delete(upstream);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const socket of tunnels) socket.destroy();
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
