/**
 * Tolerant extractor of the inline-script assignments that carry a WeChat page's metadata
 * (wechat-pages.md section 2.1). It never evaluates anything: one pass over the raw page finds
 * `var x =` / `window.x =` assignments of the wanted names, and js-literal.ts reads their right-hand
 * side, accepting only quoted literals, `||` fallback chains, `* 1` coercions, the `.html(false)`,
 * `htmlDecode(…)`, `JsDecode(…)` wrappers and object/array literals (`window.cgiDataNew = {…}`).
 * Library code reusing the names (`var biz = null;`, `var mid = start + end >> 1;` in `01-article.html`)
 * is ignored because its right-hand side is not a quoted literal. The 2018 templates fill an object
 * member by member inside `(function(_g){ var d = _g.cgiData; d.title = "…"; _g.ct = "…"; })(window)`
 * (`wechat-more/01`, `02`); those blocks are read too (see `scanJsVars`'s `memberObjects`).
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
  /** Per member object (`cgiData`), the quoted literals assigned to its members through an alias. */
  readonly members: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

const ASSIGNED_NAME = /([A-Za-z_$][\w$]*)[ \t]*=(?![=>])\s*/y;
/** `<global>.<object>;`: the right-hand side of `var d = _g.cgiData;`. */
const ALIAS_RHS = /([A-Za-z_$][\w$]*)\.([A-Za-z_$][\w$]*)[ \t]*[;\r\n]/y;
const MEMBER_ASSIGNMENT = /(?<![\w$.])([A-Za-z_$][\w$]*)\.([A-Za-z_$][\w$]*)[ \t]*=(?![=>])\s*/g;
/** How far a member block may reach when its `})(` end is missing (the 2018 blocks are ~3 KB). */
const MEMBER_BLOCK_MAX_CHARS = 20_000;

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

/** Stores `value` under `name` unless a non-empty value is already there (the first non-empty wins). */
function keepFirst(map: Map<string, string>, name: string, value: string): void {
  const prev = map.get(name);
  if (prev === undefined || (prev === "" && value !== "")) map.set(name, value);
}

/** The `<global>.<object>` at `rhs` when `object` is one of `memberSet`, with where it ends. */
function readAlias(
  html: string,
  rhs: number,
  memberSet: ReadonlySet<string>,
): { global: string; object: string; end: number } | null {
  // Most right-hand sides are no `x.<member object>`: rule them out with a few char reads, since a
  // 3 MB page has ~7,000 `var ` and a regex per one costs more than the rest of the scan.
  let dot = rhs;
  while (isIdentChar(html.charCodeAt(dot))) dot++;
  if (dot === rhs || html.charCodeAt(dot) !== 46) return null;
  let named = false;
  for (const object of memberSet) named ||= html.startsWith(object, dot + 1);
  if (!named) return null;
  ALIAS_RHS.lastIndex = rhs;
  const m = ALIAS_RHS.exec(html);
  const object = m?.[2];
  if (m === null || object === undefined || !memberSet.has(object)) return null;
  return { global: m[1] ?? "", object, end: ALIAS_RHS.lastIndex };
}

/**
 * Reads the block that follows `var <alias> = <global>.<object>;` up to the end of its IIFE (`})(`):
 * `<alias>.<key> = literal` fills the object's members, `<global>.<name> = literal` a window variable
 * (the IIFE receives `window` as `<global>`). Anything but a quoted literal is skipped.
 */
function readMemberBlock(
  html: string,
  start: number,
  alias: { name: string; global: string },
  members: Map<string, string>,
  globals: (name: string, value: string) => void,
): void {
  const close = html.indexOf("})(", start);
  const end = close === -1 || close - start > MEMBER_BLOCK_MAX_CHARS ? start + MEMBER_BLOCK_MAX_CHARS : close;
  const block = html.slice(start, end);
  MEMBER_ASSIGNMENT.lastIndex = 0;
  for (let m = MEMBER_ASSIGNMENT.exec(block); m !== null; m = MEMBER_ASSIGNMENT.exec(block)) {
    const [, owner = "", key = ""] = m;
    if (owner !== alias.name && owner !== alias.global) continue;
    const chain = readChain(block, MEMBER_ASSIGNMENT.lastIndex);
    if (chain.value === undefined) continue;
    const value = unescapeJs(chain.value);
    if (owner === alias.name) keepFirst(members, key, value);
    else globals(key, value);
  }
}

/**
 * Scans the whole page once for assignments to `names` (scalar literals) and `objectNames`
 * (object/array literals), as `var x = …` or `window.x = …`. An earlier non-empty literal wins; a
 * later one only fills a name still missing or empty, because `04-article-author.html` declares
 * biz/mid/idx late and first shows `sn` inside cgiDataNew.
 *
 * `memberObjects` names the window objects filled member by member: a `var d = _g.cgiData;` starts a
 * block whose `d.*` assignments become `members.get("cgiData")` and whose `_g.*` ones count as
 * `window.*` assignments of `names`.
 *
 * Two indexOf cursors ("var " and "w." of "window.") replace a regex: on these 3 MB pages a regex
 * alternation costs about 4 ms where the cursors cost about 1 ms. Member blocks ride on the "var "
 * cursor, so pages without them pay nothing more.
 */
export function scanJsVars(
  html: string,
  names: readonly string[],
  objectNames: readonly string[] = [],
  memberObjects: readonly string[] = [],
): JsVars {
  const values = new Map<string, string>();
  const objects = new Map<string, JsValue>();
  const members = new Map<string, Map<string, string>>();
  const scalarSet = new Set(names);
  const objectSet = new Set(objectNames);
  const memberSet = new Set(memberObjects);
  const keepGlobal = (name: string, value: string): void => {
    if (scalarSet.has(name)) keepFirst(values, name, value);
  };
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
    if (!scalarSet.has(name)) {
      const alias = memberSet.size === 0 ? null : readAlias(html, rhs, memberSet);
      if (alias !== null) {
        const map = members.get(alias.object) ?? new Map<string, string>();
        members.set(alias.object, map);
        readMemberBlock(html, alias.end, { name, global: alias.global }, map, keepGlobal);
      }
      continue;
    }
    const prev = values.get(name);
    if (prev !== undefined && prev !== "") continue;
    const chain = readChain(html, rhs);
    if (chain.value !== undefined) keepFirst(values, name, unescapeJs(chain.value));
  }
  return { values, objects, members };
}
