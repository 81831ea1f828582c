import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the overdue and due-soon worklist (GET /dashboards/overdue), chosen by EXPLAIN
 * ANALYZE in bench/dashboard-timeliness.ts. The worklist orders by due_on; when old deadlines are
 * mostly met (a well-run county), walking deadline_due_idx from the oldest due date filters out
 * nearly the whole table before it finds 50 open ones (650-840 ms at 200k rows on the bench).
 * The worklist reads instead from "open now" UNION ALL "met or cancelled after asOf"
 * (deadline-sql.ts deadlinesOpenAsOfSql): the first from a partial index of the open deadlines by
 * due date (small: most deadlines close), the second from the met_on and cancelled_on indexes
 * (empty for today; for a past asOf, the deadlines closed since). The timeliness aggregate reads
 * most of its window and stays a sequential scan; no index is added for it.
 */
export class DashboardIndexes1764410000000 implements MigrationInterface {
  name = 'DashboardIndexes1764410000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX deadline_open_due_idx ON deadline (due_on, id) WHERE met_on IS NULL AND cancelled_on IS NULL`);
    await db.query(`CREATE INDEX deadline_met_idx ON deadline (met_on)`);
    await db.query(`CREATE INDEX deadline_cancelled_idx ON deadline (cancelled_on)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX deadline_cancelled_idx`);
    await db.query(`DROP INDEX deadline_met_idx`);
    await db.query(`DROP INDEX deadline_open_due_idx`);
  }
}
