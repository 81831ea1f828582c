import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Phase transfers (issue 7, DOMAIN.md PHASE_TRANSFER):
 * - one PHASE_TRANSFER deadline per plan and transfer year (starts_on = 1 September of the
 *   academic year), so opening them for a year can be re-run and a plan issued in a transfer
 *   year is not given a second one by the yearly run (POST /ehc-plans/phase-transfers);
 * - the setting an amended plan named (annual_review.named_setting_school_id) and the one it
 *   replaced, dated by the review's amended_plan_issued_on: the plan keeps only its current
 *   setting, so this is the history of its named settings.
 */
export class PhaseTransfers1764500100000 implements MigrationInterface {
  name = 'PhaseTransfers1764500100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE UNIQUE INDEX deadline_phase_transfer_once ON deadline (subject_type, subject_id, starts_on) WHERE kind = 'PHASE_TRANSFER'`);
    await db.query(`
      ALTER TABLE annual_review
        ADD COLUMN named_setting_school_id uuid CONSTRAINT annual_review_named_setting_fk REFERENCES school (id),
        ADD COLUMN replaced_setting_school_id uuid CONSTRAINT annual_review_replaced_setting_fk REFERENCES school (id),
        ADD CONSTRAINT annual_review_named_setting_when_amended
          CHECK (named_setting_school_id IS NULL OR amended_plan_issued_on IS NOT NULL),
        ADD CONSTRAINT annual_review_replaced_only_when_named
          CHECK (replaced_setting_school_id IS NULL OR named_setting_school_id IS NOT NULL)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE annual_review
        DROP CONSTRAINT annual_review_replaced_only_when_named,
        DROP CONSTRAINT annual_review_named_setting_when_amended,
        DROP COLUMN replaced_setting_school_id,
        DROP COLUMN named_setting_school_id`);
    await db.query(`DROP INDEX deadline_phase_transfer_once`);
  }
}
