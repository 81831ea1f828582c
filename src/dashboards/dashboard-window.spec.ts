import { ProblemException } from '../common/problem/problem.exception';
import { type DashboardWindowInput, resolveDashboardWindow } from './dashboard-window';

const TODAY = '2026-11-28';

function problem(input: DashboardWindowInput): ProblemException {
  try {
    resolveDashboardWindow(input, TODAY);
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemException);
    return error as ProblemException;
  }
  throw new Error('expected a 400');
}

describe('resolveDashboardWindow', () => {
  it.each<[string, DashboardWindowInput, { from: string; to: string; asOf: string }]>([
    ['defaults: a year either side of today', {}, { from: '2025-11-28', to: '2027-11-28', asOf: TODAY }],
    ['defaults around a given asOf', { asOf: '2024-02-29' }, { from: '2023-02-28', to: '2025-02-28', asOf: '2024-02-29' }],
    ['from and to as given', { from: '2026-01-01', to: '2026-12-31' }, { from: '2026-01-01', to: '2026-12-31', asOf: TODAY }],
    ['a one-day window', { from: '2026-03-01', to: '2026-03-01' }, { from: '2026-03-01', to: '2026-03-01', asOf: TODAY }],
    ['only from: to defaults to asOf + 1 year', { from: '2020-01-01' }, { from: '2020-01-01', to: '2027-11-28', asOf: TODAY }],
    ['only to: from defaults to asOf - 1 year', { to: '2030-01-01' }, { from: '2025-11-28', to: '2030-01-01', asOf: TODAY }],
    ['exactly ten years', { from: '2016-01-01', to: '2026-01-01' }, { from: '2016-01-01', to: '2026-01-01', asOf: TODAY }],
    ['defaults held to the calendar’s last day', { asOf: '2999-06-01' }, { from: '2998-06-01', to: '2999-12-31', asOf: '2999-06-01' }],
    ['defaults held to the calendar’s first day', { asOf: '1900-06-01' }, { from: '1900-01-01', to: '1901-06-01', asOf: '1900-06-01' }],
  ])('%s', (_, input, expected) => {
    expect(resolveDashboardWindow(input, TODAY)).toEqual(expected);
  });

  it.each<[string, DashboardWindowInput, string, string]>([
    ['from after to', { from: '2026-02-01', to: '2026-01-31' }, 'from', 'must not be after to (2026-01-31)'],
    ['from after the default to', { from: '2028-01-01' }, 'from', 'must not be after to (2027-11-28)'],
    ['to before the default from', { to: '2025-01-01' }, 'to', 'must not be before from (2025-11-28)'],
    ['over ten years by a day', { from: '2016-01-01', to: '2026-01-02' }, 'to', 'the window from 2016-01-01 to 2026-01-02 is over 10 years'],
    ['over ten years from a default from', { to: '2036-01-01' }, 'to', 'the window from 2025-11-28 to 2036-01-01 is over 10 years'],
    ['over ten years to a default to', { from: '2017-01-01' }, 'from', 'the window from 2017-01-01 to 2027-11-28 is over 10 years'],
  ])('rejects %s as a 400 on the field', (_, input, field, message) => {
    const p = problem(input);
    expect(p.status).toBe(400);
    expect(p.errors).toEqual([{ field, message }]);
  });
});
