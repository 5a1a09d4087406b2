/**
 * Chooses how a WeChat page is fetched: `browser` (system Chromium through Playwright, the default),
 * `http` (plain request, ~100× cheaper), or `auto` (http, falling back to the browser when the page
 * comes back incomplete: a page the classifier cannot recognise). Also the listing fetcher for
 * upstream feeds. The browser pool is created on first use, so http-only workers never launch it.
 * Listings and album pages go through the guarded client (public addresses only, unless allowed);
 * article pages keep the exact-origin rule of `fetchers/wechat-page.ts`.
 */
import type { Config } from "../config/schema.ts";
import type { Fetcher } from "../config/sources.ts";
import type { BrowserPool } from "../fetchers/browser.ts";
import type { GuardedHttp } from "../fetchers/guarded-http.ts";
import type { SendRequest } from "../fetchers/http.ts";
import { fetchPageBrowser, fetchPageHttp, type RawPage } from "../fetchers/wechat-page.ts";
import { classifyPage } from "../parsers/page-kind.ts";

/** Fetches WeChat pages and upstream listings with the configured limits. */
export interface PageFetcher {
  /** `signal` is the job's deadline: when it fires, the request (or navigation) is abandoned. */
  fetchPage(url: string, fetcher: Fetcher | null, signal?: AbortSignal): Promise<RawPage>;
  /** Fetches a WeChat URL's body over HTTP (album JSON pages). */
  fetchWeChatText(url: string): Promise<string>;
  /** Fetches an upstream feed, OPML or URL list (any public http(s) host). */
  fetchListing(url: string): Promise<string>;
}

/**
 * Creates the fetcher; `browser()` returns the (lazily launched) pool, `guarded` sends listing requests,
 * `articleSend` (when given) sends http article requests, e.g. from `fetch.localAddress`.
 */
export function createPageFetcher(
  fetch: Config["fetch"],
  browser: () => BrowserPool,
  guarded: GuardedHttp,
  articleSend?: SendRequest,
): PageFetcher {
  const http = {
    origin: fetch.origin,
    timeoutMs: fetch.timeoutMs,
    maxBytes: fetch.maxBytes,
    userAgent: fetch.userAgent,
    ...(articleSend === undefined ? {} : { send: articleSend }),
  };
  const withSignal = (signal: AbortSignal | undefined) => (signal === undefined ? {} : { signal });
  const viaBrowser = (url: string, signal: AbortSignal | undefined) =>
    fetchPageBrowser(browser(), url, { origin: fetch.origin, ...withSignal(signal) });
  return {
    async fetchPage(url, fetcher, signal) {
      switch (fetcher ?? fetch.fetcher) {
        case "http":
          return fetchPageHttp(url, { ...http, ...withSignal(signal) });
        case "browser":
          return viaBrowser(url, signal);
        case "auto": {
          const page = await fetchPageHttp(url, { ...http, ...withSignal(signal) });
          return classifyPage(page.html, page.finalUrl) === "unknown" ? viaBrowser(url, signal) : page;
        }
      }
    },
    async fetchWeChatText(url) {
      return (await fetchPageHttp(url, { ...http, send: guarded.send })).html;
    },
    async fetchListing(url) {
      const result = await guarded.fetchText(url, {
        headers: {
          accept:
            "application/rss+xml, application/atom+xml, application/xml, text/xml, application/json, text/plain, */*",
        },
      });
      return result.body;
    },
  };
}
