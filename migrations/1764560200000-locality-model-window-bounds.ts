import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The county-wide locality-model dashboard reads the window's sessions and decisions as one range by
 * date each, aggregated once and hash-joined to the window's allocations and requests, instead of an
 * index probe per allocation and per request (0.6 s at N = 1 but 3-12 s at N = 5: the probes stop
 * fitting in shared_buffers; bench/EXPLAIN-N5.md). That is exact only if no session of an allocation
 * offered in the window was delivered before the window, and no decision on a request submitted in
 * it was made before it: the two orders the use cases already validate (a session is not before
 * acceptance, acceptance not before the offer; a decision not before submission). The database now
 * enforces them too, whatever writes the rows: a CHECK cannot compare two tables, so statement-level
 * constraint triggers (one set-based check per statement, also for bulk loads) on both sides of each
 * pair. Existing rows are checked first: the migration stops, naming the pair, if any breaks it.
 * The checks count rather than ask EXISTS: EXISTS plans for an early match, and with no match (the
 * normal case) and no index (the county generator loads without its non-unique indexes) that plan
 * is a nested loop over every pair; a count is planned for the whole join (a hash join there).
 *
 * Indexes: the two date ranges, index-only (the columns the aggregates read).
 */
export class LocalityModelWindowBounds1764560200000 implements MigrationInterface {
  name = 'LocalityModelWindowBounds1764560200000';

  async up(db: QueryRunner): Promise<void> {
    const [{ sessions, decisions }] = await db.query(`SELECT
      (SELECT count(*) FROM allocation_session s JOIN allocation a ON a.id = s.allocation_id WHERE s.delivered_on < a.offered_on)::int AS sessions,
      (SELECT count(*) FROM support_request_decision d JOIN support_request r ON r.id = d.request_id WHERE d.decided_on < r.submitted_on)::int AS decisions`);
    if (sessions || decisions) {
      throw new Error(`${sessions} sessions delivered before their allocation was offered, ${decisions} decisions before their request was submitted: correct them first`);
    }
    await db.query(`
      CREATE FUNCTION session_not_before_offer() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (SELECT count(*) FROM changed_rows c JOIN allocation a ON a.id = c.allocation_id WHERE c.delivered_on < a.offered_on) > 0 THEN
          RAISE EXCEPTION 'a session is not delivered before its allocation was offered' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE FUNCTION offer_not_after_sessions() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (SELECT count(*) FROM changed_rows c JOIN allocation_session s ON s.allocation_id = c.id WHERE s.delivered_on < c.offered_on) > 0 THEN
          RAISE EXCEPTION 'a session is not delivered before its allocation was offered' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE FUNCTION decision_not_before_submission() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (SELECT count(*) FROM changed_rows c JOIN support_request r ON r.id = c.request_id WHERE c.decided_on < r.submitted_on) > 0 THEN
          RAISE EXCEPTION 'a decision is not made before its request was submitted' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE FUNCTION submission_not_after_decisions() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (SELECT count(*) FROM changed_rows c JOIN support_request_decision d ON d.request_id = c.id WHERE d.decided_on < c.submitted_on) > 0 THEN
          RAISE EXCEPTION 'a decision is not made before its request was submitted' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$`);
    for (const [table, fn] of TRIGGERS) {
      await db.query(`CREATE TRIGGER ${table}_order_insert AFTER INSERT ON ${table} REFERENCING NEW TABLE AS changed_rows
        FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`);
      await db.query(`CREATE TRIGGER ${table}_order_update AFTER UPDATE ON ${table} REFERENCING NEW TABLE AS changed_rows
        FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`);
    }
    await db.query(`CREATE INDEX allocation_session_delivered_idx ON allocation_session (delivered_on) INCLUDE (allocation_id, attended, units_used)`);
    await db.query(`CREATE INDEX support_request_decision_decided_idx ON support_request_decision (decided_on) INCLUDE (request_id, outcome)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX support_request_decision_decided_idx`);
    await db.query(`DROP INDEX allocation_session_delivered_idx`);
    for (const [table] of [...TRIGGERS].reverse()) {
      await db.query(`DROP TRIGGER ${table}_order_update ON ${table}`);
      await db.query(`DROP TRIGGER ${table}_order_insert ON ${table}`);
    }
    await db.query(`DROP FUNCTION submission_not_after_decisions()`);
    await db.query(`DROP FUNCTION decision_not_before_submission()`);
    await db.query(`DROP FUNCTION offer_not_after_sessions()`);
    await db.query(`DROP FUNCTION session_not_before_offer()`);
  }
}

/** Each table and the function that checks its side of the order after an insert or update. */
const TRIGGERS: [string, string][] = [
  ['allocation_session', 'session_not_before_offer'],
  ['allocation', 'offer_not_after_sessions'],
  ['support_request_decision', 'decision_not_before_submission'],
  ['support_request', 'submission_not_after_decisions'],
];
