/**
 * Markdown → plain text, for excerpts (feed descriptions, the digest) and for comparing article
 * text regardless of markup. Not a Markdown parser: it removes the syntax our own writer emits.
 */

const IMAGE = /!\[[^\]\n]*\]\([^)\n]*\)/g;
const LINK = /\[([^\]\n]*)\]\([^)\n]*\)/g;
const FENCE = /^```[^\n]*$/gm;
const LINE_MARKERS = /^(?:\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d{1,9}[.)]\s+))+/gm;
const TABLE_RULE = /^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$/gm;
const EMPHASIS = /(\*\*|__|\*|_|~~|`)(?=\S)([^\n]*?\S)\1/g;
const ESCAPE = /\\([\\`*_{}[\]()#+\-.!|>~])/g;

/** The readable text of a Markdown document: no images, link targets, markers or escapes. */
export function toPlainText(markdown: string): string {
  return markdown
    .replace(IMAGE, "")
    .replace(LINK, "$1")
    .replace(FENCE, "")
    .replace(TABLE_RULE, "")
    .replace(LINE_MARKERS, "")
    .replace(EMPHASIS, "$2")
    .replace(ESCAPE, "$1")
    .replace(/\|/g, " ")
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
