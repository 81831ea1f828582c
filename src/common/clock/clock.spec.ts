import { Clock, FixedClock, SystemClock } from './clock';

describe('FixedClock', () => {
  it.each([
    ['2025-01-15T23:30:00Z', '2025-01-15'], // winter: London = UTC
    ['2025-01-16T00:00:00Z', '2025-01-16'],
    ['2025-07-01T22:59:59Z', '2025-07-01'], // summer: London = UTC+1
    ['2025-07-01T23:00:00Z', '2025-07-02'],
    ['2025-03-30T23:30:00Z', '2025-03-31'],
  ])('at %s, today() is %s', (instant, expected) => {
    expect(new FixedClock(new Date(instant)).today()).toBe(expected);
  });

  it('stays put until set() moves it across London midnight', () => {
    const clock = new FixedClock(new Date('2025-06-30T22:59:00Z'));
    expect(clock.now().toISOString()).toBe('2025-06-30T22:59:00.000Z');
    expect(clock.today()).toBe('2025-06-30');
    clock.set(new Date('2025-06-30T23:01:00Z'));
    expect(clock.today()).toBe('2025-07-01');
  });

  it('is not moved by mutating the Date passed in or returned', () => {
    const start = new Date('2025-01-15T12:00:00Z');
    const clock = new FixedClock(start);
    start.setUTCDate(20);
    clock.now().setUTCDate(25);
    expect(clock.today()).toBe('2025-01-15');
  });

  it('rejects an invalid Date', () => {
    expect(() => new FixedClock(new Date('nope'))).toThrow(RangeError);
    expect(() => new FixedClock(new Date()).set(new Date(Number.NaN))).toThrow(RangeError);
  });

  it('is a Clock (the DI token)', () => {
    expect(new FixedClock(new Date())).toBeInstanceOf(Clock);
  });
});

describe('SystemClock', () => {
  it('reports the current instant', () => {
    const before = Date.now();
    const now = new SystemClock().now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
