/**
 * Finds single elements in a raw WeChat page without building a DOM of the whole page: the page is
 * 2–3.7 MB of mostly inline JavaScript, so elements are located with indexOf, their end found by
 * counting nested tags of the same name (skipping scripts, styles and comments), and only that slice
 * is parsed with htmlparser2. Also reads `<meta>` tags (both `content=` and the `value=` of the
 * scripts-stripped fixtures `21`/`26`) and the visible text used by page classification.
 */
import { type ChildNode, type Element, isTag, isText } from "domhandler";
import { findOne } from "domutils";
import { parseBoundedHtml } from "./html-parse.ts";
import { decodeEntities } from "./js-literal.ts";

/** An element's outer HTML range `[start, end)` in the page. */
export interface ElementRange {
  readonly start: number;
  readonly end: number;
  /** Index just after the start tag's `>`. */
  readonly innerStart: number;
}

const ID_BEFORE = /(?:^|[\s"'/])id\s*=\s*$/;
const OPEN_TAG = /<([a-zA-Z][\w-]*)(?:[^>"']|"[^"]*"|'[^']*')*>/y;
const VOID_TAGS = new Set([
  "area",
  "base",
  "br",
  "col",
  "embed",
  "hr",
  "img",
  "input",
  "link",
  "meta",
  "source",
  "wbr",
]);

/** Index of the `<` of the first tag carrying `id="<id>"` at or after `from`, or -1. */
export function findTagById(html: string, id: string, from = 0): number {
  for (let i = html.indexOf(id, from); i !== -1; i = html.indexOf(id, i + id.length)) {
    const before = html[i - 1];
    const after = html[i + id.length] ?? "";
    const quoted = (before === '"' || before === "'") && after === before;
    const bare = before === "=" && /[\s/>]/.test(after);
    if (!quoted && !bare) continue;
    const attrEnd = quoted ? i - 1 : i;
    if (!ID_BEFORE.test(html.slice(Math.max(0, attrEnd - 16), attrEnd))) continue;
    const lt = html.lastIndexOf("<", i);
    if (lt !== -1 && html.lastIndexOf(">", i) < lt && !isInsideScript(html, lt)) return lt;
  }
  return -1;
}

/** True when `pos` lies inside a `<script>` body (markup quoted in JS strings is not the page's). */
function isInsideScript(html: string, pos: number): boolean {
  const open = html.lastIndexOf("<script", pos);
  return open !== -1 && html.lastIndexOf("</script", pos) < open;
}

const endPatterns = new Map<string, RegExp>();
const RAW_TEXT_END = {
  script: /<\/script\s*>/gi,
  style: /<\/style\s*>/gi,
  textarea: /<\/textarea\s*>/gi,
} as const;

function endPattern(tagName: string): RegExp {
  let re = endPatterns.get(tagName);
  if (re === undefined) {
    re = new RegExp(
      String.raw`<(/?)(${tagName}|script|style|textarea)\b(?:[^>"']|"[^"]*"|'[^']*')*>|<!--`,
      "gi",
    );
    endPatterns.set(tagName, re);
  }
  return re;
}

/**
 * The range of the element whose start tag begins at `tagStart`. The end is found by counting nested
 * start/end tags of the same name; script, style and textarea bodies and comments are skipped, since
 * `18-article-2017-browser-saved.html` keeps `document.write("<span …>")` scripts inside headings.
 * An element left open runs to the end of the page.
 */
export function elementRange(html: string, tagStart: number): ElementRange | null {
  OPEN_TAG.lastIndex = tagStart;
  const open = OPEN_TAG.exec(html);
  if (open === null) return null;
  const tagName = (open[1] ?? "").toLowerCase();
  const innerStart = OPEN_TAG.lastIndex;
  if (VOID_TAGS.has(tagName) || html[innerStart - 2] === "/") {
    return { start: tagStart, end: innerStart, innerStart };
  }
  const re = endPattern(tagName);
  re.lastIndex = innerStart;
  let depth = 1;
  for (let m = re.exec(html); m !== null; m = re.exec(html)) {
    if (m[0] === "<!--") {
      const close = html.indexOf("-->", re.lastIndex);
      re.lastIndex = close === -1 ? html.length : close + 3;
      continue;
    }
    const name = (m[2] ?? "").toLowerCase();
    const closing = m[1] === "/";
    if (name !== tagName) {
      if (!closing) {
        const close = RAW_TEXT_END[name as keyof typeof RAW_TEXT_END];
        close.lastIndex = re.lastIndex;
        re.lastIndex = close.test(html) ? close.lastIndex : html.length;
      }
      continue;
    }
    depth += closing ? -1 : m[0].endsWith("/>") ? 0 : 1;
    if (depth === 0) return { start: tagStart, end: re.lastIndex, innerStart };
  }
  return { start: tagStart, end: html.length, innerStart };
}

/** Parses an HTML slice and returns its top-level nodes; a slice nested too deep throws (html-parse.ts). */
export function parseSlice(html: string): ChildNode[] {
  return parseBoundedHtml(html).children;
}

/** Parses the outer HTML of one element and returns that element, or null. */
export function parseElement(outerHtml: string): Element | null {
  return parseSlice(outerHtml).find(isTag) ?? null;
}

const HIDDEN_TEXT_TAGS = new Set(["script", "style", "noscript", "template"]);

/** The text of nodes, scripts and styles left out, whitespace collapsed and trimmed. */
export function textOf(nodes: ChildNode | readonly ChildNode[] | null | undefined): string {
  if (nodes === null || nodes === undefined) return "";
  const parts: string[] = [];
  const walk = (list: readonly ChildNode[]): void => {
    for (const node of list) {
      if (isText(node)) parts.push(node.data);
      else if (isTag(node) && !HIDDEN_TEXT_TAGS.has(node.name)) walk(node.children);
    }
  };
  walk(Array.isArray(nodes) ? nodes : [nodes as ChildNode]);
  return parts.join("").replace(/\s+/g, " ").trim();
}

/** The first element among `nodes` (searched deeply) that passes `test`. */
export function findElement(nodes: readonly ChildNode[], test: (el: Element) => boolean): Element | null {
  return findOne(test, nodes as ChildNode[], true);
}

/** True when the element's class list holds `className`. */
export function hasClass(el: Element, className: string): boolean {
  const cls = el.attribs.class;
  return cls !== undefined && ` ${cls.replace(/\s+/g, " ")} `.includes(` ${className} `);
}

const META_TAG = /<meta\b(?:[^>"']|"[^"]*"|'[^']*')*>/gi;
const ATTR = /([^\s=/>"']+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g;

/** Attributes of one start tag, names lower-cased, values entity-decoded. */
function tagAttributes(tag: string): Map<string, string> {
  const attrs = new Map<string, string>();
  const body = tag.replace(/^<[a-zA-Z][\w-]*/, "").replace(/\/?>$/, "");
  ATTR.lastIndex = 0;
  for (let m = ATTR.exec(body); m !== null; m = ATTR.exec(body)) {
    const name = (m[1] ?? "").toLowerCase();
    if (!attrs.has(name)) attrs.set(name, decodeEntities(m[2] ?? m[3] ?? m[4] ?? ""));
  }
  return attrs;
}

/**
 * `<meta>` values keyed by `property` or `name` (first occurrence wins). Scripts-stripped copies
 * (`21`, `26`) write `value=` for `content=` and `name="og:title"` for `property=`, so both are read.
 */
export function collectMetas(html: string): Map<string, string> {
  const metas = new Map<string, string>();
  const bodyAt = html.search(/<body[\s>]/i);
  const head = bodyAt === -1 ? html : html.slice(0, bodyAt);
  for (const m of head.matchAll(META_TAG)) {
    const attrs = tagAttributes(m[0]);
    const key = (attrs.get("property") ?? attrs.get("name") ?? "").toLowerCase();
    const value = attrs.get("content") ?? attrs.get("value");
    if (key !== "" && value !== undefined && !metas.has(key)) metas.set(key, value);
  }
  return metas;
}

/** The text of `<title>`, entity-decoded and trimmed ("" when absent). */
export function titleText(html: string): string {
  const m = /<title\b[^>]*>([\s\S]*?)<\/title\s*>/i.exec(html);
  return m === null
    ? ""
    : decodeEntities(m[1] ?? "")
        .replace(/\s+/g, " ")
        .trim();
}

/** The visible text of a page or slice: scripts, styles and comments removed, tags dropped, entities decoded. */
export function visibleText(html: string): string {
  const stripped = html
    .replace(/<!--[\s\S]*?-->/g, " ")
    .replace(/<(script|style|noscript|template)\b[\s\S]*?<\/\1\s*>/gi, " ")
    .replace(/<[^>]*>/g, " ");
  return decodeEntities(stripped).replace(/\s+/g, " ").trim();
}

/** True when the slice holds any visible, non-whitespace text. */
export function hasVisibleText(html: string): boolean {
  return /\S/.test(visibleText(html).replace(/[\u200b-\u200d\ufeff\u00a0]/g, ""));
}

/**
 * The last page's `#js_content` range: the parse pool sizes a page by its body before the parser reads
 * it (`jobs/parse-pool.ts`), so each page is asked about twice in a row on one thread, and a 3 MB page
 * costs about a millisecond to search.
 */
let lastContent: { readonly html: string; readonly range: ElementRange | null } | null = null;

/** The range of the page's `#js_content` element (the article body), or null when it has none. */
export function locateContent(html: string): ElementRange | null {
  if (lastContent?.html === html) return lastContent.range;
  const start = findTagById(html, "js_content");
  const range = start === -1 ? null : elementRange(html, start);
  lastContent = { html, range };
  return range;
}
