/**
 * Which digests exist at a given instant, and the stored-at window of each. The digest of day D is the
 * one the daily cron (config `digest.schedule`, default `0 8 * * *`, in `digest.timezone`, default
 * Asia/Shanghai) builds on D: the 24 hours before D's run time. So at 09:00 on D the latest digest is D,
 * at 07:00 it is D-1. The server computes these itself from the article store so `/digest`, `/digests/<day>`
 * and `/digest.xml` need no extra state; the digest job can use the same functions so both agree.
 * Pure: the clock comes in as an argument. Only the `M H * * *` cron form gives a daily time; any other
 * schedule falls back to 08:00 (the job itself still runs on the real schedule).
 */

import type { DigestWindow } from "./digest.ts";

/** The local time of day the digest runs. */
export interface DigestTime {
  readonly hour: number;
  readonly minute: number;
}

const DAY_MS = 86_400_000;
const DEFAULT_TIME: DigestTime = { hour: 8, minute: 0 };
const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The daily run time of a `M H * * *` (or `S M H * * *`) cron expression; 08:00 for anything else. */
export function toDigestTime(schedule: string): DigestTime {
  const fields = schedule.trim().split(/\s+/);
  const [minute, hour, ...rest] = fields.length === 6 ? fields.slice(1) : fields;
  const daily = rest.length === 3 && rest.every((field) => field === "*");
  if (!daily || !/^\d{1,2}$/.test(minute ?? "") || !/^\d{1,2}$/.test(hour ?? "")) return DEFAULT_TIME;
  const [h, m] = [Number(hour), Number(minute)];
  return h <= 23 && m <= 59 ? { hour: h, minute: m } : DEFAULT_TIME;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock fields of `instant` in `timeZone`. */
function wallClock(instant: number, timeZone: string): number[] {
  let format = formatters.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return ["year", "month", "day", "hour", "minute", "second"].map((name) => Number(parts[name]));
}

/** The offset (ms) of `timeZone` from UTC at `instant`. */
function zoneOffset(instant: number, timeZone: string): number {
  const [y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0] = wallClock(instant, timeZone);
  return Date.UTC(y, mo - 1, d, h, mi, s) - Math.floor(instant / 1000) * 1000;
}

/** The instant at which the wall clock of `timeZone` shows `day` `time`. */
function zonedInstant(day: string, time: DigestTime, timeZone: string): number {
  const m = DAY_PATTERN.exec(day);
  if (m === null) throw new RangeError(`digest-windows: invalid day: ${day}`);
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), time.hour, time.minute);
  // Two passes settle the offset on either side of a DST change.
  const first = wall - zoneOffset(wall, timeZone);
  return wall - zoneOffset(first, timeZone);
}

/** True when `day` is a real calendar day written `YYYY-MM-DD`. */
export function isDay(day: string): boolean {
  const m = DAY_PATTERN.exec(day);
  if (m === null) return false;
  const t = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return t.toISOString().slice(0, 10) === day;
}

/** The calendar day `n` days after `day` (negative `n` goes back). */
export function addDays(day: string, n: number): string {
  const m = DAY_PATTERN.exec(day);
  if (m === null) throw new RangeError(`digest-windows: invalid day: ${day}`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + n * DAY_MS)
    .toISOString()
    .slice(0, 10);
}

/** The window of the digest of `day`: the 24 h before that day's run time. */
export function toDigestWindow(day: string, time: DigestTime, timeZone: string): DigestWindow {
  const to = zonedInstant(day, time, timeZone);
  return { day, from: new Date(to - DAY_MS), to: new Date(to) };
}

/** The day of the newest digest whose run time is at or before `now`. */
export function latestDigestDay(now: Date, time: DigestTime, timeZone: string): string {
  const [y = 0, mo = 1, d = 1] = wallClock(now.getTime(), timeZone);
  const today = new Date(Date.UTC(y, mo - 1, d)).toISOString().slice(0, 10);
  return zonedInstant(today, time, timeZone) <= now.getTime() ? today : addDays(today, -1);
}
