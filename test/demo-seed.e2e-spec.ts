import { DemoSeedService } from '../src/seed/demo-seed.service';
import { DEMO_LOCALITIES, DEMO_ORGANISATIONS, DEMO_PASSWORD, DEMO_SCHOOLS, DEMO_SERVICES, DEMO_USERS } from '../src/seed/demo-data';
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
    const added = await t.app.get(DemoSeedService).seed();
    expect(added).toEqual({ localities: 0, schools: 0, organisations: 0, services: 0, users: 0 });
    expect(await t.dataSource.query(`SELECT id, version, updated_at FROM locality ORDER BY id`)).toEqual(before);
  });

  it('adds back only what is missing', async () => {
    await t.dataSource.query(`DELETE FROM service WHERE code = 'SALT'`);
    const added = await t.app.get(DemoSeedService).seed();
    expect(added).toEqual({ localities: 0, schools: 0, organisations: 0, services: 1, users: 0 });
  });

  it('seeds one or more demo logins per role, each able to sign in with its scope', async () => {
    const roles = await t.dataSource.query(`SELECT role, count(*)::int AS n FROM app_user WHERE id <> $1 GROUP BY role ORDER BY role`, [admin.id]);
    expect(roles.map((r: { role: string }) => r.role)).toEqual(['ADMIN', 'CASEWORKER', 'MANAGER', 'PANEL', 'PROVIDER', 'SENCO']);
    expect(roles.reduce((sum: number, r: { n: number }) => sum + r.n, 0)).toBe(DEMO_USERS.length);
    const res = await t.http().post('/api/v1/auth/login').send({ email: 'senco.dartford@example.org', password: DEMO_PASSWORD }).expect(200);
    const [school] = await t.dataSource.query(`SELECT id FROM school WHERE urn = '118768'`);
    expect(res.body.user).toMatchObject({ role: 'SENCO', schoolId: school.id, mustChangePassword: false });
  });
});
