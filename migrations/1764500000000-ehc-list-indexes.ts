import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the first page of GET /ehc-plans and GET /advice-requests, chosen by EXPLAIN
 * ANALYZE on the N = 1 county (bench/county-explain.ts; figures in the phase report). Both lists
 * are keyset pages in a sort order no index had, so PostgreSQL joined every plan (sequential scans
 * of ehc_plan and pupil) or every advice request (sequential scan of advice_request) and sorted
 * them to return 51. With an index in the sort order it walks 51 rows and joins those.
 *
 * - ehc_plan (issued_on, id): the plan list's newest-first order (walked backwards).
 * - deadline (due_on, subject_id) of the EHC_ADVICE deadlines: the advice worklist's default order,
 *   due date then advice request id (subject_id = ar.id in the join, so it is the same key).
 * - advice_request (requested_on, id): the worklist's other order (?sort=requestedOn).
 * - Statistics on deadline (subject_type, kind): the two are correlated (EHC_ADVICE deadlines are
 *   all about ADVICE_REQUEST subjects), and PostgreSQL, multiplying their frequencies, guessed
 *   about 1,000 advice deadlines where there are 25,000: it then preferred sorting them all to
 *   walking the index. ANALYZE here so the statistics exist before the first request.
 */
export class EhcListIndexes1764500000000 implements MigrationInterface {
  name = 'EhcListIndexes1764500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX ehc_plan_issued_idx ON ehc_plan (issued_on, id)`);
    await db.query(`CREATE INDEX deadline_advice_due_idx ON deadline (due_on, subject_id) WHERE subject_type = 'ADVICE_REQUEST' AND kind = 'EHC_ADVICE'`);
    await db.query(`CREATE INDEX advice_request_requested_idx ON advice_request (requested_on, id)`);
    await db.query(`CREATE STATISTICS deadline_subject_kind_stats (mcv) ON subject_type, kind FROM deadline`);
    await db.query(`ANALYZE deadline`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP STATISTICS deadline_subject_kind_stats`);
    await db.query(`DROP INDEX advice_request_requested_idx`);
    await db.query(`DROP INDEX deadline_advice_due_idx`);
    await db.query(`DROP INDEX ehc_plan_issued_idx`);
  }
}
