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
import { MANUAL_SOURCE_ID } from "../jobs/enqueue.ts";
import type { Logger } from "../logger.ts";
import { createMetrics, type Metrics } from "../ops/metrics.ts";
import type { ReadinessCheck } from "../ops/readiness.ts";
import { checkRedis } from "../ops/readiness.ts";
import type { OutputSettings } from "../publish/feed-outputs.ts";
import { createImageUrlRewriter } from "../publish/image-url.ts";
import { createSourceFilter, type SourceFilterRules } from "../publish/item-filter.ts";
import type { ArticleStore } from "../store/article-store.ts";
import type { SourceState } from "../store/source-state.ts";
import { createAuthThrottle } from "./auth-throttle.ts";
import { createFeedGate } from "./feed-access.ts";
import { createImageProxyHandler, type FetchImage } from "./image-proxy.ts";
import { OPENAPI_DOCUMENT } from "./openapi.ts";
import { createOutputCache, type OutputCache } from "./output-cache.ts";
import { createPublishPredicate, type PublishPredicate } from "./published-articles.ts";
import { answerClientError, sendJson } from "./respond.ts";
import { createRouter, type PatternRoute, READ, type Route } from "./router.ts";
import { createApiRoutes, type EnqueueFn } from "./routes/api.ts";
import { createArticlePageRoute } from "./routes/article-page.ts";
import { createOutputRoutes } from "./routes/feeds.ts";
import { type ArchiveStatus, createOpsRoutes } from "./routes/ops.ts";
import { createReaderRoutes } from "./routes/reader.ts";
import { createStatusRoutes, type StatusRouteDeps } from "./routes/status.ts";

/** Name of the feed of hand-added articles when config gives none. */
const DEFAULT_MANUAL_NAME = "手动添加";

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
  /** config.feeds: `token` makes reader routes private, `link` picks where items point, `manualName` names the hand-added feed (default `手动添加`). */
  readonly feeds: {
    readonly limit: number;
    readonly title: string;
    readonly token?: string | undefined;
    readonly link?: "wechat" | "archive";
    readonly manualName?: string;
  };
  /** `maxBytes`: largest proxied image (default 10 MiB). */
  readonly imageProxy: {
    readonly enabled: boolean;
    readonly secret?: string | undefined;
    readonly maxBytes?: number;
  };
  readonly digest: {
    readonly schedule: string;
    readonly timezone: string;
    readonly groupBy?: "source" | "category";
  };
  /** Static copies go to `<dataDir>/public/`; null writes none. */
  readonly dataDir: string | null;
  /** Configured sources: names (feed titles), tags (`/tags/<tag>.*`, OPML folders) and publishing filters. */
  readonly sources?: readonly {
    readonly id: string;
    readonly name?: string | undefined;
    readonly tags?: readonly string[] | undefined;
    readonly filter?: SourceFilterRules | undefined;
  }[];
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

/** What publishing needs to know of the deployment, from the server settings. */
function toOutputSettings(
  settings: HttpServerSettings,
  imageUrl: ((url: string) => string) | undefined,
): OutputSettings {
  return {
    publicUrl: settings.publicUrl,
    feedTitle: settings.feeds.title,
    defaultLimit: settings.feeds.limit,
    // Hand-added articles get a feed named by config, never after the first article's account.
    sourceNames: new Map([
      [MANUAL_SOURCE_ID, settings.feeds.manualName ?? DEFAULT_MANUAL_NAME],
      ...(settings.sources ?? []).flatMap((s): [string, string][] =>
        s.name === undefined ? [] : [[s.id, s.name]],
      ),
    ]),
    sourceTags: new Map((settings.sources ?? []).flatMap((s) => (s.tags?.length ? [[s.id, s.tags]] : []))),
    ...(imageUrl === undefined ? {} : { imageUrl }),
    ...(settings.feeds.token === undefined ? {} : { feedToken: settings.feeds.token }),
    link: settings.feeds.link ?? "wechat",
    ...(settings.digest.groupBy === undefined ? {} : { digestGroupBy: settings.digest.groupBy }),
  };
}

/** The publishing predicate of the sources that configure a filter; undefined when none does. */
function toPublishPredicate(
  sources: NonNullable<HttpServerSettings["sources"]>,
): PublishPredicate | undefined {
  const filters = new Map(
    sources.flatMap((s) => (s.filter === undefined ? [] : [[s.id, createSourceFilter(s.filter)] as const])),
  );
  return createPublishPredicate(filters);
}

/** The image URL rewriter when the proxy is on (signed `/img` links), else undefined. */
function toImageUrl(settings: HttpServerSettings): ((url: string) => string) | undefined {
  const secret = settings.imageProxy.secret;
  return settings.imageProxy.enabled && secret !== undefined
    ? createImageUrlRewriter(settings.publicUrl, secret)
    : undefined;
}

/** What the output cache is built from: the server's settings and store. */
type CacheDeps = Pick<HttpServerDeps, "settings" | "logger" | "store" | "redis">;

/** The output cache (feeds, digests, OPML, static copies) with the server's settings. */
function createServerCache(
  deps: CacheDeps,
  subscriber: Redis,
  imageUrl: ((url: string) => string) | undefined,
  now: () => Date,
): OutputCache {
  const { settings, logger } = deps;
  return createOutputCache({
    store: deps.store,
    redis: deps.redis,
    subscriber,
    prefix: settings.prefix,
    settings: toOutputSettings(settings, imageUrl),
    isPublished: toPublishPredicate(settings.sources ?? []),
    digest: settings.digest,
    publicDir: settings.dataDir === null ? null : path.join(settings.dataDir, "public"),
    logger,
    ...(settings.debounceMs === undefined ? {} : { debounceMs: settings.debounceMs }),
    ...(settings.checkIntervalMs === undefined ? {} : { checkIntervalMs: settings.checkIntervalMs }),
    now,
  });
}

/** The route handlers of every area, before they are put in the route table. */
function createHandlers(
  deps: HttpServerDeps,
  cache: OutputCache,
  imageUrl: ((url: string) => string) | undefined,
  metrics: Metrics,
  now: () => Date,
) {
  const { settings, logger } = deps;
  const api = createApiRoutes({
    store: deps.store,
    enqueue: deps.enqueue,
    apiToken: settings.apiToken,
    publicUrl: settings.publicUrl,
    defaultLimit: settings.feeds.limit,
    logger,
    throttle: createAuthThrottle({ now: () => now().getTime() }),
  });
  const reader = createReaderRoutes({
    gate: createFeedGate(settings.feeds.token),
    outputs: createOutputRoutes(cache, settings.feeds.limit),
    articlePage: createArticlePageRoute({
      store: deps.store,
      ...(imageUrl === undefined ? {} : { imageUrl }),
    }),
    articleDocument: (req, res, key) => api.articleDocument(req, res, key),
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
  return { api, reader, ops, image };
}

/** The status page, `/api/status` and their actions, when this server serves them. */
function addStatusRoutes(deps: HttpServerDeps, exact: Map<string, Route>): void {
  if (deps.status === undefined) return;
  const { settings, logger } = deps;
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

/** The route table: exact paths (the status page's only when it is served) and the patterns. */
function createRouteTable(
  deps: HttpServerDeps,
  { api, reader, ops, image }: ReturnType<typeof createHandlers>,
): { exact: Map<string, Route>; patterns: readonly PatternRoute[] } {
  const exact = new Map<string, Route>([
    ...reader.exact,
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
  addStatusRoutes(deps, exact);
  return { exact, patterns: reader.patterns };
}

/** A node:http server with bounded timeouts; a malformed request gets a one-line answer. */
function createNodeServer(onRequest: (req: IncomingMessage, res: ServerResponse) => void): Server {
  const server = createServer(
    // 64 KiB of request line and headers: room for long feed filters, which the route then refuses
    // past the pattern cap with a clear message rather than a bare parser error.
    { requestTimeout: 30_000, headersTimeout: 15_000, keepAliveTimeout: 5_000, maxHeaderSize: 64 * 1024 },
    onRequest,
  );
  server.on("clientError", answerClientError);
  return server;
}

/**
 * Keeps the static copies under `<settings.dataDir>/public/` current without serving HTTP: the archiver
 * role's share of publishing when the workers leave the archive to it (the server then writes none).
 * Same cache, same output table, so the files hold the bytes the server serves.
 */
export async function startStaticCopies(
  deps: CacheDeps & Pick<HttpServerDeps, "now">,
): Promise<{ close(): Promise<void> }> {
  const subscriber = deps.redis.duplicate();
  const cache = createServerCache(
    deps,
    subscriber,
    toImageUrl(deps.settings),
    deps.now ?? (() => new Date()),
  );
  try {
    await cache.start();
  } catch (error) {
    await cache.close();
    subscriber.disconnect();
    throw error;
  }
  return {
    async close() {
      await cache.close();
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}

/** Creates the server; nothing listens until `listen`. */
export function createHttpServer(deps: HttpServerDeps): HttpServer {
  const { settings, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const imageUrl = toImageUrl(settings);
  const ownsSubscriber = deps.subscriber === undefined;
  const subscriber = deps.subscriber ?? deps.redis.duplicate();
  const cache = createServerCache(deps, subscriber, imageUrl, now);
  const metrics = deps.metrics ?? createMetrics();
  const handlers = createHandlers(deps, cache, imageUrl, metrics, now);
  const { exact, patterns } = createRouteTable(deps, handlers);
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
