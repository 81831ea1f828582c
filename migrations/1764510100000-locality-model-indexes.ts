import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the locality-model dashboard (GET /dashboards/locality-model), chosen by EXPLAIN
 * (ANALYZE, BUFFERS) on the N = 1 generated county (bench/EXPLAIN-N1.md).
 * - support_request (submitted_on) and allocation (offered_on): its window. A one-year window is a
 *   third of the three years generated, which PostgreSQL still reads by sequential scan; as
 *   history accumulates the window becomes a small part of the table and is read by range.
 * - For every allocation in the window it reads the sessions delivered up to asOf (first attended
 *   session, units used), and for every request its decisions up to asOf (first decision other
 *   than deferral, the provider named): one index range per record. Carrying the columns those
 *   reads need makes them index-only, instead of a heap page per session and per decision (18k
 *   heap pages of allocation_session for a one-year county-wide window). Same keys as before, so
 *   every other reader is served as it was.
 */
export class LocalityModelIndexes1764510100000 implements MigrationInterface {
  name = 'LocalityModelIndexes1764510100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX support_request_submitted_idx ON support_request (submitted_on)`);
    await db.query(`CREATE INDEX allocation_offered_idx ON allocation (offered_on)`);
    await db.query(`DROP INDEX allocation_session_allocation_idx`);
    await db.query(`CREATE INDEX allocation_session_allocation_idx ON allocation_session (allocation_id, delivered_on DESC, id DESC) INCLUDE (attended, units_used)`);
    await db.query(`DROP INDEX support_request_decision_request_idx`);
    await db.query(
      `CREATE INDEX support_request_decision_request_idx ON support_request_decision (request_id, created_at DESC, id DESC) INCLUDE (decided_on, outcome, organisation_id)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX support_request_decision_request_idx`);
    await db.query(`CREATE INDEX support_request_decision_request_idx ON support_request_decision (request_id, created_at DESC, id DESC)`);
    await db.query(`DROP INDEX allocation_session_allocation_idx`);
    await db.query(`CREATE INDEX allocation_session_allocation_idx ON allocation_session (allocation_id, delivered_on DESC, id DESC)`);
    await db.query(`DROP INDEX allocation_offered_idx`);
    await db.query(`DROP INDEX support_request_submitted_idx`);
  }
}
