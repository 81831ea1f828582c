import { MAX_UNITS, unitsProblem } from './units';

describe('unitsProblem (API.md "Units")', () => {
  it.each([
    ['HOURS', 0.25],
    ['HOURS', 0.5],
    ['HOURS', 7.75],
    ['HOURS', 120],
    ['SESSIONS', 1],
    ['SESSIONS', 12],
    ['PLACES', 3],
    ['GBP', 15000],
    ['GBP', MAX_UNITS],
  ] as const)('accepts %s %p', (unit, units) => {
    expect(unitsProblem(unit, units)).toBeNull();
  });

  it.each([
    ['HOURS', 0.3, /quarter hours/],
    ['HOURS', 1.1, /quarter hours/],
    ['HOURS', 0.1, /quarter hours/],
    ['SESSIONS', 2.5, /whole number/],
    ['PLACES', 0.5, /whole number/],
    ['GBP', 10.5, /whole number/],
    ['GBP', 0.01, /whole number/],
    ['SESSIONS', 0, /greater than 0/],
    ['HOURS', -0.25, /greater than 0/],
    ['GBP', MAX_UNITS + 1, /must not exceed/],
    ['SESSIONS', Number.NaN, /a number/],
    ['SESSIONS', Number.POSITIVE_INFINITY, /a number/],
  ] as const)('refuses %s %p', (unit, units, message) => {
    expect(unitsProblem(unit, units)).toMatch(message);
  });
});
