/**
 * Times for people, the one way every command and page shows them: Beijing wall-clock time with the
 * zone written out (`2026-12-05 16:04:05 (UTC+8)`; the digest day, the default schedules and WeChat's
 * own dates are all Beijing's, and China has no daylight saving, so the offset is fixed), and durations
 * as the two largest units (`3d 4h`). JSON output keeps ISO 8601 (UTC) for programs. Pure.
 */

const BEIJING_OFFSET_MS = 8 * 3_600_000;

/** The zone suffix every human-readable time carries. */
export const TIME_ZONE_LABEL = "(UTC+8)";

/** `at` as `YYYY-MM-DD HH:MM:SS (UTC+8)`; the seconds are left out when they are zero. */
export function formatBeijingTime(at: Date | number): string {
  const iso = new Date(new Date(at).getTime() + BEIJING_OFFSET_MS).toISOString();
  const clock = iso.slice(17, 19) === "00" ? iso.slice(11, 16) : iso.slice(11, 19);
  return `${iso.slice(0, 10)} ${clock} ${TIME_ZONE_LABEL}`;
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
