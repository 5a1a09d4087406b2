/**
 * Reader of JavaScript literals for js-vars.ts: quoted strings (kept raw, unescaped on access),
 * fallback chains (`"" || "v"`), the wrappers WeChat pages use (`'…'.html(false)`, `htmlDecode("…")`,
 * `JsDecode('…')`, `* 1`), and object/array literals down to any depth. Whatever is not a literal is
 * skipped (js-skip.ts) and read as null. Also the two decoders every text field goes through: JS
 * string escapes first, then HTML entities (wechat-pages.md section 2.1).
 */
import { decodeHTML } from "entities";
import { skipExpression, skipSpace } from "./js-skip.ts";

/**
 * A value read from a JS literal. Strings are kept as raw source text (still JS-escaped) so that the
 * large ones nobody asks for (`content_noencode` holds the whole body in `02-article-source-link.html`)
 * are never unescaped; jsString() unescapes on access. Anything that is not a literal is null.
 */
export type JsValue = string | null | readonly JsValue[] | JsObject;

/** An object literal, keys in source order (a later duplicate key replaces the earlier one, as in JS). */
export type JsObject = ReadonlyMap<string, JsValue>;

const JS_ESCAPE = /\\(?:x([0-9a-fA-F]{2})|u\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4})|(\r\n|[\s\S]))/g;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: "\n",
  r: "\r",
  t: "\t",
  b: "\b",
  f: "\f",
  v: "\v",
  "0": "\0",
};

/** Undoes JS string escapes (`\xNN`, `\uNNNN`, `\u{…}`, `\n`, `\'`, `\\`, line continuations). */
export function unescapeJs(raw: string): string {
  if (!raw.includes("\\")) return raw;
  return raw.replace(JS_ESCAPE, (_m, hex?: string, brace?: string, uni?: string, other?: string) => {
    const code = hex ?? brace ?? uni;
    if (code !== undefined) {
      const n = Number.parseInt(code, 16);
      return n <= 0x10ffff ? String.fromCodePoint(n) : "";
    }
    if (other === undefined || other === "\n" || other === "\r\n" || other === "\r") return "";
    return SIMPLE_ESCAPES[other] ?? other;
  });
}

/** Decodes HTML entities (`&amp;`, `&quot;`, `&#x…;`); applied after unescapeJs for text fields. */
export function decodeEntities(text: string): string {
  return text.includes("&") ? decodeHTML(text) : text;
}

/** Reads the quoted literal starting at `pos`; returns its raw (still escaped) text and the end index. */
function readQuoted(src: string, pos: number): { raw: string; end: number } | null {
  const quote = src[pos];
  if (quote !== "'" && quote !== '"') return null;
  let j = src.indexOf(quote, pos + 1);
  while (j !== -1) {
    let k = j - 1;
    while (src.charCodeAt(k) === 92) k--;
    if ((j - 1 - k) % 2 === 0) break;
    j = src.indexOf(quote, j + 1);
  }
  if (j === -1) return null;
  // A raw newline ends a JS string literal unless escaped; such a "literal" is not one. The search
  // stays inside the literal: on a minified one-line script the next newline can be megabytes away.
  const raw = src.slice(pos + 1, j);
  const nl = raw.indexOf("\n");
  if (nl !== -1 && raw.charCodeAt(nl - 1) !== 92) return null;
  return { raw, end: j + 1 };
}

const WRAPPER = /(?:htmlDecode|JsDecode|decodeURIComponent|unescape)\s*\(/y;
const HTML_CALL = /\.html\s*\(\s*(?:false|true)?\s*\)/y;
const COERCION = /\*\s*\d+(?:\.\d+)?/y;

function matchAt(re: RegExp, src: string, pos: number): number {
  re.lastIndex = pos;
  return re.test(src) ? re.lastIndex : -1;
}

/** One term of a fallback chain: a literal, a wrapped literal or a parenthesised chain. */
function readTerm(src: string, pos: number): { value: string; end: number } | null {
  const c = src[pos];
  if (c === "'" || c === '"') {
    const q = readQuoted(src, pos);
    if (q === null) return null;
    const afterHtml = matchAt(HTML_CALL, src, skipSpace(src, q.end));
    return { value: q.raw, end: afterHtml === -1 ? q.end : afterHtml };
  }
  const inner = c === "(" ? pos + 1 : matchAt(WRAPPER, src, pos);
  if (inner === -1) return null;
  const chain = readChain(src, inner);
  if (chain.value === undefined) return null;
  const close = skipSpace(src, chain.end);
  if (src[close] !== ")") return null;
  return { value: chain.value, end: close + 1 };
}

/**
 * Reads `term (* n)? (|| term)*`; the value is the first non-empty literal (raw, still escaped),
 * undefined when the expression does not start with a literal.
 */
export function readChain(src: string, pos: number): { value: string | undefined; end: number } {
  let value: string | undefined;
  let p = pos;
  let end = pos;
  for (;;) {
    const term = readTerm(src, skipSpace(src, p));
    if (term === null) break;
    if (value === undefined || (value === "" && term.value !== "")) value = term.value;
    end = skipSpace(src, term.end);
    const coerced = matchAt(COERCION, src, end);
    if (coerced !== -1) end = skipSpace(src, coerced);
    if (!src.startsWith("||", end)) break;
    p = end + 2;
  }
  return { value, end };
}

/** Reads any JS value at `pos`: object, array, literal chain, or (skipped) expression → null. */
export function readValue(src: string, pos: number): { value: JsValue; end: number } {
  const p = skipSpace(src, pos);
  const c = src[p];
  if (c === "{") return readObject(src, p);
  if (c === "[") return readArray(src, p);
  const chain = readChain(src, p);
  return { value: chain.value ?? null, end: skipExpression(src, chain.end) };
}

const KEY = /[A-Za-z_$][\w$]*|\d+/y;

function readObject(src: string, open: number): { value: JsObject; end: number } {
  const out = new Map<string, JsValue>();
  let p = open + 1;
  while (p < src.length) {
    p = skipSpace(src, p);
    if (src[p] === "}") return { value: out, end: p + 1 };
    let key: string | null = null;
    const q = readQuoted(src, p);
    if (q !== null) {
      key = unescapeJs(q.raw);
      p = q.end;
    } else {
      const k = matchAt(KEY, src, p);
      if (k !== -1) {
        key = src.slice(p, k);
        p = k;
      }
    }
    p = skipSpace(src, p);
    if (key !== null && src[p] === ":") {
      const v = readValue(src, p + 1);
      out.set(key, v.value);
      p = v.end;
    } else {
      p = skipExpression(src, p);
    }
    p = skipSpace(src, p);
    if (src[p] === ",") p++;
    else if (src[p] !== "}") p = Math.max(p + 1, skipExpression(src, p));
  }
  return { value: out, end: src.length };
}

function readArray(src: string, open: number): { value: readonly JsValue[]; end: number } {
  const out: JsValue[] = [];
  let p = open + 1;
  while (p < src.length) {
    p = skipSpace(src, p);
    if (src[p] === "]") return { value: out, end: p + 1 };
    if (src[p] === ",") {
      p++;
      continue;
    }
    const v = readValue(src, p);
    out.push(v.value);
    p = skipSpace(src, v.end);
    if (src[p] === ",") p++;
    else if (src[p] !== "]") p = Math.max(p + 1, skipExpression(src, p));
  }
  return { value: out, end: src.length };
}

/** Follows `keys` through nested objects (and numeric array indexes); undefined when absent. */
export function jsPath(
  value: JsValue | undefined,
  ...keys: readonly (string | number)[]
): JsValue | undefined {
  let cur: JsValue | undefined = value;
  for (const key of keys) {
    if (cur === undefined || cur === null || typeof cur === "string") return undefined;
    if (Array.isArray(cur)) cur = typeof key === "number" ? (cur as readonly JsValue[])[key] : undefined;
    else cur = typeof key === "string" ? (cur as JsObject).get(key) : undefined;
  }
  return cur;
}

/** Like jsPath, but only a string result counts, returned with its JS escapes undone. */
export function jsString(
  value: JsValue | undefined,
  ...keys: readonly (string | number)[]
): string | undefined {
  const v = jsPath(value, ...keys);
  return typeof v === "string" ? unescapeJs(v) : undefined;
}
