/**
 * The Chromium check of `wechat-feed start`: when this process runs workers whose fetcher may need the
 * browser (`browser`, or `auto` which falls back to it), find the configured or usual Chromium, or
 * build one line saying how to get it. Not fatal: the server and the http fetcher work without a
 * browser, and only browser fetches fail (each with FETCH_BROWSER_CRASH) until Chromium is installed.
 */
import type { Config } from "../config/schema.ts";
import { CHROMIUM_PATHS, findChromium } from "../fetchers/chromium.ts";
import type { Role } from "../main.ts";
import { isBrowserNeeded } from "../ops/service-ops.ts";

export { isBrowserNeeded };

/** The warning line when the browser is needed and no Chromium is found, else null. */
export function checkChromium(config: Config, roles: ReadonlySet<Role>): string | null {
  if (!isBrowserNeeded(config, roles)) return null;
  const configured = config.browser.executablePath;
  if (findChromium({ CHROMIUM_PATH: configured }) !== null) return null;
  const where =
    configured === undefined
      ? `not found (looked at ${CHROMIUM_PATHS.join(", ")})`
      : `${configured} (browser.executablePath or CHROMIUM_PATH) is not an executable`;
  return (
    `chromium: ${where}; browser fetches will fail until you install it ` +
    `(apt-get install chromium-headless-shell), set CHROMIUM_PATH, or use fetch.fetcher: http`
  );
}
