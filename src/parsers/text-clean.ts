/**
 * Text cleaning for everything the service writes or publishes (document fields, byline, body, feed
 * titles and names). Every document must stay readable by `reindex` and `import`: a NUL makes the
 * file "binary" to them, so control characters never reach a document. Titles and names are shown
 * inside other text (feed readers, the digest page), where a bidi override left open would reverse
 * what follows, so those lose the bidi controls; and a title is capped, since a page can declare a
 * megabyte of it.
 */

/** C0 controls except tab and newline, DEL and C1 controls (Unicode category Cc). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * The stateful bidi controls: embeddings and overrides (U+202A–U+202E) and isolates (U+2066–U+2069).
 * An unbalanced one reorders the text that follows it in whatever page or list shows the title, so
 * they are dropped, not balanced. The marks (LRM, RLM, ALM) stay: they carry no state past themselves
 * and Arabic or Hebrew names need them.
 */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;

/** A surrogate half without its partner: not encodable as UTF-8, so it could never read back the same. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Line breaks other than a lone LF, and whitespace around them, in one-line values. */
const LINE_BREAKS = /\s*[\r\n\u0085\u2028\u2029]+\s*/g;

/** The longest title kept, in characters (code points), the ellipsis included. */
export const MAX_TITLE_CHARS = 512;

/**
 * Text as documents hold it: CRLF and lone CR become LF, lone surrogates become U+FFFD, and control
 * characters other than tab and newline are removed.
 */
export function cleanText(text: string): string {
  return text.replace(/\r\n?/g, "\n").replace(LONE_SURROGATE, "\ufffd").replace(CONTROLS, "");
}

/** A name or other one-line value: cleaned, bidi controls dropped, line breaks made one space, trimmed. */
export function cleanName(text: string | null | undefined): string {
  return cleanText(text ?? "")
    .replace(BIDI_CONTROLS, "")
    .replace(LINE_BREAKS, " ")
    .trim();
}

/** A title: cleaned like a name and cut to MAX_TITLE_CHARS characters, ending in `…` when cut. */
export function cleanTitle(text: string | null | undefined): string {
  const name = cleanName(text);
  if (name.length <= MAX_TITLE_CHARS) return name;
  let at = 0;
  for (let count = 0; count < MAX_TITLE_CHARS - 1; count++) {
    const code = name.charCodeAt(at);
    at += code >= 0xd800 && code <= 0xdbff ? 2 : 1;
  }
  // One more character still fits when it is the last one.
  const next = name.codePointAt(at) ?? 0;
  if (at + (next > 0xffff ? 2 : 1) >= name.length) return name;
  return `${name.slice(0, at).trimEnd()}…`;
}
