/**
 * WeChat article body → Markdown (CommonMark, GFM tables, fenced code). `toMarkdown` repairs the parsed
 * `#js_content` tree (html-repair.ts) and renders it in one walk with string builders: block elements
 * flush the current paragraph, inline elements write into an InlineBuffer. No HTML ever reaches the
 * output: unknown elements are transparent and only their text survives.
 */
import { type ChildNode, Element, isTag, isText, type ParentNode } from "domhandler";
import { parseBoundedHtml } from "./html-parse.ts";
import { BLOCK_TAGS, type MarkdownContext, repairContent } from "./html-repair.ts";
import { renderCodeBlock, renderInlineCode } from "./markdown-code.ts";
import { escapeUrl } from "./markdown-escape.ts";
import { InlineBuffer } from "./markdown-inline.ts";
import { renderTable, soleCell } from "./markdown-table.ts";

export type { MarkdownContext } from "./html-repair.ts";

/** Where block renderers write: finished blocks plus the paragraph being built. */
interface Sink {
  blocks: string[];
  /** Parallel to `blocks`: whether each block is a list (nested lists hug their item text). */
  lists: boolean[];
  inline: InlineBuffer;
}

const HEADINGS: Readonly<Record<string, number>> = { h1: 1, h2: 2, h3: 3, h4: 4, h5: 5, h6: 6 };
const BOLD_STYLE = /font-weight\s*:\s*(bold|bolder|[6-9]00)/i;

/** Parses an HTML fragment and wraps its nodes in a synthetic `div` root element. */
export function parseHtmlFragment(html: string): Element {
  const doc = parseBoundedHtml(html);
  const root = new Element("div", {}, doc.children);
  for (const child of root.children) child.parent = root;
  return root;
}

/** Renders the children of `root` (an article body) as clean Markdown; `root` is repaired in place. */
export function toMarkdown(root: Element, ctx: MarkdownContext): string {
  repairContent(root, ctx);
  const sink = newSink();
  renderBlockChildren(root, sink);
  flush(sink);
  return sink.blocks.join("\n\n").trim();
}

function newSink(): Sink {
  return { blocks: [], lists: [], inline: new InlineBuffer() };
}

function push(sink: Sink, block: string | null, isList = false): void {
  if (block === null || block === "") return;
  sink.blocks.push(block);
  sink.lists.push(isList);
}

/** Ends the current paragraph. */
function flush(sink: Sink): void {
  push(sink, sink.inline.take());
}

function renderBlockChildren(parent: ParentNode, sink: Sink): void {
  for (const child of parent.children) {
    if (isText(child)) sink.inline.text(child.data);
    else if (isTag(child)) renderBlock(child, sink);
  }
}

function renderBlock(el: Element, sink: Sink): void {
  const name = el.name;
  if (!BLOCK_TAGS.has(name)) {
    if (name === "br") {
      // Two breaks in a row separate paragraphs (WeChat uses `<br><br>` and `<p><br></p>` as spacing).
      if (sink.inline.endsWithBreak()) flush(sink);
      else sink.inline.hardBreak();
    } else {
      renderInline(el, sink.inline);
    }
    return;
  }
  flush(sink);
  const level = HEADINGS[name];
  if (level !== undefined) {
    const text = renderSingleLine(el, true);
    if (text !== "")
      push(sink, `${"#".repeat(level)} ${text.endsWith("#") ? `${text.slice(0, -1)}\\#` : text}`);
    return;
  }
  switch (name) {
    case "ul":
    case "ol":
      push(sink, renderList(el, name === "ol"), true);
      return;
    case "blockquote":
      push(sink, prefixLines(renderNested(el), "> ", ">"));
      return;
    case "pre":
      push(sink, renderCodeBlock(el));
      return;
    case "table": {
      const cell = soleCell(el);
      if (cell === null) push(sink, renderTable(el, renderSingleLine));
      else renderBlockChildren(cell, sink);
      flush(sink);
      return;
    }
    case "hr":
      push(sink, "---");
      return;
    default:
      renderBlockChildren(el, sink);
      flush(sink);
  }
}

/** Renders an element's content as blocks of their own (list items, quotes). */
function renderNested(el: Element): string {
  const sink = newSink();
  renderBlockChildren(el, sink);
  flush(sink);
  let out = "";
  sink.blocks.forEach((block, i) => {
    if (i > 0) out += sink.lists[i] === true && sink.lists[i - 1] !== true ? "\n" : "\n\n";
    out += block;
  });
  return out;
}

/** Headings and table cells: all content on one line; headings drop emphasis (01 bolds every heading). */
function renderSingleLine(el: Element, plainEmphasis = false): string {
  const buf = new InlineBuffer(true);
  // An open (never closed) run makes every emphasis inside render as plain text.
  if (plainEmphasis) buf.open();
  renderInlineChildren(el, buf);
  return buf.take();
}

function renderList(list: Element, ordered: boolean): string | null {
  let n = ordered ? Number.parseInt(list.attribs.start ?? "1", 10) || 1 : 1;
  const items: string[] = [];
  let loose = false;
  for (const child of list.children) {
    if (!isTag(child) && !isText(child)) continue;
    // A stray child of the list (text, a `section`) becomes an item of its own.
    const body =
      isTag(child) && child.name === "li"
        ? renderNested(child)
        : renderNested(new Element("div", {}, [child]));
    if (body === "") continue;
    if (body.includes("\n\n")) loose = true;
    const marker = ordered ? `${n++}.` : "-";
    items.push(`${marker} ${indentRest(body, " ".repeat(marker.length + 1))}`);
  }
  return items.length === 0 ? null : items.join(loose ? "\n\n" : "\n");
}

function indentRest(text: string, pad: string): string {
  if (!text.includes("\n")) return text;
  return text
    .split("\n")
    .map((line, i) => (i === 0 || line === "" ? line : pad + line))
    .join("\n");
}

function prefixLines(text: string, prefix: string, blankPrefix: string): string | null {
  if (text === "") return null;
  return text
    .split("\n")
    .map((line) => (line === "" ? blankPrefix : prefix + line))
    .join("\n");
}

function renderInlineChildren(parent: ParentNode, buf: InlineBuffer): void {
  for (const child of parent.children) renderInlineNode(child, buf);
}

function renderInlineNode(node: ChildNode, buf: InlineBuffer): void {
  if (isText(node)) buf.text(node.data);
  else if (isTag(node)) renderInline(node, buf);
}

function renderInline(el: Element, buf: InlineBuffer): void {
  switch (el.name) {
    case "strong":
    case "b":
      emphasis(el, buf, "**");
      return;
    case "em":
    case "i":
      emphasis(el, buf, "*");
      return;
    case "del":
    case "s":
    case "strike":
      emphasis(el, buf, "~~");
      return;
    case "span": {
      const style = el.attribs.style;
      if (style?.includes("font-weight") && BOLD_STYLE.test(style)) emphasis(el, buf, "**");
      else renderInlineChildren(el, buf);
      return;
    }
    case "a": {
      const href = el.attribs.href;
      if (href === undefined || buf.inLink()) {
        renderInlineChildren(el, buf);
        return;
      }
      const mark = buf.openLink();
      renderInlineChildren(el, buf);
      buf.link(mark, href);
      return;
    }
    case "img":
      buf.raw(renderImage(el));
      return;
    case "code":
    case "pre":
      renderInlineCode(el, buf);
      return;
    case "br":
      buf.hardBreak();
      return;
    default:
      // Block elements met in single-line context (headings, cells) just separate words.
      if (BLOCK_TAGS.has(el.name)) {
        buf.space();
        renderInlineChildren(el, buf);
        buf.space();
      } else {
        renderInlineChildren(el, buf);
      }
  }
}

function emphasis(el: Element, buf: InlineBuffer, marker: string): void {
  if (buf.inEmphasis()) {
    renderInlineChildren(el, buf);
    return;
  }
  const mark = buf.open();
  renderInlineChildren(el, buf);
  buf.close(mark, marker);
}

function renderImage(img: Element): string {
  const src = img.attribs.src;
  if (src === undefined) return "";
  const alt = (img.attribs.alt ?? "")
    .replace(/[[\]\\]/g, "")
    .replace(/\s+/g, " ")
    .trim();
  return `![${alt}](${escapeUrl(src)})`;
}
