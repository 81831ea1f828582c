/**
 * Statutory date arithmetic on calendar dates.
 *
 * A CalendarDate is an ISO 'YYYY-MM-DD' string with no time and no time zone. All arithmetic is
 * integer arithmetic on days since 1970-01-01 computed with Date.UTC, never local time, so the
 * results cannot depend on the server's TZ or on British Summer Time.
 *
 * DOMAIN rule: weeks are calendar weeks from the start event's date; months are calendar months,
 * a day that does not exist in the target month falling back to that month's last day
 * (29 February + 12 months = 28 February). A deadline met on its due date is on time; it is
 * overdue from the next day.
 */

/** An ISO calendar date 'YYYY-MM-DD' (validated by isCalendarDate / parseCalendarDate). */
export type CalendarDate = string;

/** Supported years: wide enough for any case record, narrow enough to reject typos like 0202. */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2999;

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/; // no /m flag: '$' is the end of input, so no trailing newline slips through

/** Epoch days of the first and last supported dates (1900-01-01 and 2999-12-31). */
const MIN_EPOCH_DAY = Date.UTC(MIN_YEAR, 0, 1) / MS_PER_DAY;
const MAX_EPOCH_DAY = Date.UTC(MAX_YEAR, 11, 31) / MS_PER_DAY;

interface DateParts {
  year: number;
  month: number; // 1..12
  day: number; // 1..31
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function format({ year, month, day }: DateParts): CalendarDate {
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** Parses without throwing; null when the value is not a strict, real, in-range date. */
function tryParts(value: unknown): DateParts | null {
  if (typeof value !== 'string') return null;
  const match = ISO_DATE.exec(value);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < MIN_YEAR || year > MAX_YEAR) return null;
  if (month < 1 || month > 12) return null;
  if (day < 1 || day > daysInMonth(year, month)) return null; // rejects 2025-02-30, 2023-02-29, 2024-04-31
  return { year, month, day };
}

/** A printable form of any value for error messages (JSON.stringify throws on BigInt, String on null-prototype objects). */
function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return `${typeof value} ${String(value)}`;
  } catch {
    return typeof value;
  }
}

function parts(d: CalendarDate): DateParts {
  const p = tryParts(d);
  if (!p) throw new RangeError(`Invalid calendar date ${show(d)}: expected a real date in YYYY-MM-DD format (years ${MIN_YEAR}-${MAX_YEAR})`);
  return p;
}

function assertInteger(n: number, name: string): void {
  if (!Number.isSafeInteger(n)) throw new RangeError(`${name} must be an integer, got ${String(n)}`);
}

/** True for a strict 'YYYY-MM-DD' string naming a real date in years 1900..2999. */
export function isCalendarDate(value: unknown): value is CalendarDate {
  return tryParts(value) !== null;
}

/** Returns the value as a CalendarDate; throws RangeError if it is not a strict, real date. */
export function parseCalendarDate(value: unknown): CalendarDate {
  parts(value as CalendarDate);
  return value as CalendarDate;
}

/** Days since 1970-01-01 (negative before it). */
export function toEpochDay(d: CalendarDate): number {
  const { year, month, day } = parts(d);
  return Date.UTC(year, month - 1, day) / MS_PER_DAY; // UTC midnight is an exact multiple of a day: no DST, no rounding
}

/** The calendar date that is n days after 1970-01-01; throws RangeError outside 1900..2999. */
export function fromEpochDay(n: number): CalendarDate {
  assertInteger(n, 'Epoch day');
  if (n < MIN_EPOCH_DAY || n > MAX_EPOCH_DAY) {
    throw new RangeError(`Epoch day ${n} is outside the supported years ${MIN_YEAR}-${MAX_YEAR}`);
  }
  const utc = new Date(n * MS_PER_DAY);
  return format({ year: utc.getUTCFullYear(), month: utc.getUTCMonth() + 1, day: utc.getUTCDate() });
}

/** d plus n days (n may be negative). */
export function addDays(d: CalendarDate, n: number): CalendarDate {
  assertInteger(n, 'Days');
  return fromEpochDay(toEpochDay(d) + n);
}

/** d plus n calendar weeks: exactly 7n days from the start event's date, whatever the clocks do. */
export function addWeeks(d: CalendarDate, n: number): CalendarDate {
  assertInteger(n, 'Weeks');
  return addDays(d, 7 * n);
}

/**
 * d plus n calendar months (n may be negative). A day that does not exist in the target month
 * falls back to that month's last day: 2025-01-31 + 1 month = 2025-02-28.
 * Always compute from the original start date: month additions do not chain (31 Jan + 1 + 1 = 28 Mar, + 2 = 31 Mar).
 */
export function addMonths(d: CalendarDate, n: number): CalendarDate {
  assertInteger(n, 'Months');
  const { year, month, day } = parts(d);
  const total = year * 12 + (month - 1) + n; // months since year 0, so year/month carry is a plain div/mod
  const targetYear = Math.floor(total / 12);
  const targetMonth = total - targetYear * 12 + 1;
  if (targetYear < MIN_YEAR || targetYear > MAX_YEAR) {
    throw new RangeError(`${d} + ${n} months is outside the supported years ${MIN_YEAR}-${MAX_YEAR}`);
  }
  return format({ year: targetYear, month: targetMonth, day: Math.min(day, daysInMonth(targetYear, targetMonth)) });
}

/** d plus n years, as 12n calendar months (so 29 February + 1 year = 28 February). */
export function addYears(d: CalendarDate, n: number): CalendarDate {
  assertInteger(n, 'Years');
  return addMonths(d, 12 * n);
}

/** Signed number of days from `from` to `to` (to - from): positive when `to` is later. */
export function daysBetween(from: CalendarDate, to: CalendarDate): number {
  return toEpochDay(to) - toEpochDay(from);
}

/**
 * -1 if a is before b, 0 if the same date, 1 if after. A deadline is met when
 * compareDates(doneOn, due) <= 0: on the due date is on time, overdue from the next day.
 */
export function compareDates(a: CalendarDate, b: CalendarDate): -1 | 0 | 1 {
  const diff = toEpochDay(a) - toEpochDay(b);
  return diff < 0 ? -1 : diff > 0 ? 1 : 0;
}

/** The latest of one or more dates. */
export function maxDate(first: CalendarDate, ...rest: CalendarDate[]): CalendarDate {
  return rest.reduce((best, d) => (compareDates(d, best) > 0 ? d : best), parseCalendarDate(first));
}

/** The earliest of one or more dates. */
export function minDate(first: CalendarDate, ...rest: CalendarDate[]): CalendarDate {
  return rest.reduce((best, d) => (compareDates(d, best) < 0 ? d : best), parseCalendarDate(first));
}

// One formatter, reused: constructing Intl.DateTimeFormat is comparatively expensive.
const LONDON_DATE = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/**
 * The Europe/London calendar date of an instant: statutory days run on English local time, so
 * 23:30 UTC during BST is already the next day. Uses the IANA zone rules, not the server's TZ.
 */
export function todayInLondon(now: Date = new Date()): CalendarDate {
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
    throw new RangeError(`todayInLondon needs a valid Date, got ${String(now)}`);
  }
  // Europe/London's offsets are whole hours and change on the hour, so every instant of one UTC
  // minute has the same London date: one Intl call per minute, not one per request.
  const minute = Math.floor(now.getTime() / MINUTE_MS);
  if (minute !== lastLondonMinute) {
    lastLondonDate = londonDateOf(now);
    lastLondonMinute = minute;
  }
  return lastLondonDate;
}

const MINUTE_MS = 60_000;
let lastLondonMinute = Number.NaN;
let lastLondonDate: CalendarDate = '1970-01-01';

function londonDateOf(now: Date): CalendarDate {
  // formatToParts rather than format(): the part order and separators of 'en-GB' are not a contract.
  const byType = Object.fromEntries(LONDON_DATE.formatToParts(now).map((p) => [p.type, p.value]));
  return parseCalendarDate(format({ year: Number(byType.year), month: Number(byType.month), day: Number(byType.day) }));
}

/** The start of the English academic year containing d: the 1 September on or before d. */
export function academicYearStart(d: CalendarDate): CalendarDate {
  const { year, month } = parts(d);
  // January to August belong to the academic year that began the previous September.
  return parseCalendarDate(format({ year: month >= 9 ? year : year - 1, month: 9, day: 1 }));
}
