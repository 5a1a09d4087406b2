/**
 * THE table of everything publishing serves. A feed format is one row of `FEED_FORMATS` (its id, file
 * extension, content type and pure render function); every format is published in every feed scope
 * (all sources, one source, one tag, the digest), so adding a format is one renderer file and one row
 * here. `OUTPUTS` crosses scopes with formats and adds the OPML list and the digest pages; the
 * orchestrator (snapshot.ts) walks it to build the in-memory snapshot and the static copies, and the
 * server derives its routes from it. Pure data and path helpers.
 */

import { renderAtom } from "./atom.ts";
import type { FeedChannel, FeedEntry } from "./feed-entry.ts";
import { renderJsonFeed } from "./json-feed.ts";
import { renderRss } from "./rss.ts";
import { escapeXml } from "./xml.ts";

/** Headers of every HTML page we serve: no Referer (WeChat's CDN blocks foreign ones), a script-free CSP. */
export const HTML_HEADERS = {
  "Referrer-Policy": "no-referrer",
  "Content-Security-Policy":
    "default-src 'none'; img-src 'self' https: http: data:; style-src 'unsafe-inline'; media-src https:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
} as const;

/** Content types of the outputs that are not feeds. */
export const PAGE_TYPE = {
  opml: "text/x-opml; charset=utf-8",
  html: "text/html; charset=utf-8",
} as const;

/** One feed format: a row of the format table. */
export interface FeedFormat {
  readonly id: string;
  /** File extension of its paths, without the dot (`/feed.<extension>`). */
  readonly extension: string;
  /** The response's Content-Type. */
  readonly contentType: string;
  /** The MIME type of `<link rel="alternate" type="…">` (no parameters). */
  readonly linkType: string;
  /** Human name, the title of alternate links. */
  readonly label: string;
  /** Pure renderer of the feed's entries (feed-entry.ts): the same entries and channel give the same text. */
  readonly render: (entries: readonly FeedEntry[], channel: FeedChannel) => string;
}

/** The feed formats, in the order alternate links list them. */
export const FEED_FORMATS: readonly FeedFormat[] = [
  {
    id: "rss",
    extension: "xml",
    contentType: "application/rss+xml; charset=utf-8",
    linkType: "application/rss+xml",
    label: "RSS 2.0",
    render: renderRss,
  },
  {
    id: "atom",
    extension: "atom",
    contentType: "application/atom+xml; charset=utf-8",
    linkType: "application/atom+xml",
    label: "Atom 1.0",
    render: renderAtom,
  },
  {
    id: "json",
    extension: "json",
    contentType: "application/feed+json; charset=utf-8",
    linkType: "application/feed+json",
    label: "JSON Feed 1.1",
    render: renderJsonFeed,
  },
];

/** What a feed holds: every source, one source (`{arg}` = id), one tag (`{arg}` = tag), or the digests. */
export type FeedScope = "all" | "source" | "tag" | "digest";

/** The path of each feed scope without its extension; `{arg}` is the source id or tag. */
export const FEED_SCOPES: Readonly<Record<FeedScope, string>> = {
  all: "/feed",
  source: "/feeds/{arg}",
  tag: "/tags/{arg}",
  digest: "/digest",
};

/** Every output's scope: a feed scope, the OPML list, one digest day's page, or the latest digest page. */
export type OutputScope = FeedScope | "index" | "digest-day" | "digest-latest";

/** One row of the output table. */
export interface OutputRow {
  /** `<scope>.<format id>` for feeds, else the scope. */
  readonly id: string;
  readonly scope: OutputScope;
  /** Request path; `{arg}` stands for the source id, tag or day. */
  readonly path: string;
  /** Static copy under the public directory (same placeholder); null when not copied. */
  readonly file: string | null;
  readonly contentType: string;
  /** The feed format; null for the OPML list and the pages. */
  readonly format: FeedFormat | null;
}

function feedRows(): OutputRow[] {
  const scopes = Object.entries(FEED_SCOPES) as [FeedScope, string][];
  return scopes.flatMap(([scope, base]) =>
    FEED_FORMATS.map((format) => ({
      id: `${scope}.${format.id}`,
      scope,
      path: `${base}.${format.extension}`,
      file: `${base.slice(1)}.${format.extension}`,
      contentType: format.contentType,
      format,
    })),
  );
}

/** The output table. */
export const OUTPUTS: readonly OutputRow[] = [
  ...feedRows(),
  {
    id: "index",
    scope: "index",
    path: "/opml.xml",
    file: "opml.xml",
    contentType: PAGE_TYPE.opml,
    format: null,
  },
  {
    id: "digest-day",
    scope: "digest-day",
    path: "/digests/{arg}",
    file: "digests/{arg}.html",
    contentType: PAGE_TYPE.html,
    format: null,
  },
  // The latest digest, or the open window's "today so far" page: chosen per snapshot, never copied.
  {
    id: "digest-latest",
    scope: "digest-latest",
    path: "/digest",
    file: null,
    contentType: PAGE_TYPE.html,
    format: null,
  },
];

/** The feed rows of `scope`, one per format. */
export function feedRowsOf(scope: FeedScope): OutputRow[] {
  return OUTPUTS.filter((row) => row.scope === scope && row.format !== null);
}

/** The row's path (or static file when `file` is true) for `arg`. */
export function toOutputPath(row: OutputRow, arg = "", file = false): string {
  const pattern = file ? (row.file ?? "") : row.path;
  return pattern.replace("{arg}", arg);
}

/** What `{arg}` may be in a request path, per scope (the tag is matched percent-encoded). */
const ARG_PATTERN: Partial<Record<OutputScope, string>> = {
  source: "([A-Za-z0-9_-]{1,200})",
  tag: "([^/]{1,400})",
  "digest-day": "(\\d{4}-\\d{2}-\\d{2})",
};

/** The row's request path as a RegExp capturing `{arg}` (for the router). */
export function toPathPattern(row: OutputRow): RegExp {
  const escaped = row.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
  return new RegExp(`^${escaped.replace("{arg}", ARG_PATTERN[row.scope] ?? "")}$`);
}

/** True when the row's path has an `{arg}` (a pattern route rather than an exact one). */
export function hasArg(row: OutputRow): boolean {
  return row.path.includes("{arg}");
}

/** The `<link rel="alternate">` tags of a feed scope, one per format, for an HTML page's head. */
export function toAlternateLinks(scope: FeedScope, arg: string, baseUrl: string, title: string): string {
  return feedRowsOf(scope)
    .map((row) => {
      const href = escapeXml(`${baseUrl}${encodeURI(toOutputPath(row, arg))}`);
      const name = escapeXml(`${title} (${row.format?.label ?? row.id})`);
      return `<link rel="alternate" type="${row.format?.linkType ?? row.contentType}" title="${name}" href="${href}" />`;
    })
    .join("\n");
}
