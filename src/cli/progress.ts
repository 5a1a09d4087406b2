/**
 * A tiny progress bar for long CLI commands (`import`, `reindex`), drawn on stderr and only when stderr
 * is a terminal: piped output and logs stay clean, and stdout keeps only the report. Redraws are
 * throttled so thousands of updates cost nothing.
 */

/** A progress bar; `update` redraws (throttled), `done` erases it. */
export interface ProgressBar {
  update(label: string, done: number, total: number): void;
  done(): void;
}

const WIDTH = 30;
const MIN_REDRAW_MS = 80;

/** True when `stream` is a terminal (a TTY write stream). */
export function isTerminal(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: unknown }).isTTY === true;
}

/** Creates a bar on `stream`; a no-op bar when the stream is not a terminal. */
export function createProgressBar(stream: NodeJS.WritableStream, now: () => number = Date.now): ProgressBar {
  if (!isTerminal(stream)) return { update() {}, done() {} };
  let last = 0;
  let drawn = false;
  return {
    update(label, done, total) {
      const t = now();
      if (done < total && t - last < MIN_REDRAW_MS) return;
      last = t;
      const ratio = total > 0 ? Math.min(1, done / total) : 1;
      const filled = Math.round(ratio * WIDTH);
      const bar = `${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}`;
      stream.write(`\r\x1b[K${label} [${bar}] ${done}/${total} ${Math.round(ratio * 100)}%`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write("\r\x1b[K");
      drawn = false;
    },
  };
}
