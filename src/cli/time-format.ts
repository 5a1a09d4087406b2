/**
 * The one way the command line shows a point in time to a person: Beijing wall-clock time with the
 * zone written out, e.g. `2026-12-05 16:00 (UTC+8)`. Beijing because the digest day, the default
 * schedules and WeChat's own dates all are; China has no daylight saving, so the offset is fixed.
 * JSON output keeps ISO 8601 (UTC) for programs.
 */

const BEIJING_OFFSET_MS = 8 * 3_600_000;

/** The zone suffix every human-readable time carries. */
export const CLI_TIME_ZONE_LABEL = "(UTC+8)";

/** Formats `at` as `YYYY-MM-DD HH:mm (UTC+8)`; seconds are shown only when they are not zero. */
export function formatCliTime(at: Date | number): string {
  const iso = new Date(new Date(at).getTime() + BEIJING_OFFSET_MS).toISOString();
  const seconds = iso.slice(17, 19);
  const clock = seconds === "00" ? iso.slice(11, 16) : iso.slice(11, 19);
  return `${iso.slice(0, 10)} ${clock} ${CLI_TIME_ZONE_LABEL}`;
}
