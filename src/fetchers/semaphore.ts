/**
 * A counting semaphore for the browser pool: at most `limit` pages open at once, later callers queue in
 * arrival order, and a queued caller whose signal aborts leaves the queue with the usual abort error.
 */

import { toAbortError } from "./http.ts";

/** A counting semaphore whose waiters give up when their signal aborts. */
export function createSemaphore(limit: number): { acquire(signal?: AbortSignal): Promise<() => void> } {
  let active = 0;
  const waiters: Array<() => void> = [];
  const release = (): void => {
    const next = waiters.shift();
    if (next === undefined) active -= 1;
    else next();
  };
  return {
    acquire(signal) {
      if (active < limit) {
        active += 1;
        return Promise.resolve(release);
      }
      return new Promise((resolve, reject) => {
        const wake = (): void => {
          signal?.removeEventListener("abort", onAbort);
          resolve(release);
        };
        const onAbort = (): void => {
          waiters.splice(waiters.indexOf(wake), 1);
          reject(toAbortError(signal?.reason, "browser"));
        };
        waiters.push(wake);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
  };
}
