import { todayInLondon } from '../src/common/dates/calendar-date';
import { createUser, type TestUser } from './support/auth';
import { approvalOf, type ContendedPool, contentionOutcome, expectExactAllocation, seedContendedPool } from './support/contended-pool';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * A pool is never overspent, even when panel members approve at the same moment (issue 5): 60
 * approvals of 5 hours, each for its own request, fired at once against a pool of 100 hours. The
 * guard is the pool ledger's single guarded UPDATE inside each decision's transaction. On
 * PostgreSQL the app runs with 10 pooled connections, so the decisions really interleave; the
 * embedded database has one connection and serialises them, and must refuse the overspend just
 * the same. There the 60 requests queue for the one connection longer than the default 5 s
 * connection wait (which would answer 503 /problems/unavailable, a "try again" and not a decision),
 * so the suite raises that wait: every request then gets its real answer.
 */
describe('pool concurrency: parallel approvals never overspend a pool', () => {
  const APPROVALS = 60;
  const UNITS = 5;
  const CAPACITY = 100;
  const today = todayInLondon();
  let t: TestApp;
  let panel: TestUser;
  let pool: ContendedPool;

  beforeAll(async () => {
    t = await createTestApp({ databasePoolSize: 10, databaseTimeoutMs: 60000 });
    pool = await seedContendedPool((text, params) => t.dataSource.query(text, params), today, { requests: APPROVALS, units: UNITS, capacity: CAPACITY });
    panel = await createUser(t, 'PANEL', { localityId: pool.localityId });
  }, 120000);
  afterAll(async () => {
    await t?.close();
  });

  it(`${APPROVALS} approvals of ${UNITS} hours at once against ${CAPACITY} hours: exactly the capacity is allocated, every refusal is 409 capacity-exhausted`, async () => {
    const started = Date.now();
    const responses = await Promise.all(
      pool.requestIds.map((id) =>
        t.http().post(`/api/v1/support-requests/${id}/decision`).set('Authorization', panel.bearer).send(approvalOf(pool, today, UNITS)),
      ),
    );
    const elapsed = Date.now() - started;
    const outcome = await contentionOutcome((text, params) => t.dataSource.query(text, params), pool.poolId);
    const { pool: ledger, sums } = outcome;
    // eslint-disable-next-line no-console
    console.log(
      `pool concurrency (${process.env.DATABASE_URL || process.env.TEST_DATABASE_URL ? 'PostgreSQL, 10 connections' : 'embedded, 1 connection'}): ` +
        `${APPROVALS} parallel approvals of ${UNITS} units against ${CAPACITY}: approved ${responses.filter((r) => r.status === 200).length}, ` +
        `refused ${responses.filter((r) => r.status !== 200).length}, units allocated ${ledger.allocated} (sum of allocation rows ${sums.units}), ` +
        `remaining ${ledger.capacity - ledger.allocated}, ${elapsed} ms`,
    );
    expectExactAllocation(responses, outcome, { requests: APPROVALS, units: UNITS, capacity: CAPACITY });
  }, 120000);

  it('one request declined by eight members at once: exactly one decision, the others 409 invalid-transition', async () => {
    const [request] = await t.dataSource.query(
      `INSERT INTO support_request (pupil_id, school_id, locality_id, service_code, reason, urgency, units_requested, status, submitted_on)
       SELECT pupil_id, school_id, locality_id, service_code, reason, urgency, units_requested, 'SUBMITTED', submitted_on
       FROM support_request WHERE id = $1 RETURNING id`,
      [pool.requestIds[0]],
    );
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t
          .http()
          .post(`/api/v1/support-requests/${request.id}/decision`)
          .set('Authorization', panel.bearer)
          .send({ outcome: 'DECLINED', decidedOn: today, reason: `Member ${i}` }),
      ),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM support_request_decision WHERE request_id = $1`, [request.id]);
    expect(n).toBe(1);
    expect(responses.filter((r) => r.status === 409).every((r) => r.body.type === '/problems/invalid-transition')).toBe(true);
  }, 60000);
});
