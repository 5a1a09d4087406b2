/**
 * The daily digest: the articles stored in a time window, grouped by source (sources by name, items
 * newest first), each with title, link, Beijing publish time, byline and a short excerpt. It is built
 * three ways from one grouping: an article document (front matter + Markdown, document-format.md) for
 * the archive, a standalone HTML page (digest-page.ts), and items of the digest feeds (`/digest.xml`,
 * `.atom`, `.json`), whose guid `digest-<day>` makes a re-run replace the earlier digest in readers.
 * Pure: the window is an argument.
 */
import { UsageError } from "../errors.ts";
import type { ArticleDocument, FeedItem } from "../model.ts";
import { toExcerpt } from "../parsers/plain-text.ts";
import { formatFetchDate } from "../parsers/time.ts";
import { type DigestEntry, type DigestGroup, renderDigestPage } from "./digest-page.ts";
import { itemTime, toFeedLine, toItemExcerpt } from "./feed-entry.ts";
import { toHttpUrl } from "./sanitize.ts";

/** The window a digest covers: its Beijing day label and the stored-at range [from, to). */
export interface DigestWindow {
  readonly day: string;
  readonly from: Date;
  readonly to: Date;
}

/** Options of `buildDigest`. */
export interface DigestOptions {
  /** Title prefix; the day is appended (default `每日摘要`). */
  readonly title?: string;
  /** The server's public base URL; the digest's own URL is `<siteUrl>/digests/<day>`. */
  readonly siteUrl: string;
  /** Rewrites cover image URLs (the signed image proxy), when on. */
  readonly imageUrl?: (url: string) => string;
  /** Group by source (default) or by summary category. */
  readonly groupBy?: DigestGroupBy;
}

/** What digest sections are: sources, or summary categories (articles without one under `Others`). */
export type DigestGroupBy = "source" | "category";

const NO_CATEGORY = "Others";

export type { DigestEntry, DigestGroup };

/** A built digest: the document to archive and the page to serve. */
export interface Digest {
  readonly document: ArticleDocument;
  readonly html: string;
}

const DEFAULT_TITLE = "每日摘要";
const EXCERPT_CHARS = 120;
const SUMMARY_CHARS = 600;
const BEIJING_OFFSET_MS = 8 * 3_600_000;
// Sources sort the way a Chinese reader expects (pinyin), with the id as a deterministic tie-break.
const collator = new Intl.Collator("zh-Hans-CN");

/** `YYYY-MM-DD HH:mm` in Asia/Shanghai (UTC+8, no DST since 1991). */
export function toBeijingMinute(instant: Date): string {
  return new Date(instant.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 16).replace("T", " ");
}

function toEntry(item: FeedItem): DigestEntry {
  const byline = [item.author, item.account]
    .map((name) => toFeedLine(name ?? ""))
    .filter((name, i, all) => name !== "" && all.indexOf(name) === i);
  return {
    title: toFeedLine(item.title, 512) || "（无标题）",
    url: toHttpUrl(item.url),
    time: toBeijingMinute(itemTime(item)),
    byline,
    excerpt: toFeedLine(toItemExcerpt(item, EXCERPT_CHARS), EXCERPT_CHARS * 2),
    summary: toShownSummary(item.summary),
    cover: toHttpUrl(item.cover ?? ""),
  };
}

/** A summary as one plain line for the digest (the digest is a list, not a page of essays). */
function toShownSummary(summary: string | null | undefined): string | null {
  const text = toFeedLine(toExcerpt(summary ?? "", SUMMARY_CHARS), SUMMARY_CHARS * 2);
  return text === "" ? null : text;
}

/**
 * The items stored in [from, to), grouped by source id (sections by source name) or by category
 * (sections by name, `Others` last), items newest first.
 */
export function toDigestGroups(
  items: readonly FeedItem[],
  window: DigestWindow,
  groupBy: DigestGroupBy = "source",
): DigestGroup[] {
  const from = window.from.getTime();
  const to = window.to.getTime();
  const byGroup = new Map<string, FeedItem[]>();
  for (const item of items) {
    const stored = item.storedAt.getTime();
    if (!(stored >= from && stored < to)) continue;
    const id = groupBy === "category" ? item.category || NO_CATEGORY : item.sourceId;
    const group = byGroup.get(id) ?? [];
    if (!group.some((other) => other.key === item.key)) group.push(item);
    byGroup.set(id, group);
  }
  const groups = [...byGroup.entries()].map(([id, group]) => {
    const sorted = group.sort(
      (a, b) => itemTime(b).getTime() - itemTime(a).getTime() || compare(a.key, b.key),
    );
    const name = groupBy === "category" ? id : toFeedLine(sorted[0]?.source ?? "") || id;
    return { sourceId: id, source: name, entries: sorted.map(toEntry) };
  });
  const last = (g: DigestGroup) => (groupBy === "category" && g.sourceId === NO_CATEGORY ? 1 : 0);
  return groups.sort(
    (a, b) => last(a) - last(b) || collator.compare(a.source, b.source) || compare(a.sourceId, b.sourceId),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Escapes text for inline Markdown so titles and excerpts can never turn into markup or links. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_[\]{}()<>|~&!#]/g, "\\$&")
    .replace(/^(\s*)([>+=-])/, "$1\\$2")
    .replace(/^(\s*\d+)([.)])/, "$1\\$2");
}

/** The one-line summary under the digest title. */
export function toDigestSummary(groups: readonly DigestGroup[], window: DigestWindow): string {
  const count = groups.reduce((sum, group) => sum + group.entries.length, 0);
  const range = `北京时间 ${toBeijingMinute(window.from)} 至 ${toBeijingMinute(window.to)}`;
  return count === 0
    ? `${range}，没有收录新文章。`
    : `${range}，收录 ${count} 篇文章，来自 ${groups.length} 个来源。`;
}

function toMarkdownBody(title: string, summary: string, groups: readonly DigestGroup[]): string {
  const lines = [`# ${escapeMarkdown(title)}`, "", escapeMarkdown(summary)];
  for (const group of groups) {
    lines.push("", `## ${escapeMarkdown(group.source)}`);
    for (const entry of group.entries) {
      const heading =
        entry.url === null ? escapeMarkdown(entry.title) : `[${escapeMarkdown(entry.title)}](<${entry.url}>)`;
      lines.push("", `### ${heading}`, "", escapeMarkdown([entry.time, ...entry.byline].join(" · ")));
      const shown = entry.summary ?? entry.excerpt;
      if (shown !== "") lines.push("", escapeMarkdown(shown));
    }
  }
  return lines.join("\n");
}

/** Builds the digest of the articles stored in `window`: a document with a Markdown body and an HTML page. */
export function buildDigest(
  items: readonly FeedItem[],
  window: DigestWindow,
  options: DigestOptions,
): Digest {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(window.day))
    throw new UsageError("USAGE", `digest: invalid day: ${window.day}`);
  if (!(window.from.getTime() < window.to.getTime())) {
    throw new UsageError("USAGE", "digest: the window must end after it starts");
  }
  const groups = toDigestGroups(items, window, options.groupBy);
  const title = `${toFeedLine(options.title ?? DEFAULT_TITLE) || DEFAULT_TITLE} ${window.day}`;
  const summary = toDigestSummary(groups, window);
  const document: ArticleDocument = {
    title,
    url: `${options.siteUrl.replace(/\/+$/, "")}/digests/${window.day}`,
    source: "wechat-feed",
    date: window.day,
    fetch_date: formatFetchDate(window.to),
    body: toMarkdownBody(title, summary, groups),
  };
  const feedBase = options.siteUrl.replace(/\/+$/, "");
  const html = renderDigestPage({ title, summary, groups, feedBase }, options.imageUrl);
  return { document, html };
}

/** A stored digest as the digest feeds need it (extra fields such as `html` are ignored). */
export interface StoredDigest {
  readonly day: string;
  readonly document: ArticleDocument;
}

/** The feed item of a digest: guid `digest-<day>`, dated by its window end, content from its body. */
export function toDigestItem(digest: StoredDigest): FeedItem {
  const end = new Date(`${digest.document.fetch_date.slice(0, 23)}Z`);
  return {
    key: `digest-${digest.day}`,
    title: digest.document.title,
    url: digest.document.url,
    sourceId: "digest",
    source: digest.document.source,
    account: null,
    author: null,
    publishedAt: end,
    storedAt: end,
    date: digest.day,
    cover: null,
    description: null,
    // Readers show the item title; the body's own `# title` line would repeat it.
    markdown: digest.document.body.replace(/^# [^\n]*\n+/, ""),
  };
}
