import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outstanding advice requests (neither received nor cancelled): GET /advice-requests?status=REQUESTED.
 * At N = 5 PostgreSQL walks deadline_advice_open_due_idx in the page's order (migration 1764560100000);
 * at N = 1 it misjudges how many outstanding requests have an open deadline (36 estimated, 1,101 in
 * fact: the two conditions are the same rows, which it cannot know across tables) and joins them all,
 * and this index lets it read the outstanding requests instead of every advice request (25k rows).
 */
export class AdviceRequestOpenIndex1764560400000 implements MigrationInterface {
  name = 'AdviceRequestOpenIndex1764560400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX advice_request_open_idx ON advice_request (id) WHERE received_on IS NULL AND cancelled_on IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX advice_request_open_idx`);
  }
}
