/**
 * GET/HEAD routes of every published output, derived from the output table (publish/output-table.ts):
 * one route per row, all answered by one handler that looks the output up in the current snapshot and
 * answers with conditional GET. `/digest` is the latest digest page, or the "today so far" preview
 * while the latest digest is empty; `/digests/<YYYY-MM-DD>` is 404 for a day without a digest. A
 * `?limit=` other than the configured default is the one case that can trigger a (cached, shared)
 * build.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { isDay } from "../../publish/digest-windows.ts";
import { hasArg, OUTPUTS, type OutputRow, toOutputPath, toPathPattern } from "../../publish/output-table.ts";
import { sendRepresentation } from "../http-cache.ts";
import type { OutputCache, OutputSnapshot } from "../output-cache.ts";
import { sendError } from "../respond.ts";
import { type PatternRoute, READ, type Route } from "../router.ts";

/** Largest `?limit=` accepted. */
export const MAX_LIMIT = 1000;

/** A parsed `?limit=`: undefined when absent, a number in 1..1000, or null when invalid. */
export function parseLimit(params: URLSearchParams): number | undefined | null {
  const raw = params.get("limit");
  if (raw === null) return undefined;
  if (!/^\d{1,4}$/.test(raw)) return null;
  const limit = Number(raw);
  return limit >= 1 && limit <= MAX_LIMIT ? limit : null;
}

/** The routes of the output table: exact paths and patterns, in the router's shapes. */
export interface OutputRoutes {
  readonly exact: readonly (readonly [string, Route])[];
  readonly patterns: readonly PatternRoute[];
}

/** A `{arg}` as captured from the raw path: percent-decoded (tags), or null when malformed. */
function decodeArg(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/** Creates the output routes over one output cache; `defaultLimit` is config.feeds.limit. */
export function createOutputRoutes(cache: OutputCache, defaultLimit: number): OutputRoutes {
  /** The snapshot, or a 503 answer while the first build has not finished. */
  const ready = (req: IncomingMessage, res: ServerResponse): OutputSnapshot | null => {
    const snap = cache.snapshot();
    if (snap === null) sendError(req, res, 503, "outputs are not built yet", { "Retry-After": "5" });
    return snap;
  };

  const servePage = async (req: IncomingMessage, res: ServerResponse, row: OutputRow, arg: string) => {
    const snap = ready(req, res);
    if (snap === null) return;
    if (row.scope === "digest-latest") {
      const latest = snap.digestDays.get(snap.latestDay);
      // An empty latest digest (first day, quiet day) says nothing: show what today has so far.
      const page =
        latest !== undefined && latest.articleCount > 0 ? latest.page : await cache.digestPreview();
      if (page !== null) sendRepresentation(req, res, page);
      else sendError(req, res, 404, "no digest yet");
      return;
    }
    const page = isDay(arg) ? await cache.digestPage(arg) : null;
    if (page === null) sendError(req, res, 404, "no such digest");
    else sendRepresentation(req, res, page);
  };

  const serve = async (
    req: IncomingMessage,
    res: ServerResponse,
    params: URLSearchParams | null,
    row: OutputRow,
    rawArg: string,
  ): Promise<void> => {
    const arg = decodeArg(rawArg);
    if (arg === null) return sendError(req, res, 404, "no such feed");
    if (row.scope === "digest-day" || row.scope === "digest-latest") return servePage(req, res, row, arg);
    const snap = ready(req, res);
    if (snap === null) return;
    const rep = snap.outputs.get(toOutputPath(row, arg));
    if (rep === undefined) return sendError(req, res, 404, "no such feed");
    const limit =
      params === null || row.format === null || row.scope === "digest" ? undefined : parseLimit(params);
    if (limit === null) return sendError(req, res, 400, `limit must be an integer from 1 to ${MAX_LIMIT}`);
    if (limit === undefined || limit === defaultLimit) return sendRepresentation(req, res, rep);
    const variant = await cache.feedWithLimit(row, arg, limit);
    if (variant === null) sendError(req, res, 404, "no such feed");
    else sendRepresentation(req, res, variant);
  };

  const exact: [string, Route][] = [];
  const patterns: PatternRoute[] = [];
  for (const row of OUTPUTS) {
    const handle = (req: IncomingMessage, res: ServerResponse, q: URLSearchParams | null, arg: string) =>
      serve(req, res, q, row, arg);
    if (hasArg(row))
      patterns.push({
        pattern: toPathPattern(row),
        name: row.path.replace("{arg}", ":arg"),
        methods: READ,
        handle,
      });
    else exact.push([row.path, { methods: READ, handle }]);
  }
  return { exact, patterns };
}
