/**
 * The server role: the HTTP server (feeds, digest, API, status page, probes, metrics, image proxy) over the shared
 * store. It listens before any other role starts, so a port in use or a bad host fails the start with
 * one line before a worker has taken a job.
 */
import { createGuardedHttp, toGuardedHttpSettings } from "../fetchers/guarded-http.ts";
import { createHopGuard } from "../fetchers/url-guard.ts";
import { enqueueArticle, MANUAL_SOURCE_ID } from "../jobs/enqueue.ts";
import type { ServiceOps } from "../ops/service-ops.ts";
import type { Config } from "../config/schema.ts";
import { createHttpServer, type HttpServerSettings } from "../server/app.ts";
import { createArchiveHealth } from "../store/archive-health.ts";
import type { RunningRole, ServiceContext } from "./service-context.ts";
import { describeListenError } from "./startup-checks.ts";

/** Image hosts the proxy may fetch from (redirect hops are held to these too). */
const QPIC_ORIGINS = ["https://mmbiz.qpic.cn", "https://mmecoa.qpic.cn", "https://mmsns.qpic.cn"];

/** The server's settings from the configuration; `staticCopies` false writes no `<dataDir>/public/`. */
export function toHttpServerSettings(config: Config, staticCopies: boolean): HttpServerSettings {
  return {
    prefix: config.redis.prefix,
    host: config.server.host,
    port: config.server.port,
    publicUrl: config.server.publicUrl,
    apiToken: config.server.apiToken,
    feeds: config.feeds,
    imageProxy: {
      enabled: config.imageProxy.enabled,
      secret: config.imageProxy.secret,
      maxBytes: config.fetch.maxBytes,
    },
    digest: config.digest,
    dataDir: staticCopies ? config.dataDir : null,
    sources: config.sources.map((src) => ({
      id: src.id,
      name: src.name,
      tags: src.tags,
      filter: src.filter,
    })),
  };
}

/** Starts the HTTP server with this process's readiness checks, metrics and status reader (`ops`). */
export async function startServerRole(
  ctx: ServiceContext,
  ops: ServiceOps,
  staticCopies: boolean,
): Promise<RunningRole> {
  const { config, store, queues } = ctx;
  const configured = new Map(config.sources.map((src) => [src.id, src]));
  const archiveHealth = createArchiveHealth(ctx.redis, config.redis.prefix);
  const guarded = createGuardedHttp(toGuardedHttpSettings(config.fetch));
  const server = createHttpServer({
    settings: toHttpServerSettings(config, staticCopies),
    store,
    sourceState: ctx.sourceState,
    redis: ctx.redis,
    logger: ctx.logger.child({ module: "server" }),
    enqueue: (url, source) => {
      const known = source === null ? undefined : configured.get(source);
      const options =
        known !== undefined
          ? { sourceId: known.id, sourceName: known.name ?? null }
          : { sourceId: MANUAL_SOURCE_ID, sourceName: source };
      return enqueueArticle(url, options, { store, wechatQueue: queues.wechat });
    },
    checks: ops.checks,
    metrics: ops.metrics,
    status: ops.status,
    archiveStatus: async () => ({
      ...(await archiveHealth.read()),
      pending: await store.countArchivePending(),
    }),
    fetchImage: (url, options) =>
      guarded.fetchBytes(url, { ...options, checkHop: createHopGuard(QPIC_ORIGINS) }),
  });
  try {
    await server.listen();
  } catch (error) {
    await server.close().catch(() => undefined);
    await guarded.close();
    throw describeListenError(error, config.server.host, config.server.port);
  }
  return {
    async stop() {
      await server.close();
      await guarded.close();
    },
  };
}
