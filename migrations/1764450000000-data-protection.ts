import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Erasure (POST /pupils/:id/erasure): the day a pupil's personal fields were anonymised. An
 * erased pupil keeps its row (school, SEN status, needs, year group via the date of birth kept to
 * the 1st of its month, leaving date) so statutory counts and dashboards do not change, but its
 * names are 'ERASED' and its UPN a unique temporary-format placeholder (it still passes the UPN
 * CHECKs). The CHECK keeps the two facts together.
 */
export class DataProtection1764450000000 implements MigrationInterface {
  name = 'DataProtection1764450000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE pupil ADD COLUMN erased_on date`);
    // Why, as a code (never free text: the reason must not itself identify the child).
    await db.query(`
      ALTER TABLE pupil ADD COLUMN erasure_reason text CONSTRAINT pupil_erasure_reason_check
        CHECK (erasure_reason IN ('SUBJECT_REQUEST', 'RETENTION_PERIOD_ENDED', 'CREATED_IN_ERROR'))`);
    await db.query(`
      ALTER TABLE pupil ADD CONSTRAINT pupil_erased_names CHECK (
        (erased_on IS NULL) = (erasure_reason IS NULL) AND (erased_on IS NULL OR (first_name = 'ERASED' AND last_name = 'ERASED' AND extract(day FROM date_of_birth) = 1)))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE pupil DROP CONSTRAINT pupil_erased_names`);
    await db.query(`ALTER TABLE pupil DROP COLUMN erasure_reason`);
    await db.query(`ALTER TABLE pupil DROP COLUMN erased_on`);
  }
}
