import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two small partial indexes for the EHC lists (bench/EXPLAIN-N5.md):
 *
 * - deadline_advice_open_due_idx: a provider's open advice worklist (GET /advice-requests?status=REQUESTED)
 *   in its default order (due date, advice request id). The index of every EHC_ADVICE deadline walked
 *   115,238 of them at N = 5 (mostly long received) to find 51 outstanding ones (0.4-0.6 s); outstanding
 *   advice is exactly the advice whose EHC_ADVICE deadline is open (received = met, cancelled = cancelled,
 *   in the same transaction), so this index holds only those.
 * - deadline_final_plan_excepted_idx: the case list's `excepted` flag (an EHC_FINAL_PLAN deadline with an
 *   exception). PostgreSQL answers it as one hashed set per request; without an index that set was a
 *   bitmap of every final-plan deadline ANDed with every case deadline (60,000 rows at N = 5, 20-140 ms).
 */
export class EhcWorklistPartialIndexes1764560100000 implements MigrationInterface {
  name = 'EhcWorklistPartialIndexes1764560100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX deadline_advice_open_due_idx ON deadline (due_on, subject_id)
      WHERE subject_type = 'ADVICE_REQUEST' AND kind = 'EHC_ADVICE' AND met_on IS NULL AND cancelled_on IS NULL`);
    await db.query(`CREATE INDEX deadline_final_plan_excepted_idx ON deadline (subject_id)
      WHERE subject_type = 'EHC_ASSESSMENT' AND kind = 'EHC_FINAL_PLAN' AND excepted`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX deadline_final_plan_excepted_idx`);
    await db.query(`DROP INDEX deadline_advice_open_due_idx`);
  }
}
