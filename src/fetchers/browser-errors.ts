/**
 * Turns a Playwright failure into the fetchers' coded errors. Playwright reports most failures as plain
 * Errors whose message carries Chromium's `net::ERR_*` code, so the code is read from the message here,
 * once, together with what the fetch itself observed (its deadline fired, a size cap tripped, the
 * caller aborted, the last navigation went to a refused host).
 */

import { errors } from "playwright";
import { AppError, FetchError, InvalidUrlError } from "../errors.ts";
import { toAbortError } from "./http.ts";

/** What one browser fetch observed before it failed. */
export interface BrowserFetchState {
  /** URL of the last main-frame navigation request (a redirect hop included). */
  readonly navUrl: string;
  readonly timedOut: boolean;
  readonly tooLarge: boolean;
}

/** Maps a failure of one browser fetch onto a coded error; AppErrors pass through unchanged. */
export function toBrowserError(
  error: unknown,
  state: BrowserFetchState,
  context: {
    readonly signal?: AbortSignal | undefined;
    readonly timeoutMs: number;
    readonly checkHop?: ((url: URL) => void) | undefined;
  },
): AppError {
  if (error instanceof AppError) return error;
  if (context.signal?.aborted === true) return toAbortError(context.signal.reason, "browser", error);
  if (state.tooLarge) return new FetchError("FETCH_TOO_LARGE", "browser: body too large", {}, error);
  if (state.timedOut || error instanceof errors.TimeoutError) {
    const { timeoutMs } = context;
    return new FetchError("FETCH_TIMEOUT", `browser: timeout after ${timeoutMs} ms`, { timeoutMs }, error);
  }
  // A refused hop surfaces as net::ERR_BLOCKED_BY_CLIENT or ERR_TUNNEL_CONNECTION_FAILED: name the host.
  if (context.checkHop !== undefined) {
    try {
      context.checkHop(new URL(state.navUrl));
    } catch (denied) {
      if (denied instanceof InvalidUrlError) return denied;
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  const netError = /net::(ERR_[A-Z_]+)/.exec(message)?.[1];
  if (netError === "ERR_TOO_MANY_REDIRECTS") {
    return new FetchError(
      "FETCH_REDIRECT_LOOP",
      "browser: too many redirects",
      { errorCode: netError },
      error,
    );
  }
  if (netError !== undefined) {
    return new FetchError(
      "FETCH_NETWORK",
      `browser: network error (${netError})`,
      { errorCode: netError },
      error,
    );
  }
  // Closed target, crashed renderer, disconnected or unlaunchable browser.
  return new FetchError("FETCH_BROWSER_CRASH", "browser: page or browser failed", {}, error);
}
