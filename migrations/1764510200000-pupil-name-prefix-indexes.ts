import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Pupil search by name prefix (GET /pupils?q=) matches `last_name_key LIKE 'dav%' OR
 * first_name_key LIKE 'dav%'`. The databases are created with a C.UTF-8 locale, for which
 * PostgreSQL does not turn LIKE 'prefix%' into a range of an ordinary btree, and first_name_key
 * had no index at all: a prefix that matches few pupils read the whole pupil table (a sequential
 * scan of 55k rows at N = 1, bench/EXPLAIN-N1.md). text_pattern_ops indexes compare byte-wise, so
 * each prefix is an index range and the two are combined (BitmapOr) and sorted for the page.
 */
export class PupilNamePrefixIndexes1764510200000 implements MigrationInterface {
  name = 'PupilNamePrefixIndexes1764510200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX pupil_last_name_prefix_idx ON pupil (last_name_key text_pattern_ops)`);
    await db.query(`CREATE INDEX pupil_first_name_prefix_idx ON pupil (first_name_key text_pattern_ops)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX pupil_first_name_prefix_idx`);
    await db.query(`DROP INDEX pupil_last_name_prefix_idx`);
  }
}
