import { outcomeCoverageErrors, planDateErrors, reviewErrors } from './support-plan-rules';

const TODAY = '2026-11-28';

describe('planDateErrors', () => {
  it.each([
    ['starting today, reviewed tomorrow', { startOn: TODAY, reviewOn: '2026-11-29' }, TODAY],
    ['starting in the past, reviewed in the past', { startOn: '2026-09-01', reviewOn: '2026-10-01' }, TODAY],
    ['reviewed on a leap day', { startOn: '2028-02-28', reviewOn: '2028-02-29' }, '2028-02-28'],
  ])('accepts a cycle %s', (_, dates, today) => {
    expect(planDateErrors(dates, today)).toEqual([]);
  });

  it('refuses a start in the future', () => {
    expect(planDateErrors({ startOn: '2026-11-29', reviewOn: '2027-01-15' }, TODAY)).toEqual([
      { field: 'startOn', message: 'cannot be in the future (today is 2026-11-28)' },
    ]);
  });

  it.each([
    ['on the start date', '2026-09-01'],
    ['before the start date', '2026-08-31'],
  ])('refuses a review date %s', (_, reviewOn) => {
    expect(planDateErrors({ startOn: '2026-09-01', reviewOn }, TODAY)).toEqual([{ field: 'reviewOn', message: 'must be after startOn (2026-09-01)' }]);
  });

  it('names both fields when both are wrong', () => {
    expect(planDateErrors({ startOn: '2026-12-01', reviewOn: '2026-11-01' }, TODAY).map((e) => e.field)).toEqual(['startOn', 'reviewOn']);
  });
});

describe('outcomeCoverageErrors', () => {
  const at = (...indexes: number[]) => indexes.map((outcomeIndex) => ({ outcomeIndex }));

  it.each([
    [1, at(0)],
    [3, at(0, 1, 2)],
    [3, at(2, 0, 1)],
  ])('accepts every one of %d outcomes once, in any order (%j)', (count, outcomes) => {
    expect(outcomeCoverageErrors(count, outcomes)).toEqual([]);
  });

  it.each([
    [at(0, 2), 'outcomes.1.outcomeIndex'],
    [at(-1, 0, 1), 'outcomes.0.outcomeIndex'],
    [at(0, 1.5, 1), 'outcomes.1.outcomeIndex'],
  ])('names an index out of range (%j) at %s', (outcomes, field) => {
    const errors = outcomeCoverageErrors(2, outcomes);
    expect(errors[0]).toEqual({ field, message: 'must be between 0 and 1: the plan has 2 outcomes' });
  });

  it('says "1 outcome" for a one-outcome plan', () => {
    expect(outcomeCoverageErrors(1, at(1))[0].message).toBe('must be between 0 and 0: the plan has 1 outcome');
  });

  it('names the second review of the same outcome, and the outcome then left out', () => {
    expect(outcomeCoverageErrors(3, at(0, 2, 0))).toEqual([
      { field: 'outcomes.2.outcomeIndex', message: 'outcome 0 is already reviewed at outcomes.0' },
      { field: 'outcomes', message: 'must review every outcome of the plan exactly once; missing outcomeIndex 1' },
    ]);
  });

  it('names every outcome left out', () => {
    expect(outcomeCoverageErrors(4, at(1))).toEqual([
      { field: 'outcomes', message: 'must review every outcome of the plan exactly once; missing outcomeIndex 0, 2, 3' },
    ]);
  });

  it('refuses an empty review of a plan with outcomes', () => {
    expect(outcomeCoverageErrors(2, []).map((e) => e.field)).toEqual(['outcomes']);
  });
});

describe('reviewErrors', () => {
  const plan = { startOn: '2026-09-01', outcomeCount: 2 };
  const outcomes = [{ outcomeIndex: 0 }, { outcomeIndex: 1 }];

  it.each([
    ['on the start date', '2026-09-01'],
    ['late, after the agreed date', '2026-10-20'],
    ['today', TODAY],
  ])('accepts a review %s', (_, reviewedOn) => {
    expect(reviewErrors(plan, { reviewedOn, outcomes }, TODAY)).toEqual([]);
  });

  it('refuses a review before the cycle started', () => {
    expect(reviewErrors(plan, { reviewedOn: '2026-08-31', outcomes }, TODAY)).toEqual([
      { field: 'reviewedOn', message: 'cannot be before the cycle started (2026-09-01)' },
    ]);
  });

  it('refuses a review in the future', () => {
    expect(reviewErrors(plan, { reviewedOn: '2026-11-29', outcomes }, TODAY)).toEqual([
      { field: 'reviewedOn', message: 'cannot be in the future (today is 2026-11-28)' },
    ]);
  });

  it('reports the date and the outcomes together', () => {
    expect(reviewErrors(plan, { reviewedOn: '2026-08-01', outcomes: [{ outcomeIndex: 7 }] }, TODAY).map((e) => e.field)).toEqual([
      'reviewedOn',
      'outcomes.0.outcomeIndex',
      'outcomes',
    ]);
  });
});
