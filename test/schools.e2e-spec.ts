import { randomUUID } from 'node:crypto';
import { createUser, TestUser } from './support/auth';
import { createTestApp, TestApp } from './support/test-app';

/** Schools (API.md "Reference data"): URN unique and 6 digits, in exactly one known locality. */
describe('schools', () => {
  let t: TestApp;
  let admin: TestUser;
  let canterbury: string;
  let dartford: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await createUser(t, 'ADMIN');
    const made = await Promise.all(
      [
        { code: 'SCH-CAN', name: 'Canterbury Schools', area: 'East', district: 'Canterbury' },
        { code: 'SCH-DAR', name: 'Dartford Schools', area: 'North', district: 'Dartford' },
      ].map((body) => t.http().post('/api/v1/localities').set('Authorization', admin.bearer).send(body).expect(201)),
    );
    [canterbury, dartford] = made.map((res) => res.body.id as string);
  });
  afterAll(async () => {
    await t?.close();
  });

  const schoolCount = async () => Number((await t.dataSource.query('SELECT count(*)::int AS n FROM school'))[0].n);
  /** The audit rows of one record, oldest first. */
  const auditOf = (entityId: string) =>
    t.dataSource.query(
      `SELECT action, entity_type, entity_id, changed_fields, actor_id FROM audit_event WHERE entity_id = $1 ORDER BY at, id`,
      [entityId],
    );
  const auditCount = async (action?: string) =>
    Number(
      (await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_event WHERE $1::text IS NULL OR action = $1`, [action ?? null]))[0].n,
    );

  function expectValidation(res: { status: number; headers: Record<string, string>; body: Record<string, unknown> }) {
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: '/problems/validation', status: 400, instance: expect.stringMatching(/^\/api\/v1\/schools/) });
  }

  const oakfield = { urn: '118712', name: 'Oakfield Primary School', phase: 'PRIMARY', kind: 'MAINSTREAM' };

  describe('create, read, update', () => {
    let id: string;

    it('creates a school: 201 with exactly the contract fields, and the row stored', async () => {
      const res = await t
        .http()
        .post('/api/v1/schools')
        .set('Authorization', admin.bearer)
        .send({ ...oakfield, localityId: canterbury })
        .expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
        urn: '118712',
        name: 'Oakfield Primary School',
        phase: 'PRIMARY',
        kind: 'MAINSTREAM',
        localityId: canterbury,
        version: 1,
      });
      id = res.body.id;
      const rows = await t.dataSource.query('SELECT urn, name, phase, kind, locality_id, version FROM school WHERE id = $1', [id]);
      expect(rows).toEqual([
        { urn: '118712', name: 'Oakfield Primary School', phase: 'PRIMARY', kind: 'MAINSTREAM', locality_id: canterbury, version: 1 },
      ]);
    });

    it('accepts an upper-case locality id and answers it lower-case', async () => {
      const res = await t
        .http()
        .post('/api/v1/schools')
        .set('Authorization', admin.bearer)
        .send({ urn: '886001', name: 'Upper Case Academy', phase: 'SECONDARY', kind: 'MAINSTREAM', localityId: dartford.toUpperCase() })
        .expect(201);
      expect(res.body.localityId).toBe(dartford);
    });

    it('reads one school by id; an absent one is 404, a malformed id 400', async () => {
      const res = await t.http().get(`/api/v1/schools/${id}`).set('Authorization', admin.bearer).expect(200);
      expect(res.body).toEqual({ id, ...oakfield, localityId: canterbury, version: 1 });

      const absent = await t.http().get(`/api/v1/schools/${randomUUID()}`).set('Authorization', admin.bearer);
      expect(absent.status).toBe(404);
      expect(absent.body.type).toBe('/problems/not-found');

      const malformed = await t.http().get('/api/v1/schools/118712').set('Authorization', admin.bearer);
      expectValidation(malformed);
      expect(malformed.body.errors).toEqual([{ field: 'id', message: 'must be a UUID' }]);
    });

    it('updates with the version read; a stale version is 409 and changes nothing', async () => {
      const missing = await t.http().patch(`/api/v1/schools/${id}`).set('Authorization', admin.bearer).send({ name: 'No Version School' });
      expectValidation(missing);
      expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'version' })]);

      const moved = await t
        .http()
        .patch(`/api/v1/schools/${id}`)
        .set('Authorization', admin.bearer)
        .send({ name: 'Oakfield Community Primary School', localityId: dartford, version: 1 })
        .expect(200);
      expect(moved.body).toEqual({
        id,
        urn: '118712',
        name: 'Oakfield Community Primary School',
        phase: 'PRIMARY',
        kind: 'MAINSTREAM',
        localityId: dartford,
        version: 2,
      });

      const stale = await t.http().patch(`/api/v1/schools/${id}`).set('Authorization', admin.bearer).send({ name: 'Lost Update School', version: 1 });
      expect(stale.status).toBe(409);
      expect(stale.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(stale.body).toMatchObject({ type: '/problems/stale-version', status: 409, currentVersion: 2 });

      const viaHeader = await t.http().patch(`/api/v1/schools/${id}`).set('Authorization', admin.bearer).set('If-Match', '"2"').send({ kind: 'SPECIAL' }).expect(200);
      expect(viaHeader.body).toMatchObject({ kind: 'SPECIAL', version: 3 });

      const [row] = await t.dataSource.query('SELECT name, kind, locality_id, version FROM school WHERE id = $1', [id]);
      expect(row).toEqual({ name: 'Oakfield Community Primary School', kind: 'SPECIAL', locality_id: dartford, version: 3 });
    });

    it('refuses on update what it refuses on create, and keeps the row as it was', async () => {
      const before = await t.dataSource.query('SELECT * FROM school WHERE id = $1', [id]);
      const unknownLocality = await t.http().patch(`/api/v1/schools/${id}`).set('Authorization', admin.bearer).send({ localityId: randomUUID(), version: 3 });
      expectValidation(unknownLocality);
      expect(unknownLocality.body.errors).toEqual([{ field: 'localityId', message: 'unknown locality' }]);

      const badPhase = await t.http().patch(`/api/v1/schools/${id}`).set('Authorization', admin.bearer).send({ phase: 'NURSERY', version: 3 });
      expectValidation(badPhase);
      expect(badPhase.body.errors.map((e: { field: string }) => e.field)).toEqual(['phase']);

      const nullName = await t.http().patch(`/api/v1/schools/${id}`).set('Authorization', admin.bearer).send({ name: null, version: 3 });
      expectValidation(nullName);
      expect(nullName.body.errors.map((e: { field: string }) => e.field)).toContain('name');

      expect(await t.dataSource.query('SELECT * FROM school WHERE id = $1', [id])).toEqual(before);
    });

    it('refuses an update to a URN another school has with 409 duplicate', async () => {
      const other = await t
        .http()
        .post('/api/v1/schools')
        .set('Authorization', admin.bearer)
        .send({ urn: '886002', name: 'Other Grammar School', phase: 'SECONDARY', kind: 'MAINSTREAM', localityId: dartford })
        .expect(201);
      const res = await t.http().patch(`/api/v1/schools/${other.body.id}`).set('Authorization', admin.bearer).send({ urn: '118712', version: 1 });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ type: '/problems/duplicate', errors: [{ field: 'urn', message: 'is already in use' }] });
      const [row] = await t.dataSource.query('SELECT urn, version FROM school WHERE id = $1', [other.body.id]);
      expect(row).toEqual({ urn: '886002', version: 1 });
    });
  });

  describe('refusals on create', () => {
    it('a duplicate URN is 409 /problems/duplicate naming urn, and nothing is written', async () => {
      const before = await schoolCount();
      const res = await t
        .http()
        .post('/api/v1/schools')
        .set('Authorization', admin.bearer)
        .send({ urn: '118712', name: 'Second Oakfield', phase: 'PRIMARY', kind: 'MAINSTREAM', localityId: canterbury });
      expect(res.status).toBe(409);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ type: '/problems/duplicate', status: 409, title: expect.any(String), detail: expect.any(String) });
      expect(res.body.errors).toEqual([{ field: 'urn', message: 'is already in use' }]);
      expect(await schoolCount()).toBe(before);
    });

    it('two concurrent creates with the same URN: one 201, one 409, one row', async () => {
      const results = await Promise.all(
        ['Twin School A', 'Twin School B'].map((name) =>
          t.http().post('/api/v1/schools').set('Authorization', admin.bearer).send({ urn: '777777', name, phase: 'PRIMARY', kind: 'MAINSTREAM', localityId: canterbury }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
      expect(results.find((r) => r.status === 409)?.body.errors).toEqual([{ field: 'urn', message: 'is already in use' }]);
      expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM school WHERE urn = '777777'`)).toEqual([{ n: 1 }]);
    });

    it.each([['11871'], ['1187123'], ['11871a'], ['ABCDEF'], [118712]])('a URN of %p is 400 naming urn', async (urn) => {
      const before = await schoolCount();
      const res = await t.http().post('/api/v1/schools').set('Authorization', admin.bearer).send({ ...oakfield, urn, localityId: canterbury });
      expectValidation(res);
      expect([...new Set(res.body.errors.map((e: { field: string }) => e.field))]).toEqual(['urn']);
      expect(await schoolCount()).toBe(before);
    });

    it('an unknown localityId is 400 naming localityId, "unknown locality", and nothing is written', async () => {
      const before = await schoolCount();
      const res = await t
        .http()
        .post('/api/v1/schools')
        .set('Authorization', admin.bearer)
        .send({ urn: '999001', name: 'Nowhere School', phase: 'PRIMARY', kind: 'MAINSTREAM', localityId: randomUUID() });
      expectValidation(res);
      expect(res.body.errors).toEqual([{ field: 'localityId', message: 'unknown locality' }]);
      expect(await schoolCount()).toBe(before);
      expect(await t.dataSource.query(`SELECT id FROM school WHERE urn = '999001'`)).toEqual([]);
    });

    it('a localityId that is not a UUID is 400 naming localityId', async () => {
      const res = await t.http().post('/api/v1/schools').set('Authorization', admin.bearer).send({ ...oakfield, urn: '999002', localityId: 'SCH-CAN' });
      expectValidation(res);
      expect(res.body.errors).toEqual([{ field: 'localityId', message: 'must be a UUID' }]);
    });

    it('a phase or kind outside the enums is 400 naming each', async () => {
      const before = await schoolCount();
      const phase = await t.http().post('/api/v1/schools').set('Authorization', admin.bearer).send({ ...oakfield, urn: '999003', phase: 'NURSERY', localityId: canterbury });
      expectValidation(phase);
      expect(phase.body.errors.map((e: { field: string }) => e.field)).toEqual(['phase']);
      const lower = await t.http().post('/api/v1/schools').set('Authorization', admin.bearer).send({ ...oakfield, urn: '999003', phase: 'primary', localityId: canterbury });
      expectValidation(lower);
      expect(lower.body.errors.map((e: { field: string }) => e.field)).toEqual(['phase']);
      const kind = await t.http().post('/api/v1/schools').set('Authorization', admin.bearer).send({ ...oakfield, urn: '999003', kind: 'ACADEMY', localityId: canterbury });
      expectValidation(kind);
      expect(kind.body.errors.map((e: { field: string }) => e.field)).toEqual(['kind']);
      expect(await schoolCount()).toBe(before);
    });

    it('missing fields and unknown fields are each named', async () => {
      const before = await schoolCount();
      const empty = await t.http().post('/api/v1/schools').set('Authorization', admin.bearer).send({});
      expectValidation(empty);
      const fields = [...new Set(empty.body.errors.map((e: { field: string }) => e.field))].sort();
      expect(fields).toEqual(['kind', 'localityId', 'name', 'phase', 'urn']);

      const extra = await t.http().post('/api/v1/schools').set('Authorization', admin.bearer).send({ ...oakfield, urn: '999004', localityId: canterbury, ofstedRating: 1 });
      expectValidation(extra);
      expect(extra.body.errors).toEqual([{ field: 'ofstedRating', message: 'is not a known field' }]);
      expect(await schoolCount()).toBe(before);
    });
  });

  describe('lists', () => {
    const seeded = [
      { urn: '200001', name: 'Bramble Infant School', phase: 'PRIMARY', kind: 'MAINSTREAM', locality: 'can' },
      { urn: '200002', name: 'bramley Special School', phase: 'ALL_THROUGH', kind: 'SPECIAL', locality: 'can' },
      { urn: '200003', name: 'Brambling PRU', phase: 'SECONDARY', kind: 'PRU', locality: 'dar' },
      { urn: '200004', name: 'Castle Middle School', phase: 'MIDDLE', kind: 'MAINSTREAM', locality: 'dar' },
      { urn: '200005', name: '200001 Studio School', phase: 'SECONDARY', kind: 'INDEPENDENT', locality: 'dar' },
    ];
    const ids: Record<string, string> = {};
    let can: string;
    let dar: string;

    beforeAll(async () => {
      // Lists are checked inside two localities of their own, so earlier tests' schools stay out.
      const made = await Promise.all(
        ['LST-CAN', 'LST-DAR'].map((code) =>
          t.http().post('/api/v1/localities').set('Authorization', admin.bearer).send({ code, name: `List ${code}`, area: 'West', district: 'Sevenoaks' }).expect(201),
        ),
      );
      [can, dar] = made.map((res) => res.body.id as string);
      for (const { locality, ...school } of seeded) {
        const res = await t
          .http()
          .post('/api/v1/schools')
          .set('Authorization', admin.bearer)
          .send({ ...school, localityId: locality === 'can' ? can : dar })
          .expect(201);
        ids[school.urn] = res.body.id;
      }
    });

    const urnsOf = (res: { body: { data: { urn: string }[] } }) => res.body.data.map((s) => s.urn);

    it('filters by localityId, phase and kind, in name order', async () => {
      const byLocality = await t.http().get('/api/v1/schools').set('Authorization', admin.bearer).query({ localityId: can }).expect(200);
      expect(byLocality.body).toEqual({
        data: [
          { id: ids['200001'], urn: '200001', name: 'Bramble Infant School', phase: 'PRIMARY', kind: 'MAINSTREAM', localityId: can, version: 1 },
          { id: ids['200002'], urn: '200002', name: 'bramley Special School', phase: 'ALL_THROUGH', kind: 'SPECIAL', localityId: can, version: 1 },
        ],
        nextCursor: null,
      });

      const secondary = await t.http().get('/api/v1/schools').set('Authorization', admin.bearer).query({ localityId: dar, phase: 'SECONDARY', sort: 'urn' }).expect(200);
      expect(urnsOf(secondary)).toEqual(['200003', '200005']);

      const pru = await t.http().get('/api/v1/schools').set('Authorization', admin.bearer).query({ kind: 'PRU' }).expect(200);
      expect(urnsOf(pru)).toEqual(['200003']);

      const middleMainstream = await t.http().get('/api/v1/schools').set('Authorization', admin.bearer).query({ phase: 'MIDDLE', kind: 'MAINSTREAM' }).expect(200);
      expect(urnsOf(middleMainstream)).toEqual(['200004']);

      const nothing = await t.http().get('/api/v1/schools').set('Authorization', admin.bearer).query({ localityId: can, kind: 'PRU' }).expect(200);
      expect(nothing.body).toEqual({ data: [], nextCursor: null });

      const unknownLocality = await t.http().get('/api/v1/schools').set('Authorization', admin.bearer).query({ localityId: randomUUID() }).expect(200);
      expect(unknownLocality.body).toEqual({ data: [], nextCursor: null });
    });

    it('refuses bad filters with 400 naming the parameter', async () => {
      const phase = await t.http().get('/api/v1/schools').set('Authorization', admin.bearer).query({ phase: 'NURSERY' });
      expectValidation(phase);
      expect(phase.body.errors.map((e: { field: string }) => e.field)).toEqual(['phase']);
      const kind = await t.http().get('/api/v1/schools').set('Authorization', admin.bearer).query({ kind: 'mainstream' });
      expectValidation(kind);
      expect(kind.body.errors.map((e: { field: string }) => e.field)).toEqual(['kind']);
      const locality = await t.http().get('/api/v1/schools').set('Authorization', admin.bearer).query({ localityId: 'LST-CAN' });
      expectValidation(locality);
      expect(locality.body.errors.map((e: { field: string }) => e.field)).toEqual(['localityId']);
      const sort = await t.http().get('/api/v1/schools').set('Authorization', admin.bearer).query({ sort: 'phase' });
      expectValidation(sort);
      expect(sort.body.errors.map((e: { field: string }) => e.field)).toEqual(['sort']);
    });

    it('q of six digits finds the school with exactly that URN, not names that start with it', async () => {
      const res = await t.http().get('/api/v1/schools').set('Authorization', admin.bearer).query({ q: '200001' }).expect(200);
      expect(urnsOf(res)).toEqual(['200001']);
      expect(res.body.data[0].id).toBe(ids['200001']);
      // Fewer digits is a name prefix, never a URN prefix: only the school whose name starts so.
      const five = await t.http().get('/api/v1/schools').set('Authorization', admin.bearer).query({ q: '20000' }).expect(200);
      expect(urnsOf(five)).toEqual(['200005']);
      const absent = await t.http().get('/api/v1/schools').set('Authorization', admin.bearer).query({ q: '299999' }).expect(200);
      expect(absent.body).toEqual({ data: [], nextCursor: null });
    });

    it('q otherwise is a case-insensitive name prefix, combinable with filters', async () => {
      const bram = await t.http().get('/api/v1/schools').set('Authorization', admin.bearer).query({ q: 'BRAM' }).expect(200);
      expect(bram.body.data.map((s: { name: string }) => s.name).sort()).toEqual(
        ['Bramble Infant School', 'Brambling PRU', 'bramley Special School'].sort(),
      );
      const bramble = await t.http().get('/api/v1/schools').set('Authorization', admin.bearer).query({ q: 'bramble' }).expect(200);
      expect(urnsOf(bramble)).toEqual(['200001']);
      const inLocality = await t.http().get('/api/v1/schools').set('Authorization', admin.bearer).query({ q: 'bram', localityId: can, sort: '-urn' }).expect(200);
      expect(urnsOf(inLocality)).toEqual(['200002', '200001']);
      // A prefix, not a substring.
      const infix = await t.http().get('/api/v1/schools').set('Authorization', admin.bearer).query({ q: 'infant' }).expect(200);
      expect(urnsOf(infix)).toEqual([]);
      // LIKE wildcards in q are literal characters.
      for (const q of ['%', '_ram', 'b%']) {
        const wild = await t.http().get('/api/v1/schools').set('Authorization', admin.bearer).query({ q }).expect(200);
        expect(wild.body).toEqual({ data: [], nextCursor: null });
      }
    });
  });

  describe('pagination', () => {
    let locality: string;
    const schools = Array.from({ length: 12 }, (_, i) => ({
      // URN order is a shuffle of name order (5 is prime to 12), so the sorts really differ.
      urn: String(300000 + ((i * 5) % 12) * 11),
      name: `Paged School ${String(i).padStart(2, '0')}`,
    }));

    beforeAll(async () => {
      const res = await t
        .http()
        .post('/api/v1/localities')
        .set('Authorization', admin.bearer)
        .send({ code: 'PAGED', name: 'Paged Locality', area: 'South', district: 'Folkestone and Hythe' })
        .expect(201);
      locality = res.body.id;
      // Created in a shuffled order, so insertion order cannot pass for sorting.
      for (const i of [5, 0, 11, 3, 8, 1, 10, 6, 2, 9, 4, 7]) {
        await t
          .http()
          .post('/api/v1/schools')
          .set('Authorization', admin.bearer)
          .send({ ...schools[i], phase: 'PRIMARY', kind: 'MAINSTREAM', localityId: locality })
          .expect(201);
      }
    });

    async function pageThrough(query: Record<string, string | number>) {
      const pages: string[][] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { data: { urn: string }[]; nextCursor: string | null } } = await t
          .http()
          .get('/api/v1/schools')
          .set('Authorization', admin.bearer)
          .query({ localityId: locality, limit: 5, ...query, ...(cursor ? { cursor } : {}) })
          .expect(200);
        pages.push(res.body.data.map((s) => s.urn));
        cursor = res.body.nextCursor;
        expect(pages.length).toBeLessThanOrEqual(12);
      } while (cursor);
      return pages;
    }

    it('pages 12 schools 5 at a time by name: 3 pages, each seen once, in name order', async () => {
      const pages = await pageThrough({});
      expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
      expect(pages.flat()).toEqual(schools.map((s) => s.urn));
      const byName = await pageThrough({ sort: 'name' });
      expect(byName).toEqual(pages);
    });

    it('pages by -urn: 3 pages, each seen once, in descending URN order', async () => {
      const pages = await pageThrough({ sort: '-urn' });
      expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
      const descending = schools.map((s) => s.urn).sort((a, b) => b.localeCompare(a));
      expect(pages.flat()).toEqual(descending);
      expect(new Set(pages.flat()).size).toBe(12);
    });

    it('pages by -name and by urn as well', async () => {
      expect((await pageThrough({ sort: '-name' })).flat()).toEqual(schools.map((s) => s.urn).reverse());
      expect((await pageThrough({ sort: 'urn' })).flat()).toEqual(schools.map((s) => s.urn).sort());
    });

    it('an exact page ends with nextCursor null, and a cursor of another sort is 400', async () => {
      const exact = await t.http().get('/api/v1/schools').set('Authorization', admin.bearer).query({ localityId: locality, limit: 12 }).expect(200);
      expect(exact.body.data).toHaveLength(12);
      expect(exact.body.nextCursor).toBeNull();

      const first = await t.http().get('/api/v1/schools').set('Authorization', admin.bearer).query({ localityId: locality, limit: 5, sort: 'name' }).expect(200);
      const mixed = await t.http().get('/api/v1/schools').set('Authorization', admin.bearer).query({ localityId: locality, limit: 5, sort: '-urn', cursor: first.body.nextCursor });
      expectValidation(mixed);
      expect(mixed.body.errors[0].field).toBe('cursor');
    });
  });

  describe('access', () => {
    let school: Record<string, unknown> & { id: string; version: number };
    let senco: TestUser;

    beforeAll(async () => {
      school = (
        await t
          .http()
          .post('/api/v1/schools')
          .set('Authorization', admin.bearer)
          .send({ urn: '410001', name: 'Access Infant School', phase: 'PRIMARY', kind: 'MAINSTREAM', localityId: canterbury })
          .expect(201)
      ).body;
      senco = await createUser(t, 'SENCO', { schoolId: school.id });
    });

    it('without a token is 401 /problems/unauthenticated, and nothing is written', async () => {
      const before = await schoolCount();
      for (const res of [
        await t.http().get('/api/v1/schools'),
        await t.http().get(`/api/v1/schools/${school.id}`),
        await t.http().post('/api/v1/schools').send({ urn: '410002', name: 'Anon School', phase: 'PRIMARY', kind: 'MAINSTREAM', localityId: canterbury }),
        await t.http().patch(`/api/v1/schools/${school.id}`).send({ name: 'Anon School', version: school.version }),
      ]) {
        expect(res.status).toBe(401);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body).toMatchObject({ type: '/problems/unauthenticated', status: 401 });
      }
      expect(await schoolCount()).toBe(before);
      expect(await t.dataSource.query('SELECT name, version FROM school WHERE id = $1', [school.id])).toEqual([
        { name: 'Access Infant School', version: 1 },
      ]);
    });

    it('a SENCO reads the lists but may not create or change a school (403), and nothing is written', async () => {
      const list = await t.http().get('/api/v1/schools').set('Authorization', senco.bearer).query({ q: '410001' }).expect(200);
      expect(list.body).toEqual({ data: [school], nextCursor: null });
      const one = await t.http().get(`/api/v1/schools/${school.id}`).set('Authorization', senco.bearer).expect(200);
      expect(one.body).toEqual(school);
      const localities = await t.http().get('/api/v1/localities').set('Authorization', senco.bearer).expect(200);
      expect(localities.body.data.map((l: { id: string }) => l.id)).toEqual(expect.arrayContaining([canterbury, dartford]));

      const before = await schoolCount();
      const auditBefore = await auditCount();
      const create = await t
        .http()
        .post('/api/v1/schools')
        .set('Authorization', senco.bearer)
        .send({ urn: '410003', name: 'Senco School', phase: 'PRIMARY', kind: 'MAINSTREAM', localityId: canterbury });
      const update = await t
        .http()
        .patch(`/api/v1/schools/${school.id}`)
        .set('Authorization', senco.bearer)
        .send({ name: 'Renamed By Senco', version: school.version });
      for (const res of [create, update]) {
        expect(res.status).toBe(403);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body).toMatchObject({ type: '/problems/forbidden', status: 403 });
      }
      expect(await schoolCount()).toBe(before);
      expect(await t.dataSource.query(`SELECT id FROM school WHERE urn = '410003'`)).toEqual([]);
      expect(await t.dataSource.query('SELECT name, version FROM school WHERE id = $1', [school.id])).toEqual([
        { name: 'Access Infant School', version: 1 },
      ]);
      expect(await auditCount()).toBe(auditBefore);
    });
  });

  describe('audit trail', () => {
    it('a create writes one school.create row naming the fields set, placed in its school, locality and area', async () => {
      const res = await t
        .http()
        .post('/api/v1/schools')
        .set('Authorization', admin.bearer)
        .send({ urn: '420001', name: 'Audit Primary School', phase: 'PRIMARY', kind: 'MAINSTREAM', localityId: canterbury })
        .expect(201);
      expect(await auditOf(res.body.id)).toEqual([
        {
          action: 'school.create',
          entity_type: 'school',
          entity_id: res.body.id,
          changed_fields: ['kind', 'localityId', 'name', 'phase', 'urn'],
          actor_id: admin.id,
        },
      ]);
      const [place] = await t.dataSource.query(
        'SELECT actor_role, outcome, school_id, locality_id, area FROM audit_event WHERE entity_id = $1',
        [res.body.id],
      );
      expect(place).toEqual({ actor_role: 'ADMIN', outcome: 'SUCCESS', school_id: res.body.id, locality_id: canterbury, area: 'East' });
    });

    it('an update writes one school.update row naming only the fields changed, placed where the school now is', async () => {
      const created = await t
        .http()
        .post('/api/v1/schools')
        .set('Authorization', admin.bearer)
        .send({ urn: '420002', name: 'Audit Secondary School', phase: 'SECONDARY', kind: 'MAINSTREAM', localityId: canterbury })
        .expect(201);
      const id = created.body.id;
      await t
        .http()
        .patch(`/api/v1/schools/${id}`)
        .set('Authorization', admin.bearer)
        .send({ name: 'Audit Secondary School', kind: 'SPECIAL', localityId: dartford.toUpperCase(), version: 1 })
        .expect(200);
      const rows = await auditOf(id);
      expect(rows).toHaveLength(2);
      expect(rows[1]).toEqual({
        action: 'school.update',
        entity_type: 'school',
        entity_id: id,
        changed_fields: ['kind', 'localityId'],
        actor_id: admin.id,
      });
      const places = await t.dataSource.query(
        'SELECT action, school_id, locality_id, area FROM audit_event WHERE entity_id = $1 ORDER BY at, id',
        [id],
      );
      expect(places).toEqual([
        { action: 'school.create', school_id: id, locality_id: canterbury, area: 'East' },
        { action: 'school.update', school_id: id, locality_id: dartford, area: 'North' },
      ]);
    });

    it('an update that changes nothing keeps the version and writes no audit row', async () => {
      const created = await t
        .http()
        .post('/api/v1/schools')
        .set('Authorization', admin.bearer)
        .send({ urn: '420003', name: 'Audit Same School', phase: 'PRIMARY', kind: 'MAINSTREAM', localityId: canterbury })
        .expect(201);
      const id = created.body.id;
      const same = await t
        .http()
        .patch(`/api/v1/schools/${id}`)
        .set('Authorization', admin.bearer)
        .send({ name: 'Audit Same School', localityId: canterbury.toUpperCase(), version: 1 })
        .expect(200);
      expect(same.body).toEqual(created.body);
      expect(await t.dataSource.query('SELECT version FROM school WHERE id = $1', [id])).toEqual([{ version: 1 }]);
      expect((await auditOf(id)).map((r: { action: string }) => r.action)).toEqual(['school.create']);
    });

    it('refused creates and updates (400, 409) write no audit row', async () => {
      const created = await t
        .http()
        .post('/api/v1/schools')
        .set('Authorization', admin.bearer)
        .send({ urn: '420004', name: 'Audit Refusals School', phase: 'PRIMARY', kind: 'MAINSTREAM', localityId: canterbury })
        .expect(201);
      const id = created.body.id;
      const before = await auditCount();
      const refusals = [
        // 400: bad field, unknown locality, no version; 409: duplicate URN, stale version.
        await t.http().post('/api/v1/schools').set('Authorization', admin.bearer).send({ ...oakfield, urn: '42000', localityId: canterbury }),
        await t.http().post('/api/v1/schools').set('Authorization', admin.bearer).send({ ...oakfield, urn: '420005', localityId: randomUUID() }),
        await t.http().post('/api/v1/schools').set('Authorization', admin.bearer).send({ ...oakfield, urn: '420004', localityId: canterbury }),
        await t.http().patch(`/api/v1/schools/${id}`).set('Authorization', admin.bearer).send({ name: 'No Version' }),
        await t.http().patch(`/api/v1/schools/${id}`).set('Authorization', admin.bearer).send({ localityId: randomUUID(), version: 1 }),
        await t.http().patch(`/api/v1/schools/${id}`).set('Authorization', admin.bearer).send({ urn: '118712', version: 1 }),
        await t.http().patch(`/api/v1/schools/${id}`).set('Authorization', admin.bearer).send({ name: 'Stale School', version: 2 }),
      ];
      expect(refusals.map((r) => r.status)).toEqual([400, 400, 409, 400, 400, 409, 409]);
      expect(await auditCount()).toBe(before);
      expect((await auditOf(id)).map((r: { action: string }) => r.action)).toEqual(['school.create']);
    });

    it('two concurrent creates with the same URN: only the committed one is audited', async () => {
      const before = await auditCount('school.create');
      const results = await Promise.all(
        ['Audit Twin A', 'Audit Twin B'].map((name) =>
          t
            .http()
            .post('/api/v1/schools')
            .set('Authorization', admin.bearer)
            .send({ urn: '420009', name, phase: 'PRIMARY', kind: 'MAINSTREAM', localityId: canterbury }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
      const winner = results.find((r) => r.status === 201)!.body.id;
      expect(await auditCount('school.create')).toBe(before + 1);
      expect((await auditOf(winner)).map((r: { action: string }) => r.action)).toEqual(['school.create']);
    });
  });
});
