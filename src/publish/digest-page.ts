/**
 * The digest as a standalone HTML page (served at `/digests/<day>` and `/digest`): inline CSS, readable
 * on a phone, light and dark, in the shared page shell (html-page.ts: no-referrer, CSP). The body is
 * built from escaped text and then passed through the same allowlist sanitizer as article content, so
 * the styling uses element selectors only (the sanitizer keeps no classes). Pure.
 */
import { renderHtmlPage } from "./html-page.ts";
import { toAlternateLinks } from "./output-table.ts";
import { sanitizeHtml } from "./sanitize.ts";
import { escapeXml } from "./xml.ts";

/** One digest line: what the Markdown, the page and the feed show for an article. */
export interface DigestEntry {
  readonly title: string;
  /** The article link (http(s)), or null when the item has none usable. */
  readonly url: string | null;
  /** `YYYY-MM-DD HH:mm` in Asia/Shanghai. */
  readonly time: string;
  /** Author and account, deduplicated, in that order. */
  readonly byline: readonly string[];
  readonly excerpt: string;
  /** The article's LLM summary as plain text, shown instead of the excerpt; null when none. */
  readonly summary: string | null;
  readonly cover: string | null;
}

/** The articles of one source in a digest. */
export interface DigestGroup {
  readonly sourceId: string;
  readonly source: string;
  readonly entries: readonly DigestEntry[];
}

/** What the page shows: the digest title, its summary line and the grouped entries. */
export interface DigestPageContent {
  readonly title: string;
  readonly summary: string;
  /** A highlighted note under the summary (the "not final" mark of a preview); none when absent. */
  readonly notice?: string;
  readonly groups: readonly DigestGroup[];
  /** The base URL of the digest feeds' `<link rel="alternate">` tags ("" for root-relative links). */
  readonly feedBase: string;
}

// Digest-specific rules; the shared base (colours, typography, links, footer) is in html-page.ts.
const CSS = `
h1 { font-size: 1.6em; margin: 0 0 4px; }
h1 + p { color: var(--muted); margin: 0 0 24px; font-size: .9em; }
blockquote { margin: -12px 0 24px; padding: 10px 14px; border-left: 4px solid #d4a72c; border-radius: 6px;
  background: var(--card); font-size: .9em; }
h2 { font-size: 1.15em; margin: 32px 0 8px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h2 sup { display: inline-block; vertical-align: middle; margin-left: 8px; padding: 0 8px; border-radius: 999px;
  background: var(--card); color: var(--muted); font-weight: normal; font-size: .68em; line-height: 1.7; }
ul { list-style: none; margin: 0; padding: 0; }
li { background: var(--card); border-radius: 10px; padding: 12px 14px; margin: 10px 0; overflow: hidden; }
li img { float: right; width: 96px; height: 72px; object-fit: cover; border-radius: 6px; margin: 2px 0 4px 12px; }
h3 { font-size: 1.02em; margin: 0 0 4px; line-height: 1.45; }
h3 + p { color: var(--muted); font-size: .82em; margin: 0 0 4px; }
li p { margin: 0; font-size: .93em; }
@media (max-width: 480px) { li img { width: 72px; height: 54px; } }
`;

function renderGroup(group: DigestGroup): string {
  const items = group.entries.map((entry) => {
    const title = escapeXml(entry.title);
    const heading = entry.url === null ? title : `<a href="${escapeXml(entry.url)}">${title}</a>`;
    const cover = entry.cover === null ? "" : `<img src="${escapeXml(entry.cover)}" alt="" />`;
    const meta = escapeXml([entry.time, ...entry.byline].join(" · "));
    const shown = entry.summary ?? entry.excerpt;
    const excerpt = shown === "" ? "" : `<p>${escapeXml(shown)}</p>`;
    return `<li>${cover}<h3>${heading}</h3><p>${meta}</p>${excerpt}</li>`;
  });
  const count = `<sup>${group.entries.length}</sup>`;
  return `<h2>${escapeXml(group.source)}${count}</h2>\n<ul>\n${items.join("\n")}\n</ul>`;
}

/** Renders the complete digest page (doctype to `</html>`), its body sanitized like article content. */
export function renderDigestPage(content: DigestPageContent, imageUrl?: (url: string) => string): string {
  const body = [
    `<h1>${escapeXml(content.title)}</h1>`,
    `<p>${escapeXml(content.summary)}</p>`,
    ...(content.notice === undefined ? [] : [`<blockquote>${escapeXml(content.notice)}</blockquote>`]),
    ...content.groups.map(renderGroup),
  ].join("\n");
  const safeBody = sanitizeHtml(body, imageUrl === undefined ? {} : { imageUrl });
  return renderHtmlPage({
    title: content.title,
    css: CSS,
    body: safeBody,
    head: toAlternateLinks("digest", "", content.feedBase, "每日摘要"),
  });
}
