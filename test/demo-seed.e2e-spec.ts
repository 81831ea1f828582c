import { DemoSeedService } from '../src/seed/demo-seed.service';
import { academicYearStart, addDays, todayInLondon } from '../src/common/dates/calendar-date';
import { academicYearOf } from '../src/ehc/phase-transfer';
import { unitsProblem } from '../src/pools/units';
import { upnProblem } from '../src/pupils/upn';
import { yearGroupFromBirth } from '../src/pupils/year-group';
import {
  DEMO_LOCALITIES,
  DEMO_ORGANISATIONS,
  DEMO_PASSWORD,
  DEMO_PHASE_TRANSFER_PUPILS,
  DEMO_PHASE_TRANSFER_SCHOOL_URN,
  DEMO_PUPILS_PER_SCHOOL,
  DEMO_SCHOOLS,
  DEMO_SERVICES,
  DEMO_USERS,
} from '../src/seed/demo-data';
import { createUser, TestUser } from './support/auth';
import { createTestApp, TestApp } from './support/test-app';

describe('demo seed', () => {
  let t: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    t = await createTestApp({ seedDemo: true });
    admin = await createUser(t, 'ADMIN');
  });
  afterAll(async () => {
    await t?.close();
  });

  const counts = async () =>
    (
      await t.dataSource.query(`SELECT (SELECT count(*)::int FROM locality) AS localities,
        (SELECT count(*)::int FROM school) AS schools, (SELECT count(*)::int FROM organisation) AS organisations,
        (SELECT count(*)::int FROM service) AS services`)
    )[0];

  const registerCounts = async () =>
    (
      await t.dataSource.query(`SELECT (SELECT count(*)::int FROM pupil) AS pupils, (SELECT count(*)::int FROM support_plan) AS plans,
        (SELECT count(*)::int FROM support_plan_review) AS reviews, (SELECT count(*)::int FROM deadline) AS deadlines,
        (SELECT count(*)::int FROM resource_pool) AS pools, (SELECT count(*)::int FROM support_request) AS requests`)
    )[0];

  const login = async (email: string) =>
    `Bearer ${(await t.http().post('/api/v1/auth/login').send({ email, password: DEMO_PASSWORD }).expect(200)).body.accessToken}`;

  it('seeds an empty database at start: Kent areas, localities, schools, providers and services', async () => {
    expect(await counts()).toEqual({
      localities: DEMO_LOCALITIES.length,
      schools: DEMO_SCHOOLS.length,
      organisations: DEMO_ORGANISATIONS.length,
      services: DEMO_SERVICES.length,
    });
    const areas = await t.dataSource.query(`SELECT area, count(DISTINCT district)::int AS districts FROM locality GROUP BY area ORDER BY area`);
    expect(areas).toEqual([
      { area: 'East', districts: 3 },
      { area: 'North', districts: 3 },
      { area: 'South', districts: 3 },
      { area: 'West', districts: 3 },
    ]);
    const list = await t.http().get('/api/v1/schools?limit=500').set('Authorization', admin.bearer).expect(200);
    expect(list.body.data).toHaveLength(DEMO_SCHOOLS.length);
    expect(list.body.data.every((s: { urn: string }) => /^\d{6}$/.test(s.urn))).toBe(true);
  });

  it('is idempotent: running it again adds nothing and changes nothing', async () => {
    const before = await t.dataSource.query(`SELECT id, version, updated_at FROM locality ORDER BY id`);
    const registerBefore = await registerCounts();
    const added = await t.app.get(DemoSeedService).seed();
    expect(added).toEqual({
      localities: 0, schools: 0, organisations: 0, services: 0, users: 0, pupils: 0, supportPlans: 0, deadlines: 0, resourcePools: 0, supportRequests: 0,
      panelMeetings: 0, panelDecisions: 0, allocations: 0, allocationSessions: 0, ehcAssessments: 0, annualReviews: 0,
    });
    expect(await t.dataSource.query(`SELECT id, version, updated_at FROM locality ORDER BY id`)).toEqual(before);
    expect(await registerCounts()).toEqual(registerBefore);
  });

  it('adds back only what is missing', async () => {
    // PHYSIO: no demo pool or request refers to it. One Thanet pool goes too.
    await t.dataSource.query(`DELETE FROM service WHERE code = 'PHYSIO'`);
    await t.dataSource.query(`DELETE FROM resource_pool WHERE service_code = 'OT' AND locality_id = (SELECT id FROM locality WHERE code = 'THA-01')`);
    const added = await t.app.get(DemoSeedService).seed();
    expect(added).toEqual({
      localities: 0, schools: 0, organisations: 0, services: 1, users: 0, pupils: 0, supportPlans: 0, deadlines: 0, resourcePools: 1, supportRequests: 0,
      panelMeetings: 0, panelDecisions: 0, allocations: 0, allocationSessions: 0, ehcAssessments: 0, annualReviews: 0,
    });
  });

  it('seeds one or more demo logins per role, each able to sign in with its scope', async () => {
    const roles = await t.dataSource.query(`SELECT role, count(*)::int AS n FROM app_user WHERE id <> $1 GROUP BY role ORDER BY role`, [admin.id]);
    expect(roles.map((r: { role: string }) => r.role)).toEqual(['ADMIN', 'CASEWORKER', 'MANAGER', 'PANEL', 'PROVIDER', 'SENCO']);
    expect(roles.reduce((sum: number, r: { n: number }) => sum + r.n, 0)).toBe(DEMO_USERS.length);
    const res = await t.http().post('/api/v1/auth/login').send({ email: 'senco.dartford@example.org', password: DEMO_PASSWORD }).expect(200);
    const [school] = await t.dataSource.query(`SELECT id FROM school WHERE urn = '118768'`);
    expect(res.body.user).toMatchObject({ role: 'SENCO', schoolId: school.id, mustChangePassword: false });
  });

  it('seeds about five pupils per demo school, with valid Kent UPNs, ages fitting the phase and a mix of statuses and needs', async () => {
    const pupils: { upn: string; urn: string; phase: string; dob: string; sen_status: string; primary_need: string | null; secondary_need: string | null }[] =
      await t.dataSource.query(`
        SELECT p.upn, s.urn, s.phase, p.date_of_birth::text AS dob, p.sen_status, p.primary_need, p.secondary_need
        FROM pupil p JOIN school s ON s.id = p.school_id`);
    // The drawn pupils, and the Year 7 pupils added for the phase transfers.
    expect(pupils).toHaveLength(DEMO_SCHOOLS.length * DEMO_PUPILS_PER_SCHOOL + DEMO_PHASE_TRANSFER_PUPILS.length);
    expect(pupils.filter((p) => upnProblem(p.upn) !== undefined)).toEqual([]);
    expect(pupils.every((p) => p.upn.slice(1, 4) === '886' && p.upn.slice(4, 8) === p.urn.slice(-4))).toBe(true);
    const demoUrns = new Set(DEMO_SCHOOLS.map((s) => s.urn));
    expect(pupils.every((p) => demoUrns.has(p.urn))).toBe(true);
    for (const school of DEMO_SCHOOLS) {
      const added = school.urn === DEMO_PHASE_TRANSFER_SCHOOL_URN ? DEMO_PHASE_TRANSFER_PUPILS.length : 0;
      expect(pupils.filter((p) => p.urn === school.urn)).toHaveLength(DEMO_PUPILS_PER_SCHOOL + added);
    }
    const today = todayInLondon();
    const outOfPhase = pupils.filter((p) => {
      const year = yearGroupFromBirth(p.dob, today);
      return p.phase === 'PRIMARY' ? year < 0 || year > 6 : year < 7 || year > 11;
    });
    expect(outOfPhase).toEqual([]);
    const share = (status: string) => pupils.filter((p) => p.sen_status === status).length / pupils.length;
    expect(share('K')).toBeGreaterThan(0.7);
    expect(share('E')).toBeGreaterThan(0.08);
    expect(share('N')).toBeGreaterThan(0);
    const needs = new Set(pupils.map((p) => p.primary_need));
    for (const need of ['SLCN', 'SEMH', 'ASD', 'MLD', 'SPLD', 'NSA']) expect(needs).toContain(need);
    expect(pupils.some((p) => p.secondary_need !== null && p.secondary_need !== p.primary_need)).toBe(true);
    // Accent-insensitive search (as a county caseworker): the plain-letter key finds Zoë, Siobhán and the like.
    const accented = await t.dataSource.query(`SELECT first_name, first_name_key FROM pupil WHERE first_name ~ '[^A-Za-z]' LIMIT 1`);
    expect(accented).toHaveLength(1);
    const found = await t.http().get(`/api/v1/pupils?q=${encodeURIComponent(accented[0].first_name_key)}&limit=500`).set('Authorization', await login('caseworker@example.org')).expect(200);
    expect(found.body.data.map((p: { firstName: string }) => p.firstName)).toContain(accented[0].first_name);
  });

  it('seeds support cycles with review deadlines: on track, due soon, overdue, met on time and met late', async () => {
    const statuses: { status: string; n: number }[] = await t.dataSource.query(`
      SELECT deadline_status(met_on, cancelled_on, due_on, $1::date, 14) AS status, count(*)::int AS n
      FROM deadline WHERE kind = 'SUPPORT_PLAN_REVIEW' GROUP BY 1 ORDER BY 1`, [todayInLondon()]);
    expect(statuses.map((s) => s.status)).toEqual(['DUE_SOON', 'MET_LATE', 'MET_ON_TIME', 'ON_TRACK', 'OVERDUE']);
    const [check] = await t.dataSource.query(`
      SELECT count(*)::int AS plans,
             count(*) FILTER (WHERE d.id IS NULL OR d.due_on <> sp.review_on OR d.starts_on <> sp.start_on
               OR d.met_on IS DISTINCT FROM sp.reviewed_on OR d.pupil_id <> sp.pupil_id OR d.school_id <> sp.school_id
               OR d.locality_id <> s.locality_id)::int AS mismatched,
             count(*) FILTER (WHERE sp.status = 'REVIEWED' AND r.id IS NULL)::int AS unreviewed,
             count(*) FILTER (WHERE p.sen_status <> 'K')::int AS not_sen_support
      FROM support_plan sp
      JOIN pupil p ON p.id = sp.pupil_id JOIN school s ON s.id = sp.school_id
      LEFT JOIN deadline d ON d.subject_type = 'SUPPORT_PLAN' AND d.subject_id = sp.id AND d.kind = 'SUPPORT_PLAN_REVIEW'
      LEFT JOIN support_plan_review r ON r.support_plan_id = sp.id`);
    expect(check).toMatchObject({ mismatched: 0, unreviewed: 0, not_sen_support: 0 });
    expect(check.plans).toBeGreaterThan(DEMO_SCHOOLS.length * DEMO_PUPILS_PER_SCHOOL * 0.6);
  });

  it('shows the Dartford locality manager overdue reviews in their locality only', async () => {
    const bearer = await login('manager.dartford@example.org');
    const res = await t.http().get('/api/v1/deadlines?status=OVERDUE&kind=SUPPORT_PLAN_REVIEW&limit=500').set('Authorization', bearer).expect(200);
    expect(res.body.data.length).toBeGreaterThan(0);
    const [dartford] = await t.dataSource.query(`SELECT id FROM locality WHERE code = 'DAR-01'`);
    for (const row of res.body.data) expect(row).toMatchObject({ kind: 'SUPPORT_PLAN_REVIEW', status: 'OVERDUE', localityId: dartford.id });
    const county = await t.http().get('/api/v1/deadlines?status=OVERDUE&kind=SUPPORT_PLAN_REVIEW&limit=500').set('Authorization', await login('manager@example.org')).expect(200);
    expect(county.body.data.length).toBeGreaterThan(res.body.data.length);
  });

  it("shows the demo SENCO only their school's pupils", async () => {
    const bearer = await login('senco.dartford@example.org');
    const res = await t.http().get('/api/v1/pupils?limit=500').set('Authorization', bearer).expect(200);
    const [school] = await t.dataSource.query(`SELECT id FROM school WHERE urn = '118768'`);
    expect(res.body.data).toHaveLength(DEMO_PUPILS_PER_SCHOOL);
    expect(res.body.data.every((p: { schoolId: string }) => p.schoolId === school.id)).toBe(true);
  });

  it('seeds resource pools for every locality for the current academic year, shown to the Dartford panel for its locality only', async () => {
    const today = todayInLondon();
    const start = academicYearStart(today);
    const end = `${Number(start.slice(0, 4)) + 1}-08-31`;
    const perLocality: { code: string; services: string }[] = await t.dataSource.query(`
      SELECT l.code, string_agg(rp.service_code, ',' ORDER BY rp.service_code) AS services
      FROM locality l LEFT JOIN resource_pool rp ON rp.locality_id = l.id AND rp.period_start = $1 AND rp.period_end = $2
      GROUP BY l.code ORDER BY l.code`, [start, end]);
    expect(perLocality).toHaveLength(DEMO_LOCALITIES.length);
    for (const row of perLocality) expect(row.services).toBe('HNF,OT,SALT,STLS');

    const bearer = await login('panel.dartford@example.org');
    const res = await t.http().get('/api/v1/resource-pools?limit=500').set('Authorization', bearer).expect(200);
    const [dartford] = await t.dataSource.query(`SELECT id FROM locality WHERE code = 'DAR-01'`);
    expect(res.body.data).toHaveLength(4);
    const ranges: Record<string, [number, number, string]> = {
      STLS: [300, 600, 'HOURS'], SALT: [120, 240, 'SESSIONS'], OT: [60, 120, 'SESSIONS'], HNF: [40000, 120000, 'GBP'],
    };
    for (const pool of res.body.data) {
      const [{ held }] = await t.dataSource.query(
        `SELECT coalesce(sum(units), 0)::float8 AS held FROM allocation WHERE pool_id = $1 AND status IN ('OFFERED', 'ACCEPTED', 'IN_DELIVERY', 'COMPLETED')`,
        [pool.id],
      );
      expect(pool).toMatchObject({ localityId: dartford.id, periodStart: start, periodEnd: end, allocatedUnits: held });
      const [min, max, unit] = ranges[pool.serviceCode];
      expect(pool.unit).toBe(unit);
      expect(typeof pool.capacityUnits).toBe('number');
      expect(pool.capacityUnits).toBeGreaterThanOrEqual(min);
      expect(pool.capacityUnits).toBeLessThanOrEqual(max);
      expect(unitsProblem(unit as 'HOURS', pool.capacityUnits)).toBeNull();
      expect(pool.remainingUnits).toBe(pool.capacityUnits - held);
    }
  });

  it('seeds support requests for about a third of the K pupils: drafts, submitted and withdrawn, with decision deadlines', async () => {
    const requests: {
      id: string; status: string; service_code: string; unit: 'HOURS'; units: string; submitted_on: string | null; withdrawn_on: string | null;
      sen_status: string; locality_ok: boolean; plan_ok: boolean; has_open_plan: boolean; support_plan_id: string | null;
    }[] = await t.dataSource.query(`
      SELECT r.id, r.status, r.service_code, sv.unit, r.units_requested::text AS units, r.submitted_on::text, r.withdrawn_on::text,
             p.sen_status, r.locality_id = s.locality_id AND r.school_id = p.school_id AS locality_ok, r.support_plan_id,
             (r.support_plan_id IS NULL OR EXISTS (SELECT 1 FROM support_plan sp WHERE sp.id = r.support_plan_id AND sp.pupil_id = r.pupil_id AND sp.status = 'OPEN')) AS plan_ok,
             EXISTS (SELECT 1 FROM support_plan sp WHERE sp.pupil_id = r.pupil_id AND sp.status = 'OPEN') AS has_open_plan
      FROM support_request r JOIN pupil p ON p.id = r.pupil_id JOIN school s ON s.id = p.school_id JOIN service sv ON sv.code = r.service_code
      WHERE NOT EXISTS (SELECT 1 FROM allocation a WHERE a.request_id = r.id)`);
    const [{ k }] = await t.dataSource.query(`SELECT count(*)::int AS k FROM pupil WHERE sen_status = 'K'`);
    expect(requests.length).toBeGreaterThan(k * 0.25);
    expect(requests.length).toBeLessThan(k * 0.45);
    expect(requests.every((r) => r.sen_status === 'K' && r.locality_ok && r.plan_ok)).toBe(true);
    expect(requests.every((r) => r.has_open_plan === (r.support_plan_id !== null))).toBe(true);
    expect(requests.filter((r) => unitsProblem(r.unit, Number(r.units)) !== null)).toEqual([]);
    expect(new Set(requests.map((r) => r.service_code))).toEqual(new Set(['STLS', 'SALT', 'OT', 'EP', 'HNF']));
    const byStatus = (status: string) => requests.filter((r) => r.status === status);
    expect(byStatus('DRAFT').length).toBeGreaterThan(0);
    expect(byStatus('WITHDRAWN').length).toBeGreaterThan(0);
    // Submitted, and some of those decided by the demo panels (src/seed/demo-panels.ts).
    const heardStatuses = ['SUBMITTED', 'DEFERRED', 'APPROVED', 'PARTIALLY_APPROVED', 'DECLINED'];
    const heard = requests.filter((r) => heardStatuses.includes(r.status)).length;
    expect(heard).toBeGreaterThan(requests.length / 2);
    expect(byStatus('SUBMITTED').length).toBeGreaterThan(0);
    expect(byStatus('DRAFT').length + byStatus('WITHDRAWN').length + heard).toBe(requests.length);
    const today = todayInLondon();
    const sevenWeeksAgo = addDays(today, -49);
    for (const r of requests.filter((x) => x.status !== 'DRAFT')) {
      expect(r.submitted_on! >= sevenWeeksAgo && r.submitted_on! <= today).toBe(true);
    }
    for (const r of byStatus('WITHDRAWN')) expect(r.withdrawn_on! > r.submitted_on! && r.withdrawn_on! <= today).toBe(true);

    // One REQUEST_DECISION deadline per submitted or withdrawn request, due 28 days after submission.
    const [check] = await t.dataSource.query(`
      SELECT count(*) FILTER (WHERE r.status <> 'DRAFT')::int AS heard,
             count(*) FILTER (WHERE r.status <> 'DRAFT' AND (d.id IS NULL OR d.starts_on <> r.submitted_on OR d.due_on <> r.submitted_on + 28
               OR d.pupil_id <> r.pupil_id OR d.school_id <> r.school_id OR d.locality_id <> r.locality_id
               OR d.met_on IS DISTINCT FROM (SELECT max(x.decided_on) FROM support_request_decision x WHERE x.request_id = r.id AND x.outcome <> 'DEFERRED')
               OR d.cancelled_on IS DISTINCT FROM r.withdrawn_on))::int AS mismatched,
             count(*) FILTER (WHERE r.status = 'DRAFT' AND d.id IS NOT NULL)::int AS draft_deadlines
      FROM support_request r
      LEFT JOIN deadline d ON d.subject_type = 'SUPPORT_REQUEST' AND d.subject_id = r.id AND d.kind = 'REQUEST_DECISION'
      WHERE NOT EXISTS (SELECT 1 FROM allocation a WHERE a.request_id = r.id)`);
    expect(check).toEqual({ heard: requests.length - byStatus('DRAFT').length, mismatched: 0, draft_deadlines: 0 });
    const statuses: { status: string }[] = await t.dataSource.query(`
      SELECT DISTINCT deadline_status(met_on, cancelled_on, due_on, $1::date, 14) AS status
      FROM deadline WHERE kind = 'REQUEST_DECISION' ORDER BY 1`, [today]);
    expect(statuses.map((s) => s.status)).toEqual(expect.arrayContaining(['CANCELLED', 'DUE_SOON', 'OVERDUE']));
  });

  it('shows the Dartford panel the submitted requests of its locality, their overdue decisions and the pupils they concern', async () => {
    const bearer = await login('panel.dartford@example.org');
    const [dartford] = await t.dataSource.query(`SELECT id FROM locality WHERE code = 'DAR-01'`);
    const res = await t.http().get('/api/v1/support-requests?limit=500').set('Authorization', bearer).expect(200);
    expect(res.body.data.length).toBeGreaterThan(0);
    for (const row of res.body.data) {
      expect(row.localityId).toBe(dartford.id);
      expect(row.status).not.toBe('DRAFT');
      expect(typeof row.unitsRequested).toBe('number');
    }
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM support_request WHERE locality_id = $1 AND status <> 'DRAFT'`, [dartford.id]);
    expect(res.body.data).toHaveLength(n);

    const overdue = await t.http().get('/api/v1/deadlines?status=OVERDUE&kind=REQUEST_DECISION&limit=500').set('Authorization', await login('manager.dartford@example.org')).expect(200);
    expect(overdue.body.data.length).toBeGreaterThan(0);
    for (const row of overdue.body.data) expect(row).toMatchObject({ kind: 'REQUEST_DECISION', subjectType: 'SUPPORT_REQUEST', status: 'OVERDUE', localityId: dartford.id });

    const submitted = res.body.data.find((r: { status: string }) => r.status === 'SUBMITTED');
    expect(submitted).toBeDefined();
    const pupil = await t.http().get(`/api/v1/pupils/${submitted.pupilId}`).set('Authorization', bearer).expect(200);
    expect(pupil.body.id).toBe(submitted.pupilId);
  });

  it('seeds panels: meetings held and upcoming per locality, decisions of every outcome, allocations drawn through the pool ledger', async () => {
    const today = todayInLondon();
    const meetings: { code: string; past: number; upcoming: number }[] = await t.dataSource.query(`
      SELECT l.code, count(*) FILTER (WHERE m.meeting_on < $1)::int AS past, count(*) FILTER (WHERE m.meeting_on > $1)::int AS upcoming
      FROM locality l LEFT JOIN panel_meeting m ON m.locality_id = l.id GROUP BY l.code ORDER BY l.code`, [today]);
    expect(meetings).toHaveLength(DEMO_LOCALITIES.length);
    for (const row of meetings) expect(row).toMatchObject({ past: 3, upcoming: 2 });

    // Every outcome, each request's status following its latest decision, taken at a meeting of its locality, not before submission.
    const decisions: { outcome: string; status: string; ok: boolean }[] = await t.dataSource.query(`
      SELECT d.outcome, r.status,
             (m.locality_id = r.locality_id AND d.decided_on = m.meeting_on AND d.decided_on >= r.submitted_on AND d.decided_on <= $1) AS ok
      FROM support_request_decision d JOIN support_request r ON r.id = d.request_id JOIN panel_meeting m ON m.id = d.meeting_id`, [today]);
    expect(new Set(decisions.map((d) => d.outcome))).toEqual(new Set(['APPROVED', 'PARTIAL', 'DECLINED', 'DEFERRED']));
    const statusOf: Record<string, string> = { APPROVED: 'APPROVED', PARTIAL: 'PARTIALLY_APPROVED', DECLINED: 'DECLINED', DEFERRED: 'DEFERRED' };
    expect(decisions.filter((d) => !d.ok || statusOf[d.outcome] !== d.status)).toEqual([]);
    const [{ undecided }] = await t.dataSource.query(`
      SELECT count(*)::int AS undecided FROM support_request r
      WHERE r.status IN ('APPROVED', 'PARTIALLY_APPROVED', 'DECLINED', 'DEFERRED') AND NOT EXISTS (SELECT 1 FROM support_request_decision d WHERE d.request_id = r.id)`);
    expect(undecided).toBe(0);

    // Allocations: one per approval, offered, accepted and cancelled; the acceptance deadline met, overdue or cancelled accordingly.
    const allocations: { status: string; units: string; approved: string; deadline: string }[] = await t.dataSource.query(`
      SELECT a.status, a.units::text, d.units_approved::text AS approved,
             deadline_status(dl.met_on, dl.cancelled_on, dl.due_on, $1::date, 14) AS deadline
      FROM allocation a JOIN support_request_decision d ON d.allocation_id = a.id
      JOIN deadline dl ON dl.subject_type = 'ALLOCATION' AND dl.subject_id = a.id AND dl.kind = 'ALLOCATION_ACCEPTANCE'`, [today]);
    const [{ total }] = await t.dataSource.query(`SELECT count(*)::int AS total FROM allocation`);
    expect(allocations).toHaveLength(total);
    expect(allocations.every((a) => a.units === a.approved)).toBe(true);
    const statuses = new Set(allocations.map((a) => a.status));
    for (const status of ['OFFERED', 'ACCEPTED', 'IN_DELIVERY', 'COMPLETED', 'CANCELLED']) expect(statuses).toContain(status);
    const deadlines = new Set(allocations.map((a) => a.deadline));
    for (const status of ['MET_ON_TIME', 'OVERDUE', 'CANCELLED']) expect(deadlines).toContain(status);
    expect(allocations.filter((a) => a.status === 'CANCELLED').every((a) => a.deadline === 'CANCELLED')).toBe(true);

    // The ledger: each pool's allocated_units is the sum of its allocations still holding units.
    const ledger: { allocated: string; held: string }[] = await t.dataSource.query(`
      SELECT rp.allocated_units::text AS allocated,
             coalesce(sum(a.units) FILTER (WHERE a.status IN ('OFFERED', 'ACCEPTED', 'IN_DELIVERY', 'COMPLETED')), 0)::numeric(12, 2)::text AS held
      FROM resource_pool rp LEFT JOIN allocation a ON a.pool_id = rp.id GROUP BY rp.id`);
    expect(ledger.filter((p) => p.allocated !== p.held)).toEqual([]);
    expect(ledger.some((p) => Number(p.allocated) > 0)).toBe(true);

    // The Dartford panel's next meeting: its agenda, with the interest its member declared.
    const bearer = await login('panel.dartford@example.org');
    const list = await t.http().get(`/api/v1/panel-meetings?from=${today}`).set('Authorization', bearer).expect(200);
    expect(list.body.data).toHaveLength(2);
    const next = list.body.data[list.body.data.length - 1];
    expect(next.declaredInterests).toHaveLength(1);
    const agenda = await t.http().get(`/api/v1/panel-meetings/${next.id}/agenda`).set('Authorization', bearer).expect(200);
    expect(agenda.body.requests.length).toBeGreaterThan(0);
    expect(agenda.body.requests.every((i: { request: { status: string } }) => ['SUBMITTED', 'DEFERRED'].includes(i.request.status))).toBe(true);
    expect(agenda.body.pools).toHaveLength(4);
  });

  it('seeds provider delivery for the demo providers: every state, sessions with absences, outcomes, overdue acceptances, consistent pools', async () => {
    const today = todayInLondon();
    const allocations: { id: string; status: string; service_code: string; units: string; units_used: string; session_units: string | null; locality: string }[] =
      await t.dataSource.query(`
        SELECT a.id, a.status, a.service_code, a.units::text, a.units_used::text, l.code AS locality,
               (SELECT sum(s.units_used)::text FROM allocation_session s WHERE s.allocation_id = a.id) AS session_units
        FROM allocation a JOIN locality l ON l.id = a.locality_id`);
    expect(allocations.length).toBeGreaterThan(20);
    for (const status of ['OFFERED', 'ACCEPTED', 'IN_DELIVERY', 'COMPLETED']) expect(allocations.map((a) => a.status)).toContain(status);
    // Units used = the sessions' units, never beyond the allocation.
    for (const a of allocations) {
      expect(Number(a.units_used)).toBe(Number(a.session_units ?? 0));
      expect(Number(a.units_used)).toBeLessThanOrEqual(Number(a.units));
    }
    // Every pool holds exactly the units of its allocations that still hold units.
    const pools = await t.dataSource.query(`
      SELECT rp.id FROM resource_pool rp
      LEFT JOIN allocation a ON a.pool_id = rp.id AND a.status NOT IN ('DECLINED', 'CANCELLED')
      GROUP BY rp.id, rp.allocated_units
      HAVING rp.allocated_units <> COALESCE(sum(a.units), 0)`);
    expect(pools).toEqual([]);
    const absences: { absence_reason: string | null }[] = await t.dataSource.query(`SELECT DISTINCT absence_reason FROM allocation_session`);
    expect(absences.map((r) => r.absence_reason)).toEqual(expect.arrayContaining([null, 'DID_NOT_ATTEND', 'CANCELLED_BY_SCHOOL', 'CANCELLED_BY_PROVIDER']));
    const statuses = async (kind: string) =>
      (await t.dataSource.query(`SELECT DISTINCT deadline_status(met_on, cancelled_on, due_on, $1::date, 14) AS s FROM deadline WHERE kind = $2`, [today, kind])).map(
        (r: { s: string }) => r.s,
      );
    expect(await statuses('ALLOCATION_ACCEPTANCE')).toEqual(expect.arrayContaining(['OVERDUE', 'MET_ON_TIME', 'MET_LATE']));
    expect(await statuses('DELIVERY_START')).toEqual(expect.arrayContaining(['ON_TRACK', 'MET_ON_TIME', 'MET_LATE']));

    // The NHS therapist's worklist: their trust's speech and language and OT work only, with the figures.
    const nhs = await login('provider.nhs@example.org');
    const list = await t.http().get('/api/v1/allocations?limit=500').set('Authorization', nhs).expect(200);
    expect(list.body.data.length).toBeGreaterThan(5);
    expect(new Set(list.body.data.map((a: { serviceCode: string }) => a.serviceCode))).toEqual(new Set(['SALT', 'OT']));
    const inDelivery = list.body.data.find((a: { status: string }) => a.status === 'IN_DELIVERY');
    const one = await t.http().get(`/api/v1/allocations/${inDelivery.id}`).set('Authorization', nhs).expect(200);
    expect(one.body).toMatchObject({ attendanceRate: expect.any(Number), daysToAcceptance: expect.any(Number), daysToFirstSession: expect.any(Number) });
    expect(one.body.pupil.id).toBe(one.body.pupilId);
    await t.http().get(`/api/v1/pupils/${one.body.pupilId}`).set('Authorization', nhs).expect(200);
    // Completed over 30 days ago: the allocation stays on their list, the child does not.
    const old = list.body.data.find((a: { status: string; completedOn: string | null }) => a.status === 'COMPLETED' && a.completedOn! < addDays(today, -30));
    expect(old).toBeDefined();
    await t.http().get(`/api/v1/pupils/${old.pupilId}`).set('Authorization', nhs).expect(404);
    const stls = await t.http().get('/api/v1/allocations?limit=500').set('Authorization', await login('provider.stls@example.org')).expect(200);
    expect(stls.body.data.length).toBeGreaterThan(3);
    expect(stls.body.data.every((a: { serviceCode: string }) => a.serviceCode === 'STLS')).toBe(true);
  });

  it('shows managers plausible timeliness dashboards and an overdue worklist over the demo deadlines', async () => {
    const county = await login('manager@example.org');
    const byKind = await t.http().get('/api/v1/dashboards/timeliness?groupBy=kind').set('Authorization', county).expect(200);
    const review = byKind.body.data.find((r: { groupId: string }) => r.groupId === 'SUPPORT_PLAN_REVIEW');
    expect(review.met).toBeGreaterThan(0);
    expect(review.metOnTime).toBeGreaterThan(0);
    expect(review.metOnTime).toBeLessThan(review.met);
    expect(review.onTimeRate).toBeGreaterThan(0.4);
    expect(review.onTimeRate).toBeLessThan(0.95);
    expect(review.overdue).toBeGreaterThan(0);
    expect(review.dueSoon).toBeGreaterThan(0);
    expect(review.medianDaysToMeet).toBeGreaterThan(0);
    expect(byKind.body.data.find((r: { groupId: string }) => r.groupId === 'REQUEST_DECISION').open).toBeGreaterThan(0);
    const dartford = await login('manager.dartford@example.org');
    const mine = await t.http().get('/api/v1/dashboards/timeliness?groupBy=school').set('Authorization', dartford).expect(200);
    expect(mine.body.data.length).toBeGreaterThan(1);
    const [locality] = await t.dataSource.query(`SELECT id FROM locality WHERE code = 'DAR-01'`);
    const schools = (await t.dataSource.query(`SELECT id FROM school WHERE locality_id = $1`, [locality.id])).map((r: { id: string }) => r.id);
    for (const row of mine.body.data) expect(schools).toContain(row.groupId);
    const worklist = await t.http().get('/api/v1/dashboards/overdue?limit=500').set('Authorization', dartford).expect(200);
    expect(worklist.body.data.length).toBeGreaterThan(0);
    for (const row of worklist.body.data) expect(row).toMatchObject({ localityId: locality.id, status: expect.stringMatching(/^(OVERDUE|DUE_SOON)$/) });
  });

  it('seeds EHC cases at every stage: about a third of plans within 20 weeks, some excepted, NHS advice some overdue, caseworkers assigned', async () => {
    const today = todayInLondon();
    const stages = await t.dataSource.query(`SELECT DISTINCT stage FROM ehc_assessment ORDER BY 1`);
    expect(stages.map((s: { stage: string }) => s.stage)).toEqual(['ASSESSING', 'DRAFT_ISSUED', 'NOT_ASSESSED', 'NOT_ISSUED', 'PLAN_ISSUED', 'REQUESTED', 'WITHDRAWN']);
    const [plans] = await t.dataSource.query(`
      SELECT count(*)::int AS issued, count(*) FILTER (WHERE d.met_on <= d.due_on)::int AS on_time, count(*) FILTER (WHERE d.excepted)::int AS excepted,
             count(*) FILTER (WHERE p.sen_status <> 'E')::int AS not_e, min(a.request_received_on)::text AS first
      FROM ehc_assessment a JOIN pupil p ON p.id = a.pupil_id
      JOIN deadline d ON d.subject_type = 'EHC_ASSESSMENT' AND d.subject_id = a.id AND d.kind = 'EHC_FINAL_PLAN'
      WHERE a.stage = 'PLAN_ISSUED'`);
    expect(plans.issued).toBeGreaterThan(5);
    expect(plans.on_time / plans.issued).toBeGreaterThan(0.25);
    expect(plans.on_time / plans.issued).toBeLessThan(0.42);
    expect(plans).toMatchObject({ not_e: 0 });
    expect(plans.excepted).toBeGreaterThan(0);
    expect(plans.first >= addDays(today, -7 * 104)).toBe(true);
    const nhs = await t.http().get('/api/v1/advice-requests?status=OVERDUE&limit=500').set('Authorization', await login('provider.nhs@example.org')).expect(200);
    expect(nhs.body.data.length).toBeGreaterThan(0);
    expect(nhs.body.data.every((r: { organisationName: string }) => r.organisationName === 'Kent Community Health NHS Foundation Trust')).toBe(true);
    const mine = await t.http().get('/api/v1/ehc-assessments?mine=true&limit=500').set('Authorization', await login('caseworker.north@example.org')).expect(200);
    expect(mine.body.data.length).toBeGreaterThan(0);
    const county = await t.http().get('/api/v1/ehc-assessments?mine=true&limit=500').set('Authorization', await login('caseworker@example.org')).expect(200);
    expect(county.body.data.length).toBeGreaterThan(0);
    // Every case's deadline rows agree with its stage: nothing open on a closed case.
    const [{ open_on_closed }] = await t.dataSource.query(`
      SELECT count(*)::int AS open_on_closed FROM deadline d JOIN ehc_assessment a ON a.id = d.subject_id
      WHERE d.subject_type = 'EHC_ASSESSMENT' AND a.stage IN ('NOT_ASSESSED', 'NOT_ISSUED', 'WITHDRAWN', 'PLAN_ISSUED') AND d.met_on IS NULL AND d.cancelled_on IS NULL`);
    expect(open_on_closed).toBe(0);
  });

  it('seeds phase transfers by the rule the routes use: this year’s open, last year’s met on time but one late', async () => {
    const today = todayInLondon();
    const year = academicYearOf(today);
    const rows: { startsOn: string; dueOn: string; status: string; subjectType: string; n: number }[] = await t.dataSource.query(
      `SELECT starts_on::text AS "startsOn", due_on::text AS "dueOn", subject_type AS "subjectType",
              deadline_status(met_on, cancelled_on, due_on, $1::date, 14) AS status, count(*)::int AS n
       FROM deadline WHERE kind = 'PHASE_TRANSFER' GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 4`,
      [today],
    );
    expect(rows.every((r) => r.subjectType === 'EHC_PLAN')).toBe(true);
    const lastYear = rows.filter((r) => r.startsOn === `${year - 1}-09-01`);
    const thisYear = rows.filter((r) => r.startsOn === `${year}-09-01`);
    expect(rows).toHaveLength(lastYear.length + thisYear.length);
    expect(lastYear.map((r) => r.dueOn)).toEqual(lastYear.map(() => `${year}-02-15`));
    expect(lastYear.find((r) => r.status === 'MET_LATE')?.n).toBe(1);
    expect(lastYear.find((r) => r.status === 'MET_ON_TIME')?.n).toBeGreaterThan(1);
    // This year's (the drawn register has Year 11 pupils with plans: post-16, 31 March), none met yet.
    expect(thisYear.length).toBeGreaterThan(0);
    expect(thisYear.every((r) => [`${year + 1}-02-15`, `${year + 1}-03-31`].includes(r.dueOn))).toBe(true);
    expect(thisYear.every((r) => ['ON_TRACK', 'DUE_SOON', 'OVERDUE'].includes(r.status))).toBe(true);
    // The yearly run finds every one the seed opened, and no other.
    const admin = await login('admin@example.org');
    const run = (await t.http().post('/api/v1/ehc-plans/phase-transfers').set('Authorization', admin).send({ academicYear: year }).expect(200)).body;
    expect(run).toEqual({ academicYear: year, inTransferYear: thisYear.reduce((n, r) => n + r.n, 0), opened: 0, alreadyOpen: run.inTransferYear });
    // A caseworker sees one on the plan, and SEN2 carries last year's due and final dates.
    const caseworker = await login('caseworker@example.org');
    const [{ planId }] = await t.dataSource.query(`SELECT subject_id AS "planId" FROM deadline WHERE kind = 'PHASE_TRANSFER' AND met_on > due_on`);
    const plan = (await t.http().get(`/api/v1/ehc-plans/${planId}`).set('Authorization', caseworker).expect(200)).body;
    expect(plan.phaseTransfers).toEqual([expect.objectContaining({ dueOn: `${year}-02-15`, status: 'MET_LATE' })]);
    const sen2 = (await t.http().get(`/api/v1/exports/sen2?year=${year}&module=active-plans`).set('Authorization', caseworker).expect(200)).text;
    expect(sen2).toContain(`,${year}-02-15,`);
  });

  it('shows plausible EHC and locality-model dashboards and a SEN2 file over the demo data', async () => {
    const county = await login('manager@example.org');
    const today = todayInLondon();
    const window = `from=${Number(today.slice(0, 4)) - 2}-01-01&to=${today}`;
    const ehc = (await t.http().get(`/api/v1/dashboards/ehc-20-week?groupBy=month&${window}`).set('Authorization', county).expect(200)).body.data;
    const issued = ehc.reduce((n: number, r: { issued: number }) => n + r.issued, 0);
    const within = ehc.reduce((n: number, r: { within20Weeks: number }) => n + r.within20Weeks, 0);
    expect(issued).toBeGreaterThan(5);
    expect(within / issued).toBeGreaterThan(0.2);
    expect(within / issued).toBeLessThan(0.5);
    const requests = (await t.http().get(`/api/v1/dashboards/ehc-requests?${window}`).set('Authorization', county).expect(200)).body.data;
    expect(requests.reduce((n: number, r: { refused: number }) => n + r.refused, 0)).toBeGreaterThan(0);
    const model = (await t.http().get('/api/v1/dashboards/locality-model?groupBy=organisation').set('Authorization', county).expect(200)).body.data;
    const provider = model.find((r: { groupId: string | null; allocationsMade: number; unitsUsed: number }) => r.groupId && r.allocationsMade > 0 && r.unitsUsed > 0);
    expect(provider.utilisation).toBeGreaterThan(0);
    expect(provider.utilisation).toBeLessThanOrEqual(1);
    expect(model.some((r: { requestsDecided: number; medianDaysToDecision: number }) => r.requestsDecided > 0 && r.medianDaysToDecision >= 0)).toBe(true);
    const sen2 = await t.http().get(`/api/v1/exports/sen2?year=${today.slice(0, 4)}&module=requests`).set('Authorization', county).expect(200);
    expect(sen2.text.split('\r\n')[0]).toMatch(/^LEA,Surname,Forename,PersonBirthDate,UPN,ReceivedDate,/);
    expect(sen2.text.trim().split('\r\n').length).toBeGreaterThan(1);
  });

  it('seeds annual reviews of the plans due one: the annual-reviews dashboard shows decisions within and beyond 4 weeks', async () => {
    const county = await login('manager@example.org');
    const today = todayInLondon();
    const window = `from=${addDays(today, -365)}&to=${today}`;
    const rows = (await t.http().get(`/api/v1/dashboards/annual-reviews?${window}`).set('Authorization', county).expect(200)).body.data;
    const sum = (field: string) => rows.reduce((n: number, r: Record<string, number>) => n + r[field], 0);
    // About a quarter of the demo plans were issued a year or more ago (demo-ehc.ts), so a handful of reviews.
    expect(sum('meetings')).toBeGreaterThanOrEqual(4);
    expect(sum('decided')).toBeGreaterThanOrEqual(3);
    expect(sum('pending')).toBe(sum('meetings') - sum('decided'));
    expect(sum('decidedWithin4Weeks')).toBeGreaterThan(0); // decisions within 4 weeks and beyond
    expect(sum('decidedWithin4Weeks')).toBeLessThan(sum('decided'));
    expect([sum('maintained'), sum('amended'), sum('ceased')].every((n) => n > 0)).toBe(true);
    expect(sum('maintained') + sum('amended') + sum('ceased')).toBe(sum('decided'));
    // The review deadlines are on the timeliness dashboard: some met, some late.
    const byKind = (await t.http().get('/api/v1/dashboards/timeliness?groupBy=kind').set('Authorization', county).expect(200)).body.data;
    const decision = byKind.find((r: { groupId: string }) => r.groupId === 'ANNUAL_REVIEW_DECISION');
    expect(decision.met).toBeGreaterThan(0);
    expect(decision.onTimeRate).toBeGreaterThan(0);
    expect(decision.onTimeRate).toBeLessThan(1);
    // The rows agree with the workflow: every review has its decision deadline, met iff decided; a ceased plan has nothing open.
    const [check] = await t.dataSource.query(`
      SELECT (SELECT count(*)::int FROM annual_review r WHERE NOT EXISTS (SELECT 1 FROM deadline d WHERE d.subject_type = 'ANNUAL_REVIEW'
                AND d.subject_id = r.id AND d.kind = 'ANNUAL_REVIEW_DECISION' AND d.met_on IS NOT DISTINCT FROM r.decided_on)) AS mismatched,
             (SELECT count(*)::int FROM ehc_plan p JOIN deadline d ON d.subject_type = 'EHC_PLAN' AND d.subject_id = p.id
               WHERE p.ceased_on IS NOT NULL AND d.met_on IS NULL AND d.cancelled_on IS NULL) AS open_on_ceased,
             (SELECT count(*)::int FROM annual_review r JOIN deadline d ON d.subject_type = 'EHC_PLAN' AND d.subject_id = r.plan_id
               AND d.kind = 'ANNUAL_REVIEW_MEETING' AND d.met_on = r.meeting_on) AS meetings_met,
             (SELECT count(*)::int FROM annual_review) AS reviews`);
    expect(check).toMatchObject({ mismatched: 0, open_on_ceased: 0 });
    expect(check.meetings_met).toBe(check.reviews);
  });
});
