import { randomUUID } from 'node:crypto';
import type { Caller } from '../src/access/caller';
import type { Role } from '../src/access/role';
import { AuditService } from '../src/audit/audit.service';
import { createUser, TestUser, UserScope } from './support/auth';
import { createTestApp, TestApp } from './support/test-app';

/**
 * The audit trail (issue 3, API.md "Audit and data protection"): written in the change's own
 * transaction, append-only in the database, and readable by ADMIN (everything) and MANAGER
 * (records in scope, never the security log).
 */

interface AuditRow {
  id: string;
  at: string;
  actorId: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  localityId: string | null;
  changedFields: string[];
}

function expectProblem(res: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, status: number, type: string) {
  expect({ status: res.status, type: res.body?.type }).toEqual({ status, type: `/problems/${type}` });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
}

const callerOf = (user: TestUser, scope: UserScope = {}): Caller => ({
  userId: user.id,
  email: user.email,
  role: user.role,
  schoolId: scope.schoolId ?? null,
  localityId: scope.localityId ?? null,
  area: scope.area ?? null,
  organisationId: scope.organisationId ?? null,
  mustChangePassword: false,
});

describe('audit trail', () => {
  let t: TestApp;
  let audit: AuditService;
  let admin: TestUser;
  let adminCaller: Caller;
  let localityA: string;
  let localityB: string;
  let schoolA: string;
  let organisation: string;

  const count = async (where: string, params: unknown[] = []): Promise<number> =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_event WHERE ${where}`, params))[0].n;

  beforeAll(async () => {
    t = await createTestApp();
    audit = t.app.get(AuditService);
    [{ id: localityA }] = await t.dataSource.query(
      `INSERT INTO locality (code, name, area, district) VALUES ('AUD-A', 'Audit North', 'North', 'Dartford') RETURNING id`,
    );
    [{ id: localityB }] = await t.dataSource.query(
      `INSERT INTO locality (code, name, area, district) VALUES ('AUD-B', 'Audit South', 'South', 'Dover') RETURNING id`,
    );
    [{ id: schoolA }] = await t.dataSource.query(
      `INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ('900001', 'Audit Primary', 'PRIMARY', 'MAINSTREAM', $1) RETURNING id`,
      [localityA],
    );
    [{ id: organisation }] = await t.dataSource.query(`INSERT INTO organisation (name, kind) VALUES ('Audit Org', 'NHS') RETURNING id`);
    admin = await createUser(t, 'ADMIN');
    adminCaller = callerOf(admin);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('written with the change', () => {
    it('leaves no row for a rolled-back transaction and exactly one for a committed one', async () => {
      const entityId = '11111111-1111-4111-8111-111111111111';
      await expect(
        t.dataSource.transaction(async (manager) => {
          await audit.record(manager, adminCaller, { action: 'pupil.update', entityType: 'pupil', entityId, changedFields: ['lastName'] });
          throw new Error('rollback');
        }),
      ).rejects.toThrow('rollback');
      expect(await count(`entity_id = $1`, [entityId])).toBe(0);

      await t.dataSource.transaction(async (manager) => {
        await audit.record(manager, adminCaller, { action: 'pupil.update', entityType: 'pupil', entityId, changedFields: ['lastName'] });
      });
      const rows = await t.dataSource.query(`SELECT * FROM audit_event WHERE entity_id = $1`, [entityId]);
      expect(rows).toEqual([
        expect.objectContaining({
          action: 'pupil.update',
          entity_type: 'pupil',
          actor_id: admin.id,
          actor_email: admin.email,
          actor_role: 'ADMIN',
          changed_fields: ['lastName'],
          outcome: 'SUCCESS',
        }),
      ]);
    });

    it('rolls back with the change it records when a later statement of the same transaction fails', async () => {
      const before = await count('true');
      await expect(
        t.dataSource.transaction(async (manager) => {
          await manager.query(`INSERT INTO locality (code, name, area, district) VALUES ('AUD-RB', 'Rolled back', 'North', 'Dartford')`);
          await audit.record(manager, adminCaller, { action: 'locality.create', entityType: 'locality', changedFields: ['code'] });
          await manager.query(`INSERT INTO locality (code, name, area, district) VALUES ('AUD-RB', 'Duplicate', 'North', 'Dartford')`);
        }),
      ).rejects.toThrow();
      expect(await count('true')).toBe(before);
      expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM locality WHERE code = 'AUD-RB'`))[0].n).toBe(0);
    });

    it('derives the locality and area from a school', async () => {
      const entityId = '22222222-2222-4222-8222-222222222222';
      await t.dataSource.transaction((manager) =>
        audit.record(manager, adminCaller, { action: 'pupil.read', entityType: 'pupil', entityId, place: { schoolId: schoolA } }),
      );
      const [row] = await t.dataSource.query(`SELECT school_id, locality_id, area FROM audit_event WHERE entity_id = $1`, [entityId]);
      expect(row).toEqual({ school_id: schoolA, locality_id: localityA, area: 'North' });
    });

    it('POST /localities as ADMIN writes exactly one locality.create row; a refused duplicate writes none', async () => {
      const created = await t
        .http()
        .post('/api/v1/localities')
        .set('Authorization', admin.bearer)
        .send({ code: 'AUD-C', name: 'Audit Created', area: 'West', district: 'Maidstone' });
      expect(created.status).toBe(201);
      const rows = await t.dataSource.query(`SELECT action, entity_type, entity_id, actor_id, request_id FROM audit_event WHERE action = 'locality.create'`);
      expect(rows).toEqual([expect.objectContaining({ entity_type: 'locality', entity_id: created.body.id, actor_id: admin.id })]);
      expect(rows[0].request_id).toEqual(expect.any(String));

      const duplicate = await t
        .http()
        .post('/api/v1/localities')
        .set('Authorization', admin.bearer)
        .send({ code: 'AUD-C', name: 'Audit Again', area: 'West', district: 'Maidstone' });
      expect(duplicate.status).toBe(409);
      expect(await count(`action = 'locality.create'`)).toBe(1);
    });
  });

  describe('append-only', () => {
    it('refuses UPDATE, DELETE and TRUNCATE of audit_event in the database', async () => {
      await t.dataSource.transaction((manager) => audit.record(manager, adminCaller, { action: 'school.update', entityType: 'school' }));
      const before = await count('true');
      expect(before).toBeGreaterThan(0);
      await expect(t.dataSource.query(`UPDATE audit_event SET action = 'tampered'`)).rejects.toThrow(/append-only/);
      await expect(t.dataSource.query(`UPDATE audit_event SET actor_id = NULL WHERE action = 'school.update'`)).rejects.toThrow(/append-only/);
      await expect(t.dataSource.query(`DELETE FROM audit_event`)).rejects.toThrow(/append-only/);
      await expect(t.dataSource.query(`DELETE FROM audit_event WHERE action = 'school.update'`)).rejects.toThrow(/append-only/);
      await expect(t.dataSource.query(`TRUNCATE audit_event`)).rejects.toThrow(/append-only/);
      expect(await count('true')).toBe(before);
      expect(await count(`action = 'tampered'`)).toBe(0);
    });

    it('offers no route that changes or deletes audit rows', async () => {
      for (const method of ['post', 'put', 'patch', 'delete'] as const) {
        const res = await t.http()[method]('/api/v1/audit-events').set('Authorization', admin.bearer).send({});
        expect(res.status).toBe(404);
      }
    });
  });

  describe('GET /audit-events', () => {
    let managerA: TestUser;
    let managerNorth: TestUser;
    let countyManager: TestUser;
    const ids: Record<string, string> = {};

    const list = async (user: TestUser, query: Record<string, string | number> = {}) => {
      const res = await t.http().get('/api/v1/audit-events').query(query).set('Authorization', user.bearer);
      return res;
    };
    const all = async (user: TestUser, query: Record<string, string | number> = {}): Promise<AuditRow[]> => {
      const res = await list(user, { limit: 500, ...query });
      expect(res.status).toBe(200);
      expect(res.body.nextCursor).toBeNull();
      return res.body.data;
    };

    beforeAll(async () => {
      managerA = await createUser(t, 'MANAGER', { localityId: localityA });
      managerNorth = await createUser(t, 'MANAGER', { area: 'North' });
      countyManager = await createUser(t, 'MANAGER');
      const other = await createUser(t, 'CASEWORKER');
      const otherCaller = callerOf(other);
      const record = (key: string, caller: Caller, entityType: string, place: { localityId?: string; schoolId?: string } = {}) =>
        t.dataSource.transaction(async (manager) => {
          const entityId = randomUUID();
          ids[key] = entityId;
          await audit.record(manager, caller, { action: `${entityType}.update`, entityType, entityId, changedFields: ['name'], place });
        });
      await record('pupilA', otherCaller, 'pupil', { localityId: localityA });
      await record('pupilB', otherCaller, 'pupil', { localityId: localityB });
      await record('pupilSchoolA', adminCaller, 'pupil', { schoolId: schoolA });
      await record('caseB', adminCaller, 'ehc-assessment', { localityId: localityB });
      await record('userA', adminCaller, 'user', { localityId: localityA });
      await record('authA', otherCaller, 'auth', { localityId: localityA });
      await record('noPlace', adminCaller, 'organisation');
    });

    it('lists everything for ADMIN, newest first, in the documented shape', async () => {
      const rows = await all(admin);
      const total = await count('true');
      expect(rows).toHaveLength(total);
      const times = rows.map((r) => Date.parse(r.at));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
      // The last recorded event comes first (the embedded database's clock ticks in milliseconds: allow a tie).
      const last = rows.find((r) => r.entityId === ids.noPlace) as AuditRow;
      expect(rows[0].at).toBe(last.at);
      expect(rows.map((r) => r.entityType)).toEqual(expect.arrayContaining(['pupil', 'user', 'auth', 'ehc-assessment']));
      const row = rows.find((r) => r.entityId === ids.pupilA) as AuditRow;
      expect(row).toEqual({
        id: expect.any(String),
        at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/),
        actorId: expect.any(String),
        actorEmail: expect.any(String),
        actorRole: 'CASEWORKER',
        action: 'pupil.update',
        entityType: 'pupil',
        entityId: ids.pupilA,
        changedFields: ['name'],
        outcome: 'SUCCESS',
        requestId: null,
        ip: null,
        schoolId: null,
        localityId: localityA,
      });
    });

    it('filters by entityType, entityId, actorId and action', async () => {
      const pupils = await all(admin, { entityType: 'pupil' });
      expect(pupils.length).toBe(await count(`entity_type = 'pupil'`));
      expect(pupils.every((r) => r.entityType === 'pupil')).toBe(true);
      expect(pupils.map((r) => r.entityId)).toEqual(expect.arrayContaining([ids.pupilA, ids.pupilB, ids.pupilSchoolA]));
      expect(pupils.map((r) => r.entityId)).not.toContain(ids.caseB);
      expect(await all(admin, { entityId: ids.caseB })).toEqual([expect.objectContaining({ entityId: ids.caseB, entityType: 'ehc-assessment' })]);
      const byAdmin = await all(admin, { actorId: admin.id });
      expect(byAdmin.length).toBeGreaterThan(0);
      expect(byAdmin.every((r) => r.actorId === admin.id)).toBe(true);
      expect(byAdmin.map((r) => r.entityId)).toEqual(expect.arrayContaining([ids.caseB, ids.userA, ids.noPlace]));
      expect(byAdmin.map((r) => r.entityId)).not.toContain(ids.pupilA);
      const adminPupils = (await all(admin, { entityType: 'pupil', actorId: admin.id })).map((r) => r.entityId);
      expect(adminPupils).toContain(ids.pupilSchoolA);
      expect(adminPupils).not.toContain(ids.pupilA);
      expect(adminPupils).not.toContain(ids.caseB);
      expect(await all(admin, { action: 'ehc-assessment.update' })).toEqual([expect.objectContaining({ entityId: ids.caseB })]);
      expect(await all(admin, { entityId: '00000000-0000-4000-8000-000000000000' })).toEqual([]);
    });

    it('filters by from (inclusive) and to (exclusive), with any UTC offset', async () => {
      const at = ['2020-01-01T00:00:00Z', '2020-01-02T00:00:00Z', '2020-01-03T00:00:00Z', '2020-01-04T00:00:00Z'];
      const [{ id: timedId }] = await t.dataSource.query(`SELECT gen_random_uuid() AS id`);
      for (const instant of at) {
        await t.dataSource.query(`INSERT INTO audit_event (at, action, entity_type, entity_id) VALUES ($1, 'timed.update', 'timed', $2)`, [instant, timedId]);
      }
      const timesOf = (rows: AuditRow[]) => rows.map((r) => new Date(r.at).toISOString());
      expect(timesOf(await all(admin, { entityType: 'timed', from: '2020-01-02T00:00:00Z', to: '2020-01-04T00:00:00Z' }))).toEqual([
        '2020-01-03T00:00:00.000Z',
        '2020-01-02T00:00:00.000Z',
      ]);
      expect(timesOf(await all(admin, { entityType: 'timed', from: '2020-01-02T01:00:00+01:00' }))).toEqual([
        '2020-01-04T00:00:00.000Z',
        '2020-01-03T00:00:00.000Z',
        '2020-01-02T00:00:00.000Z',
      ]);
      expect(timesOf(await all(admin, { entityType: 'timed', to: '2020-01-01T00:00:00.001Z' }))).toEqual(['2020-01-01T00:00:00.000Z']);
      // Everything recorded by this suite today is after 2020-01-05.
      const recent = await all(admin, { from: '2020-01-05T00:00:00Z' });
      expect(recent.some((r) => r.entityType === 'timed')).toBe(false);
      expect(recent.length).toBe((await count('true')) - 4);
    });

    it('pages with a cursor through every row exactly once, even rows written in the same millisecond', async () => {
      // One transaction of many rows: clock_timestamp() gives microseconds, so several share a millisecond.
      await t.dataSource.transaction(async (manager) => {
        for (let i = 0; i < 23; i += 1) {
          await audit.record(manager, adminCaller, { action: 'paged.update', entityType: 'paged', entityId: randomUUID() });
        }
      });
      const everything = (await all(admin, { entityType: 'paged' })).map((r) => r.id);
      expect(everything).toHaveLength(23);
      expect(new Set(everything).size).toBe(23);
      for (const sort of ['-at', 'at']) {
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const query: Record<string, string | number> = { entityType: 'paged', limit: 4, sort };
          if (cursor) query.cursor = cursor;
          const res = await list(admin, query);
          expect(res.status).toBe(200);
          expect(res.body.data.length).toBeLessThanOrEqual(4);
          seen.push(...res.body.data.map((r: AuditRow) => r.id));
          cursor = res.body.nextCursor;
          pages += 1;
        } while (cursor && pages < 20);
        expect(pages).toBe(6);
        expect(seen).toEqual(sort === '-at' ? everything : [...everything].reverse());
      }
      // A cursor is tied to its sort.
      const first = await list(admin, { entityType: 'paged', limit: 4 });
      const mixed = await list(admin, { entityType: 'paged', limit: 4, sort: 'at', cursor: first.body.nextCursor });
      expectProblem(mixed, 400, 'validation');
    });

    it('shows a locality MANAGER only events of their locality, and never the security log', async () => {
      const rows = await all(managerA);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.localityId === localityA)).toBe(true);
      expect(rows.some((r) => r.entityType === 'auth' || r.entityType === 'user')).toBe(false);
      const seen = rows.map((r) => r.entityId);
      expect(seen).toEqual(expect.arrayContaining([ids.pupilA, ids.pupilSchoolA]));
      for (const hidden of [ids.pupilB, ids.caseB, ids.userA, ids.authA, ids.noPlace]) expect(seen).not.toContain(hidden);
      // Asking for another locality's record or for the security log by filter finds nothing.
      expect(await all(managerA, { entityId: ids.pupilB })).toEqual([]);
      expect(await all(managerA, { entityType: 'user' })).toEqual([]);
      expect(await all(managerA, { entityType: 'auth' })).toEqual([]);
      expect(await all(managerA, { entityId: ids.userA })).toEqual([]);
    });

    it('shows an area MANAGER the events of their area', async () => {
      const seen = (await all(managerNorth)).map((r) => r.entityId);
      expect(seen).toEqual(expect.arrayContaining([ids.pupilA, ids.pupilSchoolA]));
      for (const hidden of [ids.pupilB, ids.caseB, ids.userA, ids.authA]) expect(seen).not.toContain(hidden);
    });

    it('shows a county MANAGER case events of every locality, but not the security log', async () => {
      const rows = await all(countyManager);
      const seen = rows.map((r) => r.entityId);
      expect(seen).toEqual(expect.arrayContaining([ids.pupilA, ids.pupilB, ids.pupilSchoolA, ids.caseB]));
      expect(rows.some((r) => r.entityType === 'auth' || r.entityType === 'user')).toBe(false);
      expect(seen).not.toContain(ids.userA);
      expect(seen).not.toContain(ids.authA);
    });

    it('refuses SENCO, PANEL, PROVIDER and CASEWORKER with 403, and no token with 401', async () => {
      const scopes: [Role, UserScope][] = [
        ['SENCO', { schoolId: schoolA }],
        ['PANEL', { localityId: localityA }],
        ['PROVIDER', { organisationId: organisation }],
        ['CASEWORKER', { localityId: localityA }],
        ['CASEWORKER', {}],
      ];
      for (const [role, scope] of scopes) {
        const user = await createUser(t, role, scope);
        const res = await list(user);
        expectProblem(res, 403, 'forbidden');
        expect(res.body.data).toBeUndefined();
      }
      expectProblem(await t.http().get('/api/v1/audit-events'), 401, 'unauthenticated');
    });

    it.each<[string, Record<string, string>, string]>([
      ['an entityId that is not a uuid', { entityId: 'not-a-uuid' }, 'entityId'],
      ['an actorId that is not a uuid', { actorId: "1' OR '1'='1" }, 'actorId'],
      ['a from that is not ISO 8601', { from: 'yesterday' }, 'from'],
      ['a to that is not a real instant', { to: '2026-13-45T00:00:00Z' }, 'to'],
      ['an entityType with SQL in it', { entityType: "pupil' OR '1'='1" }, 'entityType'],
      ['a limit over the maximum', { limit: '501' }, 'limit'],
      ['a garbage cursor', { cursor: 'garbage' }, 'cursor'],
      ['an unknown sort', { sort: 'actorEmail' }, 'sort'],
      ['an unknown filter', { colour: 'blue' }, 'colour'],
    ])('answers %s with 400 naming it', async (_, query, field) => {
      const res = await list(admin, query);
      expectProblem(res, 400, 'validation');
      expect((res.body.errors as { field: string }[]).map((e) => e.field)).toEqual([field]);
    });
  });
});
