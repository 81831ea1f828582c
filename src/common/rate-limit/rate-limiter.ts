import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../clock/clock';
import { ProblemException } from '../problem/problem.exception';

/** How often each instance deletes windows over a day old (housekeeping: counting never reads them). */
export const RATE_LIMIT_CLEANUP_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Fixed-window counters in PostgreSQL, so every app instance behind a load balancer counts the
 * same hits (nothing shared lives in process memory; ARCHITECTURE.md). One upsert per hit, into
 * an UNLOGGED table (migration 1764602000000): its commit waits for no WAL flush, which was most of
 * a hit's cost and held the user's counter row locked meanwhile. Counts are lost only if the
 * PostgreSQL server crashes (README "Running several instances").
 */
@Injectable()
export class RateLimiter {
  /** When this instance next deletes old windows: at its first hit, then hourly (not a random 1 in 100 hits). */
  private nextCleanupAt = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Counts a hit for `key`; over `limit` in the current window of `windowSeconds` is a 429. */
  async hit(key: string, limit: number, windowSeconds: number): Promise<void> {
    const [row] = await this.dataSource.query(
      `INSERT INTO rate_limit (key, window_start, hits)
       VALUES ($1, to_timestamp(floor(extract(epoch FROM now()) / $2) * $2), 1)
       ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit.hits + 1
       RETURNING hits, ceil(extract(epoch FROM window_start) + $2 - extract(epoch FROM now()))::int AS "retryAfter"`,
      [key, windowSeconds],
    );
    const now = this.clock.now().getTime();
    if (now >= this.nextCleanupAt) {
      this.nextCleanupAt = now + RATE_LIMIT_CLEANUP_INTERVAL_MS;
      await this.dataSource.query(`DELETE FROM rate_limit WHERE window_start < now() - interval '1 day'`);
    }
    if (row.hits > limit) {
      throw new ProblemException('rate-limited', `too many attempts; try again in ${Math.max(1, row.retryAfter)} seconds`, undefined, {
        retryAfter: Math.max(1, row.retryAfter),
      });
    }
  }
}
