import {
  academicYearStart,
  addDays,
  addMonths,
  addWeeks,
  addYears,
  compareDates,
  daysBetween,
  fromEpochDay,
  isCalendarDate,
  maxDate,
  minDate,
  parseCalendarDate,
  todayInLondon,
  toEpochDay,
} from './calendar-date';

// Expected values below were worked out by hand (month lengths counted explicitly); the
// derivation is noted where it is not obvious.

describe('isCalendarDate', () => {
  it.each([
    ['2024-02-29'], // 2024 is a leap year
    ['2000-02-29'], // divisible by 400: leap
    ['2025-12-31'],
    ['2024-04-30'],
    ['1900-01-01'], // lowest supported
    ['2999-12-31'], // highest supported
  ])('accepts %p', (value) => {
    expect(isCalendarDate(value)).toBe(true);
  });

  it.each([
    ['2025-02-30'], // no 30 February
    ['2023-02-29'], // 2023 not a leap year
    ['1900-02-29'], // divisible by 100 but not 400: not leap
    ['2100-02-29'],
    ['2024-04-31'], // April has 30 days
    ['2024-13-01'],
    ['2024-00-10'],
    ['2024-01-00'],
    ['2024-01-32'],
    ['2024-1-01'],
    ['2024-01-1'],
    ['24-01-01'],
    ['2024-01-01T00:00:00Z'],
    ['2024-01-01 '],
    [' 2024-01-01'],
    ['2024-01-01\n'],
    ['2024/01/01'],
    ['20240101'],
    ['+02024-01-01'],
    ['1899-12-31'], // below supported range
    ['3000-01-01'], // above supported range
    [''],
  ])('rejects the string %p', (value) => {
    expect(isCalendarDate(value)).toBe(false);
  });

  it.each([
    [null],
    [undefined],
    [20240101],
    [new Date(Date.UTC(2024, 0, 1))],
    [{}],
    [['2024-01-01']],
    [20240101n],
  ])('rejects the non-string %p', (value) => {
    expect(isCalendarDate(value)).toBe(false);
  });
});

describe('parseCalendarDate', () => {
  it.each([['2024-02-29'], ['1900-01-01'], ['2999-12-31']])('returns valid %p unchanged', (value) => {
    expect(parseCalendarDate(value)).toBe(value);
  });

  it.each([
    ['2025-02-30'],
    ['2023-02-29'],
    ['2024-13-01'],
    ['2024-1-01'],
    ['2024-01-01T00:00:00Z'],
    [''],
    [null],
    [undefined],
    [42],
    [10n],
    [Object.create(null)],
  ])('throws RangeError for %p', (value) => {
    expect(() => parseCalendarDate(value)).toThrow(RangeError);
  });

  it('names the offending value in the message', () => {
    expect(() => parseCalendarDate('2025-02-30')).toThrow('"2025-02-30"');
  });
});

describe('toEpochDay / fromEpochDay', () => {
  it.each([
    ['1970-01-01', 0],
    ['1970-01-02', 1],
    ['1969-12-31', -1],
    ['2000-01-01', 10957], // 30 years x 365 + 7 leap days (1972..1996)
    ['2024-01-01', 19723], // 10957 + 24 x 365 + 6 leap days (2000..2020)
    ['2024-02-29', 19782], // 19723 + 31 + 28
    ['2024-03-01', 19783],
    ['2025-01-01', 20089], // 19723 + 366
    ['1900-01-01', -25567], // 70 x 365 + 17 leap days (1904..1968) before the epoch
    ['2999-12-31', 376199], // 3000-01-01 = 1030 x 365 + 250 leap days (257 multiples of 4 minus 7 centuries) = 376200
  ])('%s is epoch day %i', (date, day) => {
    expect(toEpochDay(date)).toBe(day);
    expect(fromEpochDay(day)).toBe(date);
  });

  it('round-trips and steps one day at a time across 2023-2026 (including 29 February 2024)', () => {
    const start = toEpochDay('2023-01-01');
    let previous = '';
    let februaryDays2024 = 0;
    for (let n = start; n < start + 4 * 365 + 1; n++) {
      const d = fromEpochDay(n);
      expect(isCalendarDate(d)).toBe(true);
      expect(toEpochDay(d)).toBe(n);
      expect(d > previous).toBe(true); // ISO strings sort chronologically
      if (d.startsWith('2024-02-')) februaryDays2024++;
      previous = d;
    }
    expect(previous).toBe('2026-12-31');
    expect(februaryDays2024).toBe(29);
  });

  it.each([[-25568], [376200], [1.5], [Number.NaN], [Number.POSITIVE_INFINITY]])(
    'fromEpochDay(%p) throws RangeError',
    (n) => {
      expect(() => fromEpochDay(n)).toThrow(RangeError);
    },
  );
});

describe('addDays', () => {
  it.each([
    ['2025-06-15', 0, '2025-06-15'],
    ['2024-02-28', 1, '2024-02-29'], // leap year
    ['2024-02-28', 2, '2024-03-01'],
    ['2023-02-28', 1, '2023-03-01'], // non-leap year
    ['2000-02-28', 1, '2000-02-29'], // 2000 is leap (divisible by 400)
    ['2100-02-28', 1, '2100-03-01'], // 2100 is not
    ['2024-12-31', 1, '2025-01-01'],
    ['2025-01-01', -1, '2024-12-31'],
    ['2024-03-01', -1, '2024-02-29'],
    ['2023-01-01', 365, '2024-01-01'],
    ['2024-01-01', 365, '2024-12-31'], // leap year has 366 days
    ['2024-01-01', 366, '2025-01-01'],
    ['2024-02-29', 365, '2025-02-28'],
    ['2025-03-29', 2, '2025-03-31'], // across the start of BST (30 March 2025)
    ['2025-10-25', 2, '2025-10-27'], // across the end of BST (26 October 2025)
    ['2025-01-31', 28, '2025-02-28'],
    ['2025-09-01', 100, '2025-12-10'], // Sep 29 + Oct 31 + Nov 30 = 90 -> 30 Nov, + 10
  ])('%s + %i days = %s', (start, n, expected) => {
    expect(addDays(start, n)).toBe(expected);
  });

  it.each([[1.5], [Number.NaN]])('rejects a non-integer day count %p', (n) => {
    expect(() => addDays('2025-01-01', n)).toThrow(RangeError);
  });

  it('throws RangeError when the result leaves the supported years', () => {
    expect(() => addDays('1900-01-01', -1)).toThrow(RangeError);
    expect(() => addDays('2999-12-31', 1)).toThrow(RangeError);
  });
});

describe('addWeeks', () => {
  it.each([
    ['2025-06-15', 0, '2025-06-15'],
    ['2025-01-01', 1, '2025-01-08'],
    // Across the end of BST (26 October 2025): Oct 20 + 11 = Oct 31, + 30 = Nov 30, + 1 = Dec 1.
    ['2025-10-20', 6, '2025-12-01'],
    // Across the start of BST (30 March 2025): 140 days = Mar 7 + Apr 30 + May 31 + Jun 30 + Jul 31 + Aug 11.
    ['2025-03-24', 20, '2025-08-11'],
    // 6 weeks (decision whether to assess): Mar 7 + Apr 30 + May 5 = 42.
    ['2025-03-24', 6, '2025-05-05'],
    // 16 weeks (decision not to issue a plan) and 20 weeks (final plan) from a request on Monday 6 January 2025:
    // 112 = Jan 25 + Feb 28 + Mar 31 + Apr 28; 140 = 112 + 28.
    ['2025-01-06', 16, '2025-04-28'],
    ['2025-01-06', 20, '2025-05-26'], // the Spring bank holiday: the deadline does not move
    // 16 weeks across a year end: 112 = Nov 15 + Dec 31 + Jan 31 + Feb 28 + Mar 7.
    ['2024-11-15', 16, '2025-03-07'],
    // 20 weeks across 29 February 2024: 140 = Dec 30 + Jan 31 + Feb 29 + Mar 31 + Apr 19.
    ['2023-12-01', 20, '2024-04-19'],
    // The same request a year later, no leap day: Dec 30 + Jan 31 + Feb 28 + Mar 31 + Apr 20.
    ['2024-12-01', 20, '2025-04-20'],
    ['2024-02-29', 52, '2025-02-27'], // 364 days; 365 would be 28 February
    ['2025-12-01', -6, '2025-10-20'],
    ['2025-08-11', -20, '2025-03-24'],
  ])('%s + %i weeks = %s', (start, n, expected) => {
    expect(addWeeks(start, n)).toBe(expected);
  });

  it('is always exactly 7 days per week', () => {
    expect(daysBetween('2025-03-24', addWeeks('2025-03-24', 20))).toBe(140);
    expect(daysBetween('2025-10-20', addWeeks('2025-10-20', 6))).toBe(42);
  });

  it('rejects a non-integer week count', () => {
    expect(() => addWeeks('2025-01-01', 0.5)).toThrow(RangeError);
  });
});

describe('addMonths', () => {
  it.each([
    ['2025-06-15', 0, '2025-06-15'],
    ['2025-01-15', 1, '2025-02-15'],
    ['2025-12-15', 1, '2026-01-15'], // year carry
    ['2026-01-15', -1, '2025-12-15'], // year borrow
    ['2025-03-15', -15, '2023-12-15'],
    // Month-end clamping: the day falls back to the target month's last day.
    ['2025-01-31', 1, '2025-02-28'], // non-leap year
    ['2024-01-31', 1, '2024-02-29'], // leap year
    ['2024-02-29', 12, '2025-02-28'],
    ['2024-02-29', 48, '2028-02-29'],
    ['2025-03-31', -1, '2025-02-28'],
    ['2024-03-31', -1, '2024-02-29'],
    ['2025-08-31', 6, '2026-02-28'],
    ['2023-08-31', 6, '2024-02-29'],
    ['2025-05-31', 1, '2025-06-30'],
    ['2025-11-30', 3, '2026-02-28'],
    ['2025-01-31', -2, '2024-11-30'],
    ['2025-01-31', 25, '2027-02-28'],
    ['2025-01-31', 2, '2025-03-31'], // from the start date, not chained via February
    ['2025-02-28', 1, '2025-03-28'], // a clamped date is not "end of month" any more
  ])('%s + %i months = %s', (start, n, expected) => {
    expect(addMonths(start, n)).toBe(expected);
  });

  it('does not chain: 31 January + 1 month + 1 month differs from + 2 months', () => {
    expect(addMonths(addMonths('2025-01-31', 1), 1)).toBe('2025-03-28');
    expect(addMonths('2025-01-31', 2)).toBe('2025-03-31');
  });

  it.each([[0.5], [Number.NaN]])('rejects a non-integer month count %p', (n) => {
    expect(() => addMonths('2025-01-01', n)).toThrow(RangeError);
  });

  it('throws RangeError when the result leaves the supported years', () => {
    expect(() => addMonths('1900-01-31', -1)).toThrow(RangeError);
    expect(() => addMonths('2999-12-01', 1)).toThrow(RangeError);
  });
});

describe('addYears', () => {
  it.each([
    ['2025-09-01', 1, '2026-09-01'],
    ['2024-02-29', 1, '2025-02-28'],
    ['2024-02-29', 4, '2028-02-29'],
    ['2024-02-29', -1, '2023-02-28'],
    ['2096-02-29', 4, '2100-02-28'], // 2100 is not a leap year
    ['2025-03-31', -2, '2023-03-31'],
  ])('%s + %i years = %s', (start, n, expected) => {
    expect(addYears(start, n)).toBe(expected);
  });

  it('rejects a non-integer year count', () => {
    expect(() => addYears('2025-01-01', 1.5)).toThrow(RangeError);
  });
});

describe('daysBetween', () => {
  it.each([
    ['2025-01-01', '2025-01-01', 0],
    ['2025-01-01', '2025-01-02', 1],
    ['2025-01-02', '2025-01-01', -1],
    ['2024-01-01', '2025-01-01', 366],
    ['2025-01-01', '2026-01-01', 365],
    ['2025-01-01', '2024-01-01', -366],
    ['2024-02-28', '2024-03-01', 2],
    ['2023-02-28', '2023-03-01', 1],
    ['2025-03-29', '2025-03-31', 2], // across the start of BST
    ['2025-10-25', '2025-10-27', 2], // across the end of BST
    ['2025-03-24', '2025-08-11', 140],
    ['1900-01-01', '2000-01-01', 36524], // 24 leap days: 1900 is not leap
    ['2000-01-01', '2100-01-01', 36525], // 25 leap days: 2000 is leap
  ])('from %s to %s is %i days', (from, to, expected) => {
    expect(daysBetween(from, to)).toBe(expected);
  });
});

describe('compareDates', () => {
  it.each([
    ['2025-01-01', '2025-01-02', -1],
    ['2025-01-02', '2025-01-01', 1],
    ['2025-01-01', '2025-01-01', 0],
    ['2024-12-31', '2025-01-01', -1],
    ['2025-02-01', '2025-01-31', 1],
    ['1900-01-01', '2999-12-31', -1],
  ])('compareDates(%s, %s) = %i', (a, b, expected) => {
    expect(compareDates(a, b)).toBe(expected);
  });

  it('expresses the on-time rule: met on the due date is on time, the next day is overdue', () => {
    const due = addWeeks('2025-01-06', 20); // 2025-05-26
    expect(compareDates('2025-05-26', due) <= 0).toBe(true);
    expect(compareDates('2025-05-27', due) <= 0).toBe(false);
  });
});

describe('maxDate / minDate', () => {
  it.each([
    [['2025-01-01'], '2025-01-01', '2025-01-01'],
    [['2025-01-01', '2024-12-31'], '2025-01-01', '2024-12-31'],
    [['2024-02-29', '2025-02-28', '2023-03-01'], '2025-02-28', '2023-03-01'],
    [['2025-06-01', '2025-06-01'], '2025-06-01', '2025-06-01'],
    [['2025-10-20', '2025-12-01', '2025-08-11', '2025-11-30'], '2025-12-01', '2025-08-11'],
  ])('of %p: max %s, min %s', (dates, max, min) => {
    const [first, ...rest] = dates;
    expect(maxDate(first, ...rest)).toBe(max);
    expect(minDate(first, ...rest)).toBe(min);
  });
});

describe('todayInLondon', () => {
  it.each([
    // Winter (GMT = UTC)
    ['2025-01-15T23:30:00Z', '2025-01-15'],
    ['2025-01-15T23:59:59.999Z', '2025-01-15'],
    ['2025-01-16T00:00:00Z', '2025-01-16'],
    ['2024-12-31T23:59:59Z', '2024-12-31'],
    // Summer (BST = UTC+1): London's midnight is 23:00 UTC the evening before
    ['2025-07-01T22:59:59.999Z', '2025-07-01'],
    ['2025-07-01T23:00:00Z', '2025-07-02'],
    ['2025-06-30T23:30:00Z', '2025-07-01'],
    // BST starts 01:00 UTC on 30 March 2025
    ['2025-03-30T00:59:59Z', '2025-03-30'],
    ['2025-03-30T23:30:00Z', '2025-03-31'],
    // BST ends 01:00 UTC on 26 October 2025
    ['2025-10-25T22:59:59Z', '2025-10-25'],
    ['2025-10-25T23:00:00Z', '2025-10-26'],
    ['2025-10-26T00:30:00Z', '2025-10-26'],
    ['2025-10-26T23:30:00Z', '2025-10-26'],
  ])('%s is %s in London', (instant, expected) => {
    expect(todayInLondon(new Date(instant))).toBe(expected);
  });

  it('defaults to now, within a day of the UTC date', () => {
    const today = todayInLondon();
    expect(isCalendarDate(today)).toBe(true);
    const utcToday = new Date().toISOString().slice(0, 10);
    expect(Math.abs(daysBetween(utcToday, today))).toBeLessThanOrEqual(1);
  });

  it('throws RangeError for an invalid Date', () => {
    expect(() => todayInLondon(new Date('not a date'))).toThrow(RangeError);
  });

  // The date is remembered for the UTC minute of the last call: calls alternating between instants
  // (a FixedClock moved back and forth, midnight and the clock changes) never get a stale date.
  it.each([
    ['London midnight in BST', ['2025-07-01T22:59:59.999Z', '2025-07-01T23:00:00Z', '2025-07-01T22:59:00Z', '2025-07-01T23:00:59.999Z'], ['2025-07-01', '2025-07-02', '2025-07-01', '2025-07-02']],
    ['London midnight in GMT', ['2025-01-15T23:59:59.999Z', '2025-01-16T00:00:00Z', '2025-01-15T23:59:00Z'], ['2025-01-15', '2025-01-16', '2025-01-15']],
    ['BST starts (01:00 UTC)', ['2025-03-30T00:59:59Z', '2025-03-30T01:00:00Z', '2025-03-29T23:59:59Z', '2025-03-30T00:00:00Z'], ['2025-03-30', '2025-03-30', '2025-03-29', '2025-03-30']],
    ['BST ends (01:00 UTC)', ['2025-10-25T22:59:59Z', '2025-10-25T23:00:00Z', '2025-10-26T00:59:59Z', '2025-10-26T01:00:00Z'], ['2025-10-25', '2025-10-26', '2025-10-26', '2025-10-26']],
    ['same minute, another year', ['2025-07-01T12:00:30Z', '2024-07-01T12:00:30Z', '2025-07-01T12:00:30Z'], ['2025-07-01', '2024-07-01', '2025-07-01']],
  ])('gives each instant its own date when calls alternate (%s)', (_, instants, expected) => {
    expect(instants.map((instant) => todayInLondon(new Date(instant)))).toEqual(expected);
  });
});

describe('academicYearStart', () => {
  it.each([
    ['2025-09-01', '2025-09-01'],
    ['2025-09-02', '2025-09-01'],
    ['2025-08-31', '2024-09-01'],
    ['2025-12-31', '2025-09-01'],
    ['2026-01-01', '2025-09-01'],
    ['2024-02-29', '2023-09-01'],
    ['2025-07-22', '2024-09-01'],
  ])('%s is in the academic year starting %s', (d, expected) => {
    expect(academicYearStart(d)).toBe(expected);
  });

  it('throws RangeError when the academic year began before 1900', () => {
    expect(() => academicYearStart('1900-08-31')).toThrow(RangeError);
  });
});

describe.each([
  ['toEpochDay', (d: string) => toEpochDay(d)],
  ['addDays', (d: string) => addDays(d, 1)],
  ['addWeeks', (d: string) => addWeeks(d, 1)],
  ['addMonths', (d: string) => addMonths(d, 1)],
  ['addYears', (d: string) => addYears(d, 1)],
  ['daysBetween (from)', (d: string) => daysBetween(d, '2025-01-01')],
  ['daysBetween (to)', (d: string) => daysBetween('2025-01-01', d)],
  ['compareDates', (d: string) => compareDates('2025-01-01', d)],
  ['maxDate', (d: string) => maxDate('2025-01-01', d)],
  ['minDate', (d: string) => minDate(d, '2025-01-01')],
  ['academicYearStart', (d: string) => academicYearStart(d)],
])('%s with an invalid date', (_name, fn) => {
  it.each([['2025-02-30'], ['2024-1-01'], ['2024-01-01T00:00:00Z'], ['']])('throws RangeError for %p', (bad) => {
    expect(() => fn(bad)).toThrow(RangeError);
  });
});
