import { Logger } from '@nestjs/common';
import { type DataSource, MigrationExecutor } from 'typeorm';

/** Advisory lock key held while one instance migrates (any fixed number; only this app uses it). */
export const MIGRATION_LOCK_KEY = 7_305_001;
const POLL_MS = 250;

/**
 * Runs the pending migrations with a session-level advisory lock held, so several instances
 * started at once against one database migrate one at a time: the first applies them, the others
 * wait, then find nothing pending (without the lock two would race to create the same tables and
 * one would fail its start). The lock is polled with pg_try_advisory_lock, so a long migration
 * elsewhere never trips a statement timeout here. Everything runs on ONE connection (the lock is
 * held by a session), which also suits the embedded database's single pooled connection.
 */
export async function runMigrationsExclusively(dataSource: DataSource, logger = new Logger('Database')): Promise<void> {
  const runner = dataSource.createQueryRunner('master');
  try {
    let waitingSince: number | undefined;
    for (;;) {
      const [{ locked }] = await runner.query(`SELECT pg_try_advisory_lock($1) AS locked`, [MIGRATION_LOCK_KEY]);
      if (locked) break;
      if (waitingSince === undefined) {
        waitingSince = Date.now();
        logger.log('another instance is migrating this database: waiting for it');
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    if (waitingSince !== undefined) logger.log(`the other instance's migrations finished after ${Date.now() - waitingSince} ms`);
    try {
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = dataSource.options.migrationsTransactionMode ?? 'all';
      const applied = await executor.executePendingMigrations();
      if (applied.length > 0) logger.log(`applied ${applied.length} migrations`);
    } finally {
      await runner.query(`SELECT pg_advisory_unlock($1)`, [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
