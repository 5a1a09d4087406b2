/**
 * Character-level rules of the markdown renderer: which text characters need a backslash, which line
 * starts would turn into block syntax, how link destinations are kept intact, and which source line
 * breaks vanish between CJK characters. Ordinary Chinese punctuation is never escaped.
 */

/** Placeholder for whitespace that came from a source line break; resolved per paragraph. */
export const SOFT_SPACE = "\u0001";

const PUNCT = /[\p{P}\p{S}]/u;
const WORD = /[\p{L}\p{N}\p{M}]/u;
const NEEDS_ESCAPE = /[\\`*_[\]<&~]/;
/** CJK ideographs, kana, CJK and full-width punctuation, plus the quotes and dashes set between them. */
const WIDE =
  /[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u2014\u2026\u2018\u2019\u201c\u201d\u00b7]/;
const TABLE_DELIMITER = /^\|?(\s*:?-+:?\s*\|)+\s*(:?-+:?\s*)?$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0001 is the soft-space placeholder
const SOFT_RUN = /(\*\*|~~|\*)?\u0001+(\*\*|~~|\*)?/g;

/** Characters of markdown syntax; punctuation runs containing them never move across a marker. */
const SYNTAX = "\\`*_[]()<>!|~";

/** Collapses HTML whitespace to one space, or to a soft space when the run holds a source line break. */
export function collapseWhitespace(raw: string): string {
  if (!/[\t\n\r\f]| {2}/.test(raw)) return raw;
  return raw.replace(/[ \t\n\r\f]+/g, (run) => (run.includes("\n") || run.includes("\r") ? SOFT_SPACE : " "));
}

/** The leading (or trailing) run of punctuation that can sit outside emphasis markers unchanged. */
export function movablePunctuation(s: string, leading: boolean): string {
  if (leading) {
    let n = 0;
    while (n < s.length && isMovable(s.charAt(n))) n++;
    return s.slice(0, n);
  }
  let i = s.length - 1;
  while (i >= 0 && isMovable(s.charAt(i)) && s.charAt(i - 1) !== "\\") i--;
  return s.slice(i + 1);
}

function isMovable(ch: string): boolean {
  return isPunct(ch) && !SYNTAX.includes(ch);
}

/** True for the end of input, a space, a line break or a pending soft space. */
export function isSpace(ch: string): boolean {
  return ch === " " || ch === "\n" || ch === "" || ch === SOFT_SPACE;
}

/** True for Unicode punctuation and symbols (what CommonMark's flanking rules call punctuation). */
export function isPunct(ch: string): boolean {
  return ch !== "" && ch !== SOFT_SPACE && PUNCT.test(ch);
}

/**
 * Escapes text so it reads back literally (asterisks, backticks, `_` at word edges, tags, entities, and
 * brackets that could form a link; `allBrackets` inside link text, where an unbalanced bracket breaks it).
 */
export function escapeText(text: string, allBrackets = false): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    switch (ch) {
      case "\\":
      case "`":
      case "*":
      case "~":
        out += `\\${ch}`;
        break;
      case "[":
        // Brackets only matter where they can close a link or make a task-list box; a `]` before `(`, `[`
        // or `:` is escaped here, or by InlineBuffer when that character starts the next node.
        out += allBrackets || /^\[[ xX]\]/.test(text.slice(i, i + 3)) ? "\\[" : "[";
        break;
      case "]": {
        const next = text.charAt(i + 1);
        out += allBrackets || next === "(" || next === "[" || next === ":" ? "\\]" : "]";
        break;
      }
      case "_": {
        // Intraword underscores (snake_case) never form emphasis.
        const inWord = WORD.test(text.charAt(i - 1)) && WORD.test(text.charAt(i + 1));
        out += inWord ? "_" : "\\_";
        break;
      }
      case "<":
        out += /[A-Za-z/!?]/.test(text.charAt(i + 1)) ? "\\<" : "<";
        break;
      case "&":
        out += /^&(#\d+|#x[\da-f]+|[a-z][a-z\d]*);/i.test(text.slice(i, i + 12)) ? "\\&" : "&";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

/** Percent-encodes the characters that would end or break a markdown link destination. */
export function escapeUrl(url: string): string {
  if (!/[\s()<>]/.test(url)) return url;
  return url.replace(/[\s()<>]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}

/** Escapes a line start that CommonMark would read as a heading, quote, list item or rule. */
export function escapeLineStart(line: string): string {
  const first = line.charAt(0);
  const second = line.charAt(1);
  // `a | b` over `--- | ---` would become a GFM table.
  if ((first === "|" || first === ":" || first === "-") && line.includes("|") && TABLE_DELIMITER.test(line)) {
    return `\\${line}`;
  }
  switch (first) {
    case ">":
      return `\\${line}`;
    case "#":
      return /^#{1,6}(?=[ \t]|$)/.test(line) ? `\\${line}` : line;
    case "-":
    case "+":
      return second === "" || second === " " || second === "\t" || /^[-\s]+$/.test(line) ? `\\${line}` : line;
    case "=":
      return /^=+\s*$/.test(line) ? `\\${line}` : line;
    default: {
      if (first < "0" || first > "9") return line;
      const digits = /^\d{1,9}(?=[.)]([ \t]|$))/.exec(line)?.[0].length;
      return digits === undefined ? line : `${line.slice(0, digits)}\\${line.slice(digits)}`;
    }
  }
}

/**
 * Resolves soft spaces in a paragraph: a source line break between two CJK characters disappears (the
 * CSS segment-break rule; 09 indents every `<font>` run on its own line), elsewhere it is one space. Two
 * emphasis runs of the same kind meeting at a soft space merge, so no `****` is left behind.
 */
export function resolveSoftSpaces(text: string): string {
  if (!text.includes(SOFT_SPACE)) return text;
  return text.replace(SOFT_RUN, (match: string, before?: string, after?: string, ...rest: unknown[]) => {
    const at = rest[0] as number;
    const charBefore = text.charAt(at - 1);
    const wide = WIDE.test(charBefore) && WIDE.test(text.charAt(at + match.length));
    if (before !== undefined && after !== undefined && before === after && charBefore !== "\\") {
      return wide ? "" : " ";
    }
    if (before !== undefined || after !== undefined) return `${before ?? ""} ${after ?? ""}`;
    return wide ? "" : " ";
  });
}
