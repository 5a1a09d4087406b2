/**
 * The inline half of the markdown renderer: a string builder for one paragraph (or heading, table cell)
 * that escapes text, collapses whitespace, and places emphasis and link markers so CommonMark parses them
 * back. CJK text needs care there: `**注意：**后文` does not close under the flanking rules, so trailing
 * punctuation moves outside the markers (or a space is added when it cannot move).
 */
import {
  collapseWhitespace,
  escapeLineStart,
  escapeText,
  escapeUrl,
  isPunct,
  isSpace,
  movablePunctuation,
  resolveSoftSpaces,
  SOFT_SPACE,
} from "./markdown-escape.ts";

/** Opaque position returned by `open`/`openLink`, handed back to `close`/`link`. */
export interface InlineMark {
  readonly index: number;
  readonly lastChar: string;
  readonly lastRun: LastRun | null;
  readonly pending: PendingClose | null;
  readonly openBracket: boolean;
}

interface LastRun {
  marker: string;
  index: number;
}

/** An emphasis closer held back until the character after it is known. */
interface PendingClose {
  marker: string;
  /** Part the closer belongs to (soft spaces may be pushed after it meanwhile). */
  index: number;
  /** Trailing punctuation that moves outside the closer when a word character follows. */
  trail: string;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0001 is the soft-space placeholder
const EDGE_SPACE = /^[\s\u0001]+|[\s\u0001]+$/g;

const ONLY_IMAGES = /^(!\[[^\]]*\]\([^)\s]*\)\s*)+$/;

/** Builds the markdown of one paragraph-like run of inline content. */
export class InlineBuffer {
  private parts: string[] = [];
  private lastChar = "";
  private pending: PendingClose | null = null;
  /** The last emphasis run, while nothing has been written after it (adjacent runs merge). */
  private lastRun: LastRun | null = null;
  /** Open emphasis runs; runs nested in another are not marked (see `inEmphasis`). */
  private emphasisDepth = 0;
  private linkDepth = 0;
  /** The last part is page text ending in an unescaped `]`, to escape if `(`, `[` or `:` follows. */
  private openBracket = false;

  /** `singleLine` buffers (headings, table cells) turn hard breaks into spaces. */
  constructor(private readonly singleLine = false) {}

  /** True when the last thing written was a hard break (a second one ends the paragraph). */
  endsWithBreak(): boolean {
    return this.lastChar === "\n";
  }

  /** Appends text from the page: whitespace collapsed, markdown syntax escaped. */
  text(raw: string): void {
    const text = collapseWhitespace(raw);
    let start = 0;
    let end = text.length;
    const first = text.charAt(0);
    if (first === " " || first === SOFT_SPACE) {
      this.gap(first);
      start = 1;
    }
    const last = text.charAt(end - 1);
    const trailing = end > start && (last === " " || last === SOFT_SPACE) ? last : "";
    if (trailing !== "") end--;
    if (end > start) {
      const escaped = escapeText(
        start === 0 && end === text.length ? text : text.slice(start, end),
        this.linkDepth > 0,
      );
      this.emit(escaped);
      this.openBracket = escaped.endsWith("]") && !escaped.endsWith("\\]");
    }
    if (trailing !== "") this.gap(trailing);
  }

  /** Appends markdown produced by the renderer (links, images, code spans) as is. */
  raw(markdown: string): void {
    if (markdown !== "") this.emit(markdown);
  }

  /** Appends one collapsible space. */
  space(): void {
    if (this.lastChar === SOFT_SPACE && this.pending === null) {
      // A real space wins over a soft one.
      this.parts[this.parts.length - 1] = " ";
      this.lastChar = " ";
    } else if (!isSpace(this.lastChar) || this.pending !== null) {
      this.emit(" ");
    }
  }

  /** Appends a hard line break (a space in single-line buffers). */
  hardBreak(): void {
    if (this.singleLine) this.space();
    else if (this.lastChar !== "") this.emit("\n");
  }

  /** True inside link text, where a nested anchor can only be text. */
  inLink(): boolean {
    return this.linkDepth > 0;
  }

  /**
   * True inside an emphasis run. Nested runs are rendered as plain text: `***a*b**` and its cousins are
   * ambiguous under the flanking rules once CJK letters sit on both sides of a marker.
   */
  inEmphasis(): boolean {
    return this.emphasisDepth > 0;
  }

  /** Starts capturing an emphasis run; `close` says which marker (`**`, `*`, `~~`) wraps it. */
  open(): InlineMark {
    this.emphasisDepth++;
    return this.mark();
  }

  /** Wraps everything written since `open` in `marker`, merging with an adjacent run of the same kind. */
  close(mark: InlineMark, marker: string): void {
    this.emphasisDepth--;
    const content = this.capture(mark);
    const body = content.replace(EDGE_SPACE, "");
    if (body === "") {
      this.edge(content);
      return;
    }
    const lead = content.slice(0, content.indexOf(body));
    this.edge(lead);
    this.emphasis(marker, body);
    this.edge(content.slice(lead.length + body.length));
  }

  /** Starts capturing the text of a link (brackets in it get escaped). */
  openLink(): InlineMark {
    this.linkDepth++;
    return this.mark();
  }

  /** Wraps everything written since `openLink` in a link to `href`; an empty text drops the link. */
  link(mark: InlineMark, href: string): void {
    this.linkDepth--;
    const content = this.capture(mark);
    const trimmed = content.replace(EDGE_SPACE, "");
    if (trimmed === "") return;
    const lead = content.slice(0, content.indexOf(trimmed));
    this.edge(lead);
    this.emit(`[${trimmed.replaceAll("\n", " ")}](${escapeUrl(href)})`);
    this.edge(content.slice(lead.length + trimmed.length));
  }

  /** Returns the finished paragraph (lines trimmed, line starts escaped) and resets the buffer. */
  take(): string {
    this.resolvePending("");
    const joined = resolveSoftSpaces(this.parts.join(""));
    this.parts = [];
    this.lastChar = "";
    this.lastRun = null;
    this.openBracket = false;
    const kept: string[] = [];
    for (const line of joined.split("\n")) {
      const trimmed = line.trim().replace(/ {2,}/g, " ");
      if (trimmed !== "") kept.push(escapeLineStart(trimmed));
    }
    return kept.join(this.singleLine ? " " : "  \n");
  }

  /** Re-emits whitespace moved out of a run: a hard break stays one, a space beats a soft space. */
  private edge(ws: string): void {
    if (ws === "") return;
    if (ws.includes("\n")) this.hardBreak();
    else this.gap(ws.includes(" ") ? " " : SOFT_SPACE);
  }

  private gap(ch: string): void {
    if (ch === " ") this.space();
    else if (!isSpace(this.lastChar)) this.pushPart(SOFT_SPACE);
  }

  private mark(): InlineMark {
    const mark: InlineMark = {
      index: this.parts.length,
      lastChar: this.lastChar,
      lastRun: this.lastRun,
      pending: this.pending,
      openBracket: this.openBracket,
    };
    // A closer held back before the mark is settled by what follows the captured run, not by its inside.
    this.pending = null;
    this.lastRun = null;
    this.openBracket = false;
    return mark;
  }

  /** Removes and returns what was written since `mark`, restoring the state before it. */
  private capture(mark: InlineMark): string {
    // An inner run's held-back closer is followed by the outer closer, which is punctuation.
    this.resolvePending("*");
    const content = this.parts.splice(mark.index).join("");
    this.lastChar = mark.lastChar;
    this.lastRun = mark.lastRun;
    this.pending = mark.pending;
    this.openBracket = mark.openBracket;
    return content;
  }

  private emphasis(marker: string, body: string): void {
    // Bold around nothing but images (25 bolds its section-divider images) is noise.
    if (this.emphasisDepth > 0 || movablePunctuation(body, true) === body || ONLY_IMAGES.test(body)) {
      this.emit(body);
      return;
    }
    let index: number;
    let inner = body;
    if (this.canMerge(marker)) {
      // `<strong>a</strong><strong>b</strong>` → `**ab**`.
      index = this.parts.length - 1;
      const p = this.pending;
      if (p !== null) this.parts[index] += p.trail;
      else this.parts[index] = (this.parts[index] ?? "").slice(0, -marker.length);
      this.pending = null;
    } else {
      this.resolvePending(marker.charAt(0));
      // `**a***b*` is ambiguous: keep a closer and a different opener of the same character apart.
      if (this.lastChar === marker.charAt(0)) this.pushPart(" ");
      // An opener followed by punctuation only opens after whitespace or punctuation.
      const prev = this.lastChar;
      if (isPunct(body.charAt(0)) && !isSpace(prev) && !isPunct(prev)) {
        let lead = movablePunctuation(body, true);
        while (lead.length < body.length && isSpace(body.charAt(lead.length)))
          lead += body.charAt(lead.length);
        this.pushPart(lead === "" ? " " : lead);
        inner = body.slice(lead.length);
        if (movablePunctuation(inner, true) === inner) {
          if (inner !== "") this.emit(inner);
          return;
        }
      }
      index = this.parts.length;
      this.parts.push(marker);
    }
    let trail = movablePunctuation(inner, false);
    let core = inner.slice(0, inner.length - trail.length);
    // Whitespace bared by moving punctuation out must not touch the closer either.
    while (core.length > 1 && isSpace(core.charAt(core.length - 1))) {
      trail = core.charAt(core.length - 1) + trail;
      core = core.slice(0, -1);
    }
    this.parts[index] += core;
    this.lastChar = marker.charAt(0);
    this.openBracket = false;
    this.lastRun = { marker, index };
    if (trail !== "" || isPunct(core.charAt(core.length - 1))) this.pending = { marker, index, trail };
    else this.parts[index] += marker;
  }

  /** Whether a run of `marker` can extend the previous one: adjacent, and not ending in a nested marker. */
  private canMerge(marker: string): boolean {
    const run = this.lastRun;
    if (run === null || run.marker !== marker || run.index !== this.parts.length - 1) return false;
    const text = this.parts[run.index] ?? "";
    const end = this.pending === null ? text.length - marker.length : text.length;
    const last = text.charAt(end - 1);
    return last !== "*" && last !== "~";
  }

  /** Writes the held-back closer now that the next character is known. */
  private resolvePending(next: string): void {
    const p = this.pending;
    if (p === null) return;
    this.pending = null;
    let close: string;
    if (isSpace(next) || isPunct(next)) close = p.trail + p.marker;
    else if (p.trail !== "") close = p.marker + p.trail;
    else close = `${p.marker} `;
    this.parts[p.index] += close;
    if (p.index === this.parts.length - 1) this.lastChar = close.charAt(close.length - 1);
  }

  private emit(s: string): void {
    const first = s.charAt(0);
    if (this.openBracket && (first === "(" || first === "[" || first === ":")) {
      const last = this.parts.length - 1;
      this.parts[last] = `${(this.parts[last] ?? "").slice(0, -1)}\\]`;
    }
    this.resolvePending(first);
    this.lastRun = null;
    this.pushPart(s);
  }

  private pushPart(s: string): void {
    this.openBracket = false;
    this.parts.push(s);
    this.lastChar = s.charAt(s.length - 1);
  }
}
