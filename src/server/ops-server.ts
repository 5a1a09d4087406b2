/**
 * The small operator listener of processes without the main HTTP server (`--role worker`, `--role
 * scheduler`): `/livez`, `/readyz` (`/healthz`) and `/metrics` on their own port, through the same
 * route handlers and dispatcher as the main server, so every role is probed and scraped alike. When the
 * configured port is taken (a second worker on the same machine), a free one is used and logged.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../ops/metrics.ts";
import type { ReadinessCheck } from "../ops/readiness.ts";
import { createRouter, READ, type Route } from "./router.ts";
import { createOpsRoutes } from "./routes/ops.ts";

/** What the listener needs. */
export interface OpsServerDeps {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly checks: Readonly<Record<string, ReadinessCheck>>;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

/** A started ops listener. */
export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the ops listener; resolves once it listens. */
export async function startOpsServer(deps: OpsServerDeps): Promise<OpsServer> {
  const ops = createOpsRoutes({ ...deps, now: () => new Date() });
  const exact = new Map<string, Route>([
    ["/livez", { methods: READ, handle: (req, res) => ops.livez(req, res) }],
    ["/readyz", { methods: READ, handle: (req, res) => ops.readyz(req, res) }],
    ["/healthz", { methods: READ, handle: (req, res) => ops.readyz(req, res) }],
    ["/metrics", { methods: READ, handle: (req, res) => ops.metrics(req, res) }],
  ]);
  const server = createServer(
    { requestTimeout: 10_000, headersTimeout: 5_000 },
    createRouter(exact, [], deps),
  );
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, deps.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  try {
    await listen(deps.port);
  } catch (error) {
    // Several workers on one machine share the configured port: the later ones take a free one.
    if ((error as { code?: string }).code !== "EADDRINUSE" || deps.port === 0) throw error;
    deps.logger.warn({ port: deps.port }, "ops port in use");
    await listen(0);
  }
  const { port } = server.address() as AddressInfo;
  deps.logger.info({ host: deps.host, port }, "ops listening");
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
