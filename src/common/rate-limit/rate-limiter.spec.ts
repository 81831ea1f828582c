import type { DataSource } from 'typeorm';
import { FixedClock } from '../clock/clock';
import { ProblemException } from '../problem/problem.exception';
import { RATE_LIMIT_CLEANUP_INTERVAL_MS, RateLimiter } from './rate-limiter';

/** A DataSource that records the statements and answers the upsert with the given hit count. */
function fakeDatabase(hits: () => number) {
  const statements: string[] = [];
  const dataSource = {
    query: async (sql: string) => {
      statements.push(sql.trim().split(/\s+/)[0]);
      return sql.trim().startsWith('INSERT') ? [{ hits: hits(), retryAfter: 17 }] : [];
    },
  } as unknown as DataSource;
  return { dataSource, statements };
}

describe('RateLimiter', () => {
  it('deletes old windows at its first hit and then at most once an hour, not on other hits', async () => {
    const clock = new FixedClock(new Date('2026-11-28T12:00:00Z'));
    const db = fakeDatabase(() => 1);
    const limiter = new RateLimiter(db.dataSource, clock);
    await limiter.hit('expensive:u', 10, 60);
    expect(db.statements).toEqual(['INSERT', 'DELETE']);
    for (let i = 0; i < 50; i += 1) await limiter.hit('expensive:u', 10, 60);
    clock.set(new Date(clock.now().getTime() + RATE_LIMIT_CLEANUP_INTERVAL_MS - 1));
    await limiter.hit('expensive:u', 10, 60);
    expect(db.statements.filter((s) => s === 'DELETE')).toHaveLength(1);
    expect(db.statements.filter((s) => s === 'INSERT')).toHaveLength(52);
    clock.set(new Date(clock.now().getTime() + 1));
    await limiter.hit('expensive:u', 10, 60);
    expect(db.statements.slice(-2)).toEqual(['INSERT', 'DELETE']);
  });

  it('refuses a hit over the limit with rate-limited and the seconds left in the window', async () => {
    let n = 0;
    const limiter = new RateLimiter(fakeDatabase(() => ++n).dataSource, new FixedClock(new Date('2026-11-28T12:00:00Z')));
    await limiter.hit('expensive:u', 2, 60);
    await limiter.hit('expensive:u', 2, 60);
    const third = await limiter.hit('expensive:u', 2, 60).catch((e: unknown) => e);
    expect(third).toBeInstanceOf(ProblemException);
    expect(third).toMatchObject({ type: 'rate-limited', extensions: { retryAfter: 17 } });
  });
});
