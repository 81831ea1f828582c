import { LAST_YEAR_OF_PHASE, phaseTransfer } from './phase-transfer';

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
