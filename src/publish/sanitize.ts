/**
 * Allowlist HTML sanitizer for everything publishing emits (feed `content:encoded`, the digest page).
 * The input is parsed with htmlparser2 into a tree and re-serialized from scratch: only listed tags
 * and attributes survive, every value is re-escaped, URLs must parse as absolute http(s) (protocol-
 * relative ones are upgraded), and every kept element is closed, so the output is well-formed and
 * safe inside CDATA. Unknown tags are unwrapped (their text kept); script-like containers are dropped
 * with their content. Images always get `referrerpolicy="no-referrer"` because WeChat's image CDN
 * answers foreign Referers with a placeholder (wechat-pages.md section 6). Pure.
 */
import { type ChildNode, type Element, isTag, isText, type ParentNode } from "domhandler";
import { parseDocument } from "htmlparser2";
import { escapeXml } from "./xml.ts";

/** Options of `sanitizeHtml`. */
export interface SanitizeOptions {
  /** Rewrites http(s) image sources (img src, video poster), e.g. to the signed image proxy. */
  readonly imageUrl?: (url: string) => string;
}

const TABLE_CELL = ["align", "colspan", "rowspan"] as const;
const MEDIA = ["src", "preload", "loop", "width", "height"] as const;

// A Map, not an object literal, so a tag named `__proto__` or `constructor` finds nothing.
const ALLOWED = new Map<string, readonly string[]>([
  ...["p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "b", "em", "i", "del", "s"].map(
    (tag) => [tag, []] as const,
  ),
  ...["pre", "blockquote", "ul", "li", "table", "thead", "tbody", "tr", "figure", "figcaption"].map(
    (tag) => [tag, []] as const,
  ),
  ...["sup", "sub", "span", "div"].map((tag) => [tag, []] as const),
  ["code", ["class"]],
  ["ol", ["start"]],
  ["a", ["href", "title"]],
  ["img", ["src", "alt", "title", "width", "height"]],
  ["th", TABLE_CELL],
  ["td", TABLE_CELL],
  ["audio", MEDIA],
  ["video", [...MEDIA, "poster"]],
  ["source", ["src", "type"]],
]);

/** Elements removed together with everything inside them. */
const DROP_WITH_CONTENT = new Set([
  "script",
  "style",
  "iframe",
  "object",
  "embed",
  "applet",
  "form",
  "input",
  "button",
  "select",
  "textarea",
  "noscript",
  "noembed",
  "noframes",
  "template",
  "frame",
  "frameset",
  "svg",
  "math",
  "head",
  "title",
  "meta",
  "link",
  "base",
]);

const VOID = new Set(["br", "hr", "img", "source"]);
/** Video players WeChat articles embed; the only iframes kept (sandboxed). */
const EMBED_HOSTS = new Set(["v.qq.com", "player.bilibili.com"]);
const IFRAME_SANDBOX = "allow-scripts allow-same-origin allow-popups allow-presentation";
/** Deeper nesting is unwrapped: no reader needs it, and it only serves to choke renderers. */
const MAX_DEPTH = 64;

const DATA_IMAGE = /^data:image\/(?:png|jpe?g|gif|webp|avif|bmp);base64,[A-Za-z0-9+/=\s]*$/i;
const ATTR_RULES: Record<string, RegExp> = {
  width: /^\d{1,5}%?$/,
  height: /^\d{1,5}%?$/,
  colspan: /^\d{1,3}$/,
  rowspan: /^\d{1,3}$/,
  start: /^-?\d{1,9}$/,
  align: /^(?:left|center|right)$/,
  preload: /^(?:none|metadata|auto)$/,
  class: /^language-[A-Za-z0-9_+#-]{1,40}$/,
  type: /^(?:audio|video)\/[A-Za-z0-9.+-]{1,40}$/,
};

/**
 * The absolute http(s) URL `value` denotes (normalized by the WHATWG parser, which also defeats
 * `java\tscript:`-style obfuscation), `//host` upgraded to https; null for anything else.
 */
export function toHttpUrl(value: string): string | null {
  const trimmed = value.trim();
  try {
    const url = new URL(trimmed.startsWith("//") ? `https:${trimmed}` : trimmed);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

function imageSource(value: string, options: SanitizeOptions): string | null {
  if (DATA_IMAGE.test(value.trim())) return value.trim().replace(/\s+/g, "");
  const url = toHttpUrl(value);
  if (url === null) return null;
  return options.imageUrl === undefined ? url : options.imageUrl(url);
}

function cleanAttribute(tag: string, name: string, value: string, options: SanitizeOptions): string | null {
  if (name === "href") return toHttpUrl(value);
  if (name === "src") return tag === "img" ? imageSource(value, options) : toHttpUrl(value);
  if (name === "poster") {
    const url = toHttpUrl(value);
    return url !== null && options.imageUrl !== undefined ? options.imageUrl(url) : url;
  }
  if (name === "loop") return "";
  const rule = ATTR_RULES[name];
  const normalized = name === "align" || name === "preload" ? value.trim().toLowerCase() : value.trim();
  if (rule === undefined) return value;
  return rule.test(normalized) ? normalized : null;
}

/** The kept attributes of an element, in a fixed order, plus the ones this project forces. */
function buildAttributes(el: Element, options: SanitizeOptions): [string, string][] | null {
  const tag = el.name;
  const out: [string, string][] = [];
  for (const name of ALLOWED.get(tag) ?? []) {
    const raw = el.attribs[name];
    if (raw === undefined) continue;
    const value = cleanAttribute(tag, name, raw, options);
    if (value !== null) out.push([name, value]);
  }
  const has = (name: string): boolean => out.some(([key]) => key === name);
  if ((tag === "td" || tag === "th") && !has("align")) {
    // markdown-it writes GFM column alignment as a style, which is otherwise dropped.
    const align = /text-align:\s*(left|center|right)/i.exec(el.attribs.style ?? "")?.[1];
    if (align !== undefined) out.push(["align", align.toLowerCase()]);
  }
  if (tag === "a") {
    if (!has("href")) return null;
    out.push(["rel", "noopener noreferrer"]);
  }
  if (tag === "img" || tag === "source") {
    if (!has("src")) return null;
  }
  if (tag === "img") out.push(["referrerpolicy", "no-referrer"], ["loading", "lazy"]);
  if (tag === "audio" || tag === "video") out.push(["controls", ""]);
  return out;
}

/** The kept form of an embedded player iframe, or null when its host is not an allowed player. */
function buildEmbed(el: Element): string | null {
  const src = toHttpUrl(el.attribs.src ?? "");
  if (src === null) return null;
  const url = new URL(src);
  if (!EMBED_HOSTS.has(url.hostname)) return null;
  url.protocol = "https:";
  const attrs: [string, string][] = [["src", url.href]];
  for (const name of ["width", "height"]) {
    const value = el.attribs[name]?.trim();
    if (value !== undefined && ATTR_RULES.width?.test(value)) attrs.push([name, value]);
  }
  attrs.push(["sandbox", IFRAME_SANDBOX], ["allowfullscreen", ""], ["referrerpolicy", "no-referrer"]);
  return `<iframe${renderAttributes(attrs)}></iframe>`;
}

function renderAttributes(attrs: readonly [string, string][]): string {
  return attrs.map(([name, value]) => ` ${name}="${escapeXml(value)}"`).join("");
}

/** Pushes children last-first so they pop in document order (a loop: spreading 100k children overflows). */
function pushChildren(stack: (ChildNode | string)[], parent: ParentNode): void {
  for (let i = parent.children.length - 1; i >= 0; i--) {
    const child = parent.children[i];
    if (child !== undefined) stack.push(child);
  }
}

/**
 * Sanitizes an HTML fragment against the allowlist and returns well-formed HTML (void elements
 * self-closed, every other element closed, text and attribute values escaped).
 */
export function sanitizeHtml(html: string, options: SanitizeOptions = {}): string {
  const doc = parseDocument(html, { decodeEntities: true });
  // An explicit stack instead of recursion: hostile input can nest tens of thousands of elements.
  const stack: (ChildNode | string)[] = [];
  pushChildren(stack, doc);
  let out = "";
  let depth = 0;
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (typeof next === "string") {
      out += next;
      depth -= 1;
      continue;
    }
    if (isText(next)) {
      out += escapeXml(next.data);
      continue;
    }
    // Comments, CDATA sections, doctypes and processing instructions never survive.
    if (!isTag(next)) continue;
    const el = next;
    if (el.name === "iframe") {
      out += buildEmbed(el) ?? "";
      continue;
    }
    if (DROP_WITH_CONTENT.has(el.name)) continue;
    const attrs = ALLOWED.has(el.name) && depth < MAX_DEPTH ? buildAttributes(el, options) : null;
    if (attrs === null) {
      // Unwrapped: the children still count, the element itself does not.
      pushChildren(stack, el);
      continue;
    }
    if (VOID.has(el.name)) {
      out += `<${el.name}${renderAttributes(attrs)} />`;
      continue;
    }
    out += `<${el.name}${renderAttributes(attrs)}>`;
    depth += 1;
    stack.push(`</${el.name}>`);
    pushChildren(stack, el);
  }
  return out;
}
