import { ProblemException } from '../common/problem/problem.exception';
import { resolveCalendarYearWindow } from './grouped-aggregate';

const TODAY = '2026-11-28';

describe('resolveCalendarYearWindow (the EHC dashboards’ DfE calendar-year default)', () => {
  it.each<[string, { from?: string; to?: string; asOf?: string }, [string, string, string]]>([
    ['default: the calendar year of today', {}, ['2026-01-01', '2026-12-31', TODAY]],
    ['default: the calendar year of asOf', { asOf: '2024-02-29' }, ['2024-01-01', '2024-12-31', '2024-02-29']],
    ['only from: to the end of from’s year', { from: '2025-03-01', asOf: '2027-01-01' }, ['2025-03-01', '2025-12-31', '2027-01-01']],
    ['only to: from the start of to’s year', { to: '2023-06-30' }, ['2023-01-01', '2023-06-30', TODAY]],
    ['both given', { from: '2020-01-01', to: '2026-12-31' }, ['2020-01-01', '2026-12-31', TODAY]],
  ])('%s', (_, input, [from, to, asOf]) => {
    expect(resolveCalendarYearWindow(input, TODAY)).toEqual({ from, to, asOf });
  });

  it.each<[{ from?: string; to?: string }, string]>([
    [{ from: '2026-02-01', to: '2026-01-31' }, 'from'],
    [{ from: '2010-01-01', to: '2026-01-01' }, 'to'],
  ])('rejects %j as a 400 on %s', (input, field) => {
    try {
      resolveCalendarYearWindow(input, TODAY);
      throw new Error('expected a 400');
    } catch (error) {
      expect(error).toBeInstanceOf(ProblemException);
      expect((error as ProblemException).errors?.[0]?.field).toBe(field);
    }
  });
});
