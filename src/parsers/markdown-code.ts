/**
 * Code in WeChat bodies: verbatim text collection, the code-snippet repair (one `code` element per line,
 * wechat-pages.md 5.6), fenced blocks for `pre` (mdnice blocks in 23 keep their `<br>` lines) and inline
 * code spans. Footnote markers that editors put in `<code>` (`[1]` in 02) stay plain text.
 */
import { type Element, isTag, isText, type ParentNode, Text } from "domhandler";
import type { InlineBuffer } from "./markdown-inline.ts";

/** Elements that end a line inside code. */
// biome-ignore format: a word list reads better packed
const LINE_TAGS: ReadonlySet<string> = new Set([
  "p", "div", "section", "li", "tr", "pre", "blockquote", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
]);
const FOOTNOTE_MARK = /^\[\d{1,3}\]$/;

/** Appends the verbatim text of a code element: `br` and block boundaries become newlines. */
export function collectCodeText(node: ParentNode, parts: string[]): void {
  for (const child of node.children) {
    if (isText(child)) {
      parts.push(child.data);
    } else if (isTag(child)) {
      if (child.name === "br") {
        parts.push("\n");
      } else if (LINE_TAGS.has(child.name)) {
        ensureNewline(parts);
        collectCodeText(child, parts);
        ensureNewline(parts);
      } else {
        collectCodeText(child, parts);
      }
    }
  }
}

function ensureNewline(parts: string[]): void {
  const last = parts[parts.length - 1];
  if (last !== undefined && !last.endsWith("\n")) parts.push("\n");
}

/** A code-snippet `pre` holds one `code` per line: joins them into a single text with newlines. */
export function joinCodeLines(pre: Element): void {
  let codes = 0;
  for (const child of pre.children) {
    if (isTag(child)) {
      if (child.name !== "code") return;
      codes++;
    } else if (isText(child) && child.data.trim() !== "") {
      return;
    }
  }
  if (codes < 2) return;
  const lines: string[] = [];
  let lang = pre.attribs["data-lang"];
  for (const child of pre.children) {
    if (!isTag(child)) continue;
    lang ??= child.attribs["data-lang"];
    const parts: string[] = [];
    collectCodeText(child, parts);
    const line = parts.join("");
    // An empty line is `<code><span><br></span></code>`.
    lines.push(line.endsWith("\n") ? line.slice(0, -1) : line);
  }
  const text = new Text(lines.join("\n"));
  text.parent = pre;
  pre.children = [text];
  if (lang !== undefined) pre.attribs["data-lang"] = lang;
}

/** `pre` → fenced block; the language comes from `data-lang` or a `language-*` class. */
export function renderCodeBlock(pre: Element): string | null {
  const parts: string[] = [];
  collectCodeText(pre, parts);
  let code = parts.join("").trimEnd();
  // HTML ignores a newline right after `<pre>`; blank leading lines are editor padding.
  while (code.startsWith("\n")) code = code.slice(1);
  if (code.trim() === "") return null;
  let fence = "```";
  while (code.includes(fence)) fence += "`";
  return `${fence}${codeLanguage(pre)}\n${code}\n${fence}`;
}

function codeLanguage(pre: Element): string {
  let lang = pre.attribs["data-lang"];
  const first = pre.children.find(isTag);
  if (lang === undefined && first?.name === "code") lang = first.attribs["data-lang"];
  if (lang === undefined) {
    const cls = `${pre.attribs.class ?? ""} ${first?.attribs.class ?? ""}`;
    lang = /(?:^|\s)(?:language|lang)-([\w+#-]+)/.exec(cls)?.[1];
  }
  return lang !== undefined && /^[\w+#.-]{1,30}$/.test(lang) ? lang : "";
}

/** Writes inline `code` (or a `pre` met inside a heading or cell) as a code span. */
export function renderInlineCode(el: Element, buf: InlineBuffer): void {
  const parts: string[] = [];
  collectCodeText(el, parts);
  const text = parts.join("").replace(/\s+/g, " ").trim();
  if (text === "") return;
  if (FOOTNOTE_MARK.test(text)) {
    buf.text(text);
    return;
  }
  let ticks = "`";
  while (text.includes(ticks)) ticks += "`";
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  buf.raw(`${ticks}${pad}${text}${pad}${ticks}`);
}
