import { academicYearOf, LAST_YEAR_OF_PHASE, phaseTransfer, phaseTransferOfPlan } from './phase-transfer';

describe('phaseTransfer', () => {
  it.each([
    ['Year 6 at a primary', 6, LAST_YEAR_OF_PHASE.PRIMARY, 2026, { fromYear: 6, toYear: 7, dueOn: '2027-02-15' }],
    ['Year 5 at a primary', 5, LAST_YEAR_OF_PHASE.PRIMARY, 2026, null],
    ['Year 2 at an infant school', 2, 2, 2025, { fromYear: 2, toYear: 3, dueOn: '2026-02-15' }],
    ['Year 2 at a primary', 2, LAST_YEAR_OF_PHASE.PRIMARY, 2025, null],
    ['Year 9 at a middle school', 9, LAST_YEAR_OF_PHASE.MIDDLE, 2026, { fromYear: 9, toYear: 10, dueOn: '2027-02-15' }],
    ['Year 6 at an all-through school', 6, LAST_YEAR_OF_PHASE.ALL_THROUGH, 2026, null],
    ['Year 11 at a secondary: post-16, 31 March', 11, LAST_YEAR_OF_PHASE.SECONDARY, 2026, { fromYear: 11, toYear: 'POST_16', dueOn: '2027-03-31' }],
    ['Year 11 at an all-through school', 11, LAST_YEAR_OF_PHASE.ALL_THROUGH, 2027, { fromYear: 11, toYear: 'POST_16', dueOn: '2028-03-31' }],
    ['Year 10 at a secondary', 10, LAST_YEAR_OF_PHASE.SECONDARY, 2026, null],
    ['Reception', 0, 0, 2026, null],
    ['a leap year changes nothing (15 February exists every year)', 6, 6, 2027, { fromYear: 6, toYear: 7, dueOn: '2028-02-15' }],
  ])('%s', (_name, yearGroup, lastYear, academicYear, expected) => {
    expect(phaseTransfer(yearGroup, lastYear, academicYear)).toEqual(expected);
  });
});

describe('academicYearOf', () => {
  it.each([
    ['2026-09-01', 2026],
    ['2026-08-31', 2025],
    ['2027-02-15', 2026],
    ['2026-12-31', 2026],
    ['2027-01-01', 2026],
  ])('%s is in the academic year starting in %i', (date, year) => {
    expect(academicYearOf(date)).toBe(year);
  });
});

describe('phaseTransferOfPlan', () => {
  // Year 6 in 2026/27: born 1 September 2015 to 31 August 2016.
  const y6 = { dateOfBirth: '2016-03-10', yearOffset: 0, schoolPhase: 'PRIMARY' as const, issuedOn: '2024-05-01' };
  it.each([
    ['Year 6 at a primary', y6, 2026, { fromYear: 6, toYear: 7, dueOn: '2027-02-15' }],
    ['born 1 September: the oldest of the year, Year 6', { ...y6, dateOfBirth: '2015-09-01' }, 2026, { fromYear: 6, toYear: 7, dueOn: '2027-02-15' }],
    ['born 31 August 2015: Year 7 already', { ...y6, dateOfBirth: '2015-08-31' }, 2026, null],
    ['born 31 August 2016: the youngest of the year, Year 6', { ...y6, dateOfBirth: '2016-08-31' }, 2026, { fromYear: 6, toYear: 7, dueOn: '2027-02-15' }],
    ['born 1 September 2016: Year 5', { ...y6, dateOfBirth: '2016-09-01' }, 2026, null],
    ['the same pupil the year before (Year 5)', y6, 2025, null],
    ['taught a year below (offset -1): Year 5 in 2026', { ...y6, yearOffset: -1 }, 2026, null],
    ['taught a year below: Year 6 a year later', { ...y6, yearOffset: -1 }, 2027, { fromYear: 6, toYear: 7, dueOn: '2028-02-15' }],
    ['taught a year above: Year 6 a year early', { ...y6, dateOfBirth: '2017-03-10', yearOffset: 1 }, 2026, { fromYear: 6, toYear: 7, dueOn: '2027-02-15' }],
    ['Year 6 at an all-through school stays', { ...y6, schoolPhase: 'ALL_THROUGH' as const }, 2026, null],
    ['Year 6 at a middle school stays', { ...y6, schoolPhase: 'MIDDLE' as const }, 2026, null],
    ['Year 9 at a middle school', { ...y6, dateOfBirth: '2013-03-10', schoolPhase: 'MIDDLE' as const }, 2026, { fromYear: 9, toYear: 10, dueOn: '2027-02-15' }],
    ['Year 11 at a secondary: post-16, 31 March', { ...y6, dateOfBirth: '2011-03-10', schoolPhase: 'SECONDARY' as const }, 2026, { fromYear: 11, toYear: 'POST_16', dueOn: '2027-03-31' }],
    ['plan issued on the due date still owes it', { ...y6, issuedOn: '2027-02-15' }, 2026, { fromYear: 6, toYear: 7, dueOn: '2027-02-15' }],
    ['plan first issued after the due date owes none', { ...y6, issuedOn: '2027-02-16' }, 2026, null],
    ['post-16: issued 31 March owes it', { ...y6, dateOfBirth: '2011-03-10', schoolPhase: 'SECONDARY' as const, issuedOn: '2027-03-31' }, 2026, { fromYear: 11, toYear: 'POST_16', dueOn: '2027-03-31' }],
    ['post-16: issued 1 April owes none', { ...y6, dateOfBirth: '2011-03-10', schoolPhase: 'SECONDARY' as const, issuedOn: '2027-04-01' }, 2026, null],
  ])('%s', (_name, plan, academicYear, expected) => {
    expect(phaseTransferOfPlan(plan, academicYear)).toEqual(expected);
  });
});
