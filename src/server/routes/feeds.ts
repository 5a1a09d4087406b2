/**
 * GET/HEAD routes for the rendered outputs: `/feed.xml`, `/feeds/<id>.xml`, `/opml.xml`, `/digest.xml`,
 * `/digest` (the latest digest page, or the "today so far" preview while the latest digest is empty)
 * and `/digests/<YYYY-MM-DD>` (404 for a day without a digest). They only look outputs up in the
 * output cache (built ahead of requests) and answer with conditional GET; feed parameters (filters,
 * `limit`, `mode=brief`; `publish/feed-query.ts`) are the one case that can trigger a (cached, shared)
 * build, and a bad one is a 400 with a one-line reason.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { isDay } from "../../publish/digest-windows.ts";
import { type FeedQuery, MAX_LIMIT, parseFeedQuery } from "../../publish/feed-query.ts";
import { type Representation, sendRepresentation } from "../http-cache.ts";
import type { OutputCache, OutputSnapshot } from "../output-cache.ts";
import { sendError } from "../respond.ts";

export { MAX_LIMIT };

/** A parsed `?limit=` (the JSON API's): undefined when absent, a number in 1..1000, or null when invalid. */
export function parseLimit(params: URLSearchParams): number | undefined | null {
  const raw = params.get("limit");
  if (raw === null) return undefined;
  if (!/^\d{1,4}$/.test(raw)) return null;
  const limit = Number(raw);
  return limit >= 1 && limit <= MAX_LIMIT ? limit : null;
}

/** True when `query` asks for exactly the prebuilt feed (no filter, brief mode or other limit). */
function isDefaultView(query: FeedQuery, defaultLimit: number): boolean {
  const onlyLimit = query.limit === null ? "" : `limit=${query.limit}`;
  return query.canonical === onlyLimit && (query.limit === null || query.limit === defaultLimit);
}

/** The feed and digest handlers over one output cache. */
export interface FeedRoutes {
  feed(req: IncomingMessage, res: ServerResponse, params: URLSearchParams | null): Promise<void>;
  sourceFeed(
    req: IncomingMessage,
    res: ServerResponse,
    params: URLSearchParams | null,
    id: string,
  ): Promise<void>;
  opml(req: IncomingMessage, res: ServerResponse): void;
  digestFeed(req: IncomingMessage, res: ServerResponse): void;
  latestDigest(req: IncomingMessage, res: ServerResponse): Promise<void>;
  digestDay(req: IncomingMessage, res: ServerResponse, day: string): Promise<void>;
}

/** Creates the feed routes; `defaultLimit` is config.feeds.limit. */
export function createFeedRoutes(cache: OutputCache, defaultLimit: number): FeedRoutes {
  /** The snapshot, or a 503 answer while the first build has not finished. */
  const ready = (req: IncomingMessage, res: ServerResponse): OutputSnapshot | null => {
    const snap = cache.snapshot();
    if (snap === null) sendError(req, res, 503, "outputs are not built yet", { "Retry-After": "5" });
    return snap;
  };

  const serveQuery = async (
    req: IncomingMessage,
    res: ServerResponse,
    params: URLSearchParams | null,
    fallback: Representation,
    sourceId?: string,
  ): Promise<void> => {
    const parsed = parseFeedQuery(params);
    if (!parsed.ok) {
      sendError(req, res, 400, parsed.error);
      return;
    }
    if (isDefaultView(parsed.query, defaultLimit)) {
      sendRepresentation(req, res, fallback);
      return;
    }
    const rep = await cache.feedForQuery(parsed.query, sourceId);
    if (rep === null) sendError(req, res, 404, "no such feed");
    else sendRepresentation(req, res, rep);
  };

  return {
    async feed(req, res, params) {
      const snap = ready(req, res);
      if (snap !== null) await serveQuery(req, res, params, snap.combined);
    },

    async sourceFeed(req, res, params, id) {
      const snap = ready(req, res);
      if (snap === null) return;
      const out = snap.sources.get(id);
      if (out === undefined) sendError(req, res, 404, "no such feed");
      else await serveQuery(req, res, params, out.rep, id);
    },

    opml(req, res) {
      const snap = ready(req, res);
      if (snap !== null) sendRepresentation(req, res, snap.opml);
    },

    digestFeed(req, res) {
      const snap = ready(req, res);
      if (snap !== null) sendRepresentation(req, res, snap.digestFeed);
    },

    async latestDigest(req, res) {
      const snap = ready(req, res);
      if (snap === null) return;
      const latest = snap.digestDays.get(snap.latestDay);
      // An empty latest digest (first day, quiet day) says nothing: show what today has so far.
      const page =
        latest !== undefined && latest.articleCount > 0 ? latest.page : await cache.digestPreview();
      if (page !== null) sendRepresentation(req, res, page);
      else sendError(req, res, 404, "no digest yet");
    },

    async digestDay(req, res, day) {
      if (!isDay(day)) {
        sendError(req, res, 404, "no such digest");
        return;
      }
      if (ready(req, res) === null) return;
      const page = await cache.digestPage(day);
      if (page === null) sendError(req, res, 404, "no such digest");
      else sendRepresentation(req, res, page);
    },
  };
}
