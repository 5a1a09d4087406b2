/**
 * Processor of `build-digest` jobs (publish queue), also run in-process by `wechat-feed digest`: for one
 * digest day (default: the latest window that has closed) it lists the articles *stored* in that day's
 * window, builds the digest with the same builder, window and site URL the HTTP server uses
 * (`publish/digest-windows.ts`, `publish/digest.ts`), so the file and `/digests/<day>` always agree, and
 * writes it atomically as `<dataDir>/digests/<day>.md`. Re-running a day replaces that one file; the
 * server's `/digest.xml` guid is `digest-<day>` either way. It then announces a change (so servers
 * rebuild their digests within their debounce instead of at the next periodic check) and POSTs the
 * optional webhook a JSON summary. A failing webhook is an operator alert, never a failed digest: the
 * digest is already written and served, and retrying the job would only resend it.
 */
import type { Redis } from "ioredis";
import { z } from "zod";
import type { Config } from "../config/schema.ts";
import { isAppError, UsageError } from "../errors.ts";
import type { GuardedHttp } from "../fetchers/guarded-http.ts";
import type { Logger } from "../logger.ts";
import type { FeedItem } from "../model.ts";
import { renderDocument } from "../parsers/front-matter.ts";
import { buildDigest, type DigestWindow, toDigestGroups } from "../publish/digest.ts";
import { isDay, latestDigestDay, toDigestTime, toDigestWindow } from "../publish/digest-windows.ts";
import { toFeedItem } from "../publish/feed-items.ts";
import { publishArticleChange } from "../store/change-feed.ts";
import { writeDigestFile } from "../store/digest-file.ts";
import { listArticlesStoredIn } from "../store/stored-window.ts";

/** Payload of a `build-digest` job. */
export const BuildDigestDataSchema = z.object({
  /** The digest day `YYYY-MM-DD` (in `digest.timezone`); null means the latest closed window. */
  day: z.string().nullable().default(null),
  /** Why the job exists: the cron tick, the boot catch-up, or a request by hand. */
  reason: z.enum(["schedule", "catch-up", "manual"]).default("manual"),
});
export type BuildDigestData = z.infer<typeof BuildDigestDataSchema>;

/** The digest values of the configuration. */
export interface DigestJobSettings {
  /** config.server.publicUrl, no trailing slash: the digest's URL is `<publicUrl>/digests/<day>`. */
  readonly publicUrl: string;
  /** config.digest.schedule: its daily run time closes each window. */
  readonly schedule: string;
  readonly timezone: string;
  readonly webhookUrl?: string | undefined;
  /** config.digest.groupBy: sections by source or by summary category. Default source. */
  readonly groupBy?: "source" | "category";
  /** Budget of one webhook call. Default 10000 ms. */
  readonly webhookTimeoutMs?: number;
}

/** What the processor needs. */
export interface BuildDigestDeps {
  readonly redis: Redis;
  readonly prefix: string;
  readonly dataDir: string;
  readonly settings: DigestJobSettings;
  readonly logger: Logger;
  /** Sends the webhook (the guarded client: public addresses or allowed private hosts only). */
  readonly http: Pick<GuardedHttp, "postJson">;
  now(): Date;
}

/** The JSON body the webhook receives. */
export interface DigestSummary {
  readonly day: string;
  /** Window start and end (ISO 8601, UTC): articles stored in [from, to). */
  readonly from: string;
  readonly to: string;
  readonly articles: number;
  readonly sources: readonly { readonly id: string; readonly name: string; readonly count: number }[];
  /** The digest page. */
  readonly url: string;
}

/** The job's outcome (logged by the worker). */
export interface BuildDigestResult {
  readonly outcome: "built";
  readonly day: string;
  readonly path: string;
  readonly articles: number;
  readonly sources: number;
  readonly webhook: "sent" | "failed" | "off";
}

const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

/** The processor settings from the configuration. */
export function toDigestJobSettings(config: Config): DigestJobSettings {
  return {
    publicUrl: config.server.publicUrl,
    schedule: config.digest.schedule,
    timezone: config.digest.timezone,
    webhookUrl: config.digest.webhookUrl,
    groupBy: config.digest.groupBy,
  };
}

/** The change-feed key announcing a rebuilt digest (not an article key: servers rebuild digests on it). */
export function digestChangeKey(day: string): string {
  return `digest-${day}`;
}

/**
 * The window of `day` (or of the latest closed window when null). Throws USAGE for a day that is not a
 * real `YYYY-MM-DD` date, and for one whose window has not closed at `now`: its digest would be partial,
 * and the server does not serve it yet.
 */
export function resolveDigestWindow(
  day: string | null,
  now: Date,
  settings: Pick<DigestJobSettings, "schedule" | "timezone">,
): DigestWindow {
  const time = toDigestTime(settings.schedule);
  const chosen = day ?? latestDigestDay(now, time, settings.timezone);
  if (!isDay(chosen)) {
    throw new UsageError("USAGE", `digest: invalid date ${JSON.stringify(chosen)} (expected YYYY-MM-DD)`);
  }
  const window = toDigestWindow(chosen, time, settings.timezone);
  if (window.to.getTime() > now.getTime()) {
    throw new UsageError(
      "USAGE",
      `digest: the window of ${chosen} has not closed yet (it closes at ${window.to.toISOString()})`,
      { closesAt: window.to },
    );
  }
  return window;
}

/** The webhook body for the items of `window`. */
export function toDigestSummary(
  items: readonly FeedItem[],
  window: DigestWindow,
  url: string,
): DigestSummary {
  const groups = toDigestGroups(items, window);
  return {
    day: window.day,
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    articles: groups.reduce((sum, g) => sum + g.entries.length, 0),
    sources: groups.map((g) => ({ id: g.sourceId, name: g.source, count: g.entries.length })),
    url,
  };
}

/** Creates the `build-digest` processor. */
export function createBuildDigest(
  deps: BuildDigestDeps,
): (data: BuildDigestData) => Promise<BuildDigestResult> {
  const { settings, logger } = deps;

  async function notify(summary: DigestSummary): Promise<BuildDigestResult["webhook"]> {
    const url = settings.webhookUrl;
    if (url === undefined) return "off";
    try {
      await deps.http.postJson(url, summary, {
        timeoutMs: settings.webhookTimeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS,
      });
      return "sent";
    } catch (err) {
      // The webhook URL stays out of the line (it is redacted anyway): chat webhooks embed their key.
      const code = isAppError(err) ? err.code : "FETCH_NETWORK";
      logger.warn({ alert: true, code, day: summary.day, err }, "digest webhook failed");
      return "failed";
    }
  }

  return async (data) => {
    const window = resolveDigestWindow(data.day, deps.now(), settings);
    const range = { from: window.from.getTime(), to: window.to.getTime() };
    const items = (await listArticlesStoredIn(deps.redis, deps.prefix, [range])).map(toFeedItem);
    const digest = buildDigest(items, window, {
      siteUrl: settings.publicUrl,
      ...(settings.groupBy === undefined ? {} : { groupBy: settings.groupBy }),
    });
    const path = await writeDigestFile(deps.dataDir, window.day, renderDocument(digest.document));
    await publishArticleChange(deps.redis, deps.prefix, digestChangeKey(window.day));
    const summary = toDigestSummary(items, window, digest.document.url);
    logger.debug({ day: window.day, path, articles: summary.articles }, "digest written");
    const webhook = await notify(summary);
    return {
      outcome: "built",
      day: window.day,
      path,
      articles: summary.articles,
      sources: summary.sources.length,
      webhook,
    };
  };
}
