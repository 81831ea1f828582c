import { MigrationInterface, QueryRunner } from 'typeorm';

/** The columns a dashboard reads from a deadline: its status inputs, its scope and its group keys. */
const DASHBOARD_COLUMNS = 'starts_on, met_on, cancelled_on, excepted, school_id, organisation_id, kind';

/**
 * Covering indexes for the timeliness dashboard and the open-deadline lists, chosen by EXPLAIN
 * (ANALYZE, BUFFERS) on the N = 1 generated county (bench/EXPLAIN-N1.md): 600k deadlines, 212k of
 * them due in a one-year window, spread over all 14k heap pages (deadlines are written as their
 * cases are, not in due-date order), so the dashboard's bitmap heap scan read every page of the
 * table for one year. These indexes hold just what the readers need, so PostgreSQL answers from
 * the index alone (index-only scans; the heap is visited only for pages changed since the last
 * vacuum):
 * - deadline_window_idx: due_on with the dashboard columns, for a county-wide window (2.7k pages
 *   of index instead of 14k of heap at N = 1; its cost grows with the window, not the table);
 * - deadline_locality_idx becomes (locality_id, due_on) with the same columns, so a one-locality
 *   dashboard reads only its locality's index entries, whatever the size of the county;
 * - deadline_open_due_idx (the open deadlines by due date) carries the list columns too, so the
 *   overdue list and worklist read their first page in order from it without touching the heap;
 * - the open deadlines of one locality, and of one school, by due date: a one-locality worklist
 *   combined the locality's deadlines with every open deadline in the county (a bitmap of
 *   deadline_met_idx's NULLs, which grows with the county); now it reads only its own.
 */
export class DeadlineCoveringIndexes1764510000000 implements MigrationInterface {
  name = 'DeadlineCoveringIndexes1764510000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX deadline_window_idx ON deadline (due_on) INCLUDE (${DASHBOARD_COLUMNS}, locality_id)`);
    await db.query(`DROP INDEX deadline_locality_idx`);
    await db.query(`CREATE INDEX deadline_locality_idx ON deadline (locality_id, due_on) INCLUDE (${DASHBOARD_COLUMNS})`);
    await db.query(`DROP INDEX deadline_open_due_idx`);
    await db.query(`
      CREATE INDEX deadline_open_due_idx ON deadline (due_on, id)
        INCLUDE (starts_on, met_on, cancelled_on, excepted, kind, subject_type, subject_id, pupil_id, school_id, locality_id, organisation_id)
        WHERE met_on IS NULL AND cancelled_on IS NULL`);
    await db.query(`CREATE INDEX deadline_open_locality_idx ON deadline (locality_id, due_on, id) WHERE met_on IS NULL AND cancelled_on IS NULL`);
    await db.query(`CREATE INDEX deadline_open_school_idx ON deadline (school_id, due_on, id) WHERE met_on IS NULL AND cancelled_on IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX deadline_open_school_idx`);
    await db.query(`DROP INDEX deadline_open_locality_idx`);
    await db.query(`DROP INDEX deadline_open_due_idx`);
    await db.query(`CREATE INDEX deadline_open_due_idx ON deadline (due_on, id) WHERE met_on IS NULL AND cancelled_on IS NULL`);
    await db.query(`DROP INDEX deadline_locality_idx`);
    await db.query(`CREATE INDEX deadline_locality_idx ON deadline (locality_id, due_on)`);
    await db.query(`DROP INDEX deadline_window_idx`);
  }
}
