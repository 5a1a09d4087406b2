/**
 * Processor of `build-digest` jobs (publish queue), also run in-process by `wechat-feed digest`: for one
 * digest day (default: the latest window that has closed) it lists the articles *stored* in that day's
 * window, builds the digest with the same builder, window and site URL the HTTP server uses
 * (`publish/digest-windows.ts`, `publish/digest.ts`), so the file and `/digests/<day>` always agree, and
 * writes it atomically as `<dataDir>/digests/<day>.md`. Re-running a day replaces that one file; the
 * server's `/digest.xml` guid is `digest-<day>` either way. It then announces a change (so servers
 * rebuild their digests within their debounce instead of at the next periodic check) and the
 * `digest.built` notification with a summary (`digest.webhookUrl` is one of its targets). Deliveries
 * are notify jobs with their own retries: a failing target never fails the digest, which is already
 * written and served.
 */
import type { Redis } from "ioredis";
import { z } from "zod";
import type { Config } from "../config/schema.ts";
import { UsageError } from "../errors.ts";
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
  /** config.digest.groupBy: sections by source or by summary category. Default source. */
  readonly groupBy?: "source" | "category";
}

/** What the processor needs. */
export interface BuildDigestDeps {
  readonly redis: Redis;
  readonly prefix: string;
  readonly dataDir: string;
  readonly settings: DigestJobSettings;
  readonly logger: Logger;
  /** Emits the `digest.built` notification; answers how many targets it was queued for. */
  announce(summary: DigestSummary): Promise<number>;
  now(): Date;
}

/** What `digest.built` carries (a webhook target receives these fields in its JSON body). */
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
  /** Notification targets `digest.built` was queued for. */
  readonly notified: number;
}

/** The processor settings from the configuration. */
export function toDigestJobSettings(config: Config): DigestJobSettings {
  return {
    publicUrl: config.server.publicUrl,
    schedule: config.digest.schedule,
    timezone: config.digest.timezone,
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

/** The summary of the items of `window`. */
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
    const notified = await deps.announce(summary);
    return {
      outcome: "built",
      day: window.day,
      path,
      articles: summary.articles,
      sources: summary.sources.length,
      notified,
    };
  };
}
