import { randomUUID } from 'node:crypto';
import { ProblemException } from '../src/common/problem/problem.exception';
import { allocateFromPool, releaseToPool } from '../src/pools/resource-pools.service';
import { createUser, TestUser } from './support/auth';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Resource pools (API.md "Support requests and panels", issue 5 item 3): a locality's capacity
 * of one service for a period, in the service's unit, never overspent. An overlapping period of
 * the same locality and service is 409 /problems/duplicate (a clash with a stored pool, like a
 * unique violation), naming periodStart and periodEnd.
 */
describe('resource pools', () => {
  let t: TestApp;
  let admin: TestUser;
  let panel: TestUser;
  let otherPanel: TestUser;
  let eastManager: TestUser;
  let caseworker: TestUser;
  let senco: TestUser;
  let provider: TestUser;
  /** Two localities in the East area, one in the North. */
  let canterbury: string;
  let whitstable: string;
  let dartford: string;

  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  beforeAll(async () => {
    t = await createTestApp();
    const locality = async (code: string, area: string) =>
      (await t.dataSource.query(`INSERT INTO locality (code, name, area, district) VALUES ($1, $1, $2, $1) RETURNING id`, [code, area]))[0].id as string;
    canterbury = await locality('RP-CAN', 'East');
    whitstable = await locality('RP-WHI', 'East');
    dartford = await locality('RP-DAR', 'North');
    const [school] = await t.dataSource.query(
      `INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ('318712', 'Oakfield', 'PRIMARY', 'MAINSTREAM', $1) RETURNING id`,
      [canterbury],
    );
    const [organisation] = await t.dataSource.query(`INSERT INTO organisation (name, kind) VALUES ('Kent STLS', 'KCC_SERVICE') RETURNING id`);
    for (const [code, unit] of [['STLS', 'HOURS'], ['SALT', 'SESSIONS'], ['HNF', 'GBP'], ['PLACE', 'PLACES']]) {
      await t.dataSource.query(`INSERT INTO service (code, name, organisation_id, unit) VALUES ($1, $1, $2, $3)`, [code, organisation.id, unit]);
    }
    admin = await createUser(t, 'ADMIN');
    panel = await createUser(t, 'PANEL', { localityId: canterbury });
    otherPanel = await createUser(t, 'PANEL', { localityId: dartford });
    eastManager = await createUser(t, 'MANAGER', { area: 'East' });
    caseworker = await createUser(t, 'CASEWORKER', { localityId: whitstable });
    senco = await createUser(t, 'SENCO', { schoolId: school.id });
    provider = await createUser(t, 'PROVIDER', { organisationId: organisation.id });
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = (user: TestUser, body: object) => t.http().post('/api/v1/resource-pools').set('Authorization', user.bearer).send(body);
  const get = (user: TestUser, path = '') => t.http().get(`/api/v1/resource-pools${path}`).set('Authorization', user.bearer);
  const poolCount = async () => Number((await t.dataSource.query('SELECT count(*)::int AS n FROM resource_pool'))[0].n);
  /** The fields named (one field may carry several messages). */
  const fields = (body: { errors?: { field: string }[] }) => [...new Set((body.errors ?? []).map((e) => e.field))].sort();

  const autumn = { serviceCode: 'STLS', periodStart: '2026-09-01', periodEnd: '2026-12-31', capacityUnits: 120.5 };

  describe('create and read', () => {
    let id: string;

    it('a PANEL member creates a pool for their own locality: 201 with exactly the contract fields, audited', async () => {
      const res = await post(panel, { ...autumn, localityId: canterbury }).expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        localityId: canterbury,
        serviceCode: 'STLS',
        unit: 'HOURS',
        periodStart: '2026-09-01',
        periodEnd: '2026-12-31',
        capacityUnits: 120.5,
        allocatedUnits: 0,
        remainingUnits: 120.5,
        version: 1,
      });
      id = res.body.id;
      const [row] = await t.dataSource.query(`SELECT created_by, capacity_units FROM resource_pool WHERE id = $1`, [id]);
      expect(row).toEqual({ created_by: panel.id, capacity_units: '120.50' });
      const audit = await t.dataSource.query(
        `SELECT action, entity_type, changed_fields, actor_id, locality_id, area FROM audit_event WHERE entity_id = $1`,
        [id],
      );
      expect(audit).toEqual([
        {
          action: 'resource-pool.create',
          entity_type: 'resource-pool',
          changed_fields: ['capacityUnits', 'localityId', 'periodEnd', 'periodStart', 'serviceCode'],
          actor_id: panel.id,
          locality_id: canterbury,
          area: 'East',
        },
      ]);
    });

    it('reads it back with numbers as JSON numbers', async () => {
      const res = await get(panel, `/${id}`).expect(200);
      expect(res.body).toMatchObject({ id, capacityUnits: 120.5, allocatedUnits: 0, remainingUnits: 120.5, unit: 'HOURS' });
    });

    it('a PANEL member of another locality is refused with 400 on localityId, nothing written', async () => {
      const before = await poolCount();
      const res = await post(panel, { ...autumn, localityId: dartford }).expect(400);
      expect(res.body).toMatchObject({ type: '/problems/validation', errors: [{ field: 'localityId', message: 'unknown locality' }] });
      await post(panel, { ...autumn, localityId: randomUUID() }).expect(400);
      expect(await poolCount()).toBe(before);
    });

    it('ADMIN creates a pool for any locality', async () => {
      const res = await post(admin, { localityId: dartford, serviceCode: 'HNF', periodStart: '2026-04-01', periodEnd: '2027-03-31', capacityUnits: 250000 }).expect(201);
      expect(res.body).toMatchObject({ localityId: dartford, unit: 'GBP', capacityUnits: 250000, remainingUnits: 250000 });
    });

    it('a pool outside the reader’s scope is 404', async () => {
      await get(otherPanel, `/${id}`).expect(404);
      await get(caseworker, `/${id}`).expect(404);
      await get(eastManager, `/${id}`).expect(200);
      await get(admin, `/${randomUUID()}`).expect(404);
      await get(admin, '/not-a-uuid').expect(400);
    });
  });

  describe('bad bodies: 400 naming the fields, nothing written', () => {
    // Built per test: the localities exist only once beforeAll has run.
    const base = () => ({ localityId: whitstable, serviceCode: 'SALT', periodStart: '2027-01-01', periodEnd: '2027-03-31', capacityUnits: 40 });

    it.each<[string, object, string[]]>([
      ['periodEnd before periodStart', { periodEnd: '2026-12-01' }, ['periodEnd']],
      ['periodEnd equal to periodStart', { periodEnd: '2027-01-01' }, ['periodEnd']],
      ['2.5 SESSIONS', { capacityUnits: 2.5 }, ['capacityUnits']],
      ['0.3 HOURS', { serviceCode: 'STLS', capacityUnits: 0.3 }, ['capacityUnits']],
      ['10.50 GBP', { serviceCode: 'HNF', capacityUnits: 10.5 }, ['capacityUnits']],
      ['half a PLACE', { serviceCode: 'PLACE', capacityUnits: 0.5 }, ['capacityUnits']],
      ['zero capacity', { capacityUnits: 0 }, ['capacityUnits']],
      ['negative capacity', { capacityUnits: -4 }, ['capacityUnits']],
      ['absurd capacity', { capacityUnits: 1e12 }, ['capacityUnits']],
      ['capacity as a string', { capacityUnits: '40' }, ['capacityUnits']],
      ['an unknown service', { serviceCode: 'NOPE' }, ['serviceCode']],
      ['a malformed service code', { serviceCode: 'salt team' }, ['serviceCode']],
      ['impossible dates', { periodStart: '2027-02-30', periodEnd: '2027-13-01' }, ['periodEnd', 'periodStart']],
      ['a malformed locality', { localityId: 'x' }, ['localityId']],
      ['an unknown field', { allocatedUnits: 3 }, ['allocatedUnits']],
    ])('%s', async (_name, change, expected) => {
      const before = await poolCount();
      const res = await post(admin, { ...base(), ...change }).expect(400);
      expect(res.body.type).toBe('/problems/validation');
      expect(fields(res.body)).toEqual(expected);
      expect(await poolCount()).toBe(before);
    });

    it('an empty body names every required field', async () => {
      const res = await post(admin, {}).expect(400);
      expect(fields(res.body)).toEqual(['capacityUnits', 'localityId', 'periodEnd', 'periodStart', 'serviceCode']);
    });

    it('accepts quarter hours for HOURS', async () => {
      const res = await post(admin, { ...base(), serviceCode: 'STLS', capacityUnits: 7.75 }).expect(201);
      expect(res.body).toMatchObject({ capacityUnits: 7.75, unit: 'HOURS' });
    });
  });

  describe('overlapping periods of one locality and service: 409 /problems/duplicate', () => {
    const spring = () => ({ localityId: whitstable, serviceCode: 'PLACE', periodStart: '2027-04-01', periodEnd: '2027-07-31', capacityUnits: 6 });
    let springId: string;

    beforeAll(async () => {
      springId = (await post(admin, spring()).expect(201)).body.id;
    });

    it.each<[string, object]>([
      ['the same period', {}],
      ['the same start', { periodEnd: '2027-05-01' }],
      ['starting inside', { periodStart: '2027-07-31', periodEnd: '2027-09-30' }],
      ['ending inside', { periodStart: '2027-01-01', periodEnd: '2027-04-01' }],
      ['enclosing it', { periodStart: '2027-03-01', periodEnd: '2027-08-31' }],
    ])('%s', async (_name, change) => {
      const before = await poolCount();
      const res = await post(admin, { ...spring(), ...change }).expect(409);
      expect(res.body).toMatchObject({ type: '/problems/duplicate', overlappingPoolId: springId });
      expect(fields(res.body)).toEqual(['periodEnd', 'periodStart']);
      expect(await poolCount()).toBe(before);
    });

    it('adjacent periods, another service or another locality are fine', async () => {
      await post(admin, { ...spring(), periodStart: '2027-08-01', periodEnd: '2027-08-31' }).expect(201);
      await post(admin, { ...spring(), serviceCode: 'SALT' }).expect(201);
      await post(admin, { ...spring(), localityId: canterbury }).expect(201);
    });

    it('concurrent creations of overlapping periods: exactly one wins', async () => {
      const body = { localityId: dartford, serviceCode: 'SALT', capacityUnits: 10 };
      const results = await Promise.all(
        ['2028-01-01', '2028-01-15', '2028-02-01', '2028-02-10'].map((periodStart) => post(admin, { ...body, periodStart, periodEnd: '2028-03-31' })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    });
  });

  describe('lists: scoped and filtered', () => {
    const ids = async (user: TestUser, query = '') => {
      const res = await get(user, query).expect(200);
      expect(res.body.nextCursor === null || typeof res.body.nextCursor === 'string').toBe(true);
      return res.body.data as { id: string; localityId: string; periodStart: string; remainingUnits: number }[];
    };

    it('PANEL sees their own locality only; MANAGER their area; CASEWORKER their locality; ADMIN all', async () => {
      const all = await ids(admin);
      expect(new Set(all.map((p) => p.localityId))).toEqual(new Set([canterbury, whitstable, dartford]));
      expect(all.every((p) => typeof p.remainingUnits === 'number')).toBe(true);
      expect(new Set((await ids(panel)).map((p) => p.localityId))).toEqual(new Set([canterbury]));
      expect(new Set((await ids(otherPanel)).map((p) => p.localityId))).toEqual(new Set([dartford]));
      expect(new Set((await ids(eastManager)).map((p) => p.localityId))).toEqual(new Set([canterbury, whitstable]));
      expect(new Set((await ids(caseworker)).map((p) => p.localityId))).toEqual(new Set([whitstable]));
      // A filter cannot widen the scope.
      expect(await ids(panel, `?localityId=${dartford}`)).toEqual([]);
    });

    it('filters by locality, service and a day within the period, ordered by periodStart', async () => {
      const rows = await ids(admin, `?localityId=${whitstable}&serviceCode=PLACE`);
      expect(rows.map((p) => p.periodStart)).toEqual(['2027-04-01', '2027-08-01']);
      const active = await ids(admin, `?localityId=${whitstable}&activeOn=2027-07-31`);
      expect(active.map((p) => p.periodStart).sort()).toEqual(['2027-04-01', '2027-04-01']);
      expect(await ids(admin, `?localityId=${whitstable}&activeOn=2030-01-01`)).toEqual([]);
      const desc = await ids(admin, `?localityId=${whitstable}&serviceCode=PLACE&sort=-periodStart`);
      expect(desc.map((p) => p.periodStart)).toEqual(['2027-08-01', '2027-04-01']);
      const page = await get(admin, `?localityId=${whitstable}&limit=1`).expect(200);
      expect(page.body.data).toHaveLength(1);
      expect(typeof page.body.nextCursor).toBe('string');
    });

    it('bad filters are 400 naming them', async () => {
      const res = await get(admin, '?localityId=x&activeOn=2027-02-30&serviceCode=bad code').expect(400);
      expect(fields(res.body)).toEqual(['activeOn', 'localityId', 'serviceCode']);
    });
  });

  it('SENCO and PROVIDER may not read or create pools: 403', async () => {
    for (const user of [senco, provider]) {
      await get(user).expect(403);
      await get(user, `/${randomUUID()}`).expect(403);
      await post(user, { ...autumn, localityId: canterbury, periodStart: '2031-01-01', periodEnd: '2031-02-01' }).expect(403);
    }
    await post(eastManager, { ...autumn, localityId: canterbury, periodStart: '2031-01-01', periodEnd: '2031-02-01' }).expect(403);
    await post(caseworker, { ...autumn, localityId: whitstable, periodStart: '2031-01-01', periodEnd: '2031-02-01' }).expect(403);
  });

  describe('the pool ledger: allocateFromPool and releaseToPool', () => {
    const makePool = async (serviceCode: string, capacity: number, year: number) =>
      (
        await t.dataSource.query(
          `INSERT INTO resource_pool (locality_id, service_code, period_start, period_end, capacity_units) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
          [canterbury, serviceCode, `${year}-01-01`, `${year}-12-31`, capacity],
        )
      )[0].id as string;
    const figures = async (id: string) =>
      (await t.dataSource.query(`SELECT allocated_units::float8 AS allocated, capacity_units::float8 AS capacity, version FROM resource_pool WHERE id = $1`, [id]))[0];

    it('20 concurrent transactions each taking 1 unit from a pool of 7: exactly 7 succeed, 13 are capacity-exhausted', async () => {
      const id = await makePool('SALT', 7, 2040);
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () => t.dataSource.transaction((manager) => allocateFromPool(manager, id, 1))),
      );
      const fulfilled = results.filter((r) => r.status === 'fulfilled');
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(fulfilled).toHaveLength(7);
      expect(rejected).toHaveLength(13);
      for (const { reason } of rejected) {
        expect(reason).toBeInstanceOf(ProblemException);
        expect(reason).toMatchObject({ type: 'capacity-exhausted', status: 409, extensions: { remainingUnits: 0 } });
      }
      expect(await figures(id)).toEqual({ allocated: 7, capacity: 7, version: 8 });
      const view = await get(admin, `/${id}`).expect(200);
      expect(view.body).toMatchObject({ capacityUnits: 7, allocatedUnits: 7, remainingUnits: 0, version: 8 });
    });

    it('refuses more than remains, names the remainder, and a rolled-back transaction takes nothing', async () => {
      const id = await makePool('STLS', 10, 2041);
      const balance = await t.dataSource.transaction((manager) => allocateFromPool(manager, id, 7.75));
      expect(balance).toMatchObject({ id, capacityUnits: 10, allocatedUnits: 7.75, remainingUnits: 2.25 });
      const refused = await t.dataSource.transaction((manager) => allocateFromPool(manager, id, 2.5)).catch((e: unknown) => e);
      expect(refused).toMatchObject({ type: 'capacity-exhausted', extensions: { remainingUnits: 2.25 } });
      await expect(
        t.dataSource.transaction(async (manager) => {
          await allocateFromPool(manager, id, 2.25);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect((await figures(id)).allocated).toBe(7.75);
      await t.dataSource.transaction((manager) => allocateFromPool(manager, id, 2.25));
      expect((await figures(id)).allocated).toBe(10);
      expect(await t.dataSource.transaction((manager) => releaseToPool(manager, id, 3.5))).toMatchObject({ allocatedUnits: 6.5, remainingUnits: 3.5 });
      await expect(t.dataSource.transaction((manager) => releaseToPool(manager, id, 7))).rejects.toThrow(/cannot release/);
      expect((await figures(id)).allocated).toBe(6.5);
      await expect(t.dataSource.transaction((manager) => allocateFromPool(manager, randomUUID(), 1))).rejects.toMatchObject({ type: 'not-found' });
    });

    it('the database itself refuses an overspent or negative pool', async () => {
      const id = await makePool('SALT', 3, 2042);
      await expect(t.dataSource.query(`UPDATE resource_pool SET allocated_units = 4 WHERE id = $1`, [id])).rejects.toThrow(/resource_pool_never_overspent/);
      await expect(t.dataSource.query(`UPDATE resource_pool SET allocated_units = -1 WHERE id = $1`, [id])).rejects.toThrow(/resource_pool_never_overspent/);
      await expect(makePool('SALT', 0, 2043)).rejects.toThrow(/resource_pool_capacity_positive/);
    });
  });
});
