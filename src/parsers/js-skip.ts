/**
 * Lexical skipping over inline JavaScript for js-literal.ts: whitespace and comments, and whole
 * expressions we do not read (`'true' === 'true' ? 1 : 0`, `parseInt(Date.now() / 1000, 10)` in
 * `05-image-share.html`). Strings, template literals, comments, regex literals and nested brackets are
 * stepped over, so a `,` or `}` inside them never ends the expression.
 */

/** Index of the first character at or after `pos` that is neither whitespace nor inside a comment. */
export function skipSpace(src: string, pos: number): number {
  let p = pos;
  for (;;) {
    const c = src.charCodeAt(p);
    if (c === 32 || c === 10 || c === 13 || c === 9 || c === 12 || c === 11 || c === 0xa0 || c === 0xfeff) {
      p++;
    } else if (c === 47 && src.charCodeAt(p + 1) === 47) {
      const nl = src.indexOf("\n", p + 2);
      p = nl === -1 ? src.length : nl + 1;
    } else if (c === 47 && src.charCodeAt(p + 1) === 42) {
      const close = src.indexOf("*/", p + 2);
      p = close === -1 ? src.length : close + 2;
    } else {
      return p;
    }
  }
}

/** End index of the string literal (quote `'`, `"` or `` ` ``) opening at `pos`. */
function skipString(src: string, pos: number): number {
  const quote = src[pos];
  for (let p = pos + 1; p < src.length; p++) {
    const c = src[p];
    if (c === "\\") p++;
    else if (c === quote) return p + 1;
    else if (c === "\n" && quote !== "`") return p;
  }
  return src.length;
}

/** End index of the regex literal opening at `pos` (character classes may hold a `/`). */
function skipRegex(src: string, pos: number): number {
  let inClass = false;
  for (let p = pos + 1; p < src.length; p++) {
    const c = src[p];
    if (c === "\\") p++;
    else if (c === "\n") return p;
    else if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    else if (c === "/" && !inClass) return p + 1;
  }
  return src.length;
}

const REGEX_PRECEDERS = new Set(["(", ",", "=", ":", "[", "!", "&", "|", "?", "{", "}", ";", "+", "-", "*"]);

/**
 * Index of the `,`, `;` or unmatched closing bracket that ends the expression starting at `pos`
 * (the terminator itself is not consumed).
 */
export function skipExpression(src: string, pos: number): number {
  let depth = 0;
  let last = "";
  let p = pos;
  while (p < src.length) {
    const c = src[p] ?? "";
    if (c === "'" || c === '"' || c === "`") {
      p = skipString(src, p);
      last = "a";
      continue;
    }
    if (c === "/") {
      const next = src[p + 1];
      if (next === "/" || next === "*") {
        p = skipSpace(src, p);
        continue;
      }
      if (last === "" || REGEX_PRECEDERS.has(last)) {
        p = skipRegex(src, p);
        last = "a";
        continue;
      }
    }
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      if (depth === 0) return p;
      depth--;
    } else if ((c === "," || c === ";") && depth === 0) return p;
    if (c !== " " && c !== "\n" && c !== "\t" && c !== "\r") last = c;
    p++;
  }
  return p;
}
