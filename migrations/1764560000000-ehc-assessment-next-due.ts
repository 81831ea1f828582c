import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The caseworker's case list (GET /ehc-assessments) sorts by each case's next statutory date: its
 * earliest open deadline among its own, its advice requests' and its plan's (due date, kind, id).
 * Computed per request, that is an aggregate over every open EHC deadline joined to every case and
 * sorted (5.7 s at N = 5, bench/EXPLAIN-N5.md); no index can hold a derived order. So the case row
 * keeps it: next_deadline_id and next_due_on, maintained by the database itself (statement-level
 * triggers on deadline, advice_request and ehc_plan, whatever writes them: the use cases through
 * TimelinessService, the imports, the county generator's INSERT ... SELECT), so it cannot drift.
 * It is "as stored", not "as of today": which deadline is open and its due date do not depend on
 * the day, only the status shown does (still deadline_status() on the joined deadline).
 *
 * Indexes in the list's sort orders: (next due, id) for the default page and (stage, next due, id) /
 * (stage, request date, id) for the by-stage filter.
 */
export class EhcAssessmentNextDue1764560000000 implements MigrationInterface {
  name = 'EhcAssessmentNextDue1764560000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE ehc_assessment ADD COLUMN next_deadline_id uuid, ADD COLUMN next_due_on date`);
    // The earliest open deadline of each given case (ties: kind, then id), written only where it changed.
    // Set-based (= ANY, DISTINCT ON), not a probe per case: one case reads its few rows by index, a bulk
    // load (the county generator, which drops the non-unique indexes while it loads) hashes.
    await db.query(`
      CREATE FUNCTION ehc_assessment_refresh_next_due(case_ids uuid[]) RETURNS void LANGUAGE sql AS $$
        UPDATE ehc_assessment a SET next_deadline_id = n.id, next_due_on = n.due_on
          FROM (SELECT c.id AS case_id, nd.id, nd.due_on
                  FROM (SELECT DISTINCT id FROM unnest(case_ids) AS u(id) WHERE id IS NOT NULL) c
                  LEFT JOIN (SELECT DISTINCT ON (o.case_id) o.case_id, o.id, o.due_on FROM (
                      SELECT d.subject_id AS case_id, d.id, d.due_on, d.kind FROM deadline d
                       WHERE d.subject_type = 'EHC_ASSESSMENT' AND d.subject_id = ANY (case_ids) AND d.met_on IS NULL AND d.cancelled_on IS NULL
                      UNION ALL
                      SELECT x.assessment_id, d.id, d.due_on, d.kind FROM advice_request x
                        JOIN deadline d ON d.subject_type = 'ADVICE_REQUEST' AND d.subject_id = x.id AND d.met_on IS NULL AND d.cancelled_on IS NULL
                       WHERE x.assessment_id = ANY (case_ids)
                      UNION ALL
                      SELECT x.assessment_id, d.id, d.due_on, d.kind FROM ehc_plan x
                        JOIN deadline d ON d.subject_type = 'EHC_PLAN' AND d.subject_id = x.id AND d.met_on IS NULL AND d.cancelled_on IS NULL
                       WHERE x.assessment_id = ANY (case_ids)
                    ) o ORDER BY o.case_id, o.due_on, o.kind, o.id) nd ON nd.case_id = c.id) n
         WHERE a.id = n.case_id
           AND (a.next_deadline_id IS DISTINCT FROM n.id OR a.next_due_on IS DISTINCT FROM n.due_on)
      $$`);
    // Deadline rows changed by one statement (transition tables: one refresh per statement, also for bulk writes).
    await db.query(`
      CREATE FUNCTION deadline_refresh_case_next_due() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM ehc_assessment_refresh_next_due(ARRAY(
          SELECT CASE r.subject_type WHEN 'EHC_ASSESSMENT' THEN r.subject_id
                   WHEN 'ADVICE_REQUEST' THEN (SELECT x.assessment_id FROM advice_request x WHERE x.id = r.subject_id)
                   ELSE (SELECT x.assessment_id FROM ehc_plan x WHERE x.id = r.subject_id) END
            FROM changed_rows r WHERE r.subject_type IN ('EHC_ASSESSMENT', 'ADVICE_REQUEST', 'EHC_PLAN')));
        RETURN NULL;
      END $$`);
    // An advice request or plan (re)linked to a case or removed: its deadlines move with it.
    await db.query(`
      CREATE FUNCTION case_child_refresh_next_due() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM ehc_assessment_refresh_next_due(ARRAY(SELECT r.assessment_id FROM changed_rows r));
        RETURN NULL;
      END $$`);
    for (const [table, fn] of [
      ['deadline', 'deadline_refresh_case_next_due'],
      ['advice_request', 'case_child_refresh_next_due'],
      ['ehc_plan', 'case_child_refresh_next_due'],
    ]) {
      await db.query(`CREATE TRIGGER ${table}_next_due_insert AFTER INSERT ON ${table} REFERENCING NEW TABLE AS changed_rows
        FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`);
      await db.query(`CREATE TRIGGER ${table}_next_due_update_new AFTER UPDATE ON ${table} REFERENCING NEW TABLE AS changed_rows
        FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`);
      await db.query(`CREATE TRIGGER ${table}_next_due_update_old AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS changed_rows
        FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`);
      await db.query(`CREATE TRIGGER ${table}_next_due_delete AFTER DELETE ON ${table} REFERENCING OLD TABLE AS changed_rows
        FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`);
    }
    await db.query(`SELECT ehc_assessment_refresh_next_due(ARRAY(SELECT id FROM ehc_assessment))`);
    await db.query(`CREATE INDEX ehc_assessment_next_due_idx ON ehc_assessment ((COALESCE(next_due_on, '2999-12-31'::date)), id)`);
    await db.query(`CREATE INDEX ehc_assessment_stage_next_due_idx ON ehc_assessment (stage, (COALESCE(next_due_on, '2999-12-31'::date)), id)`);
    await db.query(`CREATE INDEX ehc_assessment_stage_received_idx ON ehc_assessment (stage, request_received_on, id)`);
    await db.query(`ANALYZE ehc_assessment`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX ehc_assessment_stage_received_idx`);
    await db.query(`DROP INDEX ehc_assessment_stage_next_due_idx`);
    await db.query(`DROP INDEX ehc_assessment_next_due_idx`);
    for (const table of ['ehc_plan', 'advice_request', 'deadline']) {
      for (const suffix of ['delete', 'update_old', 'update_new', 'insert']) await db.query(`DROP TRIGGER ${table}_next_due_${suffix} ON ${table}`);
    }
    await db.query(`DROP FUNCTION case_child_refresh_next_due()`);
    await db.query(`DROP FUNCTION deadline_refresh_case_next_due()`);
    await db.query(`DROP FUNCTION ehc_assessment_refresh_next_due(uuid[])`);
    await db.query(`ALTER TABLE ehc_assessment DROP COLUMN next_due_on, DROP COLUMN next_deadline_id`);
  }
}
