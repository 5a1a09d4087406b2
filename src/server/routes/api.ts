/**
 * The JSON API and the raw documents: `GET /api/articles?source=&limit=&before=`, `GET /articles/<key>.md`
 * and `POST /api/enqueue`. Enqueueing is a thin adapter over `jobs/enqueue.ts` (the same code path as
 * the CLI): the bearer token is checked first (a client that keeps failing it gets 429 for a while),
 * then the body is capped, parsed and validated, and a URL the normalizer rejects answers 400 with its
 * reason before anything is queued or fetched.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { isAppError } from "../../errors.ts";
import type { EnqueueResult } from "../../jobs/enqueue.ts";
import type { Logger } from "../../logger.ts";
import type { StoredArticle } from "../../model.ts";
import { createRepresentation } from "../../publish/representation.ts";
import type { ArticleStore } from "../../store/article-store.ts";
import { checkBearer } from "../auth.ts";
import type { AuthThrottle } from "../auth-throttle.ts";
import { sendRepresentation } from "../http-cache.ts";
import { BodyTooLargeError, CONTENT_TYPE, readBody, sendError, sendJson } from "../respond.ts";
import { MAX_LIMIT, parseLimit } from "./feeds.ts";

/** Enqueues one article URL, attributed to `source` (a configured source id or a display name). */
export type EnqueueFn = (url: string, source: string | null) => Promise<EnqueueResult>;

/** What the API routes need. */
export interface ApiDeps {
  readonly store: ArticleStore;
  readonly enqueue: EnqueueFn;
  readonly apiToken: string | undefined;
  readonly publicUrl: string;
  readonly defaultLimit: number;
  readonly logger: Logger;
  /** Failed-authentication throttle per client address. */
  readonly throttle: AuthThrottle;
}

/** The API handlers. */
export interface ApiRoutes {
  listArticles(req: IncomingMessage, res: ServerResponse, params: URLSearchParams | null): Promise<void>;
  articleDocument(req: IncomingMessage, res: ServerResponse, key: string): Promise<void>;
  enqueue(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/** Largest accepted enqueue body: a URL and a source name fit many times over. */
export const MAX_ENQUEUE_BODY = 16 * 1024;
const ID = /^[A-Za-z0-9_-]{1,200}$/;

const iso = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();

function toApiArticle(a: StoredArticle, publicUrl: string) {
  return {
    key: a.key,
    title: a.title,
    url: a.url,
    sourceId: a.sourceId,
    source: a.source,
    account: a.account,
    author: a.author,
    date: a.date,
    publishedAt: iso(a.publishedAt),
    storedAt: iso(a.storedAt),
    updatedAt: iso(a.updatedAt),
    cover: a.cover,
    description: a.description,
    summary: a.summary?.text ?? null,
    category: a.summary?.category ?? null,
    documentUrl: `${publicUrl}/articles/${a.key}.md`,
  };
}

/** `before` as ms: an integer, or an ISO 8601 instant; null when invalid. */
function parseBefore(raw: string | null): number | undefined | null {
  if (raw === null || raw === "") return undefined;
  if (/^\d{1,16}$/.test(raw)) return Number(raw);
  const ms = /^\d{4}-\d{2}-\d{2}/.test(raw) ? Date.parse(raw) : Number.NaN;
  return Number.isNaN(ms) ? null : ms;
}

/** Parses the enqueue body: `{"url": string, "source"?: string | null}`; a string is the reason on failure. */
function parseEnqueueBody(body: Buffer): { url: string; source: string | null } | string {
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch {
    return "body is not valid JSON";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return "body must be a JSON object";
  const { url, source } = value as { url?: unknown; source?: unknown };
  if (typeof url !== "string" || url.trim() === "") return "url must be a non-empty string";
  if (source !== undefined && source !== null && typeof source !== "string") return "source must be a string";
  const name = typeof source === "string" && source.trim() !== "" ? source.trim().slice(0, 200) : null;
  return { url: url.trim(), source: name };
}

/** The store query of `GET /api/articles`, or the reason the query string is invalid. */
function parseListQuery(
  query: URLSearchParams,
  defaultLimit: number,
): { limit: number; sourceId?: string; before?: number } | string {
  const limit = parseLimit(query);
  const before = parseBefore(query.get("before"));
  const source = query.get("source");
  if (limit === null) return `limit must be an integer from 1 to ${MAX_LIMIT}`;
  if (before === null) return "before must be a time in ms or an ISO 8601 instant";
  if (source !== null && !ID.test(source)) return "source must be a source id";
  return {
    limit: limit ?? defaultLimit,
    ...(source === null ? {} : { sourceId: source }),
    ...(before === undefined ? {} : { before }),
  };
}

/** Creates the API routes. */
export function createApiRoutes(deps: ApiDeps): ApiRoutes {
  return {
    async listArticles(req, res, params) {
      const list = parseListQuery(params ?? new URLSearchParams(), deps.defaultLimit);
      if (typeof list === "string") return sendError(req, res, 400, list);
      const articles = await deps.store.listArticles(list);
      const last = articles.at(-1);
      const next =
        last !== undefined && articles.length === list.limit ? (last.publishedAt ?? last.storedAt) : null;
      sendJson(req, res, 200, { items: articles.map((a) => toApiArticle(a, deps.publicUrl)), next });
    },

    async articleDocument(req, res, key) {
      const article = await deps.store.readArticle(key);
      if (article === null) return sendError(req, res, 404, "no such article");
      const rep = createRepresentation(article.document, CONTENT_TYPE.markdown, {
        lastModified: new Date(article.updatedAt ?? article.storedAt),
      });
      sendRepresentation(req, res, rep);
    },

    async enqueue(req, res) {
      const client = req.socket.remoteAddress ?? "unknown";
      const wait = deps.throttle.retryAfterSeconds(client);
      if (wait !== null) {
        req.resume();
        return sendError(req, res, 429, "too many failed authentications; retry later", {
          "Retry-After": String(wait),
        });
      }
      const auth = checkBearer(req, deps.apiToken);
      if (auth === "disabled") {
        req.resume();
        return sendError(req, res, 403, "enqueue API disabled: no API token configured");
      }
      if (auth !== "ok") {
        req.resume();
        if (deps.throttle.recordFailure(client)) deps.logger.warn({ client }, "api client throttled");
        return sendError(req, res, 401, "missing or invalid bearer token", { "WWW-Authenticate": "Bearer" });
      }
      let body: Buffer;
      try {
        body = await readBody(req, MAX_ENQUEUE_BODY);
      } catch (err) {
        if (err instanceof BodyTooLargeError) {
          return sendError(req, res, 413, `body larger than ${MAX_ENQUEUE_BODY} bytes`, {
            Connection: "close",
          });
        }
        throw err;
      }
      const input = parseEnqueueBody(body);
      if (typeof input === "string") return sendError(req, res, 400, input);
      let result: EnqueueResult;
      try {
        result = await deps.enqueue(input.url, input.source);
      } catch (err) {
        if (isAppError(err, "URL_INVALID", "URL_HOST_DENIED", "URL_NOT_ARTICLE")) {
          return sendError(req, res, 400, err.message);
        }
        throw err;
      }
      deps.logger.info(
        { articleKey: result.key, url: result.url, outcome: result.status },
        "article enqueued",
      );
      sendJson(req, res, result.status === "queued" ? 202 : 200, result);
    },
  };
}
