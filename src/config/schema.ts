/**
 * The zod schema of the whole configuration (config/*.yaml after env overrides), with every default
 * documented beside its field. Objects are strict so a misspelt key is an error, not a silent default.
 * `config/wechat-feed.example.yaml` repeats every key with its default; a test keeps the two in step.
 * Only `config/load.ts` parses with this schema; everyone else may `import type { Config }`.
 */
import { z } from "zod";
import { parseRedisUrl } from "../redis-url.ts";
import { findPrivateHostProblem, parseHostKey, toHostKey } from "../fetchers/ip-class.ts";
import { DIGEST_WEBHOOK_TARGET_ID, NotifyListSchema, toDigestWebhookTarget } from "./notify.ts";
import {
  CronSchema,
  DEFAULT_TIMEZONE,
  FetcherSchema,
  HttpUrlSchema,
  SourceListSchema,
  TimeZoneSchema,
} from "./sources.ts";
import { SummarizeSchema } from "./summarize.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The desktop Chrome user agent sent by the http fetcher (matches the Chromium the image ships). */
export const DEFAULT_USER_AGENT =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

const count = (min: number, max: number) => z.int().min(min).max(max);

/** A `host:port` pair such as `127.0.0.1:8080`, `[::1]:9000` or `rss.internal:443`. */
const HostPortSchema = z.string().refine((value) => parseHostKey(value) !== null, {
  error: (issue) => `expected host:port (like 127.0.0.1:8080), got ${JSON.stringify(issue.input)}`,
});
const millis = (min: number) => z.int().min(min);

const RedisSchema = z.strictObject({
  /**
   * Redis connection URL: `redis://host:port[/db]`, `rediss://…` for TLS, or Redis Sentinel as
   * `redis+sentinel://host:port[,host:port…]/<master name>[/db]` (`?tls=1` for a TLS master); credentials
   * as `user:password@`. Default `redis://127.0.0.1:6379`. Env REDIS_URL.
   */
  url: z
    .string()
    .superRefine((value, ctx) => {
      const parsed = parseRedisUrl(value);
      if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed, input: value });
    })
    .default("redis://127.0.0.1:6379"),
  /**
   * Prefix of every Redis key and BullMQ queue (no `:`); it may hold one hash tag such as `{wf}`, so that
   * managed Redis services that require every key of a script in one slot accept the queues. Default
   * `wf`. Env REDIS_PREFIX.
   */
  prefix: z
    .string()
    .regex(/^(?=.)[A-Za-z0-9._-]*(?:\{[A-Za-z0-9._-]+\})?[A-Za-z0-9._-]*$/, {
      error: "use letters, digits, '.', '_' or '-' and at most one hash tag like {wf} (no ':')",
    })
    .default("wf"),
});

const ServerSchema = z.strictObject({
  /** Address the HTTP server listens on. Default `0.0.0.0`. */
  host: z.string().min(1).default("0.0.0.0"),
  /** TCP port of the HTTP server. Default 8080. Env PORT. */
  port: count(1, 65535).default(8080),
  /** Public base URL used in feed self links. Default `http://localhost:<port>`. Env PUBLIC_URL. */
  publicUrl: HttpUrlSchema.optional(),
  /** Bearer token for POST /api/enqueue; when unset the endpoint is refused. Default unset. Env API_TOKEN. */
  apiToken: z.string().min(8, { error: "must be at least 8 characters" }).optional(),
  /** Port of /livez, /readyz and /metrics in processes without the server role (0 picks one). Default 9464. */
  opsPort: z.int().min(0).max(65535).default(9464),
});

const CooldownSchema = z.strictObject({
  /** First pause of an egress group's WeChat fetching after a verification page on it. Default 1 h. */
  initialMs: millis(1000).default(HOUR),
  /** Longest pause while verification pages persist (the pause doubles up to this). Default 24 h. */
  maxMs: millis(1000).default(24 * HOUR),
});

const FetchSchema = z.strictObject({
  /** How articles are fetched: `browser` (system Chromium), `http`, or `auto` (http, then browser). Default `browser`. */
  fetcher: FetcherSchema.default("browser"),
  /** Origin WeChat requests go to, same path and query (tests point it at a mock). Default `https://mp.weixin.qq.com`. */
  origin: HttpUrlSchema.refine((value) => /^https?:\/\/[^/?#]+\/?$/.test(value), {
    error: "expected a bare origin such as https://mp.weixin.qq.com (no path, query or fragment)",
  }).default("https://mp.weixin.qq.com"),
  /** Minimum time between two WeChat fetches of one egress group (all its workers together). Default 5000. */
  minIntervalMs: millis(0).default(5000),
  /** Random extra delay (0..jitterMs) added to each WeChat fetch interval. Default 1000. */
  jitterMs: millis(0).default(1000),
  /** Timeout of one page or listing request. Default 30000. */
  timeoutMs: millis(1).default(30_000),
  /** Largest response body accepted, in bytes. Default 15728640 (15 MiB). */
  maxBytes: z
    .int()
    .min(1024)
    .default(15 * 1024 * 1024),
  /** User-Agent header of the http fetcher and the browser. Default: a current desktop Chrome UA. */
  userAgent: z.string().min(1).default(DEFAULT_USER_AGENT),
  /** Circuit breaker after WeChat verification (captcha) pages. */
  cooldown: CooldownSchema.prefault({}),
  /** Tries per job for transient failures (network, timeout, 5xx). Default 5. */
  attempts: count(1, 100).default(5),
  /** Base delay of the exponential backoff between tries. Default 30000. */
  backoffMs: millis(0).default(30_000),
  /** Most WeChat fetches per egress group and Beijing day; unset means no budget. Default unset. */
  dailyBudget: z.int().min(1).optional(),
  /** `host:port` pairs that listings, webhooks and the image proxy may reach on private addresses. Default none. */
  allowedPrivateHosts: z.array(HostPortSchema).default([]),
  /**
   * Local address the http fetcher sends WeChat requests from (one of this machine's IPs), so egress
   * groups on one machine can use different IPs; the browser uses the system's routing. Default unset.
   * Env FETCH_LOCAL_ADDRESS.
   */
  localAddress: z.union([z.ipv4(), z.ipv6()]).optional(),
  /** Items taken from one listing per poll, newest first; the rest are skipped. Default 500. */
  maxItemsPerListing: count(1, 100_000).default(500),
});

const BrowserSchema = z.strictObject({
  /** Chromium binary; unset means search the usual paths (CHROMIUM_PATHS). Default unset. Env CHROMIUM_PATH. */
  executablePath: z.string().min(1).optional(),
  /** Pages open at once in each worker's browser. Default 2. */
  concurrency: count(1, 16).default(2),
});

const WorkerSchema = z.strictObject({
  /** Jobs each worker process runs at once per queue. Default 2. */
  concurrency: count(1, 64).default(2),
  /**
   * Egress group of this worker: the workers that share one outbound IP. Pace, cool-down and daily
   * budget are kept per group, so a verification page pauses only its own group. Lower-case letters,
   * digits and `-`. Default `default`. Env WORKER_EGRESS.
   */
  egress: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: "expected lower-case letters, digits and '-' (at most 63)" })
    .default("default"),
  /**
   * Whether this process's workers write the archive files themselves (they then need a writable
   * DATA_DIR). `false`: they need no DATA_DIR; each saved change goes onto the archive stream in Redis
   * and an `archiver` process (which owns DATA_DIR) writes the file, and the digest files are built
   * there too. Every process is still given the same DATA_DIR path: stored documents name their archive
   * file by it. Default true. Env WORKER_ARCHIVE.
   */
  archive: z.boolean().default(true),
});

const ArchiverSchema = z.strictObject({
  /**
   * How long an archive-stream entry taken by an archiver may stay unacknowledged before another
   * archiver (or the same one restarted) takes it over: the first is presumed dead. Default 60000.
   */
  claimIdleMs: millis(1000).default(MINUTE),
});

const FailedRetrySchema = z.strictObject({
  /** Waits before each automatic retry of an article whose attempts ran out (the last repeats). Default 1 h, 6 h, 24 h. */
  delaysMs: z
    .array(millis(1000))
    .min(1)
    .default([HOUR, 6 * HOUR, 24 * HOUR]),
  /** Days after its first failure that an article stops being retried automatically. Default 7. */
  days: count(1, 365).default(7),
  /** How often due retries are looked for. Default 60000. */
  checkMs: millis(1000).default(MINUTE),
});

const JobsSchema = z.strictObject({
  /**
   * Hard timeout of one job: at this deadline its page fetch is aborted (FETCH_TIMEOUT, retried). Must
   * exceed fetch.timeoutMs; compose's stop_grace_period must exceed it. Default 120000.
   */
  timeoutMs: millis(1000).default(120_000),
  /** Lock of a running job; a worker that dies mid-job loses the job after this long, then another takes it. Default 30000. */
  lockMs: millis(1000).default(30_000),
  /** Automatic retries of articles whose transient failures used up every attempt. */
  failedRetry: FailedRetrySchema.prefault({}),
});

const StoreSchema = z.strictObject({
  /** How often the archive is compared with Redis and missing or stale files are rewritten (also at start). Default 600000. */
  repairIntervalMs: millis(1000).default(10 * MINUTE),
  /**
   * Articles stored within this many days keep their body in Redis, besides the newest `feeds.limit` of
   * every feed; older bodies are dropped from Redis once archived and read from the archive. Default 7.
   */
  bodyDays: z.number().int().min(0).max(3650).default(7),
});

const LogSchema = z.strictObject({
  /**
   * pino level: fatal, error, warn, info, debug, trace or silent. Default `info`. Env LOG_LEVEL.
   * `debug` also logs each HTTP request (pino-http).
   */
  level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

const FeedsSchema = z.strictObject({
  /** Items per feed when the request has no `?limit=`. Default 50. */
  limit: count(1, 1000).default(50),
  /** Title of the combined feed /feed.xml. Default `wechat-feed`. */
  title: z.string().min(1).default("wechat-feed"),
  /**
   * Private feeds: when set, every feed, OPML and digest route requires `?key=<token>` (URL-safe,
   * 16+ characters; `wechat-feed feeds rotate-token` makes one). Default unset (feeds are public). Env FEED_TOKEN.
   */
  token: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,256}$/, {
      error: "use 16 to 256 letters, digits, '-' or '_' (it goes into URLs)",
    })
    .optional(),
  /** Where feed items link: `wechat` (the article on WeChat) or `archive` (our `/articles/<key>` page). Default `wechat`. */
  link: z.enum(["wechat", "archive"]).default("wechat"),
  /** Name of the feed of hand-added articles (`/feeds/manual.*`). Default `手动添加`. */
  manualName: z.string().min(1).default("手动添加"),
});

const DigestSchema = z.strictObject({
  /** When the daily digest is built (node-cron syntax). Default `0 8 * * *`. */
  schedule: CronSchema.default("0 8 * * *"),
  /** Time zone of the digest schedule and day. Default `Asia/Shanghai`. */
  timezone: TimeZoneSchema.default(DEFAULT_TIMEZONE),
  /**
   * URL that receives a JSON summary after each digest: shorthand for a `notify` webhook target
   * (id `digest-webhook`) with `events: [digest.built]`. Default unset.
   */
  webhookUrl: HttpUrlSchema.optional(),
  /** How the digest groups articles: by `source`, or by summary `category`. Default `source`. */
  groupBy: z.enum(["source", "category"]).default("source"),
});

const AlertsSchema = z.strictObject({
  /** A source is failing after this many failed polls in a row. Default 3. */
  failingAfter: count(1, 1000).default(3),
  /** A source is silent after this many of its usual intervals without a new article. Default 3. */
  silentFactor: z.number().min(1).max(1000).default(3),
  /** Most messages per minute to one chat or mail target; more wait for the next minute. Default 20. */
  maxPerMinute: count(1, 10_000).default(20),
});

const ImageProxySchema = z
  .strictObject({
    /** Rewrite feed and digest images to the signed /img proxy. Default false. */
    enabled: z.boolean().default(false),
    /** HMAC key signing proxy URLs; required when enabled. Default unset. Env IMAGE_PROXY_SECRET. */
    secret: z.string().min(16, { error: "must be at least 16 characters" }).optional(),
  })
  .refine((proxy) => !proxy.enabled || proxy.secret !== undefined, {
    path: ["secret"],
    error: "required when imageProxy.enabled is true (or set IMAGE_PROXY_SECRET)",
  });

const ConfigFields = z.strictObject({
  redis: RedisSchema.prefault({}),
  /** Directory of the markdown archive, digests and static feeds (resolved against the working directory). Default `./data`. Env DATA_DIR. */
  dataDir: z.string().min(1).default("./data"),
  server: ServerSchema.prefault({}),
  fetch: FetchSchema.prefault({}),
  browser: BrowserSchema.prefault({}),
  worker: WorkerSchema.prefault({}),
  archiver: ArchiverSchema.prefault({}),
  jobs: JobsSchema.prefault({}),
  store: StoreSchema.prefault({}),
  log: LogSchema.prefault({}),
  feeds: FeedsSchema.prefault({}),
  digest: DigestSchema.prefault({}),
  imageProxy: ImageProxySchema.prefault({}),
  alerts: AlertsSchema.prefault({}),
  /** LLM summaries and categories (see config/summarize.ts). Default off. */
  summarize: SummarizeSchema.prefault({}),
  /** Notification targets (see config/notify.ts). Default none. */
  notify: NotifyListSchema.default([]),
  /** Where article links come from. Default none. */
  sources: SourceListSchema.default([]),
});

const ConfigObjectSchema = ConfigFields.superRefine((config, ctx) => {
  // Relations between fields, checked once every field is valid on its own.
  if (config.fetch.cooldown.initialMs > config.fetch.cooldown.maxMs) {
    ctx.addIssue({
      code: "custom",
      path: ["fetch", "cooldown", "initialMs"],
      message: `must not exceed fetch.cooldown.maxMs (${config.fetch.cooldown.maxMs})`,
    });
  }
  checkPrivateHosts(config, ctx);
  if (config.digest.webhookUrl !== undefined) {
    const i = config.notify.findIndex((t) => t.id === DIGEST_WEBHOOK_TARGET_ID);
    if (i !== -1) {
      ctx.addIssue({
        code: "custom",
        path: ["notify", i, "id"],
        message: `"${DIGEST_WEBHOOK_TARGET_ID}" is the target digest.webhookUrl stands for; rename this one`,
      });
    }
  }
  if (config.jobs.timeoutMs <= config.fetch.timeoutMs) {
    ctx.addIssue({
      code: "custom",
      path: ["jobs", "timeoutMs"],
      message: `must be greater than fetch.timeoutMs (${config.fetch.timeoutMs})`,
    });
  }
});

/**
 * Refuses outbound URLs whose literal host is private (loopback, link-local, 10/8…) unless allowed: the
 * guarded client would refuse them anyway, and saying so at boot names the key. A non-default
 * `fetch.origin` is allowed as the client allows it: the operator points WeChat traffic there on purpose.
 */
function checkPrivateHosts(config: z.output<typeof ConfigFields>, ctx: z.RefinementCtx): void {
  const origin = new URL(config.fetch.origin);
  const allowed = new Set([
    ...config.fetch.allowedPrivateHosts.map((entry) => parseHostKey(entry) ?? entry),
    ...(origin.hostname === "mp.weixin.qq.com" ? [] : [toHostKey(origin)]),
  ]);
  const targets: Array<readonly [readonly (string | number)[], string | undefined]> = [
    [["digest", "webhookUrl"], config.digest.webhookUrl],
    [["summarize", "baseUrl"], config.summarize.enabled ? config.summarize.baseUrl : undefined],
    ...config.sources.map((s, i) => [["sources", i, "url"], "url" in s ? s.url : undefined] as const),
    ...config.notify.map((n, i) => [["notify", i, "url"], n.url] as const),
  ];
  for (const [path, url] of targets) {
    const problem = url === undefined ? null : findPrivateHostProblem(url, allowed);
    if (problem !== null) ctx.addIssue({ code: "custom", path: [...path], message: problem });
  }
}

/**
 * The whole configuration; fills `server.publicUrl`, drops trailing slashes from URLs and turns
 * `digest.webhookUrl` into its notification target.
 */
export const ConfigSchema = ConfigObjectSchema.transform((config) => ({
  ...config,
  notify:
    config.digest.webhookUrl === undefined
      ? config.notify
      : [...config.notify, toDigestWebhookTarget(config.digest.webhookUrl)],
  server: {
    ...config.server,
    publicUrl: (config.server.publicUrl ?? `http://localhost:${config.server.port}`).replace(/\/+$/, ""),
  },
  fetch: { ...config.fetch, origin: new URL(config.fetch.origin).origin },
}));
/** The validated configuration, as every module receives it (deep-frozen by `loadConfig`). */
export type Config = z.infer<typeof ConfigSchema>;

/** Every key path of the schema, e.g. `fetch.cooldown.maxMs` and `sources[].schedule` (union members merged). */
export function listConfigKeys(schema: z.ZodType = ConfigSchema, prefix = ""): string[] {
  if (schema instanceof z.ZodPipe) return listConfigKeys(schema.in as z.ZodType, prefix);
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault) {
    return listConfigKeys(schema.unwrap() as z.ZodType, prefix);
  }
  if (schema instanceof z.ZodArray) return listConfigKeys(schema.element as z.ZodType, `${prefix}[]`);
  if (schema instanceof z.ZodUnion) {
    const all = schema.options.flatMap((option) => listConfigKeys(option as z.ZodType, prefix));
    return [...new Set(all)];
  }
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape).flatMap(([key, child]) => {
      const path = prefix === "" ? key : `${prefix}.${key}`;
      return [path, ...listConfigKeys(child as z.ZodType, path)];
    });
  }
  return [];
}

/** The key under `parentPath` (`""`, `fetch.cooldown`, `sources[]`) within two edits of `key`, if any. */
export function findSimilarKey(parentPath: string, key: string): string | undefined {
  const prefix = parentPath === "" ? "" : `${parentPath}.`;
  const siblings = listConfigKeys()
    .filter((known) => known.startsWith(prefix))
    .map((known) => known.slice(prefix.length))
    .filter((rest) => !/[.[]/.test(rest));
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of siblings) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/** Levenshtein distance, for typo suggestions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
