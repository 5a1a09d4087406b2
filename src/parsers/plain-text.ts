/**
 * Markdown → plain text, for excerpts (feed descriptions, the digest) and for comparing article
 * text regardless of markup. Not a Markdown parser: it removes the syntax our own writer emits.
 */

const IMAGE = /!\[[^\]\n]*\]\([^)\n]*\)/g;
const LINK = /\[([^\]\n]*)\]\([^)\n]*\)/g;
const FENCE = /^```[^\n]*$/gm;
const LINE_MARKERS = /^(?:[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+))+/gm;
const TABLE_RULE = /^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$/gm;
const EMPHASIS = /(\*\*|__|\*|_|~~|`)(?=\S)([^\n]*?\S)\1/g;
const ESCAPE = /\\([\\`*_{}[\]()#+\-.!|>~])/g;
/** A GFM table row: its cell separators become spaces; a `|` in ordinary text is kept. */
const TABLE_ROW = /^\|(.*)\|[ \t]*$/gm;

/** Escaped characters are parked in the private-use area so no later rule reads them as syntax. */
const PARKED = 0xe000;
const park = (_match: string, char: string) => String.fromCharCode(PARKED + char.charCodeAt(0));
const unpark = (char: string) => String.fromCharCode(char.charCodeAt(0) - PARKED);

/** The readable text of a Markdown document: no images, link targets, markers or escapes. */
export function toPlainText(markdown: string): string {
  return markdown
    .replace(ESCAPE, park)
    .replace(IMAGE, "")
    .replace(LINK, "$1")
    .replace(FENCE, "")
    .replace(TABLE_RULE, "")
    .replace(LINE_MARKERS, "")
    .replace(TABLE_ROW, (_row, cells: string) => cells.trim().replace(/\s*\|\s*/g, " "))
    .replace(EMPHASIS, "$2")
    .replace(/[\ue000-\ue07f]/g, unpark)
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** The first `maxChars` characters of the text, cut at a sentence end when one is near, with `…` when cut. */
export function toExcerpt(markdown: string, maxChars: number): string {
  const text = toPlainText(markdown).replace(/\s+/g, " ").trim();
  if (text.length <= maxChars) return text;
  const head = text.slice(0, maxChars);
  const sentenceEnd = Math.max(...["。", "！", "？", ". ", "! ", "? "].map((mark) => head.lastIndexOf(mark)));
  const cut = sentenceEnd >= maxChars / 2 ? head.slice(0, sentenceEnd + 1) : head;
  return cut === head ? `${head.trimEnd()}…` : cut.trimEnd();
}
