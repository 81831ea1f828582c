import { LOCALITY_MODEL_CSV_COLUMNS } from '../src/dashboards/dto/locality-model.dto';
import { upnCheckLetter } from '../src/pupils/upn';
import { createUser, type TestUser } from './support/auth';
import { rate } from './support/dashboard-figures';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * GET /dashboards/locality-model (issue 8): support requests, panel decisions, allocations and
 * sessions written straight to the tables with known dates; every figure hand-worked below.
 */

let t: TestApp;
let serial = 0;

const q = (sql: string, params: unknown[] = []) => t.dataSource.query(sql, params);

/** A row in field order: requests [submitted, decided, median, mean], allocations [made, accepted, medianAcc, medianFirst, units, used, util]. */
function row(groupId: string | null, groupName: string | null, r: (number | null)[], a: (number | null)[]) {
  return {
    groupId, groupName, requestsSubmitted: r[0], requestsDecided: r[1], medianDaysToDecision: r[2], meanDaysToDecision: r[3],
    allocationsMade: a[0], allocationsAccepted: a[1], medianDaysToAcceptance: a[2], medianDaysToFirstSession: a[3], unitsAllocated: a[4],
    unitsUsed: a[5], utilisation: a[6],
  };
}
const NO_REQUESTS = [0, 0, null, null];
const NO_ALLOCATIONS = [0, 0, null, null, 0, 0, null];

describe('dashboards: the locality model', () => {
  let county: TestUser;
  let panelB: TestUser;
  const ids: Record<string, string> = {};

  async function pupil(school: string): Promise<string> {
    serial += 1;
    const body = `886${String(5000 + serial)}27${String(serial).padStart(3, '0')}`;
    const [row] = await q(
      `INSERT INTO pupil (upn, first_name, last_name, first_name_key, last_name_key, date_of_birth, school_id, sen_status, primary_need)
       VALUES ($1, 'Ada', $2, 'ada', $3, '2016-05-04', $4, 'K', 'SLCN') RETURNING id`,
      [`${upnCheckLetter(body)}${body}`, `Pupil${serial}`, `pupil${serial}`, school],
    );
    return row.id;
  }
  async function request(key: string, school: string, locality: string, service: string, submittedOn: string) {
    const [row] = await q(
      `INSERT INTO support_request (pupil_id, school_id, locality_id, service_code, reason, urgency, units_requested, status, submitted_on)
       VALUES ($1, $2, $3, $4, 'Needs more than the school offers', 'ROUTINE', 5, 'SUBMITTED', $5) RETURNING id, pupil_id`,
      [await pupil(school), school, locality, service, submittedOn],
    );
    ids[key] = row.id;
    ids[`${key}.pupil`] = row.pupil_id;
  }
  interface Alloc {
    request: string;
    org: string;
    service: string;
    units: number;
    offeredOn: string;
    status: string;
    acceptedOn?: string;
    declinedOn?: string;
    sessions?: [string, boolean, number][];
  }
  async function allocation(key: string, a: Alloc) {
    const [row] = await q(
      `INSERT INTO allocation (request_id, pupil_id, school_id, locality_id, pool_id, organisation_id, service_code, units, status, offered_on, accepted_on,
         declined_on, decline_reason, first_session_on)
       SELECT r.id, r.pupil_id, r.school_id, r.locality_id, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $9::date IS NOT NULL THEN 'No capacity' END, $10
         FROM support_request r WHERE r.id = $1 RETURNING id`,
      [ids[a.request], ids.pool, a.org, a.service, a.units, a.status, a.offeredOn, a.acceptedOn ?? null, a.declinedOn ?? null, a.sessions?.[0]?.[0] ?? null],
    );
    ids[key] = row.id;
    for (const [on, attended, units] of a.sessions ?? []) {
      await q(
        `INSERT INTO allocation_session (allocation_id, delivered_on, duration_minutes, attended, absence_reason, units_used) VALUES ($1, $2, 60, $3, $4, $5)`,
        [row.id, on, attended, attended ? null : 'DID_NOT_ATTEND', units],
      );
    }
    await q(`UPDATE allocation SET units_used = (SELECT coalesce(sum(units_used), 0) FROM allocation_session WHERE allocation_id = $1) WHERE id = $1`, [row.id]);
  }
  async function decision(request: string, outcome: string, decidedOn: string, allocationKey?: string, org?: string) {
    await q(
      `INSERT INTO support_request_decision (request_id, outcome, decided_on, units_approved, pool_id, organisation_id, allocation_id, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'Panel view')`,
      [ids[request], outcome, decidedOn, allocationKey ? 5 : null, allocationKey ? ids.pool : null, org ?? null, allocationKey ? ids[allocationKey] : null],
    );
  }

  beforeAll(async () => {
    t = await createTestApp();
    const locality = async (code: string, name: string, area: string) =>
      (await q(`INSERT INTO locality (code, name, area, district) VALUES ($1, $2, $3, 'D') RETURNING id`, [code, name, area]))[0].id as string;
    const school = async (urn: string, name: string, localityId: string) =>
      (await q(`INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ($1, $2, 'PRIMARY', 'MAINSTREAM', $3) RETURNING id`, [urn, name, localityId]))[0].id as string;
    ids.A = await locality('LM-A', 'Ash Vale', 'North');
    ids.B = await locality('LM-B', 'Beech Downs', 'South');
    ids.a1 = await school('630001', 'Ash One Primary', ids.A);
    ids.a2 = await school('630002', 'Ash Two Primary', ids.A);
    ids.b1 = await school('630003', 'Beech One Primary', ids.B);
    ids.O1 = (await q(`INSERT INTO organisation (name, kind) VALUES ('Org One', 'NHS') RETURNING id`))[0].id;
    ids.O2 = (await q(`INSERT INTO organisation (name, kind) VALUES ('Org Two', 'VOLUNTARY') RETURNING id`))[0].id;
    await q(`INSERT INTO service (code, name, organisation_id, unit) VALUES ('LM-S1', 'Speech therapy', $1, 'HOURS'), ('LM-S2', 'Outreach', $2, 'SESSIONS')`, [ids.O1, ids.O2]);
    ids.pool = (await q(`INSERT INTO resource_pool (locality_id, service_code, period_start, period_end, capacity_units) VALUES ($1, 'LM-S1', '2020-01-01', '2030-12-31', 1000) RETURNING id`, [ids.A]))[0].id;
    county = await createUser(t, 'MANAGER');
    panelB = await createUser(t, 'PANEL', { localityId: ids.B });

    await request('q1', ids.a1, ids.A, 'LM-S1', '2026-02-01'); // deferred 02-10, approved 02-21 (O1): 20 days
    await request('q2', ids.a2, ids.A, 'LM-S1', '2026-02-01'); // declined 02-11: 10 days
    await request('q3', ids.a1, ids.A, 'LM-S2', '2026-03-01'); // undecided
    await request('q4', ids.b1, ids.B, 'LM-S2', '2026-03-01'); // approved 03-31 (O2): 30 days
    await request('q5', ids.a1, ids.A, 'LM-S1', '2025-12-31'); // before the window
    // al1: accepted day 4; sessions 03-05 (2 units, first: day 12), 03-12 missed, 04-01 (3 units)
    await allocation('al1', { request: 'q1', org: ids.O1, service: 'LM-S1', units: 10, offeredOn: '2026-02-21', status: 'IN_DELIVERY', acceptedOn: '2026-02-25',
      sessions: [['2026-03-05', true, 2], ['2026-03-12', false, 0], ['2026-04-01', true, 3]] });
    await allocation('al2', { request: 'q3', org: ids.O2, service: 'LM-S2', units: 6, offeredOn: '2026-04-01', status: 'DECLINED', declinedOn: '2026-04-03' });
    await allocation('al3', { request: 'q1', org: ids.O1, service: 'LM-S1', units: 4, offeredOn: '2026-06-01', status: 'ACCEPTED', acceptedOn: '2026-06-11' }); // day 10
    await allocation('al4', { request: 'q4', org: ids.O2, service: 'LM-S2', units: 8, offeredOn: '2026-04-10', status: 'IN_DELIVERY', acceptedOn: '2026-04-12',
      sessions: [['2026-05-10', true, 8]] }); // accepted day 2, first session day 30
    await allocation('al5', { request: 'q5', org: ids.O1, service: 'LM-S1', units: 5, offeredOn: '2025-12-20', status: 'OFFERED' }); // before the window
    await decision('q1', 'DEFERRED', '2026-02-10');
    await decision('q1', 'APPROVED', '2026-02-21', 'al1', ids.O1);
    await decision('q2', 'DECLINED', '2026-02-11');
    await decision('q4', 'APPROVED', '2026-03-31', 'al4', ids.O2);
    await decision('q5', 'APPROVED', '2026-01-10', 'al5', ids.O1);
  }, 180000); // boots the app and writes the dataset: slow on the embedded database of a busy machine
  afterAll(async () => {
    await t?.close();
  });

  const W = 'from=2026-01-01&to=2026-12-31&asOf=2027-01-31';
  async function get(user: TestUser, query: string, status = 200) {
    const res = await t.http().get(`/api/v1/dashboards/locality-model?${query}`).set('Authorization', user.bearer);
    expect({ query, status: res.status, body: res.status === status ? undefined : res.body }).toEqual({ query, status, body: undefined });
    return res;
  }
  const figures = async (user: TestUser, query: string) => (await get(user, query)).body.data;

  it('by locality: days to decision (deferrals skipped), to acceptance and first session, units allocated and used', async () => {
    const body = (await get(county, `groupBy=locality&${W}`)).body;
    expect([body.groupBy, body.from, body.to, body.asOf]).toEqual(['locality', '2026-01-01', '2026-12-31', '2027-01-31']);
    expect(body.data).toEqual([
      // q1 (20), q2 (10), q3; al1 (acc 4, first 12, 10 units, used 5), al2 (declined: 0 units), al3 (acc 10, 4 units)
      row(ids.A, 'Ash Vale', [3, 2, 15, 15], [3, 2, 7, 12, 14, 5, rate(5, 14)]),
      row(ids.B, 'Beech Downs', [1, 1, 30, 30], [1, 1, 2, 30, 8, 8, 1]),
    ]);
  });

  it('by organisation (per provider): requests by the provider their approval named; none for declined or undecided', async () => {
    expect(await figures(county, `groupBy=organisation&${W}`)).toEqual([
      row(ids.O1, 'Org One', [1, 1, 20, 20], [2, 2, 7, 12, 14, 5, rate(5, 14)]),
      row(ids.O2, 'Org Two', [1, 1, 30, 30], [2, 1, 2, 30, 8, 8, 1]),
      row(null, null, [2, 1, 10, 10], NO_ALLOCATIONS),
    ]);
  });

  it('by month (the trend) and by service', async () => {
    expect(await figures(county, `groupBy=month&${W}`)).toEqual([
      row('2026-02', '2026-02', [2, 2, 15, 15], [1, 1, 4, 12, 10, 5, 0.5]),
      row('2026-03', '2026-03', [2, 1, 30, 30], NO_ALLOCATIONS),
      row('2026-04', '2026-04', NO_REQUESTS, [2, 1, 2, 30, 8, 8, 1]),
      row('2026-06', '2026-06', NO_REQUESTS, [1, 1, 10, null, 4, 0, 0]),
    ]);
    expect(await figures(county, `groupBy=service&${W}`)).toEqual([
      row('LM-S1', 'Speech therapy', [2, 2, 15, 15], [2, 2, 7, 12, 14, 5, rate(5, 14)]),
      row('LM-S2', 'Outreach', [2, 1, 30, 30], [2, 1, 2, 30, 8, 8, 1]),
    ]);
  });

  it('asOf 2026-03-06: later decisions, offers and sessions had not happened', async () => {
    expect(await figures(county, 'groupBy=locality&from=2026-01-01&to=2026-12-31&asOf=2026-03-06')).toEqual([
      row(ids.A, 'Ash Vale', [3, 2, 15, 15], [1, 1, 4, 12, 10, 2, 0.2]),
      row(ids.B, 'Beech Downs', [1, 0, null, null], NO_ALLOCATIONS),
    ]);
  });

  it('filters and scope: an organisation narrows both sources; a panel sees its locality only, another is 404', async () => {
    expect(await figures(county, `organisationId=${ids.O1}&${W}`)).toEqual([row(ids.A, 'Ash Vale', [1, 1, 20, 20], [2, 2, 7, 12, 14, 5, rate(5, 14)])]);
    expect(await figures(panelB, `groupBy=school&${W}`)).toEqual([row(ids.b1, 'Beech One Primary', [1, 1, 30, 30], [1, 1, 2, 30, 8, 8, 1])]);
    await get(panelB, `localityId=${ids.A}&${W}`, 404);
    await get(panelB, `schoolId=${ids.a1}&${W}`, 404);
  });

  it('one place (per-record reads) and the county (window aggregates) give the same figures for that place', async () => {
    for (const asOf of ['2026-03-06', '2026-04-05', '2027-01-31']) {
      const window = `from=2026-01-01&to=2026-12-31&asOf=${asOf}`;
      const countyRows = await figures(county, `groupBy=locality&${window}`);
      for (const locality of [ids.A, ids.B]) {
        const own = countyRows.filter((r: { groupId: string }) => r.groupId === locality);
        expect(await figures(county, `groupBy=locality&localityId=${locality}&${window}`)).toEqual(own);
      }
    }
  });

  it('the database refuses a session before its allocation was offered and a decision before its request was submitted (the county window relies on both)', async () => {
    const [al] = await q(`SELECT id, offered_on::text FROM allocation WHERE request_id = $1 ORDER BY offered_on LIMIT 1`, [ids.q1]);
    await expect(
      q(`INSERT INTO allocation_session (allocation_id, delivered_on, duration_minutes, attended, units_used) VALUES ($1, $2::date - 1, 60, true, 1)`, [al.id, al.offered_on]),
    ).rejects.toThrow(/not delivered before its allocation was offered/);
    await expect(q(`UPDATE allocation SET offered_on = '2026-03-06' WHERE id = $1`, [al.id])).rejects.toThrow(/not delivered before its allocation was offered/);
    await expect(
      q(`INSERT INTO support_request_decision (request_id, outcome, decided_on, reason) VALUES ($1, 'DEFERRED', '2026-02-28', 'Too early')`, [ids.q3]),
    ).rejects.toThrow(/not made before its request was submitted/);
    await expect(q(`UPDATE support_request SET submitted_on = '2026-02-12' WHERE id = $1`, [ids.q2])).rejects.toThrow(/not made before its request was submitted/);
    // On the day itself is fine.
    await q(`UPDATE support_request SET submitted_on = '2026-02-11' WHERE id = $1`, [ids.q2]);
    await q(`UPDATE support_request SET submitted_on = '2026-02-01' WHERE id = $1`, [ids.q2]);
  });

  it('CSV: header = the JSON fields; bad input is a 400 per field', async () => {
    const res = await get(county, `groupBy=service&${W}&format=csv`);
    const lines = res.text.trim().split('\r\n');
    expect(lines[0]).toBe(LOCALITY_MODEL_CSV_COLUMNS.join(','));
    expect(lines[0].split(',')).toEqual(Object.keys((await get(county, `groupBy=service&${W}`)).body.data[0]));
    expect(lines[2]).toBe('LM-S2,Outreach,2,1,30,30,2,1,2,30,8,8,1');
    const bad = await get(county, 'groupBy=provider&asOf=yesterday', 400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['asOf', 'groupBy']);
  });
});
