/**
 * Times for people: Beijing wall-clock time with the zone shown (`2026-12-05 16:04:05 (UTC+8)`; WeChat's
 * readers and the digest's day live in that zone), and durations as the two largest units (`3d 4h`).
 * Pure.
 */

const BEIJING_OFFSET_MS = 8 * 3_600_000;

/** `ms` since the epoch as `YYYY-MM-DD HH:MM:SS (UTC+8)`. */
export function formatBeijingTime(ms: number): string {
  const iso = new Date(ms + BEIJING_OFFSET_MS).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} (UTC+8)`;
}

/** A duration as its two largest units: `2d 3h`, `5h 12m`, `4m 2s`, `7s`. */
export function formatDuration(ms: number): string {
  const units: readonly [string, number][] = [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
  ];
  const parts: string[] = [];
  let rest = Math.max(0, Math.round(ms));
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || parts.length > 0) parts.push(`${n}${name}`);
    if (parts.length === 2) break;
  }
  const shown = parts.filter((p) => !p.startsWith("0"));
  return shown.length === 0 ? "0s" : shown.join(" ");
}
