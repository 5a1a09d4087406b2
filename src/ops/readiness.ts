/**
 * Readiness: named checks, each an injected async function that throws (or times out) when its part is
 * not usable, run together with a bound so a hung dependency reads as "not ready" instead of hanging the
 * probe. The composition root picks the checks a role needs (Redis always; the archive directory where
 * something writes it; the browser where a browser fetcher is configured; the scheduler's tasks where it
 * runs). Also the standard checks themselves, small and free of any HTTP concern.
 */
import { constants } from "node:fs";
import { access, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** One check: resolves when ready, throws with a one-line reason when not. */
export type ReadinessCheck = () => Promise<void>;

/** The outcome of one check. */
export interface CheckResult {
  readonly ok: boolean;
  readonly durationMs: number;
  readonly error?: string;
}

/** The readiness report: ready when every check passed. */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, CheckResult>>;
}

const CHECK_TIMEOUT_MS = 3000;

/** Runs `check`, turning a throw or a timeout into a failed result. */
async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check(), timeout]);
    return { ok: true, durationMs: Math.round(performance.now() - started) };
  } catch (err) {
    const error = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, " ").slice(0, 300);
    return { ok: false, durationMs: Math.round(performance.now() - started), error };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check at once and reports them by name. */
export async function readReadiness(
  checks: Readonly<Record<string, ReadinessCheck>>,
  timeoutMs = CHECK_TIMEOUT_MS,
): Promise<ReadinessReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => [name, await runCheck(check, timeoutMs)] as const),
  );
  return { ready: entries.every(([, result]) => result.ok), checks: Object.fromEntries(entries) };
}

/** Redis answers PING. */
export function checkRedis(redis: { ping(): Promise<string> }): ReadinessCheck {
  return async () => {
    await redis.ping();
  };
}

/** `dir` exists (or can be made) and takes a new file: the archive's directory is writable. */
export function checkWritableDir(dir: string): ReadinessCheck {
  return async () => {
    await mkdir(dir, { recursive: true });
    const probe = join(dir, `.ready-${process.pid}`);
    await writeFile(probe, "");
    await rm(probe, { force: true });
  };
}

/**
 * The browser can be launched: its binary is an executable (`findExecutable` answers its path, null
 * when none is found) and it has not crashed `maxCrashes` times in a row since its last good page.
 */
export function checkBrowser(
  findExecutable: () => string | null,
  readCrashStreak: () => number,
  maxCrashes: number,
): ReadinessCheck {
  return async () => {
    const path = findExecutable();
    if (path === null) throw new Error("chromium: no executable found");
    await access(path, constants.X_OK);
    const streak = readCrashStreak();
    if (streak >= maxCrashes) throw new Error(`chromium: ${streak} browser failures in a row`);
  };
}

/** The scheduler's tasks are running (`isTicking` comes from the scheduler). */
export function checkScheduler(isTicking: () => boolean): ReadinessCheck {
  return async () => {
    if (!isTicking()) throw new Error("scheduler: tasks are not running");
  };
}
