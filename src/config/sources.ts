/**
 * The schema of one configured source (a feed, an OPML list, a WeChat album or a list of URLs) and the
 * field validators shared with the main config schema (cron expressions, IANA time zones, http(s) URLs).
 * Sources are validated here only as far as the config file can be checked at boot; URL normalization
 * and fetching live in `parsers/` and `fetchers/`. Defaults are documented beside each field.
 */
import { validate as validateCron, validateDetailed as validateCronDetailed } from "node-cron";
import { z } from "zod";
import { findSourceFilterProblem } from "../publish/item-filter.ts";

/** The ways an article page can be fetched: system Chromium, a plain request, or plain-then-browser. */
export const FetcherSchema = z.enum(["browser", "http", "auto"]);
/** A fetcher name: `browser`, `http` or `auto`. */
export type Fetcher = z.infer<typeof FetcherSchema>;

/** Default poll schedule of a source: every 30 minutes. */
export const DEFAULT_SOURCE_SCHEDULE = "*/30 * * * *";
/** Default time zone for schedules; containers run in UTC, WeChat users live in Beijing time. */
export const DEFAULT_TIMEZONE = "Asia/Shanghai";

// Upper bound of each cron field, used to reject steps node-cron silently accepts: it reads `*/61` in the
// minute field as "minute 0 only", which is never what the author meant.
const CRON_FIELD_MAX: Readonly<Record<string, number>> = {
  second: 59,
  minute: 59,
  hour: 23,
  dayOfMonth: 31,
  month: 12,
  dayOfWeek: 7,
};
const CRON_FIELDS_5 = ["minute", "hour", "dayOfMonth", "month", "dayOfWeek"];

/** Why `expression` is not a usable node-cron expression, or null when it is. */
export function findCronProblem(expression: string): string | null {
  const quoted = JSON.stringify(expression);
  if (!validateCron(expression)) {
    const first = validateCronDetailed(expression).errors[0];
    const reason = first === undefined ? "" : first.field === "expression" ? first.message : first.field;
    return `invalid cron expression ${quoted}${reason === "" ? "" : ` (${reason})`}`;
  }
  const parts = expression.trim().split(/\s+/);
  const names = parts.length === 6 ? ["second", ...CRON_FIELDS_5] : CRON_FIELDS_5;
  for (const [i, part] of parts.entries()) {
    const name = names[i] ?? "";
    const max = CRON_FIELD_MAX[name] ?? Number.POSITIVE_INFINITY;
    for (const item of part.split(",")) {
      const step = item.split("/")[1];
      if (step !== undefined && Number(step) > max) {
        return `invalid cron expression ${quoted} (${name}: step ${step} is larger than ${max})`;
      }
    }
  }
  return null;
}

/** True when `zone` is an IANA time zone name this Node build knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A node-cron expression (5 fields, or 6 with seconds first), checked at load time. */
export const CronSchema = z.string().superRefine((value, ctx) => {
  const problem = findCronProblem(value);
  if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
});

/** An IANA time zone name such as `Asia/Shanghai` or `UTC`. */
export const TimeZoneSchema = z
  .string()
  .refine(isTimeZone, { error: (issue) => `unknown time zone ${JSON.stringify(issue.input)}` });

/** An absolute http or https URL. */
export const HttpUrlSchema = z.url({ protocol: /^https?$/, error: "expected an absolute http(s) URL" });

function isAlbumUrl(value: string): boolean {
  const url = new URL(value);
  return url.hostname === "mp.weixin.qq.com" && url.pathname === "/mp/appmsgalbum";
}

/** An album (合集) page: `https://mp.weixin.qq.com/mp/appmsgalbum?__biz=…&action=getalbum&album_id=…`. */
export const AlbumUrlSchema = HttpUrlSchema.refine(isAlbumUrl, {
  error: "expected a WeChat album URL (https://mp.weixin.qq.com/mp/appmsgalbum?__biz=…&album_id=…)",
});

/** A tag: letters (any script), digits, `-` and `_`, starting with a letter or digit; at most 64 characters. */
export const TagSchema = z.string().regex(/^[\p{L}\p{N}][\p{L}\p{N}_-]{0,63}$/u, {
  error: (issue) =>
    `invalid tag ${JSON.stringify(issue.input)}: use letters, digits, "-" and "_", starting with a letter or digit`,
});

/** A source's publishing filter: keywords or `/regex/` terms matched against title, author and body. */
const SourceFilterSchema = z
  .strictObject({
    /** Publish only articles matching at least one term. Default: unset (all). */
    include: z.array(z.string().min(1)).optional(),
    /** Never publish articles matching any term. Default: unset (none). */
    exclude: z.array(z.string().min(1)).optional(),
    /** Never publish articles whose body has fewer characters (whitespace not counted). Default 0. */
    minChars: z.int().min(0).default(0),
  })
  .superRefine((rules, ctx) => {
    const problem = findSourceFilterProblem(rules);
    if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
  });

/** Fields every source type shares. */
const baseShape = {
  /** Stable identifier used in job ids, Redis keys and `/feeds/<id>.xml`; lower-case letters, digits, `-`. */
  id: z
    .string()
    .max(64, { error: "must be at most 64 characters" })
    .regex(/^[a-z0-9][a-z0-9-]*$/, {
      error: (issue) =>
        `invalid source id ${JSON.stringify(issue.input)}: use lower-case letters, digits and "-", starting with a letter or digit`,
    }),
  /** Display name. Default: unset, resolved later to the feed's title, else the account name. */
  name: z.string().min(1).optional(),
  /** When to poll the source (node-cron syntax). Default `*\/30 * * * *` (every 30 minutes). */
  schedule: CronSchema.default(DEFAULT_SOURCE_SCHEDULE),
  /** Time zone the schedule is read in. Default `Asia/Shanghai`. */
  timezone: TimeZoneSchema.default(DEFAULT_TIMEZONE),
  /** A disabled source stays in the config but is never polled. Default true. */
  enabled: z.boolean().default(true),
  /** Overrides `fetch.fetcher` for this source's articles. Default: unset (use `fetch.fetcher`). */
  fetcher: FetcherSchema.optional(),
  /** `false` keeps this source's articles out of `summarize` (no requests spent on them). Default: unset (summarized). */
  summarize: z.boolean().optional(),
  /** Groups the source belongs to; each tag has its feeds under `/tags/<tag>.*`. Default none. */
  tags: z.array(TagSchema).optional(),
  /** Which of the source's articles are published (they are still fetched and archived). Default: all. */
  filter: SourceFilterSchema.optional(),
};

/** An RSS, Atom or JSON Feed whose items link to WeChat articles. */
export const FeedSourceSchema = z.strictObject({
  ...baseShape,
  type: z.literal("feed"),
  /** The feed's http(s) URL. */
  url: HttpUrlSchema,
});

/** An OPML file listing feeds; each listed feed is polled like a `feed` source. */
export const OpmlSourceSchema = z.strictObject({
  ...baseShape,
  type: z.literal("opml"),
  /** The OPML document's http(s) URL. */
  url: HttpUrlSchema,
});

/** A WeChat album (合集); its pages are WeChat traffic and go through the rate-limited wechat queue. */
export const AlbumSourceSchema = z.strictObject({
  ...baseShape,
  type: z.literal("album"),
  /** The album URL on mp.weixin.qq.com. */
  url: AlbumUrlSchema,
});

/** A fixed list of article URLs, inline or in a text file (one URL per line). */
export const UrlsSourceSchema = z
  .strictObject({
    ...baseShape,
    type: z.literal("urls"),
    /** Inline list of article URLs. Give exactly one of `urls` and `file`. */
    urls: z.array(z.string().min(1)).min(1, { error: "must list at least one URL" }).optional(),
    /** Path of a text file with one URL per line, relative to the config file; re-read on every poll. */
    file: z.string().min(1).optional(),
  })
  .refine((source) => (source.urls === undefined) !== (source.file === undefined), {
    error: 'a "urls" source needs exactly one of "urls" (an inline list) or "file" (a text file)',
  });

/** One configured source, discriminated by `type`. */
export const SourceSchema = z.discriminatedUnion("type", [
  FeedSourceSchema,
  OpmlSourceSchema,
  AlbumSourceSchema,
  UrlsSourceSchema,
]);
/** One configured source after validation and defaults. */
export type Source = z.infer<typeof SourceSchema>;

/** The list of sources; ids must be unique because they name jobs, keys and feeds. */
export const SourceListSchema = z.array(SourceSchema).superRefine((sources, ctx) => {
  const firstIndex = new Map<string, number>();
  for (const [index, source] of sources.entries()) {
    const previous = firstIndex.get(source.id);
    if (previous === undefined) {
      firstIndex.set(source.id, index);
      continue;
    }
    ctx.addIssue({
      code: "custom",
      path: [index, "id"],
      message: `duplicate source id ${JSON.stringify(source.id)} (also sources[${previous}].id)`,
    });
  }
});
