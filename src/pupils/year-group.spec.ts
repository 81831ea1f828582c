import { birthRangeOfYearGroup, yearGroupFromBirth, yearGroupName } from './year-group';

describe('yearGroupFromBirth (1 September rule)', () => {
  it.each<[string, string, number, string]>([
    // Born 1 Sep 2019 .. 31 Aug 2020: Reception from September 2024.
    ['2019-09-01', '2024-09-01', 0, 'oldest of the cohort, first day of Reception year'],
    ['2020-08-31', '2024-09-01', 0, 'youngest of the cohort, first day of Reception year'],
    ['2019-08-31', '2024-09-01', 1, 'born a day before the cohort: a year above'],
    ['2020-09-01', '2024-09-01', -1, 'born a day after the cohort: a year below (nursery)'],
    // Around the 1 September rollover of today.
    ['2019-09-01', '2024-08-31', -1, 'the day before Reception year starts'],
    ['2019-09-01', '2025-08-31', 0, 'the last day of Reception year'],
    ['2019-09-01', '2025-09-01', 1, 'Year 1 from 1 September'],
    ['2020-08-31', '2025-08-31', 0, 'youngest, last day of Reception year'],
    ['2020-08-31', '2025-09-01', 1, 'youngest, Year 1 from 1 September'],
    // Mid-year dates.
    ['2014-03-15', '2025-01-10', 6, 'spring birthday, January (born in the 2013-14 academic year)'],
    ['2013-12-25', '2025-06-30', 6, 'winter birthday, summer term'],
    ['2008-09-01', '2024-09-01', 11, 'Year 11 at the start of the year'],
    ['2009-08-31', '2025-07-20', 11, 'Year 11 at the end of the year'],
    ['2009-08-31', '2025-09-01', 12, 'past Year 11 (not clamped)'],
    // Leap-day birthday.
    ['2016-02-29', '2024-09-01', 4, 'born on 29 February'],
    // Timeless: the birthday itself does not matter, only the academic year.
    ['2018-10-05', '2024-10-04', 1, 'the day before the 6th birthday'],
    ['2018-10-05', '2024-10-05', 1, 'on the 6th birthday'],
  ])('born %s, on %s -> %d (%s)', (dateOfBirth, today, expected) => {
    expect(yearGroupFromBirth(dateOfBirth, today)).toBe(expected);
  });

  it('refuses a date that is not a calendar date', () => {
    expect(() => yearGroupFromBirth('2019-02-30', '2024-09-01')).toThrow(RangeError);
    expect(() => yearGroupFromBirth('2019-09-01', '01/09/2024')).toThrow(RangeError);
  });
});

describe('birthRangeOfYearGroup', () => {
  it.each<[number, number, string, string]>([
    [0, 2024, '2019-09-01', '2020-08-31'],
    [11, 2024, '2008-09-01', '2009-08-31'],
    [5, 2025, '2015-09-01', '2016-08-31'],
  ])('year group %d in %d: born %s to %s', (yearGroup, academicYear, from, to) => {
    expect(birthRangeOfYearGroup(yearGroup, academicYear)).toEqual({ from, to });
    // And the inverse: both ends derive back to the same year group.
    const today = `${academicYear}-10-01`;
    expect(yearGroupFromBirth(from, today)).toBe(yearGroup);
    expect(yearGroupFromBirth(to, today)).toBe(yearGroup);
  });
});

describe('yearGroupName', () => {
  it.each<[number, string]>([
    [0, 'Reception'],
    [1, 'Year 1'],
    [11, 'Year 11'],
    [-1, 'below Reception'],
  ])('%d -> %s', (yearGroup, name) => {
    expect(yearGroupName(yearGroup)).toBe(name);
  });
});
