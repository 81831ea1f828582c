import { DemoSeedService } from '../src/seed/demo-seed.service';
import { academicYearStart, addDays, todayInLondon } from '../src/common/dates/calendar-date';
import { unitsProblem } from '../src/pools/units';
import { upnProblem } from '../src/pupils/upn';
import { yearGroupFromBirth } from '../src/pupils/year-group';
import {
  DEMO_LOCALITIES,
  DEMO_ORGANISATIONS,
  DEMO_PASSWORD,
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
      localities: 0, schools: 0, organisations: 0, services: 0, users: 0, pupils: 0, supportPlans: 0, deadlines: 0, resourcePools: 0, supportRequests: 0, ehcAssessments: 0,
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
      localities: 0, schools: 0, organisations: 0, services: 1, users: 0, pupils: 0, supportPlans: 0, deadlines: 0, resourcePools: 1, supportRequests: 0, ehcAssessments: 0,
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
    expect(pupils).toHaveLength(DEMO_SCHOOLS.length * DEMO_PUPILS_PER_SCHOOL);
    expect(pupils.filter((p) => upnProblem(p.upn) !== undefined)).toEqual([]);
    expect(pupils.every((p) => p.upn.slice(1, 4) === '886' && p.upn.slice(4, 8) === p.urn.slice(-4))).toBe(true);
    const demoUrns = new Set(DEMO_SCHOOLS.map((s) => s.urn));
    expect(pupils.every((p) => demoUrns.has(p.urn))).toBe(true);
    for (const school of DEMO_SCHOOLS) expect(pupils.filter((p) => p.urn === school.urn)).toHaveLength(DEMO_PUPILS_PER_SCHOOL);
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
      expect(pool).toMatchObject({ localityId: dartford.id, periodStart: start, periodEnd: end, allocatedUnits: 0 });
      const [min, max, unit] = ranges[pool.serviceCode];
      expect(pool.unit).toBe(unit);
      expect(typeof pool.capacityUnits).toBe('number');
      expect(pool.capacityUnits).toBeGreaterThanOrEqual(min);
      expect(pool.capacityUnits).toBeLessThanOrEqual(max);
      expect(unitsProblem(unit as 'HOURS', pool.capacityUnits)).toBeNull();
      expect(pool.remainingUnits).toBe(pool.capacityUnits);
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
      FROM support_request r JOIN pupil p ON p.id = r.pupil_id JOIN school s ON s.id = p.school_id JOIN service sv ON sv.code = r.service_code`);
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
    expect(byStatus('SUBMITTED').length).toBeGreaterThan(requests.length / 2);
    expect(byStatus('DRAFT').length + byStatus('WITHDRAWN').length + byStatus('SUBMITTED').length).toBe(requests.length);
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
               OR d.pupil_id <> r.pupil_id OR d.school_id <> r.school_id OR d.locality_id <> r.locality_id OR d.met_on IS NOT NULL
               OR d.cancelled_on IS DISTINCT FROM r.withdrawn_on))::int AS mismatched,
             count(*) FILTER (WHERE r.status = 'DRAFT' AND d.id IS NOT NULL)::int AS draft_deadlines
      FROM support_request r
      LEFT JOIN deadline d ON d.subject_type = 'SUPPORT_REQUEST' AND d.subject_id = r.id AND d.kind = 'REQUEST_DECISION'`);
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
});
