import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The locality-model dashboard's windows (support requests by submitted_on, allocations by
 * offered_on) read index-only: with the sessions and decisions aggregated once per window
 * (migration 1764560200000), what was left at N = 5 was the heap pages of the window's requests and
 * allocations (12,489 + 17,511 pages for 135,590 + 100,378 rows: wide rows, one page per ~10), read
 * from disk on every request because they do not stay in shared_buffers. The window indexes now
 * carry the columns the dashboard groups, scopes and counts by. Same keys as before, so every other
 * reader is served as it was.
 */
export class LocalityModelCoveringWindowIndexes1764560300000 implements MigrationInterface {
  name = 'LocalityModelCoveringWindowIndexes1764560300000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX support_request_submitted_idx`);
    await db.query(`CREATE INDEX support_request_submitted_idx ON support_request (submitted_on) INCLUDE (id, locality_id, school_id, service_code)`);
    await db.query(`DROP INDEX allocation_offered_idx`);
    await db.query(`CREATE INDEX allocation_offered_idx ON allocation (offered_on)
      INCLUDE (id, locality_id, school_id, organisation_id, service_code, units, accepted_on, declined_on, cancelled_on)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX allocation_offered_idx`);
    await db.query(`CREATE INDEX allocation_offered_idx ON allocation (offered_on)`);
    await db.query(`DROP INDEX support_request_submitted_idx`);
    await db.query(`CREATE INDEX support_request_submitted_idx ON support_request (submitted_on)`);
  }
}
