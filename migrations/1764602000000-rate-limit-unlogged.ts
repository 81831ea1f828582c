import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rate-limit counters (src/common/rate-limit) in an UNLOGGED table: a hit writes no WAL, so its
 * commit does not wait for a WAL flush (every dashboard, export and import call paid one, and the
 * calls of one user queued behind each other on their counter's row lock meanwhile). The counters
 * still live in PostgreSQL, shared by every instance. What it gives up (README "Running several
 * instances", Counters): after a crash of the PostgreSQL server the table is emptied, so the
 * current minute's counts start again; it is not copied to streaming replicas (the app never reads
 * it there).
 */
export class RateLimitUnlogged1764602000000 implements MigrationInterface {
  name = 'RateLimitUnlogged1764602000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE rate_limit SET UNLOGGED`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE rate_limit SET LOGGED`);
  }
}
