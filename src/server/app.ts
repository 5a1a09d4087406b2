/**
 * The HTTP server on plain `node:http`: a fixed route table, no framework (fewer moving parts, and the
 * feed path stays a map lookup plus one write, see `bench/feed.bench.ts`). It owns the output cache
 * (started before the port opens, closed with the server) and, unless one is passed in, the Redis
 * connection that listens for change notices. Every failure becomes a one-line JSON error: 404 for
 * unknown paths, 405 (with Allow) for a known path and wrong method, 503 when the store is down, 500
 * otherwise; stack traces go to the log, never into a response.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Redis } from "ioredis";
import type { Logger } from "../logger.ts";
import { createMetrics, type Metrics } from "../ops/metrics.ts";
import type { ReadinessCheck } from "../ops/readiness.ts";
import { checkRedis } from "../ops/readiness.ts";
import { createImageUrlRewriter } from "../publish/image-url.ts";
import type { ArticleStore } from "../store/article-store.ts";
import type { SourceState } from "../store/source-state.ts";
import { createAuthThrottle } from "./auth-throttle.ts";
import { createImageProxyHandler, type FetchImage } from "./image-proxy.ts";
import { OPENAPI_DOCUMENT } from "./openapi.ts";
import { createOutputCache, type OutputCache } from "./output-cache.ts";
import { sendJson } from "./respond.ts";
import { createRouter, type PatternRoute, READ, type Route } from "./router.ts";
import { createApiRoutes, type EnqueueFn } from "./routes/api.ts";
import { createFeedRoutes } from "./routes/feeds.ts";
import { type ArchiveStatus, createOpsRoutes } from "./routes/ops.ts";
import { createStatusRoutes, type StatusRouteDeps } from "./routes/status.ts";

/** The configuration values the server uses (mapped from `Config` by the composition root). */
export interface HttpServerSettings {
  /** config.redis.prefix */
  readonly prefix: string;
  readonly host: string;
  /** 0 picks a free port (tests, the bench). */
  readonly port: number;
  /** Public base URL without trailing slash. */
  readonly publicUrl: string;
  readonly apiToken?: string | undefined;
  readonly feeds: { readonly limit: number; readonly title: string };
  /** `maxBytes`: largest proxied image (default 10 MiB). */
  readonly imageProxy: {
    readonly enabled: boolean;
    readonly secret?: string | undefined;
    readonly maxBytes?: number;
  };
  readonly digest: { readonly schedule: string; readonly timezone: string };
  /** Static copies go to `<dataDir>/public/`; null writes none. */
  readonly dataDir: string | null;
  readonly sources?: readonly { readonly id: string; readonly name?: string | undefined }[];
  /** Output rebuild tuning (defaults: 1000 ms debounce, 5000 ms check). */
  readonly debounceMs?: number;
  readonly checkIntervalMs?: number;
}

/** Everything the server needs, passed in by `main.ts`. */
export interface HttpServerDeps {
  readonly settings: HttpServerSettings;
  readonly store: ArticleStore;
  readonly sourceState: SourceState;
  readonly redis: Redis;
  /** A connection for pub/sub; when absent the server opens (and closes) `redis.duplicate()`. */
  readonly subscriber?: Redis;
  readonly logger: Logger;
  readonly enqueue: EnqueueFn;
  /** Readiness checks of this process (`/readyz`); Redis is always added. */
  readonly checks?: Readonly<Record<string, ReadinessCheck>>;
  /** This process's metrics (`/metrics`, HTTP request counts); default a fresh registry. */
  readonly metrics?: Metrics;
  readonly fetchImage?: FetchImage;
  /** The archive's write health (`/readyz`). */
  readonly archiveStatus?: () => Promise<ArchiveStatus>;
  /** The status page, `/api/status` and their actions; absent: not served. */
  readonly status?: Pick<StatusRouteDeps, "readStatus" | "retryArticle" | "pollSource">;
  readonly now?: () => Date;
}

/** A started-on-demand HTTP server. */
export interface HttpServer {
  /** Builds the outputs, then listens; resolves with the bound port. */
  listen(): Promise<{ readonly port: number }>;
  /** Stops accepting, ends open connections, stops the output cache. */
  close(): Promise<void>;
}

/** The output cache (feeds, digests, OPML, static copies) with the server's settings. */
function createServerCache(deps: HttpServerDeps, subscriber: Redis, now: () => Date) {
  const { settings, logger } = deps;
  const secret = settings.imageProxy.secret;
  const imageUrl =
    settings.imageProxy.enabled && secret !== undefined
      ? createImageUrlRewriter(settings.publicUrl, secret)
      : undefined;
  return createOutputCache({
    store: deps.store,
    redis: deps.redis,
    subscriber,
    prefix: settings.prefix,
    settings: {
      publicUrl: settings.publicUrl,
      feedTitle: settings.feeds.title,
      defaultLimit: settings.feeds.limit,
      sourceNames: new Map(
        (settings.sources ?? []).flatMap((s) => (s.name === undefined ? [] : [[s.id, s.name]])),
      ),
      ...(imageUrl === undefined ? {} : { imageUrl }),
    },
    digest: settings.digest,
    publicDir: settings.dataDir === null ? null : path.join(settings.dataDir, "public"),
    logger,
    ...(settings.debounceMs === undefined ? {} : { debounceMs: settings.debounceMs }),
    ...(settings.checkIntervalMs === undefined ? {} : { checkIntervalMs: settings.checkIntervalMs }),
    now,
  });
}

/** The route handlers of every area, before they are put in the route table. */
function createHandlers(deps: HttpServerDeps, cache: OutputCache, metrics: Metrics, now: () => Date) {
  const { settings, logger } = deps;
  const feeds = createFeedRoutes(cache, settings.feeds.limit);
  const api = createApiRoutes({
    store: deps.store,
    enqueue: deps.enqueue,
    apiToken: settings.apiToken,
    publicUrl: settings.publicUrl,
    defaultLimit: settings.feeds.limit,
    logger,
    throttle: createAuthThrottle({ now: () => now().getTime() }),
  });
  const ops = createOpsRoutes({
    checks: { redis: checkRedis(deps.redis), ...deps.checks },
    metrics,
    ...(deps.archiveStatus === undefined ? {} : { archiveStatus: deps.archiveStatus }),
    logger,
    now,
  });
  const image = createImageProxyHandler({
    enabled: settings.imageProxy.enabled,
    secret: settings.imageProxy.secret,
    fetchImage: deps.fetchImage,
    logger,
    ...(settings.imageProxy.maxBytes === undefined ? {} : { maxBytes: settings.imageProxy.maxBytes }),
  });
  return { feeds, api, ops, image };
}

/** The route table: exact paths (the status page's only when it is served) and the patterns. */
function createRouteTable(
  deps: HttpServerDeps,
  { feeds, api, ops, image }: ReturnType<typeof createHandlers>,
): { exact: Map<string, Route>; patterns: readonly PatternRoute[] } {
  const { settings, logger } = deps;
  const exact = new Map<string, Route>([
    ["/feed.xml", { methods: READ, handle: (req, res, q) => feeds.feed(req, res, q) }],
    ["/opml.xml", { methods: READ, handle: (req, res) => feeds.opml(req, res) }],
    ["/digest.xml", { methods: READ, handle: (req, res) => feeds.digestFeed(req, res) }],
    ["/digest", { methods: READ, handle: (req, res) => feeds.latestDigest(req, res) }],
    ["/api/articles", { methods: READ, handle: (req, res, q) => api.listArticles(req, res, q) }],
    ["/api/enqueue", { methods: ["POST"], handle: (req, res) => api.enqueue(req, res) }],
    [
      "/api/openapi.json",
      { methods: READ, handle: async (req, res) => sendJson(req, res, 200, OPENAPI_DOCUMENT) },
    ],
    ["/livez", { methods: READ, handle: (req, res) => ops.livez(req, res) }],
    ["/readyz", { methods: READ, handle: (req, res) => ops.readyz(req, res) }],
    ["/healthz", { methods: READ, handle: (req, res) => ops.readyz(req, res) }],
    ["/metrics", { methods: READ, handle: (req, res) => ops.metrics(req, res) }],
    ["/img", { methods: READ, handle: (req, res, q) => image(req, res, q ?? new URLSearchParams()) }],
  ]);
  if (deps.status !== undefined) {
    const status = createStatusRoutes({
      ...deps.status,
      apiToken: settings.apiToken,
      secureCookies: settings.publicUrl.startsWith("https:"),
      logger,
    });
    const POST = ["POST"];
    exact.set("/", { methods: READ, handle: (req, res, q) => status.page(req, res, q) });
    exact.set("/api/status", { methods: READ, handle: (req, res) => status.api(req, res) });
    exact.set("/login", { methods: POST, handle: (req, res) => status.login(req, res) });
    exact.set("/logout", { methods: POST, handle: (req, res) => status.logout(req, res) });
    exact.set("/actions/retry", { methods: POST, handle: (req, res) => status.retry(req, res) });
    exact.set("/actions/poll", { methods: POST, handle: (req, res) => status.poll(req, res) });
  }
  const patterns: readonly PatternRoute[] = [
    {
      pattern: /^\/feeds\/([A-Za-z0-9_-]{1,200})\.xml$/,
      name: "/feeds/:id.xml",
      methods: READ,
      handle: (req, res, q, id) => feeds.sourceFeed(req, res, q, id),
    },
    {
      pattern: /^\/digests\/(\d{4}-\d{2}-\d{2})$/,
      name: "/digests/:day",
      methods: READ,
      handle: (req, res, _q, day) => feeds.digestDay(req, res, day),
    },
    {
      pattern: /^\/articles\/([A-Za-z0-9_-]{1,200})\.md$/,
      name: "/articles/:key.md",
      methods: READ,
      handle: (req, res, _q, key) => api.articleDocument(req, res, key),
    },
  ];
  return { exact, patterns };
}

/** A plain node:http server with bounded timeouts; a malformed request gets a bare 400. */
function createNodeServer(onRequest: (req: IncomingMessage, res: ServerResponse) => void): Server {
  const server = createServer(
    { requestTimeout: 30_000, headersTimeout: 15_000, keepAliveTimeout: 5_000 },
    onRequest,
  );
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });
  return server;
}

/** Creates the server; nothing listens until `listen`. */
export function createHttpServer(deps: HttpServerDeps): HttpServer {
  const { settings, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const ownsSubscriber = deps.subscriber === undefined;
  const subscriber = deps.subscriber ?? deps.redis.duplicate();
  const cache = createServerCache(deps, subscriber, now);
  const metrics = deps.metrics ?? createMetrics();
  const { exact, patterns } = createRouteTable(deps, createHandlers(deps, cache, metrics, now));
  const server = createNodeServer(createRouter(exact, patterns, { logger, metrics }));

  return {
    async listen() {
      await cache.start();
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(settings.port, settings.host, () => {
          server.off("error", reject);
          resolve();
        });
      });
      const { port } = server.address() as AddressInfo;
      logger.info({ host: settings.host, port }, "server listening");
      return { port };
    },

    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive sockets go now; requests in flight get a moment to finish before being cut.
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), 2000);
      await closed;
      clearTimeout(force);
      await cache.close();
      if (ownsSubscriber) await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
