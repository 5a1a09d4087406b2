/**
 * Where WeChat requests may go. WeChat URLs are rewritten onto the configured fetch origin (default
 * https://mp.weixin.qq.com; tests and demos use a local mock origin with the same paths), final URLs are
 * mapped back to the WeChat host so the parser and the documents keep real URLs, and every request and
 * redirect hop is checked against an exact origin allowlist so a redirect can never lead a fetcher
 * (HTTP or browser) to another host.
 */

import { InvalidUrlError } from "../errors.ts";

/** The real WeChat origin; documents always keep URLs on this host. */
export const WECHAT_ORIGIN = "https://mp.weixin.qq.com";

const WECHAT_HOST = "mp.weixin.qq.com";

function parseHttpUrl(input: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch (cause) {
    throw new InvalidUrlError("URL_INVALID", `url: invalid ${what}: ${input.slice(0, 200)}`, {}, cause);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidUrlError("URL_INVALID", `url: scheme not allowed: ${url.protocol}`, {
      scheme: url.protocol,
    });
  }
  return url;
}

/** The bare origin (`scheme://host[:port]`) of a configured origin string; throws URL_INVALID otherwise. */
export function toOrigin(origin: string): string {
  return parseHttpUrl(origin, "origin").origin;
}

/**
 * The URL to request for a WeChat URL: the same path and query on `origin`. The fragment is dropped
 * (never sent anyway). A URL already on `origin` is returned unchanged, so the call is idempotent.
 */
export function toFetchUrl(wechatUrl: string, origin: string): string {
  const target = toOrigin(origin);
  const url = parseHttpUrl(wechatUrl, "url");
  if (url.hostname !== WECHAT_HOST && url.origin !== target) {
    throw new InvalidUrlError("URL_HOST_DENIED", `url: host not allowed: ${url.hostname}`, {
      host: url.hostname,
    });
  }
  return `${target}${url.pathname}${url.search}`;
}

/**
 * Maps a URL fetched from `origin` back onto the WeChat host (path and query kept), so a redirect to the
 * mock's `/mp/wappoc_appmsgcaptcha` reads as `https://mp.weixin.qq.com/mp/wappoc_appmsgcaptcha?…`.
 * URLs on any other origin are returned unchanged.
 */
export function toWeChatUrl(fetchedUrl: string, origin: string): string {
  const url = parseHttpUrl(fetchedUrl, "url");
  if (url.origin !== toOrigin(origin)) return url.href;
  return `${WECHAT_ORIGIN}${url.pathname}${url.search}`;
}

/**
 * A hop check for fetchers: throws InvalidUrlError URL_HOST_DENIED unless the URL's exact origin
 * (scheme, host and port) is one of `allowedOrigins`, and URL_INVALID for non-http(s) schemes.
 */
export function createHopGuard(allowedOrigins: readonly string[]): (url: URL) => void {
  const allowed = new Set(allowedOrigins.map(toOrigin));
  return (url: URL): void => {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new InvalidUrlError("URL_INVALID", `url: scheme not allowed: ${url.protocol}`, {
        scheme: url.protocol,
      });
    }
    if (!allowed.has(url.origin)) {
      throw new InvalidUrlError("URL_HOST_DENIED", `url: host not allowed: ${url.host}`, { host: url.host });
    }
  };
}

/** The hop guard for WeChat traffic: the WeChat origin plus the configured fetch origin. */
export function createWeChatHopGuard(origin: string): (url: URL) => void {
  return createHopGuard([WECHAT_ORIGIN, origin]);
}
