import { academicYearStart, compareDates, parseCalendarDate, type CalendarDate } from '../common/dates/calendar-date';
import type { FieldError } from '../common/problem/problem-type';

/** Year groups in scope (DOMAIN.md): 0 = Reception to 11 = Year 11. */
export const RECEPTION = 0;
export const YEAR_11 = 11;

/** The largest out-of-year offset a pupil may be taught at (a child taught a year above or below). */
export const MAX_YEAR_OFFSET = 1;

/**
 * The year group a child born on `dateOfBirth` is in on `today`, under the 1 September rule: a
 * child born 1 September Y to 31 August Y+1 starts Reception (0) in the September of Y+5, then
 * moves up each 1 September. The result is not clamped: -1 is a nursery-age child, 12 a child
 * past Year 11.
 */
export function yearGroupFromBirth(dateOfBirth: CalendarDate, today: CalendarDate): number {
  parseCalendarDate(dateOfBirth);
  const birthYear = Number(dateOfBirth.slice(0, 4));
  const birthMonth = Number(dateOfBirth.slice(5, 7));
  // The academic year (by its starting calendar year) the child was born in.
  const cohort = birthMonth >= 9 ? birthYear : birthYear - 1;
  const current = Number(academicYearStart(today).slice(0, 4));
  return current - cohort - 5;
}

/**
 * The dates of birth of children in `yearGroup` in the academic year starting in September of
 * `academicYear`: [from, to] inclusive (for searching by year group in SQL).
 */
export function birthRangeOfYearGroup(yearGroup: number, academicYear: number): { from: CalendarDate; to: CalendarDate } {
  const cohort = academicYear - 5 - yearGroup;
  return { from: `${String(cohort).padStart(4, '0')}-09-01`, to: `${String(cohort + 1).padStart(4, '0')}-08-31` };
}

/** 'Reception', 'Year 1' ... for messages. */
export function yearGroupName(yearGroup: number): string {
  if (yearGroup === RECEPTION) return 'Reception';
  if (yearGroup < RECEPTION) return 'below Reception';
  return `Year ${yearGroup}`;
}

/**
 * Checks a date of birth (when `checkAge`: not in the future, of Reception to Year 11 age) and
 * a requested year group against it; returns the out-of-year offset to store. Errors are added
 * to `errors` (the offset returned is then meaningless).
 */
export function dateOfBirthAndYearGroup(
  errors: FieldError[],
  dateOfBirth: CalendarDate,
  yearGroup: number | undefined,
  currentOffset: number,
  today: CalendarDate,
  checkAge: boolean,
): number {
  if (checkAge && compareDates(dateOfBirth, today) > 0) {
    errors.push({ field: 'dateOfBirth', message: 'must not be in the future' });
    return currentOffset;
  }
  const derived = yearGroupFromBirth(dateOfBirth, today);
  if (checkAge && (derived < RECEPTION || derived > YEAR_11)) {
    errors.push({
      field: 'dateOfBirth',
      message: `the child must be of Reception to Year 11 age (this date of birth is ${yearGroupName(derived)} today)`,
    });
    return currentOffset;
  }
  if (yearGroup === undefined) return currentOffset;
  const offset = yearGroup - derived;
  if (Math.abs(offset) > MAX_YEAR_OFFSET) {
    errors.push({
      field: 'yearGroup',
      message: `must be within one year of ${yearGroupName(derived)}, the year group of the date of birth (${derived})`,
    });
    return currentOffset;
  }
  return offset;
}
