/**
 * Throttles clients that keep failing API authentication. A client (its socket's remote address) that
 * fails `maxFailures` times within `windowMs` is answered 429 with Retry-After until that window ends,
 * right tokens included, so guessing the token costs a window per `maxFailures` tries instead of
 * thousands of tries a second. Forwarded-for headers are not trusted (any client can set them); behind a
 * reverse proxy every client shares the proxy's address, which the README's Security section notes.
 * Memory is bounded: at most `maxClients` addresses are tracked, the oldest windows dropped first.
 */

/** Limits of the throttle. */
export interface AuthThrottleSettings {
  /** Failures within one window that block the client. Default 10. */
  readonly maxFailures?: number;
  /** Window length in ms, counted from the client's first failure. Default 60000. */
  readonly windowMs?: number;
  /** Addresses tracked at once. Default 10000. */
  readonly maxClients?: number;
  now(): number;
}

/** The throttle's two operations. */
export interface AuthThrottle {
  /** Seconds the client must wait before trying again, or null when it may try now. */
  retryAfterSeconds(client: string): number | null;
  /** Counts one failed authentication; returns true when this failure blocked the client. */
  recordFailure(client: string): boolean;
}

interface Window {
  readonly start: number;
  failures: number;
}

/** Creates an in-memory failure throttle (per server process). */
export function createAuthThrottle(settings: AuthThrottleSettings): AuthThrottle {
  const maxFailures = settings.maxFailures ?? 10;
  const windowMs = settings.windowMs ?? 60_000;
  const maxClients = settings.maxClients ?? 10_000;
  // A Map iterates in insertion order, and a window is (re)inserted when it starts: oldest first.
  const windows = new Map<string, Window>();

  const current = (client: string): Window | undefined => {
    const window = windows.get(client);
    if (window !== undefined && settings.now() - window.start >= windowMs) {
      windows.delete(client);
      return undefined;
    }
    return window;
  };

  return {
    retryAfterSeconds(client) {
      const window = current(client);
      if (window === undefined || window.failures < maxFailures) return null;
      return Math.max(1, Math.ceil((window.start + windowMs - settings.now()) / 1000));
    },
    recordFailure(client) {
      const window = current(client);
      if (window !== undefined) {
        window.failures += 1;
        return window.failures === maxFailures;
      }
      if (windows.size >= maxClients) {
        const oldest = windows.keys().next();
        if (oldest.done !== true) windows.delete(oldest.value);
      }
      windows.set(client, { start: settings.now(), failures: 1 });
      return maxFailures === 1;
    },
  };
}
