/**
 * Time conversions for WeChat pages and documents (see ../shared/docs/wechat-pages.md section 7).
 * WeChat's `ct` is zone-free Unix seconds, its wall-clock strings are Beijing time, and the document
 * `date` is the Asia/Shanghai calendar day. Shanghai is UTC+8 with no DST since 1991, so conversions
 * are plain arithmetic rather than Intl (faster, and independent of the host's ICU data). Pure: every
 * instant comes in as an argument.
 */

const HOUR_MS = 3_600_000;
const BEIJING_OFFSET_MS = 8 * HOUR_MS;
/** Instants outside [2000-01-01, 2100-01-01) UTC are treated as garbage (e.g. ms mistaken for seconds). */
const MIN_MS = Date.UTC(2000, 0, 1);
const MAX_MS = Date.UTC(2100, 0, 1);
const WALL_CLOCK_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

function plausible(ms: number): Date | null {
  return Number.isFinite(ms) && ms >= MIN_MS && ms < MAX_MS ? new Date(ms) : null;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function assertValid(instant: Date): void {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime()))
    throw new RangeError("time: invalid Date");
}

/** Converts Unix seconds (`ct`, `create_time`) to a Date; null for non-numeric, zero, negative or absurd values. */
export function fromUnixSeconds(value: string | number): Date | null {
  let seconds: number;
  if (typeof value === "number") {
    seconds = value;
  } else {
    const text = value.trim();
    // Digits only: no signs, exponents, hex or empty strings, which Number() would all accept.
    if (!/^[0-9]{1,12}(?:\.[0-9]{1,6})?$/.test(text)) return null;
    seconds = Number(text);
  }
  if (!Number.isFinite(seconds) || seconds <= 0) return null;
  return plausible(Math.round(seconds * 1000));
}

/** Parses Beijing wall-clock `YYYY-MM-DD`, `YYYY-MM-DD HH:mm` or `YYYY-MM-DD HH:mm:ss` as +08:00; null otherwise. */
export function fromBeijingWallClock(text: string): Date | null {
  const m = WALL_CLOCK_RE.exec(text.trim());
  if (m === null) return null;
  const [year = 0, month = 0, day = 0, h = 0, min = 0, s = 0] = m.slice(1).map((part) => Number(part ?? 0));
  if (month < 1 || month > 12 || day < 1 || h > 23 || min > 59 || s > 59) return null;
  const wall = Date.UTC(year, month - 1, day, h, min, s);
  // Date.UTC rolls 2023-02-30 over to March; a rolled-over date is an invalid input.
  if (new Date(wall).getUTCDate() !== day) return null;
  return plausible(wall - BEIJING_OFFSET_MS);
}

/** The Asia/Shanghai calendar date `YYYY-MM-DD` of an instant (the document `date`). */
export function beijingDate(instant: Date): string {
  assertValid(instant);
  const shifted = new Date(instant.getTime() + BEIJING_OFFSET_MS);
  return `${pad(shifted.getUTCFullYear(), 4)}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())}`;
}

/** The document `fetch_date`: `YYYY-MM-DDTHH:MM:SS.ffffff` in UTC, six fractional digits, no offset. */
export function formatFetchDate(instant: Date): string {
  assertValid(instant);
  // JS Dates hold milliseconds, so the last three of the six digits are always zero.
  return `${instant.toISOString().slice(0, 23)}000`;
}

/** `YYYY-MM-DDTHH:MM:SSZ` in UTC, milliseconds truncated (the `publishedAt` shape of expected.json). */
export function toIsoSeconds(instant: Date): string {
  assertValid(instant);
  return `${instant.toISOString().slice(0, 19)}Z`;
}
