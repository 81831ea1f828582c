import { DemoSeedService } from '../src/seed/demo-seed.service';
import { todayInLondon } from '../src/common/dates/calendar-date';
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
        (SELECT count(*)::int FROM support_plan_review) AS reviews, (SELECT count(*)::int FROM deadline) AS deadlines`)
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
    expect(added).toEqual({ localities: 0, schools: 0, organisations: 0, services: 0, users: 0, pupils: 0, supportPlans: 0, deadlines: 0 });
    expect(await t.dataSource.query(`SELECT id, version, updated_at FROM locality ORDER BY id`)).toEqual(before);
    expect(await registerCounts()).toEqual(registerBefore);
  });

  it('adds back only what is missing', async () => {
    await t.dataSource.query(`DELETE FROM service WHERE code = 'SALT'`);
    const added = await t.app.get(DemoSeedService).seed();
    expect(added).toEqual({ localities: 0, schools: 0, organisations: 0, services: 1, users: 0, pupils: 0, supportPlans: 0, deadlines: 0 });
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
    const res = await t.http().get('/api/v1/deadlines?status=OVERDUE&limit=500').set('Authorization', bearer).expect(200);
    expect(res.body.data.length).toBeGreaterThan(0);
    const [dartford] = await t.dataSource.query(`SELECT id FROM locality WHERE code = 'DAR-01'`);
    for (const row of res.body.data) expect(row).toMatchObject({ kind: 'SUPPORT_PLAN_REVIEW', status: 'OVERDUE', localityId: dartford.id });
    const county = await t.http().get('/api/v1/deadlines?status=OVERDUE&limit=500').set('Authorization', await login('manager@example.org')).expect(200);
    expect(county.body.data.length).toBeGreaterThan(res.body.data.length);
  });

  it("shows the demo SENCO only their school's pupils", async () => {
    const bearer = await login('senco.dartford@example.org');
    const res = await t.http().get('/api/v1/pupils?limit=500').set('Authorization', bearer).expect(200);
    const [school] = await t.dataSource.query(`SELECT id FROM school WHERE urn = '118768'`);
    expect(res.body.data).toHaveLength(DEMO_PUPILS_PER_SCHOOL);
    expect(res.body.data.every((p: { schoolId: string }) => p.schoolId === school.id)).toBe(true);
  });
});
