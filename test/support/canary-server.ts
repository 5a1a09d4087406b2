/**
 * Plain HTTP servers on 127.0.0.1 for the outbound-request guard tests: a canary that only counts the
 * requests it receives (it must stay at 0), and an upstream whose routes a test fills in. The canary's
 * port is never listed in `fetch.allowedPrivateHosts`; the upstream's is.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A running local server. */
export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  /** `127.0.0.1:<port>`, the form `fetch.allowedPrivateHosts` lists. */
  readonly hostKey: string;
  readonly port: number;
  /** Requests received so far (method and path). */
  readonly requests: string[];
  close(): Promise<void>;
}

/** A route handler of the upstream server. */
export type Route = (req: IncomingMessage, res: ServerResponse) => void;

async function listen(server: Server, requests: string[]): Promise<LocalServer> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    hostKey: `127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Starts a canary: every request is counted and answered 200 "canary". */
export function startCanary(): Promise<LocalServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.end("canary");
  });
  return listen(server, requests);
}

/** Starts an upstream serving `routes` by path (query ignored); unknown paths answer 404. */
export function startUpstream(routes: Readonly<Record<string, Route>>): Promise<LocalServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const route = routes[new URL(req.url ?? "/", "http://x").pathname];
    if (route === undefined) {
      res.statusCode = 404;
      res.end();
    } else route(req, res);
  });
  return listen(server, requests);
}

/** A route that redirects to `location` with `status`. */
export function redirectTo(location: string, status = 302): Route {
  return (_req, res) => {
    res.writeHead(status, { location });
    res.end();
  };
}
