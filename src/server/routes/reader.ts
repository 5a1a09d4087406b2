/**
 * The reader-facing routes, gathered so one gate covers them all: every published output of the table
 * (routes/feeds.ts), the archived article as a reading page (`/articles/<key>`, routes/article-page.ts)
 * and as its Markdown document (`/articles/<key>.md`). With config `feeds.token` set, each needs
 * `?key=` (feed-access.ts).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FeedGate } from "../feed-access.ts";
import { type PatternRoute, READ, type Route } from "../router.ts";
import type { OutputRoutes } from "./feeds.ts";

/**
 * The reader routes, every one private when feeds.token is set: each published output of the table,
 * the archived article as a reading page (`/articles/<key>`) and as its document (`.md`).
 */
export function createReaderRoutes(parts: {
  readonly gate: FeedGate;
  readonly outputs: OutputRoutes;
  readonly articlePage: (req: IncomingMessage, res: ServerResponse, key: string) => Promise<void>;
  readonly articleDocument: (req: IncomingMessage, res: ServerResponse, key: string) => Promise<void>;
}): { exact: [string, Route][]; patterns: PatternRoute[] } {
  const { gate, outputs } = parts;
  return {
    exact: outputs.exact.map(([path, route]) => [path, { ...route, handle: gate(route.handle) }]),
    patterns: [
      ...outputs.patterns.map((route) => ({ ...route, handle: gate(route.handle) })),
      {
        pattern: /^\/articles\/([A-Za-z0-9_-]{1,200})\.md$/,
        name: "/articles/:key.md",
        methods: READ,
        handle: gate((req, res, _q, key) => parts.articleDocument(req, res, key)),
      },
      {
        // Any last segment: the handler validates the key and answers a malformed one with its 404 page.
        pattern: /^\/articles\/([^/]*)$/,
        name: "/articles/:key",
        methods: READ,
        handle: gate((req, res, _q, key) => parts.articlePage(req, res, key)),
      },
    ],
  };
}
