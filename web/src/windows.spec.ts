import { isCalendarDate, londonToday, type Period, periodsFor, type WindowKind } from './windows';

const first = (kind: WindowKind, asOf: string) => {
  const { value, from, to } = periodsFor(kind, asOf)[0];
  return { value, from, to };
};

describe('periodsFor: the window holding asOf comes first', () => {
  it.each<[string, WindowKind, string, Pick<Period, 'value' | 'from' | 'to'>]>([
    ['12 months to the as-of month', 'rolling', '2026-11-28', { value: 'rolling', from: '2025-12-01', to: '2026-11-30' }],
    ['12 months across a year end', 'rolling', '2026-01-01', { value: 'rolling', from: '2025-02-01', to: '2026-01-31' }],
    ['12 months to a February in a leap year', 'rolling', '2024-02-10', { value: 'rolling', from: '2023-03-01', to: '2024-02-29' }],
    ['a month', 'month', '2026-11-28', { value: '2026-11', from: '2026-11-01', to: '2026-11-30' }],
    ['February, not a leap year', 'month', '2026-02-14', { value: '2026-02', from: '2026-02-01', to: '2026-02-28' }],
    ['autumn term', 'term', '2026-11-28', { value: '2026-autumn', from: '2026-09-01', to: '2026-12-31' }],
    ['autumn term, first day', 'term', '2026-09-01', { value: '2026-autumn', from: '2026-09-01', to: '2026-12-31' }],
    ['spring term', 'term', '2026-03-31', { value: '2026-spring', from: '2026-01-01', to: '2026-03-31' }],
    ['summer term', 'term', '2026-04-01', { value: '2026-summer', from: '2026-04-01', to: '2026-08-31' }],
    ['summer term, last day', 'term', '2026-08-31', { value: '2026-summer', from: '2026-04-01', to: '2026-08-31' }],
    ['academic year from September', 'year', '2026-09-01', { value: '2026', from: '2026-09-01', to: '2027-08-31' }],
    ['academic year before September', 'year', '2026-08-31', { value: '2025', from: '2025-09-01', to: '2026-08-31' }],
    ['calendar year', 'calendar', '2026-11-28', { value: '2026', from: '2026-01-01', to: '2026-12-31' }],
  ])('%s', (_, kind, asOf, expected) => {
    expect(first(kind, asOf)).toEqual(expected);
  });

  it('terms go back in order, without gaps, across academic years', () => {
    const terms = periodsFor('term', '2026-11-28');
    expect(terms.map((t) => t.value)).toEqual(['2026-autumn', '2026-summer', '2026-spring', '2025-autumn', '2025-summer', '2025-spring']);
    for (let i = 1; i < terms.length; i++) {
      const dayAfter = new Date(`${terms[i].to}T00:00:00Z`);
      dayAfter.setUTCDate(dayAfter.getUTCDate() + 1);
      expect(dayAfter.toISOString().slice(0, 10)).toBe(terms[i - 1].from);
    }
    expect(terms[3].label).toBe('Autumn term 2025 (2025/26)');
    expect(terms[2].label).toBe('Spring term 2026 (2025/26)');
  });

  it('months go back 24, years 4', () => {
    const months = periodsFor('month', '2026-01-15');
    expect(months).toHaveLength(24);
    expect(months[1]).toEqual({ value: '2025-12', label: 'December 2025', from: '2025-12-01', to: '2025-12-31' });
    expect(periodsFor('year', '2026-11-28').map((p) => p.label)).toEqual([
      'Academic year 2026/27', 'Academic year 2025/26', 'Academic year 2024/25', 'Academic year 2023/24',
    ]);
    expect(periodsFor('calendar', '2026-11-28').map((p) => p.value)).toEqual(['2026', '2025', '2024', '2023']);
  });
});

describe('dates', () => {
  it.each([
    ['2026-11-28', true],
    ['2024-02-29', true],
    ['2026-02-29', false],
    ['2026-13-01', false],
    ['2026-1-01', false],
    ['', false],
  ])('isCalendarDate(%j) = %s', (value, valid) => {
    expect(isCalendarDate(value)).toBe(valid);
  });

  it('today is the date in London, not UTC', () => {
    // 23:30 UTC on 30 June is 00:30 on 1 July in London (BST); 23:30 UTC on 30 December is still the 30th.
    expect(londonToday(new Date('2026-06-30T23:30:00Z'))).toBe('2026-07-01');
    expect(londonToday(new Date('2026-12-30T23:30:00Z'))).toBe('2026-12-30');
  });
});
