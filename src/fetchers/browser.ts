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

import type { Browser, BrowserContext, Page } from "playwright";
import { FetchError } from "../errors.ts";
import { toBrowserError } from "./browser-errors.ts";
import { type BrowserPage, loadMainDocument, type NavigationState } from "./browser-navigation.ts";
import { CHROMIUM_PATHS, findChromium, launchChromium, readBrowserPid } from "./chromium.ts";
import { createHopProxy, type HopProxy } from "./hop-proxy.ts";
import { toAbortError } from "./http.ts";
import { createSemaphore } from "./semaphore.ts";

export type { BrowserPage } from "./browser-navigation.ts";
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

interface FetchState extends NavigationState {
  page: Page | null;
  timedOut: boolean;
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

/**
 * Launches Chromium (behind `proxyUrl` when given) with the one shared context; `onDisconnect` hears
 * when that browser goes away.
 */
async function launchSession(
  options: BrowserPoolOptions,
  proxyUrl: string | null,
  onDisconnect: (browser: Browser) => void,
): Promise<Session> {
  const executablePath = options.executablePath ?? findChromium({});
  if (executablePath === null) {
    throw new FetchError("FETCH_BROWSER_CRASH", "browser: no Chromium executable found", {
      searched: CHROMIUM_PATHS,
    });
  }
  const browser = await launchChromium(executablePath, proxyUrl);
  browser.on("disconnected", () => onDisconnect(browser));
  try {
    const context = await browser.newContext({
      javaScriptEnabled: false,
      acceptDownloads: false,
      serviceWorkers: "block",
      locale: "zh-CN",
      ...(options.userAgent === undefined ? {} : { userAgent: options.userAgent }),
    });
    return { browser, context, pid: await readBrowserPid(browser) };
  } catch (error) {
    await browser.close().catch(() => undefined);
    throw error;
  }
}

/** The pool's browser: launched on demand, reset when it disconnects, shut down once. */
interface SessionKeeper {
  /** The running session, launching one when there is none (or the last one disconnected). */
  ensure(): Promise<Session>;
  /** The launched session, if any. */
  current(): Session | null;
  /** Closes the browser, its context and the proxy (after `beforeClose` ran); later calls launch nothing. */
  shutdown(beforeClose: () => Promise<void>): Promise<void>;
}

function createSessionKeeper(options: BrowserPoolOptions): SessionKeeper {
  const { checkHop } = options;
  let session: Promise<Session> | null = null;
  let current: Session | null = null;
  let proxy: Promise<HopProxy> | null = null;
  let shuttingDown = false;

  const onDisconnect = (browser: Browser): void => {
    if (current?.browser !== browser) return;
    current = null;
    session = null;
    if (!shuttingDown) options.logger?.warn({}, "browser disconnected");
  };
  const launch = async (): Promise<Session> => {
    if (checkHop !== undefined) proxy ??= createHopProxy(checkHop);
    const made = await launchSession(options, proxy === null ? null : (await proxy).url, onDisconnect);
    current = made;
    return made;
  };
  return {
    ensure() {
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
    },
    current: () => current,
    async shutdown(beforeClose) {
      shuttingDown = true;
      const open = session;
      session = null;
      await beforeClose();
      const made = await open?.catch(() => null);
      current = null;
      await made?.context.close().catch(() => undefined);
      await made?.browser.close().catch(() => undefined);
      await (await proxy?.catch(() => null))?.close();
    },
  };
}

/**
 * Starts the deadlines of one fetch once its tab is open (a launch does not count against one page's
 * budget): at `timeoutMs` the tab is closed (`stop`), which interrupts every Playwright call in flight.
 * A renderer wedged on a huge document can ignore even that, so past a grace period the browser is
 * killed, which fails every pending call; the next fetch relaunches it. The watchdog is cleared last,
 * after the tab is closed, since that close can hang too.
 */
function createDeadlines(state: FetchState, timeoutMs: number, stop: () => void) {
  let timer: NodeJS.Timeout | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  return {
    start(): void {
      timer = setTimeout(() => {
        state.timedOut = true;
        stop();
      }, timeoutMs);
      watchdog = setTimeout(() => {
        state.timedOut = true;
        killBrowser(state.session);
      }, timeoutMs + WEDGED_GRACE_MS);
    },
    clearTimer: () => clearTimeout(timer),
    clearWatchdog: () => clearTimeout(watchdog),
  };
}

/** Creates a pool; nothing is launched until the first fetch. */
export function createBrowserPool(options: BrowserPoolOptions): BrowserPool {
  const { checkHop, navigationTimeoutMs } = options;
  const semaphore = createSemaphore(Math.max(1, options.concurrency));
  const sessions = createSessionKeeper(options);
  const pages = new Set<Page>();
  let closing: Promise<void> | null = null;

  const openPage = async (made: Session): Promise<Page> => {
    const page = await made.context.newPage().catch(async (error: unknown) => {
      // A browser that cannot open tabs is wedged though still connected: recycle it.
      await made.browser.close().catch(() => undefined);
      throw error;
    });
    pages.add(page);
    return page;
  };
  const closePage = async (page: Page | null): Promise<void> => {
    if (page === null) return;
    pages.delete(page);
    await page.close().catch(() => undefined);
  };
  /** Opens a tab (launching the browser if needed), starts the deadlines, then loads `url` in it. */
  const load = async (url: string, state: FetchState, signal: AbortSignal | undefined, start: () => void) => {
    const made = await sessions.ensure();
    state.session = made;
    const page = await openPage(made);
    state.page = page;
    start();
    // The caller may have aborted while the browser was launching.
    if (signal?.aborted === true) await page.close().catch(() => undefined);
    return loadMainDocument(made.context, page, url, options, state);
  };

  const fetchHtml = async (url: string, signal?: AbortSignal): Promise<BrowserPage> => {
    if (closing !== null) throw poolClosed();
    if (signal?.aborted === true) throw toAbortError(signal.reason, "browser");
    const release = await semaphore.acquire(signal);
    const state: FetchState = { page: null, navUrl: url, timedOut: false, tooLarge: false, session: null };
    // Closing the page is the one way to interrupt every Playwright call in flight at once.
    const stop = (): void => {
      void state.page?.close().catch(() => undefined);
    };
    const deadlines = createDeadlines(state, navigationTimeoutMs, stop);
    signal?.addEventListener("abort", stop, { once: true });
    try {
      if (closing !== null) throw poolClosed();
      return await load(url, state, signal, deadlines.start);
    } catch (error) {
      throw toBrowserError(error, state, { signal, timeoutMs: navigationTimeoutMs, checkHop });
    } finally {
      deadlines.clearTimer();
      signal?.removeEventListener("abort", stop);
      await closePage(state.page);
      deadlines.clearWatchdog();
      release();
    }
  };

  return {
    fetchHtml,
    close() {
      closing ??= sessions.shutdown(async () => {
        await Promise.all([...pages].map((page) => page.close().catch(() => undefined)));
      });
      return closing;
    },
    isConnected: () => sessions.current()?.browser.isConnected() ?? false,
    pid: () => sessions.current()?.pid ?? null,
  };
}
