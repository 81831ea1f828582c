import { DemoSeedService } from '../src/seed/demo-seed.service';
import { DEMO_LOCALITIES, DEMO_ORGANISATIONS, DEMO_SCHOOLS, DEMO_SERVICES } from '../src/seed/demo-data';
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
    // toMatchObject: the seed also counts what it adds beyond reference data (demo users).
    expect(added).toMatchObject({ localities: 0, schools: 0, organisations: 0, services: 0 });
    expect(await t.dataSource.query(`SELECT id, version, updated_at FROM locality ORDER BY id`)).toEqual(before);
  });

  it('adds back only what is missing', async () => {
    await t.dataSource.query(`DELETE FROM service WHERE code = 'SALT'`);
    const added = await t.app.get(DemoSeedService).seed();
    expect(added).toMatchObject({ localities: 0, schools: 0, organisations: 0, services: 1 });
  });
});
