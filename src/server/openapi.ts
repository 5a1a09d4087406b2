/**
 * The OpenAPI 3.1 description of the JSON API (`/api/*`), served at `/api/openapi.json`. It is a
 * plain document kept beside the routes it describes; test/integration/server/openapi.test.ts checks
 * real responses of a running server against its schemas, so it cannot drift from what the routes send.
 */

const nullable = (type: string, extra: Record<string, unknown> = {}) => ({ type: [type, "null"], ...extra });
const instant = { type: "string", format: "date-time" };
const ms = { type: "integer", minimum: 0, description: "Milliseconds since the epoch" };
const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

const article = {
  type: "object",
  additionalProperties: false,
  required: [
    "key",
    "title",
    "url",
    "sourceId",
    "source",
    "account",
    "author",
    "date",
    "publishedAt",
    "storedAt",
    "updatedAt",
    "cover",
    "description",
    "summary",
    "category",
    "documentUrl",
  ],
  properties: {
    key: { type: "string", description: "Article key, e.g. 3226319644-2247504179-1" },
    title: { type: "string" },
    url: { type: "string", format: "uri", description: "Canonical article URL" },
    sourceId: { type: "string" },
    source: { type: "string", description: "The document's source name" },
    account: nullable("string"),
    author: nullable("string"),
    date: { type: "string", format: "date", description: "Beijing publish date" },
    publishedAt: { type: ["string", "null"], format: "date-time" },
    storedAt: { type: ["string", "null"], format: "date-time" },
    updatedAt: { type: ["string", "null"], format: "date-time" },
    cover: nullable("string"),
    description: nullable("string"),
    summary: nullable("string", { description: "The LLM summary (summarize.enabled), else null" }),
    category: nullable("string", { description: "One of summarize.categories, else null" }),
    documentUrl: { type: "string", format: "uri", description: "The Markdown document" },
  },
};

const enqueueResult = {
  oneOf: [
    {
      type: "object",
      additionalProperties: false,
      required: ["status", "key", "jobId", "url"],
      properties: {
        status: { const: "queued" },
        key: { type: "string" },
        jobId: { type: "string" },
        url: { type: "string" },
      },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["status", "key", "url"],
      properties: { status: { const: "duplicate" }, key: { type: "string" }, url: { type: "string" } },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["status", "key", "url", "pageClass"],
      properties: {
        status: { const: "gone" },
        key: { type: "string" },
        url: { type: "string" },
        pageClass: { type: "string", description: "Why the article is gone, e.g. deleted" },
      },
    },
  ],
};

const source = {
  type: "object",
  required: [
    "id",
    "name",
    "type",
    "schedule",
    "enabled",
    "lastPoll",
    "nextPollAt",
    "failureStreak",
    "articles",
  ],
  properties: {
    id: { type: "string" },
    name: nullable("string"),
    type: { type: "string" },
    schedule: { type: "string" },
    timezone: { type: "string" },
    enabled: { type: "boolean" },
    lastPoll: {
      oneOf: [
        { type: "null" },
        {
          type: "object",
          required: ["at", "ok", "found", "added"],
          properties: {
            at: ms,
            ok: { type: "boolean" },
            found: { type: "integer" },
            added: { type: "integer" },
          },
        },
      ],
    },
    nextPollAt: nullable("integer"),
    failureStreak: { type: "integer", minimum: 0 },
    lastError: nullable("string"),
    lastSuccessAt: nullable("integer"),
    lastArticleAt: nullable("integer"),
    silentForMs: nullable("integer"),
    usualIntervalMs: nullable("integer"),
    silent: { type: "boolean" },
    articles: { type: "integer", minimum: 0 },
  },
};

const status = {
  type: "object",
  required: [
    "generatedAt",
    "articles",
    "sources",
    "fetching",
    "queues",
    "workers",
    "failures",
    "archive",
    "recent",
  ],
  properties: {
    generatedAt: ms,
    articles: { type: "integer", minimum: 0 },
    sources: { type: "array", items: source },
    fetching: {
      type: "object",
      required: ["egresses", "minIntervalMs"],
      properties: {
        egresses: {
          type: "array",
          description: "Each egress group seen in the last day (workers sharing one outbound IP)",
          items: {
            type: "object",
            required: ["name", "liveWorkers", "lastSeenAt", "cooldown", "budget"],
            properties: {
              name: { type: "string" },
              liveWorkers: { type: "integer", minimum: 0 },
              lastSeenAt: { oneOf: [{ type: "null" }, ms] },
              cooldown: {
                oneOf: [
                  { type: "null" },
                  {
                    type: "object",
                    required: ["until", "level", "reason"],
                    properties: { until: ms, level: { type: "integer" }, reason: { type: "string" } },
                  },
                ],
              },
              budget: {
                oneOf: [
                  { type: "null" },
                  {
                    type: "object",
                    required: ["limit", "spent", "left"],
                    properties: {
                      limit: { type: "integer" },
                      spent: { type: "integer" },
                      left: { type: "integer" },
                    },
                  },
                ],
              },
            },
          },
        },
        minIntervalMs: { type: "integer", minimum: 0 },
      },
    },
    queues: {
      type: "object",
      description: "Job counts by state, per queue",
      additionalProperties: { type: "object", additionalProperties: { type: "integer", minimum: 0 } },
    },
    workers: {
      type: "array",
      items: {
        type: "object",
        required: ["queue", "name", "addr", "ageSeconds"],
        properties: {
          queue: { type: "string" },
          name: { type: "string" },
          addr: { type: "string" },
          ageSeconds: { type: "number" },
        },
      },
    },
    failures: {
      type: "object",
      required: ["total", "recent"],
      properties: {
        total: { type: "integer", minimum: 0 },
        recent: {
          type: "array",
          items: {
            type: "object",
            required: [
              "key",
              "url",
              "sourceId",
              "code",
              "errorClass",
              "reason",
              "attempts",
              "failedAt",
              "nextRetryAt",
            ],
            properties: {
              key: { type: "string" },
              url: { type: "string" },
              sourceId: { type: "string" },
              code: { type: "string" },
              errorClass: { enum: ["transient", "permanent"] },
              reason: { type: "string" },
              attempts: { type: "integer" },
              failedAt: ms,
              nextRetryAt: nullable("integer"),
            },
          },
        },
      },
    },
    archive: {
      type: "object",
      required: ["failing", "lastError", "lastFailureAt", "pending"],
      properties: {
        failing: { type: "boolean" },
        lastError: nullable("string"),
        lastFailureAt: nullable("integer"),
        pending: { type: "integer", minimum: 0 },
      },
    },
    recent: {
      type: "array",
      items: {
        type: "object",
        required: ["key", "title", "account", "sourceId", "url", "at", "storedAt"],
        properties: {
          key: { type: "string" },
          title: { type: "string" },
          account: nullable("string"),
          sourceId: { type: "string" },
          url: { type: "string" },
          at: ms,
          storedAt: nullable("integer"),
        },
      },
    },
  },
};

/** The OpenAPI 3.1 document of `/api/*`. */
export const OPENAPI_DOCUMENT = {
  openapi: "3.1.0",
  info: {
    title: "wechat-feed API",
    version: "1",
    description: "Stored WeChat articles, manual enqueueing and the service status.",
    license: { name: "MIT", identifier: "MIT" },
  },
  paths: {
    "/api/articles": {
      get: {
        summary: "Stored articles, newest first",
        parameters: [
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1 } },
          {
            name: "before",
            in: "query",
            description:
              "Only articles published before this time (ms, or an ISO 8601 instant): the previous page's `next`",
            schema: { oneOf: [{ type: "integer", minimum: 0 }, instant] },
          },
          { name: "source", in: "query", description: "A source id", schema: { type: "string" } },
        ],
        responses: {
          "200": {
            description: "A page of articles",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  additionalProperties: false,
                  required: ["items", "next"],
                  properties: {
                    items: { type: "array", items: { $ref: "#/components/schemas/Article" } },
                    next: {
                      ...nullable("integer"),
                      description: "`before` for the next page; null at the end",
                    },
                  },
                },
              },
            },
          },
          "400": errorResponse("A query parameter is invalid"),
        },
      },
    },
    "/api/enqueue": {
      post: {
        summary: "Add an article URL to the fetch queue",
        security: [{ bearer: [] }],
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["url"],
                properties: { url: { type: "string" }, source: nullable("string") },
              },
            },
          },
        },
        responses: {
          "202": {
            description: "Queued",
            content: { "application/json": { schema: { $ref: "#/components/schemas/EnqueueResult" } } },
          },
          "200": {
            description: "Already stored, or gone",
            content: { "application/json": { schema: { $ref: "#/components/schemas/EnqueueResult" } } },
          },
          "400": errorResponse("The body or the URL is invalid"),
          "401": errorResponse("No or a wrong bearer token"),
          "403": errorResponse("The API has no token configured"),
          "413": errorResponse("The body is too large"),
          "429": errorResponse("Too many failed tokens from this client"),
        },
      },
    },
    "/api/status": {
      get: {
        summary: "Sources, fetching state, queues, workers, failures, archive and recent articles",
        responses: {
          "200": {
            description: "The status",
            content: { "application/json": { schema: { $ref: "#/components/schemas/Status" } } },
          },
        },
      },
    },
    "/api/openapi.json": {
      get: {
        summary: "This document",
        responses: {
          "200": { description: "The OpenAPI 3.1 document", content: { "application/json": {} } },
        },
      },
    },
  },
  components: {
    securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "The API token (API_TOKEN)" } },
    schemas: {
      Error: {
        type: "object",
        additionalProperties: false,
        required: ["error"],
        properties: { error: { type: "string" } },
      },
      Article: article,
      EnqueueResult: enqueueResult,
      Status: status,
    },
  },
} as const;
