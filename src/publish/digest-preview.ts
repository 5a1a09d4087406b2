/**
 * The "today so far" page: the digest window that is still open, with the articles stored in it up to
 * now, clearly marked as not final. `/digest` shows it while the latest closed digest has no articles
 * (a service started today, a quiet day), so a new user sees what was collected instead of an empty
 * page. It is never archived and never an item of `/digest.xml`. Pure: the window and the "as of"
 * instant (the newest stored article, so unchanged articles give the same bytes) are arguments.
 */
import type { FeedItem } from "../model.ts";
import { type DigestGroupBy, type DigestWindow, toBeijingMinute, toDigestGroups } from "./digest.ts";
import { renderDigestPage } from "./digest-page.ts";

/** The heading of the preview page. */
export const PREVIEW_TITLE = "今日摘要（未完结）· Today so far";

/** Options of `buildDigestPreview`. */
export interface DigestPreviewOptions {
  /** Rewrites cover image URLs (the signed image proxy), when on. */
  readonly imageUrl?: (url: string) => string;
  readonly groupBy?: DigestGroupBy;
}

/** The page of the open `window` with the `items` stored in it so far (others are ignored). */
export function buildDigestPreview(
  items: readonly FeedItem[],
  window: DigestWindow,
  options: DigestPreviewOptions = {},
): string {
  const groups = toDigestGroups(items, window, options.groupBy);
  const count = groups.reduce((sum, group) => sum + group.entries.length, 0);
  const since = `北京时间 ${toBeijingMinute(window.from)} 起`;
  let newest = window.from.getTime();
  for (const item of items) {
    const stored = item.storedAt.getTime();
    if (stored < window.to.getTime()) newest = Math.max(newest, stored);
  }
  const summary =
    count === 0
      ? `${since}还没有收录新文章。`
      : `${since}至 ${toBeijingMinute(new Date(newest))}，已收录 ${count} 篇文章，来自 ${groups.length} 个来源。`;
  const closes = toBeijingMinute(window.to);
  const notice =
    `尚未完结：本期摘要收集中，将于北京时间 ${closes} 截止，成为 ${window.day} 的每日摘要。` +
    ` Not final: the open window so far; it closes at ${closes} (UTC+8).`;
  return renderDigestPage({ title: PREVIEW_TITLE, summary, notice, groups, feedBase: "" }, options.imageUrl);
}
