/**
 * One navigation of the browser fetcher: load a URL in an open tab and read its main document as the
 * server sent it (captured from Chromium's network stack, see document-capture.ts), enforcing the hop
 * check, the status and the size cap. The pool (browser.ts) owns the browser, the tabs and the
 * deadlines; this module owns what happens inside one tab.
 */
import type { BrowserContext, Page, Request, Response } from "playwright";
import { FetchError, InvalidUrlError } from "../errors.ts";
import { captureDocuments } from "./document-capture.ts";
import { PROXY_DENIED_HEADER, PROXY_ERROR_HEADER } from "./hop-proxy.ts";
import { decodePage } from "./http.ts";

/** The main document of one navigation. */
export interface BrowserPage {
  readonly status: number;
  readonly finalUrl: string;
  readonly html: string;
}

/** What a navigation reports while it runs (read by the error mapping when it fails). */
export interface NavigationState {
  /** The main frame's latest navigation request (the hop a failure happened on). */
  navUrl: string;
  tooLarge: boolean;
}

/** The limits of one navigation. */
export interface NavigationLimits {
  readonly maxBytes: number;
  readonly navigationTimeoutMs: number;
  readonly checkHop?: ((url: URL) => void) | undefined;
}

function isAllowed(url: string, checkHop: ((url: URL) => void) | undefined): boolean {
  try {
    checkHop?.(new URL(url));
    return true;
  } catch {
    return false;
  }
}

/** The status of the main document's response; throws the coded error for a refused or failed one. */
function checkResponse(response: Response, checkHop: ((url: URL) => void) | undefined): number {
  // A hop the proxy refused ends on the refused URL: report that host, as the http fetcher does.
  if (!isAllowed(response.url(), checkHop)) checkHop?.(new URL(response.url()));
  const headers = response.headers();
  if (headers[PROXY_DENIED_HEADER] !== undefined) {
    throw new InvalidUrlError("URL_HOST_DENIED", "browser: hop refused by the proxy", {});
  }
  const proxyError = headers[PROXY_ERROR_HEADER];
  if (proxyError !== undefined) {
    throw new FetchError("FETCH_NETWORK", `browser: network error (${proxyError})`, {
      errorCode: proxyError,
    });
  }
  const status = response.status();
  if (status < 200 || status > 299) {
    const retryAfter = headers["retry-after"];
    throw new FetchError("FETCH_HTTP_STATUS", `browser: status ${status}`, {
      status,
      ...(retryAfter === undefined ? {} : { retryAfter }),
    });
  }
  return status;
}

/** Navigates `page` (a tab of `context`) to `url` and returns its main document. */
export async function loadMainDocument(
  context: BrowserContext,
  page: Page,
  url: string,
  limits: NavigationLimits,
  state: NavigationState,
): Promise<BrowserPage> {
  const onTooLarge = (): void => {
    state.tooLarge = true;
  };
  const capture = await captureDocuments(context, page, { maxBytes: limits.maxBytes, onTooLarge });
  page.on("request", (request: Request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) state.navUrl = request.url();
  });
  const response = await page.goto(url, {
    timeout: limits.navigationTimeoutMs,
    waitUntil: "domcontentloaded",
  });
  if (response === null) throw new FetchError("FETCH_NETWORK", "browser: navigation gave no response", {});
  const status = checkResponse(response, limits.checkHop);
  const body = capture.body();
  if (body === null) throw new FetchError("FETCH_BROWSER_CRASH", "browser: main document not captured", {});
  return { status, finalUrl: page.url(), html: decodePage(body) };
}
