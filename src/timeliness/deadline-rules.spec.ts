import { daysOverdue, deadlineStatus, dueDate, type DurationRule } from './deadline-rules';

const rule = (durationUnit: DurationRule['durationUnit'], durationValue: number | null, kind = 'K'): DurationRule => ({
  kind,
  durationUnit,
  durationValue,
});

describe('dueDate', () => {
  it.each([
    // kind, unit, value, starts on, due on (worked by hand: calendar weeks/months from the start date)
    ['EHC_DECISION_TO_ASSESS', 'WEEKS', 6, '2026-01-05', '2026-02-16'],
    ['EHC_ISSUE_DECISION', 'WEEKS', 16, '2026-01-05', '2026-04-27'],
    ['EHC_FINAL_PLAN', 'WEEKS', 20, '2026-01-05', '2026-05-25'],
    ['EHC_FINAL_PLAN across the end of BST', 'WEEKS', 20, '2025-09-01', '2026-01-19'],
    ['EHC_FINAL_PLAN across a leap day', 'WEEKS', 20, '2023-12-01', '2024-04-19'],
    ['ANNUAL_REVIEW_MEETING from 29 February', 'MONTHS', 12, '2024-02-29', '2025-02-28'],
    ['ANNUAL_REVIEW_MEETING from 31 January', 'MONTHS', 12, '2025-01-31', '2026-01-31'],
    ['ANNUAL_REVIEW_REPORT', 'WEEKS', 2, '2026-03-30', '2026-04-13'],
    ['ANNUAL_REVIEW_DECISION', 'WEEKS', 4, '2026-10-12', '2026-11-09'],
    ['AMENDED_PLAN', 'WEEKS', 8, '2026-11-30', '2027-01-25'],
    ['REQUEST_DECISION', 'WEEKS', 4, '2026-11-28', '2026-12-26'],
    ['a local target in days', 'DAYS', 10, '2026-12-25', '2027-01-04'],
  ] as const)('%s: %s %i from %s is %s', (kind, unit, value, startsOn, expected) => {
    expect(dueDate(rule(unit, value, kind), startsOn)).toBe(expected);
  });

  it('takes the agreed date for a support plan review and the fixed date for a phase transfer', () => {
    expect(dueDate(rule('AGREED', null), '2026-09-01', { dueOn: '2026-12-01' })).toBe('2026-12-01');
    expect(dueDate(rule('FIXED_DATE', null), '2026-09-01', { dueOn: '2027-02-15' })).toBe('2027-02-15');
    expect(() => dueDate(rule('AGREED', null), '2026-09-01')).toThrow(RangeError);
  });

  it('uses a per-service target in weeks when given (DELIVERY_START)', () => {
    expect(dueDate(rule('WEEKS', 6), '2026-01-05', { weeksOverride: 8 })).toBe('2026-03-02');
    expect(dueDate(rule('WEEKS', 6), '2026-01-05', { weeksOverride: null })).toBe('2026-02-16');
  });

  it('refuses a rule without a duration', () => {
    expect(() => dueDate(rule('WEEKS', null), '2026-01-05')).toThrow(RangeError);
  });
});

describe('deadlineStatus and daysOverdue as of a date (due 2026-03-10, due-soon window 14 days)', () => {
  const due = { dueOn: '2026-03-10', metOn: null, cancelledOn: null };
  it.each([
    // as of, met on, cancelled on, status, days overdue
    ['2026-02-01', null, null, 'ON_TRACK', 0],
    ['2026-02-23', null, null, 'ON_TRACK', 0],
    ['2026-02-24', null, null, 'DUE_SOON', 0], // due exactly 14 days ahead
    ['2026-03-10', null, null, 'DUE_SOON', 0], // due today: not yet overdue
    ['2026-03-11', null, null, 'OVERDUE', 1], // overdue from the next day
    ['2026-04-09', null, null, 'OVERDUE', 30],
    ['2026-03-20', '2026-03-10', null, 'MET_ON_TIME', 0], // met on the due date is on time
    ['2026-03-20', '2026-03-01', null, 'MET_ON_TIME', 0],
    ['2026-03-20', '2026-03-13', null, 'MET_LATE', 3],
    ['2026-03-12', '2026-03-13', null, 'OVERDUE', 2], // the meeting had not happened yet
    ['2026-03-20', null, '2026-03-15', 'CANCELLED', 0],
    ['2026-03-12', null, '2026-03-15', 'OVERDUE', 2], // cancelled later
    ['2026-03-05', null, '2026-03-15', 'DUE_SOON', 0],
  ] as const)('as of %s (met %s, cancelled %s): %s, %i days overdue', (asOf, metOn, cancelledOn, status, days) => {
    const d = { ...due, metOn, cancelledOn };
    expect(deadlineStatus(d, asOf, 14)).toBe(status);
    expect(daysOverdue(d, asOf, 14)).toBe(days);
  });

  it('honours a configured due-soon window', () => {
    expect(deadlineStatus(due, '2026-03-01', 7)).toBe('ON_TRACK');
    expect(deadlineStatus(due, '2026-03-03', 7)).toBe('DUE_SOON');
    expect(deadlineStatus(due, '2026-03-10', 0)).toBe('DUE_SOON');
    expect(deadlineStatus(due, '2026-03-09', 0)).toBe('ON_TRACK');
  });
});
