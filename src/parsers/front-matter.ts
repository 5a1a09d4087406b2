/**
 * Writes and reads the front matter of article documents (../shared/docs/document-format.md).
 * The writer emits the five keys in their fixed order, each value a plain YAML scalar when a YAML 1.2
 * parser reads the plain text back as the same string, else a double-quoted string, so every document
 * we write is valid YAML. The reader never hands the block to a YAML parser: about 7 % of the existing
 * archive has unquoted titles that are invalid YAML (`: `, leading `[`, `*`, `&`, `!`, `#`; see
 * wechat-pages.md section 9 item 6), so it splits each line at the first `": "` and only unquotes
 * values that are well-formed quoted scalars.
 */
import { ParseError } from "../errors.ts";
import type { ArticleDocument, DocumentFields } from "../model.ts";

/** What `readDocument` returns: every key in file order, the five known values ("" when missing), the body. */
export interface ReadDocument extends DocumentFields {
  /** Every front-matter key in file order, known and unknown, with its unquoted value. */
  readonly fields: Record<string, string>;
  readonly body: string;
}

const KEYS = ["title", "url", "source", "date", "fetch_date"] as const;

// A plain scalar may not start with a YAML indicator (`-`, `?`, `:` are only sometimes allowed; we
// quote them always rather than reproduce the "followed by a safe char" subtlety).
const INDICATOR_START = /^[-?:,[\]{}#&*!|>'"%@`]/;
// Only characters that are printable in YAML and never line breaks in 1.1 or 1.2 may stay plain:
// this excludes C0/C1 controls (tab included), DEL, NEL, U+2028/2029, the BOM, U+FFFE/FFFF and lone
// surrogates (the `u` flag makes `.` match whole astral characters, so pairs pass).
const PLAIN_CHARS =
  /^[\u0020-\u007e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]*$/u;
// Values the YAML 1.2 core schema resolves to null, booleans or numbers.
const CORE_NON_STRING =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
// YAML 1.1 booleans: quoted too, so a title "No" never turns into `false` in an older reader (PyYAML).
const YAML11_BOOL = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;

/**
 * True when `value` can be written as a plain scalar after `key: ` and read back unchanged by a
 * YAML 1.2 parser (and not re-typed by a YAML 1.1 one, except dates, which the format writes plain).
 */
export function isPlainScalarSafe(value: string): boolean {
  // Leading or trailing whitespace of a plain scalar is not part of its value.
  if (value === "" || /^\s|\s$/u.test(value)) return false;
  if (!PLAIN_CHARS.test(value) || INDICATOR_START.test(value)) return false;
  // `: ` (or a final `:`) starts a mapping; ` #` starts a comment.
  if (/:(?: |$)/.test(value) || value.includes(" #")) return false;
  return !CORE_NON_STRING.test(value) && !YAML11_BOOL.test(value);
}

const ESCAPES: Record<string, string> = {
  "\0": "\\0",
  "\x07": "\\a",
  "\b": "\\b",
  "\t": "\\t",
  "\n": "\\n",
  "\v": "\\v",
  "\f": "\\f",
  "\r": "\\r",
  "\x1b": "\\e",
  '"': '\\"',
  "\\": "\\\\",
  "\u0085": "\\N",
  "\u2028": "\\L",
  "\u2029": "\\P",
};

/** Writes `value` as a one-line double-quoted YAML scalar; every non-printable is escaped. */
export function toDoubleQuoted(value: string): string {
  let out = '"';
  for (const ch of value) {
    const named = ESCAPES[ch];
    if (named !== undefined) {
      out += named;
      continue;
    }
    const code = ch.codePointAt(0) ?? 0;
    const printable =
      (code >= 0x20 && code <= 0x7e) ||
      (code >= 0xa0 && code <= 0xd7ff && code !== 0x2028 && code !== 0x2029) ||
      (code >= 0xe000 && code <= 0xfffd && code !== 0xfeff) ||
      code >= 0x10000;
    if (printable) out += ch;
    else if (code <= 0xff) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += `\\u${code.toString(16).padStart(4, "0")}`;
  }
  return `${out}"`;
}

/** Renders one front-matter value: plain when safe, double-quoted otherwise. */
export function toYamlScalar(value: string): string {
  return isPlainScalarSafe(value) ? value : toDoubleQuoted(value);
}

/** Renders a whole document: front matter with the five keys in order, a blank line, the body, a newline. */
export function renderDocument(doc: ArticleDocument): string {
  const lines = KEYS.map((key) => `${key}: ${toYamlScalar(doc[key])}`);
  return `---\n${lines.join("\n")}\n---\n\n${doc.body}\n`;
}

const SIMPLE_UNESCAPES: Record<string, string> = {
  "0": "\0",
  a: "\x07",
  b: "\b",
  t: "\t",
  "\t": "\t",
  n: "\n",
  v: "\v",
  f: "\f",
  r: "\r",
  e: "\x1b",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
  N: "\u0085",
  _: "\u00a0",
  L: "\u2028",
  P: "\u2029",
};
const HEX_LENGTHS: Record<string, number> = { x: 2, u: 4, U: 8 };

/** Unquotes a one-line double-quoted YAML scalar (inner text); null when it is not well-formed. */
function unescapeDoubleQuoted(inner: string): string | null {
  let out = "";
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i] ?? "";
    if (ch === '"') return null;
    if (ch !== "\\") {
      out += ch;
      continue;
    }
    const next = inner[i + 1];
    if (next === undefined) return null;
    const simple = SIMPLE_UNESCAPES[next];
    const hexLength = HEX_LENGTHS[next];
    if (simple !== undefined) {
      out += simple;
      i += 1;
    } else if (hexLength !== undefined) {
      const hex = inner.slice(i + 2, i + 2 + hexLength);
      if (hex.length !== hexLength || !/^[0-9a-fA-F]+$/.test(hex)) return null;
      const code = Number.parseInt(hex, 16);
      if (code > 0x10ffff) return null;
      out += String.fromCodePoint(code);
      i += 1 + hexLength;
    } else {
      return null;
    }
  }
  return out;
}

/** Unquotes a front-matter value when it is a well-formed quoted scalar; otherwise returns it as written. */
function unquoteValue(raw: string): string {
  const value = raw.trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return unescapeDoubleQuoted(value.slice(1, -1)) ?? value;
  }
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) {
    const inner = value.slice(1, -1);
    // In single quotes the only escape is `''`; a lone `'` means this was never a quoted scalar.
    return /^(?:[^']|'')*$/.test(inner) ? inner.replaceAll("''", "'") : value;
  }
  return value;
}

const FENCE = /^---[ \t]*$/;

/**
 * Reads a document leniently: front-matter lines split at the first `": "`, quoted values unquoted,
 * unknown keys kept in order, CRLF and a BOM tolerated. Throws ParseError PARSE_SEED without a block.
 */
export function readDocument(text: string): ReadDocument {
  const lines = text
    .replace(/^\uFEFF/, "")
    .replace(/\r\n/g, "\n")
    .split("\n");
  let start = 0;
  while (start < lines.length && (lines[start] ?? "").trim() === "") start++;
  if (!FENCE.test(lines[start] ?? "")) {
    throw new ParseError("PARSE_SEED", "front-matter: no front matter block at the start of the document");
  }
  let end = start + 1;
  while (end < lines.length && !FENCE.test(lines[end] ?? "")) end++;
  if (end >= lines.length) {
    throw new ParseError("PARSE_SEED", "front-matter: front matter block is not closed by a --- line");
  }
  // A Map keeps first-seen order (a repeated key keeps its place, the last value wins) and lets a key
  // named `__proto__` stay an ordinary field once turned into an object by Object.fromEntries.
  const entries = new Map<string, string>();
  for (const line of lines.slice(start + 1, end)) {
    const cut = line.indexOf(": ");
    if (cut > 0) {
      const key = line.slice(0, cut).trim();
      if (key !== "" && !key.startsWith("#")) entries.set(key, unquoteValue(line.slice(cut + 2)));
    } else if (/^[^\s#:][^:]*:\s*$/.test(line)) {
      entries.set(line.slice(0, line.indexOf(":")).trim(), "");
    }
  }
  const fields: Record<string, string> = Object.fromEntries(entries);
  let bodyLines = lines.slice(end + 1);
  // The format puts one blank line between the block and the body, and ends the file with a newline.
  if (bodyLines.length > 0 && bodyLines[0] === "") bodyLines = bodyLines.slice(1);
  if (bodyLines.length > 0 && bodyLines[bodyLines.length - 1] === "") bodyLines = bodyLines.slice(0, -1);
  return {
    fields,
    title: entries.get("title") ?? "",
    url: entries.get("url") ?? "",
    source: entries.get("source") ?? "",
    date: entries.get("date") ?? "",
    fetch_date: entries.get("fetch_date") ?? "",
    body: bodyLines.join("\n"),
  };
}
