/**
 * Tolerant extractor of the inline-script assignments that carry a WeChat page's metadata
 * (wechat-pages.md section 2.1). It never evaluates anything: one pass over the raw page finds
 * `var x =` / `window.x =` assignments of the wanted names, and js-literal.ts reads their right-hand
 * side, accepting only quoted literals, `||` fallback chains, `* 1` coercions, the `.html(false)`,
 * `htmlDecode(…)`, `JsDecode(…)` wrappers and object/array literals (`window.cgiDataNew = {…}`).
 * Library code reusing the names (`var biz = null;`, `var mid = start + end >> 1;` in `01-article.html`)
 * is ignored because its right-hand side is not a quoted literal.
 */
import { type JsValue, readChain, readValue, unescapeJs } from "./js-literal.ts";

export {
  decodeEntities,
  type JsObject,
  type JsValue,
  jsPath,
  jsString,
  readChain,
  readValue,
  unescapeJs,
} from "./js-literal.ts";

/** What one scan of a page found. */
export interface JsVars {
  /** The first non-empty quoted literal assigned to each scalar name ("" when only empty ones were seen). */
  readonly values: ReadonlyMap<string, string>;
  /** The first object or array literal assigned to each object name. */
  readonly objects: ReadonlyMap<string, JsValue>;
}

const ASSIGNED_NAME = /([A-Za-z_$][\w$]*)[ \t]*=(?![=>])\s*/y;

function isIdentChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    code === 95 ||
    code === 36
  );
}

/**
 * Position right after `=` of an assignment whose target starts at `nameStart`, with the target name,
 * or null when there is no plain assignment there.
 */
function readAssignedName(html: string, nameStart: number): { name: string; rhs: number } | null {
  let p = nameStart;
  while (html.charCodeAt(p) === 32) p++;
  ASSIGNED_NAME.lastIndex = p;
  const m = ASSIGNED_NAME.exec(html);
  return m === null ? null : { name: m[1] ?? "", rhs: ASSIGNED_NAME.lastIndex };
}

/**
 * Scans the whole page once for assignments to `names` (scalar literals) and `objectNames`
 * (object/array literals), as `var x = …` or `window.x = …`. An earlier non-empty literal wins; a
 * later one only fills a name still missing or empty, because `04-article-author.html` declares
 * biz/mid/idx late and first shows `sn` inside cgiDataNew.
 *
 * Two indexOf cursors ("var " and "w." of "window.") replace a regex: on these 3 MB pages a regex
 * alternation costs about 4 ms where the cursors cost about 1 ms.
 */
export function scanJsVars(
  html: string,
  names: readonly string[],
  objectNames: readonly string[] = [],
): JsVars {
  const values = new Map<string, string>();
  const objects = new Map<string, JsValue>();
  const scalarSet = new Set(names);
  const objectSet = new Set(objectNames);
  let iv = html.indexOf("var ");
  let iw = html.indexOf("w.");
  while (iv !== -1 || iw !== -1) {
    let found: { name: string; rhs: number } | null = null;
    if (iw === -1 || (iv !== -1 && iv < iw)) {
      if (!isIdentChar(html.charCodeAt(iv - 1)) && html.charCodeAt(iv - 1) !== 46)
        found = readAssignedName(html, iv + 4);
      iv = html.indexOf("var ", iv + 4);
    } else {
      const start = iw - 5;
      if (start >= 0 && html.startsWith("windo", start) && !isIdentChar(html.charCodeAt(start - 1))) {
        if (html.charCodeAt(start - 1) !== 46) found = readAssignedName(html, iw + 2);
      }
      iw = html.indexOf("w.", iw + 2);
    }
    if (found === null) continue;
    const { name, rhs } = found;
    const c = html[rhs];
    if (objectSet.has(name) && (c === "{" || c === "[")) {
      if (objects.has(name)) continue;
      const v = readValue(html, rhs);
      objects.set(name, v.value);
      // Skip the literal's body: nothing inside an object literal is a top-level assignment.
      if (iv !== -1 && iv < v.end) iv = html.indexOf("var ", v.end);
      if (iw !== -1 && iw < v.end) iw = html.indexOf("w.", v.end);
      continue;
    }
    if (!scalarSet.has(name)) continue;
    const prev = values.get(name);
    if (prev !== undefined && prev !== "") continue;
    const chain = readChain(html, rhs);
    if (chain.value !== undefined && (prev === undefined || chain.value !== "")) {
      values.set(name, unescapeJs(chain.value));
    }
  }
  return { values, objects };
}
