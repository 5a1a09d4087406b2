/**
 * Turns low-level failures (ioredis connection errors, fs errors) into coded StoreErrors, so callers and
 * `jobs/retry-policy.ts` branch on `STORE_UNAVAILABLE` / `STORE_WRITE` and never on a driver's messages.
 */

import { AppError, StoreError } from "../errors.ts";

/** A one-line description of any thrown value (its code when it has one, else its message). */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    // Node's system errors already start with their code ("EROFS: read-only file system, ...").
    const coded = typeof code === "string" && code !== "" && !err.message.startsWith(code);
    const text = coded ? `${code} ${err.message}` : err.message;
    return text.replace(/\s+/g, " ").trim().slice(0, 300);
  }
  return String(err).replace(/\s+/g, " ").slice(0, 300);
}

/** Runs a Redis operation; an AppError passes through, anything else becomes STORE_UNAVAILABLE. */
export async function guardRedis<T>(op: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new StoreError("STORE_UNAVAILABLE", `store: ${op} failed: ${describeError(err)}`, { op }, err);
  }
}
