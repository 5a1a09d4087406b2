/**
 * The digest as a standalone HTML page (served at `/digests/<day>` and `/digest`): inline CSS, readable
 * on a phone, light and dark. The body is built from escaped text and then passed through the same
 * allowlist sanitizer as article content, so the styling uses element selectors only (the sanitizer
 * keeps no classes). The page carries `<meta name="referrer" content="no-referrer">` because cover
 * images come from WeChat's CDN, which answers foreign Referers with a placeholder (wechat-pages.md
 * section 6), and a restrictive CSP as defence in depth. Pure.
 */
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

const CSS = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #6e7781; --line: #d8dee4; --bg: #fff; --card: #f6f8fa; --link: #0b57d0; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #8d96a0; --line: #30363d; --bg: #0d1117; --card: #161b22; --link: #6cb6ff; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.6 -apple-system, BlinkMacSystemFont, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; }
main { max-width: 720px; margin: 0 auto; padding: 24px 16px 48px; }
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
a { color: var(--link); text-decoration: none; }
a:hover { text-decoration: underline; }
h3 + p { color: var(--muted); font-size: .82em; margin: 0 0 4px; }
li p { margin: 0; font-size: .93em; }
footer { color: var(--muted); font-size: .8em; text-align: center; padding: 0 16px 32px; }
@media (max-width: 480px) { li img { width: 72px; height: 54px; } }
`;

// No scripts, no frames, no plugins; images from anywhere (WeChat's CDN or our proxy), inline CSS only.
const CSP =
  "default-src 'none'; img-src 'self' https: http: data:; style-src 'unsafe-inline'; base-uri 'none'";

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
  return [
    "<!doctype html>",
    '<html lang="zh-CN">',
    "<head>",
    '<meta charset="utf-8" />',
    '<meta name="viewport" content="width=device-width, initial-scale=1" />',
    '<meta name="referrer" content="no-referrer" />',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}" />`,
    `<title>${escapeXml(content.title)}</title>`,
    toAlternateLinks("digest", "", content.feedBase, "每日摘要"),
    `<style>${CSS}</style>`,
    "</head>",
    "<body>",
    `<main>\n${safeBody}\n</main>`,
    "<footer>由 wechat-feed 生成</footer>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
