/**
 * Finding and launching the system Chromium for the browser pool. Playwright only drives it: the image
 * ships Debian's `chromium-headless-shell` package and nothing ever downloads a browser. The headless
 * shell is preferred, as Playwright itself prefers it for headless runs: it is the same engine without the
 * browser UI, and full Chromium's UI costs memory even headless (top-chrome WebUI renderers such as the
 * omnibox popup): in `bench:pipeline`, Chromium's peak PSS fell from ~400 to ~270 MB. Full Chromium
 * remains a fallback. The flags keep Chromium from phoning home (updates, sync, background networking)
 * and make it fit a container (no sandbox inside the container's own isolation, no GPU, no /dev/shm
 * dependence).
 */

import { accessSync, constants } from "node:fs";
import { type Browser, chromium } from "playwright";

/** Paths probed, in order, when neither the config nor CHROMIUM_PATH names a binary. */
export const CHROMIUM_PATHS: readonly string[] = [
  // Debian's chromium-headless-shell: the binary itself (its /usr/bin script keeps a shell in between).
  "/usr/lib/chromium/chromium-headless-shell",
  "/usr/bin/chromium-headless-shell",
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
];

const LAUNCH_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Chromium to launch: `env.CHROMIUM_PATH` when set (null if it is not executable, rather than
 * silently using another binary), else the first executable of CHROMIUM_PATHS, else null.
 */
export function findChromium(env: Readonly<Record<string, string | undefined>>): string | null {
  const override = env.CHROMIUM_PATH;
  if (override !== undefined && override !== "") return isExecutable(override) ? override : null;
  return CHROMIUM_PATHS.find(isExecutable) ?? null;
}

/** Launches headless Chromium, optionally behind a forward proxy that also covers loopback targets. */
export async function launchChromium(executablePath: string, proxyUrl: string | null): Promise<Browser> {
  const args = [...LAUNCH_ARGS];
  if (proxyUrl !== null) {
    // Chromium bypasses proxies for loopback unless told otherwise; the mock origin is loopback.
    args.push(`--proxy-server=${proxyUrl}`, "--proxy-bypass-list=<-loopback>");
  }
  return chromium.launch({
    executablePath,
    args,
    headless: true,
    timeout: 60_000,
    // main.ts owns the shutdown order; Playwright must not kill the browser on signals by itself.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
}

/** The browser's main process id via CDP (Playwright exposes no process for a launched browser). */
export async function readBrowserPid(browser: Browser): Promise<number | null> {
  try {
    const cdp = await browser.newBrowserCDPSession();
    const info = await cdp.send("SystemInfo.getProcessInfo");
    await cdp.detach();
    return info.processInfo.find((p) => p.type === "browser")?.id ?? null;
  } catch {
    return null;
  }
}
