/**
 * Article Markdown (the document body) → safe HTML for feed `content:encoded`. markdown-it does the
 * CommonMark + GFM-table rendering with raw HTML, linkify and typographic replacements off (the body
 * is our own Markdown, so raw HTML in it is text, not markup); the allowlist sanitizer then runs last
 * as the one safety gate, adds `referrerpolicy="no-referrer"` and `loading="lazy"` to every image and
 * applies the optional image-URL rewrite (the signed proxy). Pure.
 */
import MarkdownIt from "markdown-it";
import { sanitizeHtml } from "./sanitize.ts";
import { stripXmlIllegal } from "./xml.ts";

/** Options of `renderArticleHtml`. */
export interface RenderArticleOptions {
  /** Rewrites http(s) image sources, e.g. to the signed image proxy. */
  readonly imageUrl?: (url: string) => string;
}

// One shared instance: rendering keeps no state between calls.
const markdownIt = new MarkdownIt("default", { html: false, linkify: false, typographer: false });

/** Renders article Markdown to sanitized, well-formed HTML with no-referrer, lazy-loaded images. */
export function renderArticleHtml(markdown: string, options: RenderArticleOptions = {}): string {
  return sanitizeHtml(markdownIt.render(stripXmlIllegal(markdown)), options);
}
