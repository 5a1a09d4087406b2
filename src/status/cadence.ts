/**
 * A source's usual cadence and whether it has gone silent, from the publish times of its newest
 * articles. Pure: the times and the clock come in as arguments. The usual interval is the median gap
 * between consecutive articles (robust to one burst or one long holiday), floored at the poll
 * interval, since a source cannot look more active than it is polled.
 */

/** Fewest articles before a cadence is claimed (two gaps). */
const MIN_ARTICLES = 3;

/** The median gap (ms) between the given times (any order), or null with fewer than three. */
export function buildUsualInterval(times: readonly number[]): number | null {
  if (times.length < MIN_ARTICLES) return null;
  const sorted = [...times].sort((a, b) => b - a);
  const gaps = sorted.slice(1).map((t, i) => (sorted[i] ?? t) - t);
  gaps.sort((a, b) => a - b);
  const mid = Math.floor(gaps.length / 2);
  const median = gaps.length % 2 === 1 ? (gaps[mid] ?? 0) : ((gaps[mid - 1] ?? 0) + (gaps[mid] ?? 0)) / 2;
  return Math.round(median);
}

/** How quiet a source is: time since its last article, its usual interval and the verdict. */
export interface Silence {
  /** Ms since the newest article, null when it has none. */
  readonly silentForMs: number | null;
  /** Median gap between its articles (at least the poll interval), null when unknown. */
  readonly usualIntervalMs: number | null;
  /** True when silent for more than `factor` usual intervals. */
  readonly silent: boolean;
}

/** Judges silence: quiet for longer than `factor` × the usual interval. */
export function buildSilence(
  times: readonly number[],
  pollIntervalMs: number | null,
  factor: number,
  now: number,
): Silence {
  const newest = times.length === 0 ? null : Math.max(...times);
  const silentForMs = newest === null ? null : Math.max(0, now - newest);
  const median = buildUsualInterval(times);
  const usualIntervalMs = median === null ? null : Math.max(median, pollIntervalMs ?? 0);
  const silent = silentForMs !== null && usualIntervalMs !== null && silentForMs > factor * usualIntervalMs;
  return { silentForMs, usualIntervalMs, silent };
}
