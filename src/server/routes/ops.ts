/**
 * Operator endpoints, the same on every role: `/livez` (200 while the process and its event loop
 * answer; it checks nothing else, so an orchestrator never restarts a process for a Redis outage),
 * `/readyz` (200 when every readiness check passes, else 503 with each check's reason; `/healthz` is an
 * alias) and `/metrics` (prom-client's exposition text). The checks and the metrics come in from the
 * composition root, which knows what the roles of this process need.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../../logger.ts";
import type { Metrics } from "../../ops/metrics.ts";
import { type ReadinessCheck, readReadiness } from "../../ops/readiness.ts";
import { sendJson, sendText } from "../respond.ts";

/** Whether the workers could write the archive, and how many documents still wait for their file. */
export interface ArchiveStatus {
  readonly failing: boolean;
  readonly lastError: string | null;
  readonly lastFailureAt: number | null;
  readonly pending: number;
}

/** What the operator routes need. */
export interface OpsDeps {
  readonly checks: Readonly<Record<string, ReadinessCheck>>;
  readonly metrics: Metrics;
  /** The archive's write health, shown in `/readyz`; failing writes make the process not ready. */
  readonly archiveStatus?: () => Promise<ArchiveStatus>;
  readonly logger: Logger;
  readonly now: () => Date;
}

/** The operator handlers. */
export interface OpsRoutes {
  livez(req: IncomingMessage, res: ServerResponse): void;
  readyz(req: IncomingMessage, res: ServerResponse): Promise<void>;
  metrics(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/** Creates the operator routes. */
export function createOpsRoutes(deps: OpsDeps): OpsRoutes {
  return {
    livez(req, res) {
      sendJson(req, res, 200, {
        status: "ok",
        time: deps.now().toISOString(),
        uptimeSeconds: Math.floor(process.uptime()),
      });
    },

    async readyz(req, res) {
      const { archiveStatus } = deps;
      let archive: ArchiveStatus | null = null;
      const checks =
        archiveStatus === undefined
          ? deps.checks
          : {
              ...deps.checks,
              // A failing archive write loses nothing (documents wait in Redis), but it needs a person.
              archiveWrites: async () => {
                archive = await archiveStatus();
                if (archive.failing) throw new Error(`archive writes failing: ${archive.lastError ?? ""}`);
              },
            };
      const report = await readReadiness(checks);
      if (!report.ready) {
        const failed = Object.entries(report.checks).filter(([, c]) => !c.ok);
        deps.logger.warn({ checks: Object.fromEntries(failed) }, "readiness check failed");
      }
      sendJson(req, res, report.ready ? 200 : 503, {
        status: report.ready ? "ok" : "unavailable",
        time: deps.now().toISOString(),
        checks: report.checks,
        ...(archive === null ? {} : { archive }),
      });
    },

    async metrics(req, res) {
      const text = await deps.metrics.render();
      sendText(req, res, 200, text, {
        "Content-Type": deps.metrics.contentType,
        "Cache-Control": "no-store",
      });
    },
  };
}
