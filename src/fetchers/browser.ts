/**
 * The browser fetcher: one system Chromium per process (Playwright, never a downloaded browser), launched
 * lazily, with ONE shared context (JavaScript off, downloads off, service workers blocked), at most
 * `concurrency` pages at a time, and a fresh tab for every fetch, closed when it ends. Sharing one context
 * keeps two pages at ~3-4 pages/s; a context per page halves that (issue 3 measurements). The HTML
 * returned is the main document's response body, exactly what the server sent, and `finalUrl` is the page
 * URL after redirects, so a captcha redirect stays visible to the classifier. The body is taken from
 * Chromium's network stack and the renderer gets a stub (document-capture.ts), so no image, font,
 * stylesheet or media request is ever made. With a `checkHop`, Chromium runs behind the hop proxy so every
 * request and redirect hop is checked (see hop-proxy.ts). A crashed or killed browser is relaunched by the
 * next call.
 */

import type { Browser, BrowserContext, Page, Request } from "playwright";
import { FetchError, InvalidUrlError } from "../errors.ts";
import { toBrowserError } from "./browser-errors.ts";
import { CHROMIUM_PATHS, findChromium, launchChromium, readBrowserPid } from "./chromium.ts";
import { captureDocuments } from "./document-capture.ts";
import { createHopProxy, type HopProxy, PROXY_DENIED_HEADER, PROXY_ERROR_HEADER } from "./hop-proxy.ts";
import { decodePage, toAbortError } from "./http.ts";
import { createSemaphore } from "./semaphore.ts";

export { findChromium } from "./chromium.ts";

/** Options of a browser pool; values come from config (`browser.*`, `fetch.*`). */
export interface BrowserPoolOptions {
  /** Chromium binary; when absent the usual system paths are probed (findChromium). */
  readonly executablePath?: string;
  /** Budget of one page (navigation and body, not the first launch), in milliseconds. */
  readonly navigationTimeoutMs: number;
  /** Largest main-document body accepted, in bytes (FETCH_TOO_LARGE beyond). */
  readonly maxBytes: number;
  /** Pages open at once; further calls wait their turn. */
  readonly concurrency: number;
  /** Request and redirect-hop check (e.g. createWeChatHopGuard(origin)); absent means no restriction. */
  readonly checkHop?: (url: URL) => void;
  /** User-Agent of the shared context (config `fetch.userAgent`); absent keeps "HeadlessChrome". */
  readonly userAgent?: string;
  readonly logger?: { warn(obj: object, msg: string): void };
}

/** The main document of one navigation. */
export interface BrowserPage {
  readonly status: number;
  readonly finalUrl: string;
  readonly html: string;
}

/** A lazily launched, self-healing browser shared by all fetches of a process. */
export interface BrowserPool {
  /** Loads `url` in a fresh page and returns the main document; throws FetchError/InvalidUrlError. */
  fetchHtml(url: string, signal?: AbortSignal): Promise<BrowserPage>;
  /** Closes pages, context, browser and proxy; idempotent; later fetches fail. */
  close(): Promise<void>;
  /** True while a launched browser is connected. */
  isConnected(): boolean;
  /** The Chromium main process id while launched (for PSS reports and crash tests), else null. */
  pid(): number | null;
}

interface Session {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly pid: number | null;
}

interface FetchState {
  page: Page | null;
  navUrl: string;
  timedOut: boolean;
  tooLarge: boolean;
  /** The session the page belongs to, once one is open. */
  session: Session | null;
}

/** How long past its deadline a fetch may hang before the browser is killed. */
const WEDGED_GRACE_MS = 5000;

/** SIGKILLs a session's Chromium (its disconnect resets the pool, so the next fetch relaunches). */
function killBrowser(made: Session | null): void {
  if (made?.pid == null) return;
  try {
    process.kill(made.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

const poolClosed = (): FetchError => new FetchError("FETCH_BROWSER_CRASH", "browser: pool closed", {});

/** Creates a pool; nothing is launched until the first fetch. */
export function createBrowserPool(options: BrowserPoolOptions): BrowserPool {
  const { checkHop, maxBytes, navigationTimeoutMs } = options;
  const semaphore = createSemaphore(Math.max(1, options.concurrency));
  const pages = new Set<Page>();
  let session: Promise<Session> | null = null;
  let current: Session | null = null;
  let proxy: Promise<HopProxy> | null = null;
  let closing: Promise<void> | null = null;

  const isAllowed = (url: string): boolean => {
    try {
      checkHop?.(new URL(url));
      return true;
    } catch {
      return false;
    }
  };

  const launch = async (): Promise<Session> => {
    const executablePath = options.executablePath ?? findChromium({});
    if (executablePath === null) {
      throw new FetchError("FETCH_BROWSER_CRASH", "browser: no Chromium executable found", {
        searched: CHROMIUM_PATHS,
      });
    }
    if (checkHop !== undefined) proxy ??= createHopProxy(checkHop);
    const browser = await launchChromium(executablePath, proxy === null ? null : (await proxy).url);
    browser.on("disconnected", () => {
      if (current?.browser !== browser) return;
      current = null;
      session = null;
      if (closing === null) options.logger?.warn({}, "browser disconnected");
    });
    try {
      const context = await browser.newContext({
        javaScriptEnabled: false,
        acceptDownloads: false,
        serviceWorkers: "block",
        locale: "zh-CN",
        ...(options.userAgent === undefined ? {} : { userAgent: options.userAgent }),
      });
      const made: Session = { browser, context, pid: await readBrowserPid(browser) };
      current = made;
      return made;
    } catch (error) {
      await browser.close().catch(() => undefined);
      throw error;
    }
  };

  const ensureSession = (): Promise<Session> => {
    // Belt and braces for a disconnect that raced the launch and so reset nothing.
    if (current !== null && !current.browser.isConnected()) {
      current = null;
      session = null;
    }
    if (session === null) {
      const launching = launch();
      session = launching;
      launching.catch(() => {
        if (session === launching) session = null;
      });
    }
    return session;
  };

  const openPage = async (made: Session): Promise<Page> => {
    const page = await made.context.newPage().catch(async (error: unknown) => {
      // A browser that cannot open tabs is wedged though still connected: recycle it.
      await made.browser.close().catch(() => undefined);
      throw error;
    });
    pages.add(page);
    return page;
  };

  /**
   * Navigates a tab to `url` and reads the main document, enforcing hops, status and size. `onPageOpen`
   * starts the deadline (a launch does not count against one page's budget) and says if already stopped.
   */
  const load = async (url: string, state: FetchState, onPageOpen: () => boolean): Promise<BrowserPage> => {
    const made = await ensureSession();
    state.session = made;
    const page = await openPage(made);
    state.page = page;
    if (onPageOpen()) await page.close().catch(() => undefined);
    const onTooLarge = (): void => {
      state.tooLarge = true;
    };
    const capture = await captureDocuments(made.context, page, { maxBytes, onTooLarge });
    page.on("request", (request: Request) => {
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) state.navUrl = request.url();
    });
    const response = await page.goto(url, { timeout: navigationTimeoutMs, waitUntil: "domcontentloaded" });
    if (response === null) throw new FetchError("FETCH_NETWORK", "browser: navigation gave no response", {});
    // A hop the proxy refused ends on the refused URL: report that host, as the http fetcher does.
    if (!isAllowed(response.url())) checkHop?.(new URL(response.url()));
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
    const body = capture.body();
    if (body === null) throw new FetchError("FETCH_BROWSER_CRASH", "browser: main document not captured", {});
    return { status, finalUrl: page.url(), html: decodePage(body) };
  };

  const closePage = async (page: Page | null): Promise<void> => {
    if (page === null) return;
    pages.delete(page);
    await page.close().catch(() => undefined);
  };

  const fetchHtml = async (url: string, signal?: AbortSignal): Promise<BrowserPage> => {
    if (closing !== null) throw poolClosed();
    if (signal?.aborted === true) throw toAbortError(signal.reason, "browser");
    const release = await semaphore.acquire(signal);
    const state: FetchState = {
      page: null,
      navUrl: url,
      timedOut: false,
      tooLarge: false,
      session: null,
    };
    // Closing the page is the one way to interrupt every Playwright call in flight at once.
    const stop = (): void => {
      void state.page?.close().catch(() => undefined);
    };
    let timer: NodeJS.Timeout | undefined;
    let watchdog: NodeJS.Timeout | undefined;
    const onPageOpen = (): boolean => {
      timer = setTimeout(() => {
        state.timedOut = true;
        stop();
      }, navigationTimeoutMs);
      // A renderer wedged on a huge document can ignore even page.close(): past the grace period the
      // browser is killed, which fails every pending call; the next fetch relaunches it.
      watchdog = setTimeout(() => {
        state.timedOut = true;
        killBrowser(state.session);
      }, navigationTimeoutMs + WEDGED_GRACE_MS);
      // The caller may have aborted while the browser was launching.
      return signal?.aborted === true;
    };
    signal?.addEventListener("abort", stop, { once: true });
    try {
      if (closing !== null) throw poolClosed();
      return await load(url, state, onPageOpen);
    } catch (error) {
      throw toBrowserError(error, state, { signal, timeoutMs: navigationTimeoutMs, checkHop });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", stop);
      await closePage(state.page);
      clearTimeout(watchdog);
      release();
    }
  };

  return {
    fetchHtml,
    isConnected: () => current?.browser.isConnected() ?? false,
    pid: () => current?.pid ?? null,
    close() {
      closing ??= (async () => {
        const open = session;
        session = null;
        await Promise.all([...pages].map((page) => page.close().catch(() => undefined)));
        const made = await open?.catch(() => null);
        current = null;
        await made?.context.close().catch(() => undefined);
        await made?.browser.close().catch(() => undefined);
        await (await proxy?.catch(() => null))?.close();
      })();
      return closing;
    },
  };
}
