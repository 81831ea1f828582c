import { addDays, addMonths, addWeeks, type CalendarDate, compareDates, daysBetween } from '../common/dates/calendar-date';
import type { DeadlineStatus, DurationUnit } from './deadline-kind';

export interface DurationRule {
  kind: string;
  durationUnit: DurationUnit;
  durationValue: number | null;
}

export interface DueDateOptions {
  /** The agreed date (SUPPORT_PLAN_REVIEW) or the fixed date (PHASE_TRANSFER). */
  dueOn?: CalendarDate;
  /** A per-service target in weeks that replaces the rule's (DELIVERY_START). */
  weeksOverride?: number | null;
}

/**
 * The due date of a deadline opened on `startsOn` (DOMAIN.md: calendar weeks and months from the
 * start event's date; a month-end that does not exist falls back to the month's last day).
 */
export function dueDate(rule: DurationRule, startsOn: CalendarDate, options: DueDateOptions = {}): CalendarDate {
  if (rule.durationUnit === 'AGREED' || rule.durationUnit === 'FIXED_DATE') {
    if (!options.dueOn) throw new RangeError(`${rule.kind} needs its due date given (${rule.durationUnit})`);
    return options.dueOn;
  }
  if (options.weeksOverride) return addWeeks(startsOn, options.weeksOverride);
  const value = rule.durationValue;
  if (value === null || !Number.isInteger(value) || value < 1) throw new RangeError(`${rule.kind} has no duration`);
  switch (rule.durationUnit) {
    case 'DAYS':
      return addDays(startsOn, value);
    case 'WEEKS':
      return addWeeks(startsOn, value);
    case 'MONTHS':
      return addMonths(startsOn, value);
  }
}

export interface DeadlineDates {
  dueOn: CalendarDate;
  metOn: CalendarDate | null;
  cancelledOn: CalendarDate | null;
}

/**
 * Status as of a date. Met on the due date is on time; unmet, it is overdue from the next day.
 * A meeting or cancellation after the as-of date had not happened yet. The SQL function
 * deadline_status (migration Timeliness1764330000000) is the same rule for queries; an e2e test
 * checks that the two agree.
 */
export function deadlineStatus(d: DeadlineDates, asOf: CalendarDate, dueSoonDays: number): DeadlineStatus {
  if (d.cancelledOn && compareDates(d.cancelledOn, asOf) <= 0) return 'CANCELLED';
  if (d.metOn && compareDates(d.metOn, asOf) <= 0) return compareDates(d.metOn, d.dueOn) <= 0 ? 'MET_ON_TIME' : 'MET_LATE';
  if (compareDates(d.dueOn, asOf) < 0) return 'OVERDUE';
  if (compareDates(d.dueOn, addDays(asOf, dueSoonDays)) <= 0) return 'DUE_SOON';
  return 'ON_TRACK';
}

/** Days past due: as of the date while overdue, at the meeting when met late, else 0. */
export function daysOverdue(d: DeadlineDates, asOf: CalendarDate, dueSoonDays: number): number {
  const status = deadlineStatus(d, asOf, dueSoonDays);
  if (status === 'OVERDUE') return daysBetween(d.dueOn, asOf);
  if (status === 'MET_LATE') return daysBetween(d.dueOn, d.metOn!);
  return 0;
}
