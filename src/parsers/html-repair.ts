/**
 * Pre-markdown repairs of a WeChat article body (`#js_content`), following wechat-pages.md section 5: unhide
 * the root, drop hidden and non-content elements, take image URLs from `data-src`, turn sections into
 * paragraphs or containers, unwrap `span[leaf]` and dead links, join code-snippet lines, and replace audio,
 * video and account cards by plain links. It mutates the freshly parsed tree in one post-order walk, so the
 * markdown renderer only ever sees a small, regular vocabulary of elements.
 */
import { type ChildNode, Element, isTag, isText, type ParentNode, type Text } from "domhandler";
import {
  buildAudioNode,
  buildProfileNode,
  buildVideoNode,
  imageSource,
  isQrImage,
  normalizeLinkUrl,
} from "./html-repair-media.ts";
import { joinCodeLines } from "./markdown-code.ts";

/** What the body converters need to know about the article. */
export interface MarkdownContext {
  canonicalUrl: string | null;
}

/** Elements that start a new block; anything else is inline (or a transparent wrapper). */
// biome-ignore format: a word list reads better packed
export const BLOCK_TAGS: ReadonlySet<string> = new Set([
  "address", "article", "aside", "blockquote", "center", "dd", "details", "div", "dl", "dt", "fieldset",
  "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
  "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
]);

/** Non-content elements, dropped with everything inside (18 has scripts inside headings). */
// biome-ignore format: a word list reads better packed
const DROP_TAGS: ReadonlySet<string> = new Set([
  "script", "style", "noscript", "template", "svg", "mp-style-type", "head", "link", "meta", "title",
  "button", "input", "select", "textarea", "canvas", "object", "embed", "map", "audio",
  "mp-miniprogram", "mp-common-miniprogram", "mp-common-cpsad", "mp-common-search",
]);

// biome-ignore format: a word list reads better packed
const VIDEO_TAGS: ReadonlySet<string> = new Set([
  "iframe", "video", "mpvideo", "mp-video", "mp-common-video", "mpvideosnap", "mp-common-videosnap",
]);

/** Zero-width characters editors sprinkle into text. */
const ZERO_WIDTH = /[\u200b-\u200f\u2060\ufeff]/g;
const NEEDS_CLEANING = /[\u00a0\u200b-\u200f\u2060\ufeff]/;

/** Repairs the body tree in place (see the file header); `toMarkdown` calls it before rendering. */
export function repairContent(root: Element, ctx: MarkdownContext): void {
  unhideRoot(root);
  repairChildren(root, ctx);
}

/** Raw pages (01–04, 09, 24, 26) ship `#js_content` with `visibility: hidden; opacity: 0` until JS runs. */
function unhideRoot(root: Element): void {
  const style = root.attribs.style;
  if (style === undefined) return;
  const kept = style.split(";").filter((decl) => {
    const compact = decl.replace(/\s+/g, "").toLowerCase();
    return compact !== "" && compact !== "visibility:hidden" && compact !== "opacity:0";
  });
  if (kept.length === 0) delete root.attribs.style;
  else root.attribs.style = kept.join(";");
}

/**
 * The last value of a CSS property in an inline style attribute (lowercased, trimmed), or null. Bodies
 * carry kilobytes of inline style per paragraph, so this scans with indexOf instead of parsing.
 */
function styleValue(style: string, prop: string): string | null {
  let value: string | null = null;
  let from = 0;
  for (;;) {
    const at = style.indexOf(prop, from);
    if (at < 0) return value;
    from = at + prop.length;
    const before = at === 0 ? 59 : style.charCodeAt(at - 1);
    if (before !== 59 && before !== 32 && before !== 9 && before !== 10) continue; // `;`, space, tab, LF
    let colon = from;
    while (style.charCodeAt(colon) === 32) colon++;
    if (style.charCodeAt(colon) !== 58) continue; // `:`
    let end = style.indexOf(";", colon);
    if (end < 0) end = style.length;
    value = style
      .slice(colon + 1, end)
      .trim()
      .toLowerCase();
    from = end;
  }
}

/** True for `display: none` / `visibility: hidden` (01–03 and 25 end with such an editor marker). */
function isHidden(attribs: Record<string, string>, display: string | null): boolean {
  if (attribs.hidden !== undefined || display?.startsWith("none")) return true;
  const style = attribs.style;
  return (
    style?.includes("visibility") === true && styleValue(style, "visibility")?.startsWith("hidden") === true
  );
}

/** Repairs every child of `parent`, rebuilding its child list; returns whether a block remains inside. */
function repairChildren(parent: ParentNode, ctx: MarkdownContext): boolean {
  const out: ChildNode[] = [];
  let hasBlock = false;
  for (const child of parent.children) {
    if (isText(child)) {
      cleanText(child);
      out.push(child);
    } else if (isTag(child)) {
      if (repairElement(child, ctx, out)) hasBlock = true;
    }
    // Comments, CDATA and directives carry no content.
  }
  let prev: ChildNode | null = null;
  for (const node of out) {
    node.parent = parent;
    node.prev = prev;
    if (prev !== null) prev.next = node;
    prev = node;
  }
  if (prev !== null) prev.next = null;
  parent.children = out;
  return hasBlock;
}

/** Repairs one element, pushing what replaces it onto `out`; returns whether that is block content. */
function repairElement(el: Element, ctx: MarkdownContext, out: ChildNode[]): boolean {
  const name = el.name;
  const attribs = el.attribs;
  if (DROP_TAGS.has(name)) return false;
  const style = attribs.style;
  const display = style?.includes("display") ? styleValue(style, "display") : null;
  if (isHidden(attribs, display)) {
    // A caller may hand over a wrapper (parseHtmlFragment of a whole body): never drop the article itself.
    if (attribs.id !== "js_content") return false;
    unhideRoot(el);
  }
  const cls = attribs.class;
  // Line-number gutters of code-snippet blocks (synthetic fixture; 01 shows the class only in CSS).
  if (
    cls !== undefined &&
    (cls.includes("code-snippet__line-index") ||
      cls.includes("weapp_display_element") ||
      cls.includes("weapp_card"))
  ) {
    return false;
  }
  switch (name) {
    case "img": {
      const src = imageSource(attribs);
      if (src === null || isQrImage(attribs, src)) return false;
      attribs.src = src;
      el.children = [];
      if (display !== "block") {
        out.push(el);
        return false;
      }
      // A `display: block` image stands on its own line even when it shares a wrapper with text.
      const p = new Element("p", {}, [el]);
      el.parent = p;
      out.push(p);
      return true;
    }
    case "mp-common-mpaudio":
    case "mpvoice":
      return pushReplacement(buildAudioNode(el), out);
    case "mp-common-profile":
    case "mpprofile":
      return pushReplacement(buildProfileNode(el), out);
    case "a": {
      const href = normalizeLinkUrl(attribs.href);
      if (href === null) return unwrap(el, ctx, out);
      attribs.href = href;
      break;
    }
    case "span":
      // 2025 pages wrap every text run in `<span leaf>`.
      if (attribs.leaf !== undefined) return unwrap(el, ctx, out);
      break;
    default:
      if (VIDEO_TAGS.has(name)) return pushReplacement(buildVideoNode(el, ctx.canonicalUrl), out);
  }
  const innerBlock = repairChildren(el, ctx);
  out.push(el);
  if (name === "section") {
    el.name = innerBlock ? "div" : "p";
    return true;
  }
  if (name === "pre") {
    joinCodeLines(el);
    return true;
  }
  if (BLOCK_TAGS.has(name)) return true;
  // An inline wrapper around paragraphs (a `span` or `strong` holding sections), or one styled as a block
  // (02 lays out quoted bullet lines as `span` with `display: block`), acts as a container.
  // Links stay links: the renderer flattens their content (image cards in 09 wrap a block image).
  if (name === "a") return false;
  if (innerBlock || display === "block" || display === "flex") {
    el.name = "div";
    return true;
  }
  return false;
}

function pushReplacement(node: Element | null, out: ChildNode[]): boolean {
  if (node === null) return false;
  out.push(node);
  return true;
}

/** Replaces an element by its repaired children. */
function unwrap(el: Element, ctx: MarkdownContext, out: ChildNode[]): boolean {
  const innerBlock = repairChildren(el, ctx);
  for (const child of el.children) out.push(child);
  return innerBlock;
}

/** `&nbsp;` becomes a plain (collapsible) space; zero-width characters go. */
function cleanText(node: Text): void {
  const data = node.data;
  if (!NEEDS_CLEANING.test(data)) return;
  node.data = data.replaceAll("\u00a0", " ").replace(ZERO_WIDTH, dropZeroWidth);
}

/** U+200D stays after an emoji (a low surrogate or U+FE0F), where it joins family and profession emoji. */
function dropZeroWidth(ch: string, at: number, text: string): string {
  if (ch !== "\u200d") return "";
  const prev = text.charCodeAt(at - 1);
  return (prev >= 0xdc00 && prev <= 0xdfff) || prev === 0xfe0f ? ch : "";
}
