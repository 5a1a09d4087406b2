/**
 * The shell of every standalone HTML page we serve (digests, archived articles): doctype, UTF-8,
 * mobile viewport, `<meta name="referrer" content="no-referrer">` (WeChat's image CDN answers foreign
 * Referers with a placeholder, wechat-pages.md section 6), a restrictive CSP as defence in depth, the
 * page's inline CSS and a footer. The body passed in must already be sanitized. Pure.
 */
import { escapeXml } from "./xml.ts";

// No scripts, no frames, no plugins; images from anywhere (WeChat's CDN or our proxy), inline CSS only.
const CSP =
  "default-src 'none'; img-src 'self' https: http: data:; style-src 'unsafe-inline'; base-uri 'none'";

/** CSS variables and the base typography every page shares (light and dark). */
export const BASE_CSS = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #6e7781; --line: #d8dee4; --bg: #fff; --card: #f6f8fa; --link: #0b57d0; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #8d96a0; --line: #30363d; --bg: #0d1117; --card: #161b22; --link: #6cb6ff; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.6 -apple-system, BlinkMacSystemFont, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; }
main { max-width: 720px; margin: 0 auto; padding: 24px 16px 48px; }
a { color: var(--link); text-decoration: none; }
a:hover { text-decoration: underline; }
footer { color: var(--muted); font-size: .8em; text-align: center; padding: 0 16px 32px; }
`;

/**
 * A complete HTML document (doctype to `</html>`) around an already sanitized `body`; `head` holds
 * extra trusted head elements (the `<link rel="alternate">` tags of the page's feeds).
 */
export function renderHtmlPage(page: { title: string; css: string; body: string; head?: string }): string {
  return [
    "<!doctype html>",
    '<html lang="zh-CN">',
    "<head>",
    '<meta charset="utf-8" />',
    '<meta name="viewport" content="width=device-width, initial-scale=1" />',
    '<meta name="referrer" content="no-referrer" />',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}" />`,
    `<title>${escapeXml(page.title)}</title>`,
    ...(page.head === undefined || page.head === "" ? [] : [page.head]),
    `<style>${BASE_CSS}${page.css}</style>`,
    "</head>",
    "<body>",
    `<main>\n${page.body}\n</main>`,
    "<footer>由 wechat-feed 生成</footer>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
