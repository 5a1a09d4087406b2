/**
 * Operator endpoints: `/healthz` (JSON; 200 while Redis answers, else 503, with the browser status and
 * each source's last successful poll for context) and `/metrics` (Prometheus text exposition format
 * 0.0.4, written by hand: a handful of gauges does not justify a client library). Queue counts and the
 * browser status come from callbacks because only the composition root owns queues and the browser.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import type { Redis } from "ioredis";
import type { Logger } from "../../logger.ts";
import type { ArticleStore } from "../../store/article-store.ts";
import type { SourceState } from "../../store/source-state.ts";
import { CONTENT_TYPE, sendJson, sendText } from "../respond.ts";

/** Job counts per queue and state, e.g. `{ wechat: { waiting: 3, active: 1 } }`. */
export type QueueCounts = Readonly<Record<string, Readonly<Record<string, number>>>>;

/** What the browser pool reports about itself (free-form beyond `ok`). */
export interface BrowserStatus {
  readonly ok: boolean;
  readonly state: string;
  readonly [detail: string]: unknown;
}

/** Whether the workers could write the archive, and how many documents still wait for their file. */
export interface ArchiveStatus {
  readonly failing: boolean;
  readonly lastError: string | null;
  readonly lastFailureAt: number | null;
  readonly pending: number;
}

/** What the operator routes need. */
export interface OpsDeps {
  readonly redis: Redis;
  readonly store: ArticleStore;
  readonly sourceState: SourceState;
  /** Configured source ids; sources with stored articles are added. */
  readonly sourceIds: readonly string[];
  readonly queueCounts?: () => Promise<QueueCounts>;
  readonly browserStatus?: () => Promise<BrowserStatus> | BrowserStatus;
  readonly archiveStatus?: () => Promise<ArchiveStatus>;
  readonly logger: Logger;
  readonly now: () => Date;
}

/** The operator handlers. */
export interface OpsRoutes {
  healthz(req: IncomingMessage, res: ServerResponse): Promise<void>;
  metrics(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

const PING_TIMEOUT_MS = 2000;

/** Escapes a Prometheus label value (backslash, double quote, line feed). */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Writes one metric family: HELP, TYPE and its samples. */
function family(
  name: string,
  help: string,
  samples: readonly (readonly [Readonly<Record<string, string>>, number])[],
): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`];
  for (const [labels, value] of samples) {
    const text = Object.entries(labels)
      .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
      .join(",");
    lines.push(`${name}${text === "" ? "" : `{${text}}`} ${Number.isFinite(value) ? value : "NaN"}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Settles `promise` within `ms`, else rejects. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Creates the operator routes. */
export function createOpsRoutes(deps: OpsDeps): OpsRoutes {
  const allSourceIds = async (): Promise<string[]> =>
    [...new Set([...deps.sourceIds, ...(await deps.store.listSourceIds())])].sort();

  // A queue problem must not take the rest of the metrics down with it.
  const readQueueCounts = async (): Promise<QueueCounts> => {
    if (deps.queueCounts === undefined) return {};
    try {
      return await within(deps.queueCounts(), PING_TIMEOUT_MS);
    } catch (err) {
      deps.logger.warn({ err }, "queue counts unavailable");
      return {};
    }
  };

  const browser = async (): Promise<BrowserStatus | null> => {
    if (deps.browserStatus === undefined) return null;
    try {
      return await within(Promise.resolve(deps.browserStatus()), PING_TIMEOUT_MS);
    } catch (err) {
      return { ok: false, state: "unknown", error: err instanceof Error ? err.message : String(err) };
    }
  };

  return {
    async healthz(req, res) {
      const started = performance.now();
      let redisOk = true;
      try {
        await within(deps.redis.ping(), PING_TIMEOUT_MS);
      } catch (err) {
        redisOk = false;
        deps.logger.warn({ err }, "health check failed");
      }
      const latencyMs = Math.round(performance.now() - started);
      const sources: Record<string, unknown> = {};
      if (redisOk) {
        try {
          for (const id of await allSourceIds()) {
            const state = await deps.sourceState.readSourceState(id);
            sources[id] = {
              lastPollAt: state === null ? null : new Date(state.lastPollAt).toISOString(),
              lastSuccessAt:
                state?.lastSuccessAt == null ? null : new Date(state.lastSuccessAt).toISOString(),
              ok: state?.ok ?? null,
              failureStreak: state?.failureStreak ?? 0,
            };
          }
        } catch (err) {
          deps.logger.warn({ err }, "health source state unavailable");
        }
      }
      let archive: (ArchiveStatus & { ok: boolean }) | null = null;
      if (redisOk && deps.archiveStatus !== undefined) {
        try {
          const status = await within(deps.archiveStatus(), PING_TIMEOUT_MS);
          archive = { ok: !status.failing, ...status };
        } catch (err) {
          deps.logger.warn({ err }, "health archive state unavailable");
        }
      }
      // A failing archive write loses nothing (the documents wait in Redis), but it needs a person.
      const archiveOk = archive === null || archive.ok;
      const body = {
        status: !redisOk ? "unavailable" : archiveOk ? "ok" : "degraded",
        time: deps.now().toISOString(),
        redis: { ok: redisOk, latencyMs },
        archive:
          archive === null
            ? null
            : {
                ...archive,
                lastFailureAt:
                  archive.lastFailureAt === null ? null : new Date(archive.lastFailureAt).toISOString(),
              },
        browser: await browser(),
        sources,
      };
      sendJson(req, res, redisOk && archiveOk ? 200 : 503, body);
    },

    async metrics(req, res) {
      const ids = await allSourceIds();
      const counts = await Promise.all(
        ids.map(async (id) => [id, await deps.store.countArticles(id)] as const),
      );
      const states = await Promise.all(ids.map((id) => deps.sourceState.readSourceState(id)));
      const cooldown = await deps.sourceState.readCooldown();
      const queues = await readQueueCounts();
      const memory = process.memoryUsage();
      const nowMs = deps.now().getTime();
      const text = [
        family(
          "wechat_feed_articles_stored",
          "Articles stored, per source.",
          counts.map(([id, n]) => [{ source: id }, n]),
        ),
        family(
          "wechat_feed_queue_jobs",
          "Jobs per queue and state.",
          Object.entries(queues).flatMap(([queue, byState]) =>
            Object.entries(byState).map(([state, n]) => [{ queue, state }, n] as const),
          ),
        ),
        family(
          "wechat_feed_wechat_cooldown_active",
          "1 while WeChat fetching is paused after a verification page.",
          [[{}, cooldown !== null && cooldown.until > nowMs ? 1 : 0]],
        ),
        family(
          "wechat_feed_wechat_cooldown_level",
          "Escalation level of the WeChat cool-down (0 when none).",
          [[{}, cooldown?.level ?? 0]],
        ),
        family(
          "wechat_feed_wechat_cooldown_until_seconds",
          "End of the WeChat cool-down, Unix seconds (0 when none).",
          [[{}, cooldown === null ? 0 : Math.floor(cooldown.until / 1000)]],
        ),
        family(
          "wechat_feed_source_last_success_seconds",
          "Last successful poll per source, Unix seconds (0 when never).",
          ids.map((id, i) => [{ source: id }, Math.floor((states[i]?.lastSuccessAt ?? 0) / 1000)]),
        ),
        family(
          "wechat_feed_source_failure_streak",
          "Failed polls since the last success, per source.",
          ids.map((id, i) => [{ source: id }, states[i]?.failureStreak ?? 0]),
        ),
        family("process_resident_memory_bytes", "Resident memory of this process.", [[{}, memory.rss]]),
        family("nodejs_heap_used_bytes", "V8 heap in use.", [[{}, memory.heapUsed]]),
        family("nodejs_heap_total_bytes", "V8 heap allocated.", [[{}, memory.heapTotal]]),
        family("nodejs_external_memory_bytes", "Memory of C++ objects bound to JS objects.", [
          [{}, memory.external],
        ]),
        family("process_uptime_seconds", "Seconds since this process started.", [
          [{}, Math.floor(process.uptime())],
        ]),
      ].join("");
      sendText(req, res, 200, text, { "Content-Type": CONTENT_TYPE.metrics, "Cache-Control": "no-store" });
    },
  };
}
