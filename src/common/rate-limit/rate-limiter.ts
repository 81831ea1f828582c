import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ProblemException } from '../problem/problem.exception';

/**
 * Fixed-window counters in PostgreSQL, so every app instance behind a load balancer counts the
 * same hits (nothing shared lives in process memory; ARCHITECTURE.md). One upsert per hit.
 */
@Injectable()
export class RateLimiter {
  constructor(private readonly dataSource: DataSource) {}

  /** Counts a hit for `key`; over `limit` in the current window of `windowSeconds` is a 429. */
  async hit(key: string, limit: number, windowSeconds: number): Promise<void> {
    const [row] = await this.dataSource.query(
      `INSERT INTO rate_limit (key, window_start, hits)
       VALUES ($1, to_timestamp(floor(extract(epoch FROM now()) / $2) * $2), 1)
       ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit.hits + 1
       RETURNING hits, ceil(extract(epoch FROM window_start) + $2 - extract(epoch FROM now()))::int AS "retryAfter"`,
      [key, windowSeconds],
    );
    if (Math.random() < 0.01) {
      await this.dataSource.query(`DELETE FROM rate_limit WHERE window_start < now() - interval '1 day'`);
    }
    if (row.hits > limit) {
      throw new ProblemException('rate-limited', `too many attempts; try again in ${Math.max(1, row.retryAfter)} seconds`, undefined, {
        retryAfter: Math.max(1, row.retryAfter),
      });
    }
  }
}
