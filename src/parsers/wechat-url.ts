/**
 * Accepts a WeChat URL from any source (feed, page script, CLI, API), rejects everything that is not an
 * `mp.weixin.qq.com` article or album link, and normalizes it to one of four forms with a dedup key
 * (see ../shared/docs/wechat-pages.md section 1). The host check works on the raw authority text, not
 * only on WHATWG's parsed host, because WHATWG silently repairs tricks (`%2e`, full-width dots, extra
 * slashes) that should be refused. Error messages never echo query values: raw inputs can carry a
 * reader's session credentials (`key`, `uin`, `pass_ticket`).
 */
import { createHash } from "node:crypto";
import { type ErrorCode, InvalidUrlError } from "../errors.ts";
import type { ArticleIdentity } from "../model.ts";

/** A parsed, normalized WeChat URL in one of the four accepted forms; `url` is always https. */
export type WeChatUrl =
  | {
      form: "long";
      url: string;
      identity: ArticleIdentity;
      sn: string | null;
      key: string;
      canonicalUrl: string | null;
    }
  | { form: "short"; url: string; token: string; key: string }
  | { form: "temporary"; url: string; key: string }
  | { form: "album"; url: string; biz: string; albumId: string; key: string };

const HOST = "mp.weixin.qq.com";
const ORIGIN = `https://${HOST}`;
const MAX_INPUT = 8192;
const UIN_RE = /^[1-9][0-9]{0,19}$/;
const MID_RE = /^[1-9][0-9]{0,19}$/;
const IDX_RE = /^[1-9][0-9]{0,3}$/;
const SN_RE = /^[A-Za-z0-9]{8,64}$/;
const TOKEN_RE = /^[A-Za-z0-9_-]{1,128}$/;
const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;
const ARTICLE_KEY_RE = /^[1-9][0-9]{0,19}-[1-9][0-9]{0,19}-[1-9][0-9]{0,3}$/;
// Escaped ampersands as found in HTML attributes (`&amp;`, even `&amp;amp;` in 24-article-2022.html) and
// JS strings (`\x26amp;` in 03-article-with-audio.html), plus escaped slashes from JSON-ish strings.
// Whitespace, control and invisible format characters, backslashes: WHATWG would silently drop or remap them.
const BAD_CHAR_RE = /[\s\p{Cc}\p{Cf}\\]/u;
const ESCAPED_AMP_RE = /\\x26amp;|\\x26|\\u0026|&amp;|&#0*38;|&#x0*26;/gi;

/** Parameters kept from query strings (an allowlist: everything else is dropped), and their old aliases. */
const KEPT_PARAMS = new Set("__biz mid idx sn src timestamp ver signature new album_id action".split(" "));
const PARAM_ALIASES: Readonly<Record<string, string>> = { appmsgid: "mid", itemidx: "idx", sign: "sn" };

function fail(code: ErrorCode, problem: string): never {
  throw new InvalidUrlError(code, `url: ${problem}`);
}

/** Undoes the escaping layers WeChat pages put on links, repeatedly for doubly escaped copies. */
function unescapeInput(input: string): string {
  let s = input.trim();
  for (let i = 0; i < 4; i++) {
    const next = s.replace(ESCAPED_AMP_RE, "&").replaceAll("\\/", "/");
    if (next === s) break;
    s = next;
  }
  return s;
}

/** Checks scheme and the raw authority text, then returns the WHATWG-parsed URL. */
function parseTrustedUrl(input: string): URL {
  if (typeof input !== "string" || input.trim() === "") fail("URL_INVALID", "empty input");
  if (input.length > MAX_INPUT) fail("URL_INVALID", "input too long");
  let s = unescapeInput(input);
  if (BAD_CHAR_RE.test(s)) fail("URL_INVALID", "whitespace, control character or backslash in URL");
  if (s.startsWith("//")) s = `https:${s}`; // protocol-relative links in page markup
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(s)?.[1]?.toLowerCase();
  if (scheme === undefined) fail("URL_INVALID", "not an absolute URL");
  if (scheme !== "http" && scheme !== "https")
    fail("URL_INVALID", `scheme not allowed: ${scheme.slice(0, 20)}`);
  const authority = /^[A-Za-z]+:\/\/([^/?#]*)/.exec(s)?.[1];
  if (authority === undefined || authority === "") fail("URL_INVALID", "malformed authority");
  if (authority.includes("%")) fail("URL_INVALID", "percent-encoded host");
  if (authority.includes("@")) fail("URL_HOST_DENIED", "userinfo not allowed");
  if (authority.includes("[")) fail("URL_HOST_DENIED", "IP literal host not allowed");
  if (authority.includes(":")) fail("URL_HOST_DENIED", "explicit port not allowed");
  const host = authority.toLowerCase().replace(/\.$/, "");
  if (host !== HOST)
    fail("URL_HOST_DENIED", `host not allowed: ${host.replace(/[^a-z0-9.-]/g, "?").slice(0, 80)}`);
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    fail("URL_INVALID", "unparsable URL");
  }
  // Belt and braces: the parsed URL must agree with the raw checks.
  if (
    url.hostname.replace(/\.$/, "") !== HOST ||
    url.port !== "" ||
    url.username !== "" ||
    url.password !== ""
  ) {
    fail("URL_HOST_DENIED", "host not allowed");
  }
  return url;
}

/** Splits a query into allowlisted, percent-decoded params; a name seen twice must carry one value. */
function readParams(search: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of search.replace(/^\?/, "").split("&")) {
    const eq = part.indexOf("=");
    const rawName = eq < 0 ? part : part.slice(0, eq);
    const decoded = safeDecode(rawName) ?? "";
    const name = PARAM_ALIASES[decoded] ?? decoded;
    if (!KEPT_PARAMS.has(name)) continue;
    // `+` is kept literally: no kept WeChat value uses form-encoded spaces.
    const value = safeDecode(eq < 0 ? "" : part.slice(eq + 1));
    if (value === null) fail("URL_INVALID", `malformed percent-encoding in ${name}`);
    if (value === "") continue;
    const seen = params.get(name);
    if (seen !== undefined && seen !== value) fail("URL_NOT_ARTICLE", `conflicting values for ${name}`);
    params.set(name, value);
  }
  return params;
}

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** Returns the canonical `==`-padded biz, or null when it is not base64 of a decimal uin. */
function canonicalBiz(biz: string): string | null {
  const uin = decodeBiz(biz);
  return uin === null ? null : btoa(uin);
}

/** Decodes a base64 biz (padded or not) to its decimal uin, or null when it is not one. */
export function decodeBiz(biz: string): string | null {
  if (biz.length > 40 || !BASE64_RE.test(biz)) return null;
  let text: string;
  try {
    text = atob(biz);
  } catch {
    return null;
  }
  // atob ignores stray trailing bits; requiring the round trip keeps one biz spelling per account.
  if (!UIN_RE.test(text) || btoa(text).replace(/=+$/, "") !== biz.replace(/=+$/, "")) return null;
  return text;
}

/** The article key `<uin>-<mid>-<idx>`; throws InvalidUrlError (URL_NOT_ARTICLE) for an invalid identity. */
export function articleKey(identity: ArticleIdentity): string {
  const uin = decodeBiz(identity.biz);
  if (uin === null) fail("URL_NOT_ARTICLE", "biz is not base64 of a decimal account id");
  if (!MID_RE.test(identity.mid)) fail("URL_NOT_ARTICLE", "mid is not a positive number");
  if (!IDX_RE.test(identity.idx)) fail("URL_NOT_ARTICLE", "idx is not a positive number");
  return `${uin}-${identity.mid}-${identity.idx}`;
}

/** True when `s` has the shape of an article key (`3226319644-2247504179-1`). */
export function isArticleKey(s: string): boolean {
  return ARTICLE_KEY_RE.test(s);
}

/** The permanent long URL `https://mp.weixin.qq.com/s?__biz=…&mid=…&idx=…&sn=…`; throws on invalid parts. */
export function buildCanonicalUrl(identity: ArticleIdentity, sn: string): string {
  articleKey(identity); // validates biz, mid and idx
  if (!SN_RE.test(sn)) fail("URL_NOT_ARTICLE", "sn is not alphanumeric");
  return `${buildLongUrl(identity)}&sn=${sn}`;
}

function buildLongUrl(identity: ArticleIdentity): string {
  const biz = canonicalBiz(identity.biz) ?? identity.biz;
  return `${ORIGIN}/s?__biz=${biz}&mid=${identity.mid}&idx=${identity.idx}`;
}

/** The key of a URL without article identity: `u` plus the first 16 hex chars of its sha256. */
export function urlKey(normalizedUrl: string): string {
  return `u${createHash("sha256").update(normalizedUrl).digest("hex").slice(0, 16)}`;
}

/** Reads a numeric id, tolerating leading zeros; null when it is not a positive number of sane length. */
function positiveNumber(value: string | undefined, re: RegExp): string | null {
  if (value === undefined || !/^[0-9]+$/.test(value)) return null;
  const trimmed = value.replace(/^0+/, "");
  return re.test(trimmed) ? trimmed : null;
}

function parseLong(params: Map<string, string>): WeChatUrl {
  for (const name of ["__biz", "mid", "idx"]) {
    if (!params.has(name)) fail("URL_NOT_ARTICLE", `long form missing ${name}`);
  }
  const biz = canonicalBiz(params.get("__biz") ?? "");
  if (biz === null) fail("URL_NOT_ARTICLE", "__biz is not base64 of a decimal account id");
  const mid = positiveNumber(params.get("mid"), MID_RE);
  if (mid === null) fail("URL_NOT_ARTICLE", "mid is not a positive number");
  const idx = positiveNumber(params.get("idx"), IDX_RE);
  if (idx === null) fail("URL_NOT_ARTICLE", "idx is not a positive number");
  const identity: ArticleIdentity = { biz, mid, idx };
  // A malformed sn only costs the permanent URL, not the identity, so it is dropped rather than fatal.
  const rawSn = params.get("sn");
  const sn = rawSn !== undefined && SN_RE.test(rawSn) ? rawSn : null;
  const canonicalUrl = sn === null ? null : buildCanonicalUrl(identity, sn);
  return {
    form: "long",
    url: canonicalUrl ?? buildLongUrl(identity),
    identity,
    sn,
    key: articleKey(identity),
    canonicalUrl,
  };
}

function parseTemporary(params: Map<string, string>): WeChatUrl {
  const src = params.get("src") ?? "";
  const timestamp = params.get("timestamp") ?? "";
  const ver = params.get("ver") ?? "";
  const signature = params.get("signature") ?? "";
  if (!/^[0-9]{1,6}$/.test(src) || !/^[0-9]{1,12}$/.test(timestamp) || !/^[0-9]{1,12}$/.test(ver)) {
    fail("URL_NOT_ARTICLE", "temporary link with malformed src/timestamp/ver");
  }
  if (!/^[A-Za-z0-9_*.~+/=-]{1,2048}$/.test(signature))
    fail("URL_NOT_ARTICLE", "temporary link with malformed signature");
  // `new=1` is part of the links Sogou hands out (22-article-2020-snapshot.html); kept so the link still opens.
  const fresh = params.get("new");
  const tail = fresh !== undefined && /^[0-9]{1,3}$/.test(fresh) ? `&new=${fresh}` : "";
  const url = `${ORIGIN}/s?src=${src}&timestamp=${timestamp}&ver=${ver}&signature=${encodeURIComponent(signature)}${tail}`;
  return { form: "temporary", url, key: urlKey(url) };
}

function parseQueryArticle(params: Map<string, string>, legacyPath: boolean): WeChatUrl {
  const hasLong = params.has("__biz") || params.has("mid") || params.has("idx");
  const hasTemporary =
    params.has("src") && params.has("timestamp") && params.has("ver") && params.has("signature");
  const longComplete = params.has("__biz") && params.has("mid") && params.has("idx");
  if (longComplete || legacyPath || (hasLong && !hasTemporary)) return parseLong(params);
  if (hasTemporary) return parseTemporary(params);
  return fail("URL_NOT_ARTICLE", "article path without article parameters");
}

function parseAlbum(params: Map<string, string>): WeChatUrl {
  const action = params.get("action");
  if (action !== undefined && action !== "getalbum")
    fail("URL_NOT_ARTICLE", "album URL with an unknown action");
  const biz = canonicalBiz(params.get("__biz") ?? "");
  if (biz === null) fail("URL_NOT_ARTICLE", "album URL without a valid __biz");
  const albumId = positiveNumber(params.get("album_id"), /^[1-9][0-9]{0,24}$/);
  if (albumId === null) fail("URL_NOT_ARTICLE", "album URL without a valid album_id");
  const url = `${ORIGIN}/mp/appmsgalbum?__biz=${biz}&action=getalbum&album_id=${albumId}`;
  return { form: "album", url, biz, albumId, key: `album-${decodeBiz(biz)}-${albumId}` };
}

/** Parses and normalizes a WeChat URL; throws InvalidUrlError (URL_INVALID, URL_HOST_DENIED, URL_NOT_ARTICLE). */
export function parseWeChatUrl(input: string): WeChatUrl {
  const url = parseTrustedUrl(input);
  const path = url.pathname;
  if (path === "/s" || path === "/s/") return parseQueryArticle(readParams(url.search), false);
  // `appmsgid`/`itemidx`/`sign` come from the pre-2015 `/mp/appmsg/show` article path.
  if (path === "/mp/appmsg/show") return parseQueryArticle(readParams(url.search), true);
  if (path === "/mp/appmsgalbum") return parseAlbum(readParams(url.search));
  const token = /^\/s\/([^/]+)\/?$/.exec(path)?.[1];
  if (token !== undefined) {
    if (!TOKEN_RE.test(token)) fail("URL_NOT_ARTICLE", "short link token has unexpected characters");
    return { form: "short", url: `${ORIGIN}/s/${token}`, token, key: `short-${token}` };
  }
  const shownPath = /^[A-Za-z0-9/_.-]{1,60}$/.test(path) ? path : "(unprintable path)";
  return fail("URL_NOT_ARTICLE", `not an article URL: ${shownPath}`);
}

/** Like parseWeChatUrl, but an album URL is rejected as URL_NOT_ARTICLE. */
export function parseArticleUrl(input: string): Exclude<WeChatUrl, { form: "album" }> {
  const parsed = parseWeChatUrl(input);
  if (parsed.form === "album") fail("URL_NOT_ARTICLE", "album URL is a listing, not an article");
  return parsed;
}
