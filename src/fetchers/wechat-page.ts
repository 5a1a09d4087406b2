/**
 * Fetches one WeChat page (article or album) with either fetcher and reports it as a RawPage. Requests go
 * to the configured origin with the WeChat path and query (toFetchUrl), every hop is limited to that
 * origin and the WeChat origin, and the final URL is mapped back onto mp.weixin.qq.com so the classifier
 * sees `https://mp.weixin.qq.com/mp/wappoc_appmsgcaptcha?…` whether the page came from WeChat or a mock.
 * Nothing here reads the markup: classifying the page is the parsers' job, called by the job.
 */

import type { BrowserPool } from "./browser.ts";
import { fetchText, type SendRequest } from "./http.ts";
import { createWeChatHopGuard, toFetchUrl, toWeChatUrl, WECHAT_ORIGIN } from "./url-guard.ts";

/** A fetched WeChat page: transport facts and the HTML exactly as served. */
export interface RawPage {
  /** The WeChat URL the caller asked for. */
  readonly requestedUrl: string;
  /** Where the fetch ended, on the WeChat host (a captcha redirect shows here). */
  readonly finalUrl: string;
  readonly status: number;
  readonly html: string;
  readonly fetchedAt: Date;
  readonly via: "http" | "browser";
}

/** Options shared by both page fetchers. */
export interface PageFetchOptions {
  /** Origin WeChat requests go to (config `fetch.origin`); default https://mp.weixin.qq.com. */
  readonly origin?: string;
  readonly signal?: AbortSignal;
}

/** Options of the http page fetcher (config `fetch.*`). */
export interface HttpPageOptions extends PageFetchOptions {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly maxRedirects?: number;
  /** Sent as User-Agent (config `fetch.userAgent`); WeChat serves the desktop page to a desktop UA. */
  readonly userAgent?: string;
  /** Extra request headers; they override the browser-like defaults. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The transport; default the global fetch (album pages pass the guarded client's). */
  readonly send?: SendRequest;
}

/** Browser-like request headers, so the http fetcher gets the same page a desktop browser gets. */
const DEFAULT_HEADERS: Readonly<Record<string, string>> = {
  accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
  "accept-language": "zh-CN,zh;q=0.9,en;q=0.8",
};

/** Fetches a WeChat page with the plain HTTP fetcher. */
export async function fetchPageHttp(url: string, options: HttpPageOptions): Promise<RawPage> {
  const origin = options.origin ?? WECHAT_ORIGIN;
  const result = await fetchText(toFetchUrl(url, origin), {
    timeoutMs: options.timeoutMs,
    maxBytes: options.maxBytes,
    checkHop: createWeChatHopGuard(origin),
    headers: {
      ...DEFAULT_HEADERS,
      ...(options.userAgent === undefined ? {} : { "user-agent": options.userAgent }),
      ...options.headers,
    },
    ...(options.maxRedirects === undefined ? {} : { maxRedirects: options.maxRedirects }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.send === undefined ? {} : { send: options.send }),
  });
  return {
    requestedUrl: url,
    finalUrl: toWeChatUrl(result.finalUrl, origin),
    status: result.status,
    html: result.body,
    fetchedAt: new Date(),
    via: "http",
  };
}

/**
 * Fetches a WeChat page in the shared browser. The pool should be created with
 * `checkHop: createWeChatHopGuard(origin)` so redirect hops are limited as they are for http;
 * toFetchUrl already refuses a non-WeChat URL before any request.
 */
export async function fetchPageBrowser(
  pool: BrowserPool,
  url: string,
  options: PageFetchOptions = {},
): Promise<RawPage> {
  const origin = options.origin ?? WECHAT_ORIGIN;
  const page = await pool.fetchHtml(toFetchUrl(url, origin), options.signal);
  return {
    requestedUrl: url,
    finalUrl: toWeChatUrl(page.finalUrl, origin),
    status: page.status,
    html: page.html,
    fetchedAt: new Date(),
    via: "browser",
  };
}
