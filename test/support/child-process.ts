/**
 * Supervision of long-running test child processes: collects a child's pino JSON log lines, waits
 * for a given line or for the exit, stops it with SIGTERM under a bound (failing the test when the
 * bound is missed) and SIGKILLs its whole process group at cleanup. Also `waitFor`, the polling
 * helper with a deadline that the service tests use instead of fixed sleeps.
 */
import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";

/** One pino JSON line of a child (`msg`, `level` and the structured fields). */
export type LogLine = Readonly<Record<string, unknown>> & { readonly msg?: string };

/** How a child ended. */
export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running `wechat-feed` child process. */
export interface ServiceChild {
  readonly name: string;
  readonly pid: number;
  /** The JSON log lines printed so far. */
  readonly logs: readonly LogLine[];
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitInfo>;
  hasExited(): boolean;
  /** The last few KB of raw output (stdout and stderr), for failure messages. */
  tail(): string;
  /** Resolves with the first log line matching `match` (already printed or to come). */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs: number, what?: string): Promise<LogLine>;
  /** SIGTERM, then throws unless the process exits within `boundMs` (it is SIGKILLed then). */
  stop(boundMs: number): Promise<ExitInfo & { readonly durationMs: number }>;
  /** Sends `signal` to the process itself (not its group). */
  kill(signal: NodeJS.Signals): void;
}

/** Polls `probe` until it returns a truthy value (returned), or throws naming `what` after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  options: { readonly timeoutMs: number; readonly intervalMs?: number; readonly what: string },
): Promise<NonNullable<T>> {
  const deadline = Date.now() + options.timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(
        `timed out after ${options.timeoutMs} ms waiting for ${options.what} (last: ${detail})`,
      );
    }
    await sleep(options.intervalMs ?? 100);
  }
}

function parseLine(line: string): LogLine | null {
  if (!line.startsWith("{")) return null;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null ? (value as LogLine) : null;
  } catch {
    return null;
  }
}

/** Wraps a spawned child (stdout piped) into a ServiceChild. */
export function superviseChild(name: string, proc: ChildProcess): ServiceChild {
  const logs: LogLine[] = [];
  const waiters = new Set<{ match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }>();
  let raw = "";
  const keep = (text: string) => {
    raw = (raw + text).slice(-8000);
  };
  let exitInfo: ExitInfo | null = null;
  const exited = new Promise<ExitInfo>((resolveExit) => {
    proc.on("exit", (code, signal) => {
      exitInfo = { code, signal };
      resolveExit(exitInfo);
    });
  });
  if (proc.stdout !== null) {
    createInterface({ input: proc.stdout }).on("line", (line) => {
      keep(`${line}\n`);
      const parsed = parseLine(line);
      if (parsed === null) return;
      logs.push(parsed);
      for (const waiter of waiters) {
        if (waiter.match(parsed)) {
          waiters.delete(waiter);
          waiter.resolve(parsed);
        }
      }
    });
  }
  proc.stderr?.on("data", (chunk: Buffer) => keep(chunk.toString("utf8")));
  const pid = proc.pid ?? -1;

  return {
    name,
    pid,
    logs,
    exited,
    hasExited: () => exitInfo !== null,
    tail: () => raw,
    async waitForLog(match, timeoutMs, what = "a log line") {
      const found = logs.find(match);
      if (found !== undefined) return found;
      let waiter: { match: typeof match; resolve: (line: LogLine) => void } | undefined;
      const arrived = new Promise<LogLine>((resolveLine) => {
        waiter = { match, resolve: resolveLine };
        waiters.add(waiter);
      });
      const timer = sleep(timeoutMs, "timeout" as const, { ref: false });
      const ended = exited.then(() => "exited" as const);
      const outcome = await Promise.race([arrived, timer, ended]);
      if (waiter !== undefined) waiters.delete(waiter);
      if (typeof outcome === "string") {
        // A line may have arrived in the same tick as the exit.
        const late = logs.find(match);
        if (late !== undefined) return late;
        throw new Error(`${name}: ${outcome} before ${what} (pid ${pid}); output:\n${raw}`);
      }
      return outcome;
    },
    async stop(boundMs) {
      const started = Date.now();
      if (exitInfo === null) proc.kill("SIGTERM");
      const outcome = await Promise.race([exited, sleep(boundMs, null, { ref: false })]);
      if (outcome === null) {
        killGroup(pid);
        await exited;
        throw new Error(`${name}: did not exit within ${boundMs} ms of SIGTERM; output:\n${raw}`);
      }
      return { ...outcome, durationMs: Date.now() - started };
    },
    kill(signal) {
      if (exitInfo === null) proc.kill(signal);
    },
  };
}

/** SIGKILLs a child's whole process group (the child and e.g. its Chromium); ignores a gone group. */
export function killGroup(pid: number): void {
  if (pid <= 0) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // The group is already gone.
  }
}
