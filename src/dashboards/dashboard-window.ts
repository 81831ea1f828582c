import { addYears, type CalendarDate, compareDates, MAX_YEAR, MIN_YEAR } from '../common/dates/calendar-date';
import { ProblemException } from '../common/problem/problem.exception';

/** The widest `from`..`to` a dashboard answers (issue 8: "windows over 10 years: 400"). */
export const MAX_WINDOW_YEARS = 10;
/** Default window either side of `asOf`, in years (README "Dashboards"). */
export const DEFAULT_WINDOW_YEARS = 1;

export interface DashboardWindowInput {
  from?: CalendarDate;
  to?: CalendarDate;
  asOf?: CalendarDate;
}

/** The dates a dashboard is computed over: records selected by a date in [from, to], as they stood on asOf. */
export interface DashboardWindow {
  from: CalendarDate;
  to: CalendarDate;
  asOf: CalendarDate;
}

const FIRST_DAY = `${MIN_YEAR}-01-01`;
const LAST_DAY = `${MAX_YEAR}-12-31`;

/** d plus n years, held to the supported calendar (1900..2999) instead of throwing at its edges. */
function shiftYears(d: CalendarDate, n: number): CalendarDate {
  const year = Number(d.slice(0, 4)) + n;
  if (year < MIN_YEAR) return FIRST_DAY;
  if (year > MAX_YEAR) return LAST_DAY;
  return addYears(d, n);
}

/**
 * Resolves a dashboard's window. asOf defaults to today; `from` to a year before asOf and `to` to
 * a year after it, so by default a manager sees the last twelve months' results (met, on time,
 * days to meet) and everything still open around today (overdue, due soon, and what falls due in
 * the coming year). `from` after `to`, or a window over ten years, is a 400 naming the field.
 * Dates arrive already validated as calendar dates (IsCalendarDate).
 */
export function resolveDashboardWindow(input: DashboardWindowInput, today: CalendarDate): DashboardWindow {
  const asOf = input.asOf ?? today;
  const from = input.from ?? shiftYears(asOf, -DEFAULT_WINDOW_YEARS);
  const to = input.to ?? shiftYears(asOf, DEFAULT_WINDOW_YEARS);
  if (compareDates(from, to) > 0) {
    const field = input.from ? 'from' : 'to';
    throw ProblemException.invalidField(field, field === 'from' ? `must not be after to (${to})` : `must not be before from (${from})`);
  }
  if (compareDates(to, shiftYears(from, MAX_WINDOW_YEARS)) > 0) {
    throw ProblemException.invalidField(input.to ? 'to' : 'from', `the window from ${from} to ${to} is over ${MAX_WINDOW_YEARS} years`);
  }
  return { from, to, asOf };
}
