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
    for (const check of ORDER_CHECKS) await db.query(checkFunctionSql(check));
    for (const { table, fn } of ORDER_CHECKS) {
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
    for (const { table } of [...ORDER_CHECKS].reverse()) {
      await db.query(`DROP TRIGGER ${table}_order_update ON ${table}`);
      await db.query(`DROP TRIGGER ${table}_order_insert ON ${table}`);
    }
    for (const { fn } of [...ORDER_CHECKS].reverse()) await db.query(`DROP FUNCTION ${fn}()`);
  }
}

const SESSION_ORDER = 'a session is not delivered before its allocation was offered';
const DECISION_ORDER = 'a decision is not made before its request was submitted';

/**
 * One side of an order rule: the function that checks `table`'s inserted or updated rows (`c`),
 * joined to the other side by `join`, and the condition on the pair that breaks the order.
 */
interface OrderCheck {
  table: string;
  fn: string;
  join: string;
  broken: string;
  message: string;
}

/** Each table and the function that checks its side of the order after an insert or update. */
const ORDER_CHECKS: OrderCheck[] = [
  { table: 'allocation_session', fn: 'session_not_before_offer', join: 'allocation a ON a.id = c.allocation_id', broken: 'c.delivered_on < a.offered_on', message: SESSION_ORDER },
  { table: 'allocation', fn: 'offer_not_after_sessions', join: 'allocation_session s ON s.allocation_id = c.id', broken: 's.delivered_on < c.offered_on', message: SESSION_ORDER },
  { table: 'support_request_decision', fn: 'decision_not_before_submission', join: 'support_request r ON r.id = c.request_id', broken: 'c.decided_on < r.submitted_on', message: DECISION_ORDER },
  { table: 'support_request', fn: 'submission_not_after_decisions', join: 'support_request_decision d ON d.request_id = c.id', broken: 'd.decided_on < c.submitted_on', message: DECISION_ORDER },
];

/**
 * The check function of one side. Its text (whitespace included) is the one this migration wrote
 * when each function was spelled out, so the stored functions (pg_get_functiondef) are unchanged.
 */
function checkFunctionSql({ fn, join, broken, message }: OrderCheck): string {
  return `
      CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (SELECT count(*) FROM changed_rows c JOIN ${join} WHERE ${broken}) > 0 THEN
          RAISE EXCEPTION '${message}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$`;
}
