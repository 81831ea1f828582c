import { addDays, addWeeks, type CalendarDate } from '../../src/common/dates/calendar-date';
import { upnCheckLetter } from '../../src/pupils/upn';

/** Runs SQL on the test's database (a TestApp's DataSource or a pg Client). */
export type Sql = (text: string, params?: unknown[]) => Promise<any[]>;

export interface ContendedPool {
  localityId: string;
  schoolId: string;
  organisationId: string;
  poolId: string;
  /** Submitted support requests for the pool's service, each with its open REQUEST_DECISION deadline. */
  requestIds: string[];
}

export interface ContendedPoolSpec {
  requests: number;
  units: number;
  capacity: number;
  /** An existing locality and school to seed in; otherwise a fresh locality PC-DAR with school 138901. */
  place?: { localityId: string; schoolId: string };
  /** The pool's service (a fresh one, HOURS, of a fresh organisation); default PC-STLS. */
  serviceCode?: string;
  /** The fresh organisation's name; default 'PC STLS'. */
  organisationName?: string;
  /** The first 9 digits of the pupils' UPNs (3 more count the requests); default 886890126. */
  upnPrefix?: string;
  /** Pupils' surnames (`${label}${i}`) and the requests' reason (`${label} request`); default Parallel. */
  label?: string;
}

/**
 * The pool-contention scenario (issue 5): one locality pool of `capacity` hours and `requests`
 * submitted support requests of `units` hours each, every one waiting for a panel decision.
 * Written straight to the database so only the approvals themselves go through the API.
 */
export async function seedContendedPool(sql: Sql, today: CalendarDate, spec: ContendedPoolSpec): Promise<ContendedPool> {
  const { requests, units, capacity, serviceCode = 'PC-STLS', organisationName = 'PC STLS', upnPrefix = '886890126', label = 'Parallel' } = spec;
  const { localityId, schoolId } = spec.place ?? (await seedPlace(sql));
  const [{ id: organisationId }] = await sql(`INSERT INTO organisation (name, kind) VALUES ($1, 'KCC_SERVICE') RETURNING id`, [organisationName]);
  await sql(`INSERT INTO service (code, name, organisation_id, unit) VALUES ($1, 'STLS', $2, 'HOURS')`, [serviceCode, organisationId]);
  const [{ id: poolId }] = await sql(
    `INSERT INTO resource_pool (locality_id, service_code, period_start, period_end, capacity_units) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [localityId, serviceCode, addDays(today, -30), addDays(today, 300), capacity],
  );
  const requestIds: string[] = [];
  const submittedOn = addDays(today, -5);
  for (let i = 0; i < requests; i += 1) {
    const body = `${upnPrefix}${String(i).padStart(3, '0')}`;
    const [pupil] = await sql(
      `INSERT INTO pupil (upn, first_name, last_name, first_name_key, last_name_key, date_of_birth, school_id, sen_status, primary_need)
       VALUES ($1, 'Sam', $2, 'sam', $3, '2018-02-02', $4, 'K', 'SPLD') RETURNING id`,
      [`${upnCheckLetter(body)}${body}`, `${label}${i}`, `${label.toLowerCase()}${i}`, schoolId],
    );
    const [request] = await sql(
      `INSERT INTO support_request (pupil_id, school_id, locality_id, service_code, reason, urgency, units_requested, status, submitted_on)
       VALUES ($1, $2, $3, $4, $5, 'ROUTINE', $6, 'SUBMITTED', $7) RETURNING id`,
      [pupil.id, schoolId, localityId, serviceCode, `${label} request`, units, submittedOn],
    );
    await sql(
      `INSERT INTO deadline (kind, subject_type, subject_id, pupil_id, school_id, locality_id, starts_on, due_on)
       VALUES ('REQUEST_DECISION', 'SUPPORT_REQUEST', $1, $2, $3, $4, $5, $6)`,
      [request.id, pupil.id, schoolId, localityId, submittedOn, addWeeks(submittedOn, 4)],
    );
    requestIds.push(request.id);
  }
  return { localityId, schoolId, organisationId, poolId, requestIds };
}

async function seedPlace(sql: Sql): Promise<{ localityId: string; schoolId: string }> {
  const [locality] = await sql(`INSERT INTO locality (code, name, area, district) VALUES ('PC-DAR', 'PC', 'North', 'Dartford') RETURNING id`);
  const [school] = await sql(
    `INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ('138901', 'Concurrency Primary', 'PRIMARY', 'MAINSTREAM', $1) RETURNING id`,
    [locality.id],
  );
  return { localityId: locality.id, schoolId: school.id };
}

/** The body of one panel approval drawing `units` from the pool. */
export const approvalOf = (pool: ContendedPool, today: CalendarDate, units: number) => ({
  outcome: 'APPROVED',
  decidedOn: today,
  unitsApproved: units,
  poolId: pool.poolId,
  organisationId: pool.organisationId,
  reason: 'Parallel approval',
});

/** What the approvals left behind: the pool's ledger, its allocation rows and each request's decision and deadlines. */
export async function contentionOutcome(sql: Sql, poolId: string) {
  const [pool] = await sql(`SELECT capacity_units::float8 AS capacity, allocated_units::float8 AS allocated FROM resource_pool WHERE id = $1`, [poolId]);
  const [sums] = await sql(`SELECT coalesce(sum(units), 0)::float8 AS units, count(*)::int AS allocations FROM allocation WHERE pool_id = $1`, [poolId]);
  const [requests] = await sql(
    `SELECT count(*) FILTER (WHERE r.status = 'APPROVED')::int AS approved,
            count(*) FILTER (WHERE r.status = 'SUBMITTED')::int AS submitted,
            (SELECT count(*)::int FROM support_request_decision) AS decisions,
            (SELECT count(*)::int FROM deadline WHERE kind = 'ALLOCATION_ACCEPTANCE') AS acceptance,
            (SELECT count(*)::int FROM deadline WHERE kind = 'REQUEST_DECISION' AND met_on IS NULL AND cancelled_on IS NULL) AS open_decisions
     FROM support_request r`,
  );
  // An approved request without its allocation, or an allocation on a request not approved.
  const [{ n: mismatches }] = await sql(
    `SELECT count(*)::int AS n FROM support_request r
     WHERE (r.status = 'APPROVED') <> EXISTS (SELECT 1 FROM allocation a WHERE a.request_id = r.id)`,
  );
  return { pool, sums, requests, mismatches };
}

/**
 * The claim of the scenario: exactly capacity / units approvals (200), every other answer 409
 * /problems/capacity-exhausted, the ledger at exactly the capacity and equal to its allocation rows,
 * and each approval's decision and deadlines written, each refusal's not.
 */
export function expectExactAllocation(
  responses: { status: number; body: any }[],
  outcome: Awaited<ReturnType<typeof contentionOutcome>>,
  { requests, units, capacity }: { requests: number; units: number; capacity: number },
): void {
  const fits = capacity / units;
  const approved = responses.filter((r) => r.status === 200);
  const refused = responses.filter((r) => r.status !== 200);
  expect(approved).toHaveLength(fits);
  expect(new Set(approved.map((r) => r.body.id)).size).toBe(fits);
  expect(refused.map((r) => ({ status: r.status, type: r.body.type }))).toEqual(
    Array.from({ length: requests - fits }, () => ({ status: 409, type: '/problems/capacity-exhausted' })),
  );
  for (const r of refused) expect(r.body.remainingUnits).toBeLessThan(units);
  expect(outcome.pool).toEqual({ capacity, allocated: capacity });
  expect(outcome.sums).toEqual({ units: capacity, allocations: fits });
  expect(outcome.requests).toEqual({ approved: fits, submitted: requests - fits, decisions: fits, acceptance: fits, open_decisions: requests - fits });
  expect(outcome.mismatches).toBe(0);
}
