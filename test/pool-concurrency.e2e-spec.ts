import { addDays, addWeeks, todayInLondon } from '../src/common/dates/calendar-date';
import { upnCheckLetter } from '../src/pupils/upn';
import { createUser, type TestUser } from './support/auth';
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
  let poolId: string;
  let organisationId: string;
  const requestIds: string[] = [];

  beforeAll(async () => {
    t = await createTestApp({ databasePoolSize: 10, databaseTimeoutMs: 60000 });
    const [locality] = await t.dataSource.query(`INSERT INTO locality (code, name, area, district) VALUES ('PC-DAR', 'PC', 'North', 'Dartford') RETURNING id`);
    const [school] = await t.dataSource.query(
      `INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ('138901', 'Concurrency Primary', 'PRIMARY', 'MAINSTREAM', $1) RETURNING id`,
      [locality.id],
    );
    [{ id: organisationId }] = await t.dataSource.query(`INSERT INTO organisation (name, kind) VALUES ('PC STLS', 'KCC_SERVICE') RETURNING id`);
    await t.dataSource.query(`INSERT INTO service (code, name, organisation_id, unit) VALUES ('PC-STLS', 'STLS', $1, 'HOURS')`, [organisationId]);
    [{ id: poolId }] = await t.dataSource.query(
      `INSERT INTO resource_pool (locality_id, service_code, period_start, period_end, capacity_units) VALUES ($1, 'PC-STLS', $2, $3, $4) RETURNING id`,
      [locality.id, addDays(today, -30), addDays(today, 300), CAPACITY],
    );
    panel = await createUser(t, 'PANEL', { localityId: locality.id });
    for (let i = 0; i < APPROVALS; i += 1) {
      const body = `886890126${String(i).padStart(3, '0')}`;
      const [pupil] = await t.dataSource.query(
        `INSERT INTO pupil (upn, first_name, last_name, first_name_key, last_name_key, date_of_birth, school_id, sen_status, primary_need)
         VALUES ($1, 'Sam', $2, 'sam', $3, '2018-02-02', $4, 'K', 'SPLD') RETURNING id`,
        [`${upnCheckLetter(body)}${body}`, `Parallel${i}`, `parallel${i}`, school.id],
      );
      const submittedOn = addDays(today, -5);
      const [request] = await t.dataSource.query(
        `INSERT INTO support_request (pupil_id, school_id, locality_id, service_code, reason, urgency, units_requested, status, submitted_on)
         VALUES ($1, $2, $3, 'PC-STLS', 'Parallel request', 'ROUTINE', $4, 'SUBMITTED', $5) RETURNING id`,
        [pupil.id, school.id, locality.id, UNITS, submittedOn],
      );
      await t.dataSource.query(
        `INSERT INTO deadline (kind, subject_type, subject_id, pupil_id, school_id, locality_id, starts_on, due_on)
         VALUES ('REQUEST_DECISION', 'SUPPORT_REQUEST', $1, $2, $3, $4, $5, $6)`,
        [request.id, pupil.id, school.id, locality.id, submittedOn, addWeeks(submittedOn, 4)],
      );
      requestIds.push(request.id);
    }
  }, 120000);
  afterAll(async () => {
    await t?.close();
  });

  it(`${APPROVALS} approvals of ${UNITS} hours at once against ${CAPACITY} hours: exactly the capacity is allocated, every refusal is 409 capacity-exhausted`, async () => {
    const started = Date.now();
    const responses = await Promise.all(
      requestIds.map((id) =>
        t
          .http()
          .post(`/api/v1/support-requests/${id}/decision`)
          .set('Authorization', panel.bearer)
          .send({ outcome: 'APPROVED', decidedOn: today, unitsApproved: UNITS, poolId, organisationId, reason: 'Parallel approval' }),
      ),
    );
    const elapsed = Date.now() - started;
    const approved = responses.filter((r) => r.status === 200);
    const refused = responses.filter((r) => r.status !== 200);
    const [pool] = await t.dataSource.query(`SELECT capacity_units::float8 AS capacity, allocated_units::float8 AS allocated FROM resource_pool WHERE id = $1`, [poolId]);
    const [sums] = await t.dataSource.query(
      `SELECT coalesce(sum(units), 0)::float8 AS units, count(*)::int AS allocations FROM allocation WHERE pool_id = $1`,
      [poolId],
    );
    // eslint-disable-next-line no-console
    console.log(
      `pool concurrency (${process.env.DATABASE_URL || process.env.TEST_DATABASE_URL ? 'PostgreSQL, 10 connections' : 'embedded, 1 connection'}): ` +
        `${APPROVALS} parallel approvals of ${UNITS} units against ${CAPACITY}: approved ${approved.length}, refused ${refused.length}, ` +
        `units allocated ${pool.allocated} (sum of allocation rows ${sums.units}), remaining ${pool.capacity - pool.allocated}, ${elapsed} ms`,
    );

    expect(approved).toHaveLength(CAPACITY / UNITS);
    expect(refused.map((r) => ({ status: r.status, type: r.body.type }))).toEqual(
      Array.from({ length: APPROVALS - CAPACITY / UNITS }, () => ({ status: 409, type: '/problems/capacity-exhausted' })),
    );
    for (const r of refused) expect(r.body.remainingUnits).toBeLessThan(UNITS);
    expect(pool).toEqual({ capacity: CAPACITY, allocated: CAPACITY });
    expect(pool.capacity - pool.allocated).toBeGreaterThanOrEqual(0);
    expect(sums).toEqual({ units: CAPACITY, allocations: CAPACITY / UNITS });

    // Each approval wrote its allocation, decision and acceptance deadline; each refusal nothing.
    const [check] = await t.dataSource.query(
      `SELECT count(*) FILTER (WHERE r.status = 'APPROVED')::int AS approved,
              count(*) FILTER (WHERE r.status = 'SUBMITTED')::int AS submitted,
              (SELECT count(*)::int FROM support_request_decision) AS decisions,
              (SELECT count(*)::int FROM deadline WHERE kind = 'ALLOCATION_ACCEPTANCE') AS acceptance,
              (SELECT count(*)::int FROM deadline WHERE kind = 'REQUEST_DECISION' AND met_on IS NULL AND cancelled_on IS NULL) AS open_decisions
       FROM support_request r`,
    );
    expect(check).toEqual({
      approved: CAPACITY / UNITS,
      submitted: APPROVALS - CAPACITY / UNITS,
      decisions: CAPACITY / UNITS,
      acceptance: CAPACITY / UNITS,
      open_decisions: APPROVALS - CAPACITY / UNITS,
    });
    const approvedIds = new Set(approved.map((r) => r.body.id));
    const [mismatch] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM support_request r
       WHERE (r.status = 'APPROVED') <> EXISTS (SELECT 1 FROM allocation a WHERE a.request_id = r.id)`,
    );
    expect(mismatch.n).toBe(0);
    expect(approvedIds.size).toBe(CAPACITY / UNITS);
  }, 120000);

  it('one request declined by eight members at once: exactly one decision, the others 409 invalid-transition', async () => {
    const [request] = await t.dataSource.query(
      `INSERT INTO support_request (pupil_id, school_id, locality_id, service_code, reason, urgency, units_requested, status, submitted_on)
       SELECT pupil_id, school_id, locality_id, service_code, reason, urgency, units_requested, 'SUBMITTED', submitted_on
       FROM support_request WHERE id = $1 RETURNING id`,
      [requestIds[0]],
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
