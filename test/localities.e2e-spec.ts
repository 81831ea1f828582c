import { createUser, TestUser } from './support/auth';
import { createTestApp, TestApp } from './support/test-app';

describe('localities', () => {
  let t: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await createUser(t, 'ADMIN');
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The audit rows of one record, oldest first. */
  const auditOf = (entityId: string) =>
    t.dataSource.query(
      `SELECT action, entity_type, entity_id, changed_fields, actor_id FROM audit_event WHERE entity_id = $1 ORDER BY at, id`,
      [entityId],
    );
  const auditCount = async (action: string) =>
    Number((await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_event WHERE action = $1`, [action]))[0].n);

  it('creates, reads and lists a locality', async () => {
    const created = await t
      .http()
      .post('/api/v1/localities')
      .set('Authorization', admin.bearer)
      .send({ code: 'CAN-01', name: 'Canterbury City and Coast', area: 'East', district: 'Canterbury' })
      .expect(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      code: 'CAN-01',
      name: 'Canterbury City and Coast',
      area: 'East',
      district: 'Canterbury',
      version: 1,
    });
    const read = await t.http().get(`/api/v1/localities/${created.body.id}`).set('Authorization', admin.bearer).expect(200);
    expect(read.body).toEqual(created.body);
    const list = await t.http().get('/api/v1/localities?area=East').set('Authorization', admin.bearer).expect(200);
    expect(list.body).toEqual({ data: [created.body], nextCursor: null });
    const byPrefix = await t.http().get('/api/v1/localities?q=canter').set('Authorization', admin.bearer).expect(200);
    expect(byPrefix.body.data.map((l: { code: string }) => l.code)).toEqual(['CAN-01']);
  });

  it('updates with the version read; a stale version is 409 and changes nothing', async () => {
    const created = await t
      .http()
      .post('/api/v1/localities')
      .set('Authorization', admin.bearer)
      .send({ code: 'ASH-01', name: 'Ashford', area: 'South', district: 'Ashford' })
      .expect(201);
    const id = created.body.id;
    const missing = await t.http().patch(`/api/v1/localities/${id}`).set('Authorization', admin.bearer).send({ name: 'No version' }).expect(400);
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'version' })]);

    const first = await t.http().patch(`/api/v1/localities/${id}`).set('Authorization', admin.bearer).send({ name: 'Ashford Town', version: 1 }).expect(200);
    expect(first.body).toMatchObject({ name: 'Ashford Town', version: 2 });
    const stale = await t.http().patch(`/api/v1/localities/${id}`).set('Authorization', admin.bearer).send({ name: 'Lost update', version: 1 }).expect(409);
    expect(stale.body).toMatchObject({ type: '/problems/stale-version', currentVersion: 2 });
    const viaHeader = await t.http().patch(`/api/v1/localities/${id}`).set('Authorization', admin.bearer).set('If-Match', '"2"').send({ district: 'Ashford Borough' }).expect(200);
    expect(viaHeader.body.version).toBe(3);
    const stored = await t.http().get(`/api/v1/localities/${id}`).set('Authorization', admin.bearer).expect(200);
    expect(stored.body).toMatchObject({ name: 'Ashford Town', version: 3 });
  });

  it('two concurrent PATCHes with the same version: one wins, one gets 409', async () => {
    const created = await t
      .http()
      .post('/api/v1/localities')
      .set('Authorization', admin.bearer)
      .send({ code: 'DOV-01', name: 'Dover', area: 'South', district: 'Dover' })
      .expect(201);
    const id = created.body.id;
    const results = await Promise.all(
      ['Dover and Deal', 'Dover Town'].map((name) => t.http().patch(`/api/v1/localities/${id}`).set('Authorization', admin.bearer).send({ name, version: 1 })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it('pages through more rows than one page with keyset cursors, in both directions of sort', async () => {
    const codes = Array.from({ length: 23 }, (_, i) => `PG-${String(i).padStart(2, '0')}`);
    await t.dataSource.query(
      `INSERT INTO locality (code, name, area, district) SELECT c, 'Paged ' || c, 'Paged', 'Paged' FROM unnest($1::text[]) AS c`,
      [codes],
    );
    for (const sort of ['code', '-code']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: Record<string, string | number> = { area: 'Paged', limit: 5, sort };
        if (cursor) query.cursor = cursor;
        const res = await t.http().get('/api/v1/localities').set('Authorization', admin.bearer).query(query).expect(200);
        seen.push(...res.body.data.map((l: { code: string }) => l.code));
        cursor = res.body.nextCursor;
        pages += 1;
      } while (cursor);
      expect(pages).toBe(5);
      expect(seen).toEqual(sort === 'code' ? codes : [...codes].reverse());
    }
  });

  it('refuses a cursor made for another sort', async () => {
    const first = await t.http().get('/api/v1/localities?area=Paged&limit=2&sort=code').set('Authorization', admin.bearer).expect(200);
    const res = await t.http().get(`/api/v1/localities?area=Paged&limit=2&sort=name&cursor=${first.body.nextCursor}`).set('Authorization', admin.bearer);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('cursor');
  });

  describe('access', () => {
    let locality: { id: string; version: number };
    let senco: TestUser;

    beforeAll(async () => {
      locality = (
        await t
          .http()
          .post('/api/v1/localities')
          .set('Authorization', admin.bearer)
          .send({ code: 'ACC-01', name: 'Access Town', area: 'West', district: 'Sevenoaks' })
          .expect(201)
      ).body;
      const school = await t
        .http()
        .post('/api/v1/schools')
        .set('Authorization', admin.bearer)
        .send({ urn: '555001', name: 'Access Primary School', phase: 'PRIMARY', kind: 'MAINSTREAM', localityId: locality.id })
        .expect(201);
      senco = await createUser(t, 'SENCO', { schoolId: school.body.id });
    });

    const localityCount = async () => Number((await t.dataSource.query('SELECT count(*)::int AS n FROM locality'))[0].n);

    it('without a token is 401 /problems/unauthenticated, and nothing is written', async () => {
      const before = await localityCount();
      for (const res of [
        await t.http().get('/api/v1/localities'),
        await t.http().get(`/api/v1/localities/${locality.id}`),
        await t.http().post('/api/v1/localities').send({ code: 'ANON-01', name: 'Anon', area: 'West', district: 'Sevenoaks' }),
        await t.http().patch(`/api/v1/localities/${locality.id}`).send({ name: 'Anon Town', version: locality.version }),
        await t.http().get('/api/v1/localities').set('Authorization', 'Bearer not-a-token'),
      ]) {
        expect(res.status).toBe(401);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body).toMatchObject({ type: '/problems/unauthenticated', status: 401 });
      }
      expect(await localityCount()).toBe(before);
      expect(await t.dataSource.query('SELECT name, version FROM locality WHERE id = $1', [locality.id])).toEqual([
        { name: 'Access Town', version: locality.version },
      ]);
    });

    it('a SENCO reads localities but may not create or change one (403), and nothing is written', async () => {
      const list = await t.http().get('/api/v1/localities').set('Authorization', senco.bearer).query({ q: 'ACC-' }).expect(200);
      expect(list.body.data).toEqual([locality]);
      const one = await t.http().get(`/api/v1/localities/${locality.id}`).set('Authorization', senco.bearer).expect(200);
      expect(one.body).toEqual(locality);

      const before = await localityCount();
      const auditBefore = Number((await t.dataSource.query('SELECT count(*)::int AS n FROM audit_event'))[0].n);
      const create = await t
        .http()
        .post('/api/v1/localities')
        .set('Authorization', senco.bearer)
        .send({ code: 'SEN-01', name: 'Senco Town', area: 'West', district: 'Sevenoaks' });
      const update = await t
        .http()
        .patch(`/api/v1/localities/${locality.id}`)
        .set('Authorization', senco.bearer)
        .send({ name: 'Senco Town', version: locality.version });
      for (const res of [create, update]) {
        expect(res.status).toBe(403);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body).toMatchObject({ type: '/problems/forbidden', status: 403 });
      }
      expect(await localityCount()).toBe(before);
      expect(await t.dataSource.query(`SELECT id FROM locality WHERE code = 'SEN-01'`)).toEqual([]);
      expect(await t.dataSource.query('SELECT name, version FROM locality WHERE id = $1', [locality.id])).toEqual([
        { name: 'Access Town', version: locality.version },
      ]);
      expect(Number((await t.dataSource.query('SELECT count(*)::int AS n FROM audit_event'))[0].n)).toBe(auditBefore);
    });
  });

  describe('audit trail', () => {
    it('a create writes one locality.create row naming the fields set, with who and where', async () => {
      const created = await t
        .http()
        .post('/api/v1/localities')
        .set('Authorization', admin.bearer)
        .send({ code: 'AUD-01', name: 'Audit Town', area: 'North', district: 'Gravesham' })
        .expect(201);
      expect(await auditOf(created.body.id)).toEqual([
        {
          action: 'locality.create',
          entity_type: 'locality',
          entity_id: created.body.id,
          changed_fields: ['area', 'code', 'district', 'name'],
          actor_id: admin.id,
        },
      ]);
      const [place] = await t.dataSource.query(
        `SELECT actor_role, actor_email, outcome, locality_id, area, school_id FROM audit_event WHERE entity_id = $1`,
        [created.body.id],
      );
      expect(place).toEqual({
        actor_role: 'ADMIN',
        actor_email: admin.email,
        outcome: 'SUCCESS',
        locality_id: created.body.id,
        area: 'North',
        school_id: null,
      });
    });

    it('an update writes one locality.update row naming only the fields changed; refusals write none', async () => {
      const created = await t
        .http()
        .post('/api/v1/localities')
        .set('Authorization', admin.bearer)
        .send({ code: 'AUD-02', name: 'Audit Village', area: 'North', district: 'Gravesham' })
        .expect(201);
      const id = created.body.id;
      await t
        .http()
        .patch(`/api/v1/localities/${id}`)
        .set('Authorization', admin.bearer)
        .send({ name: 'Audit Village Green', district: 'Gravesham', version: 1 })
        .expect(200);
      const rows = await auditOf(id);
      expect(rows.map((r: { action: string }) => r.action)).toEqual(['locality.create', 'locality.update']);
      expect(rows[1]).toEqual({ action: 'locality.update', entity_type: 'locality', entity_id: id, changed_fields: ['name'], actor_id: admin.id });

      // Refused: no version (400), a stale one (409), a duplicate code (409).
      await t.http().patch(`/api/v1/localities/${id}`).set('Authorization', admin.bearer).send({ name: 'Nope' }).expect(400);
      await t.http().patch(`/api/v1/localities/${id}`).set('Authorization', admin.bearer).send({ name: 'Nope', version: 1 }).expect(409);
      await t.http().patch(`/api/v1/localities/${id}`).set('Authorization', admin.bearer).send({ code: 'AUD-01', version: 2 }).expect(409);
      expect(await auditOf(id)).toHaveLength(2);
      expect(await t.dataSource.query('SELECT name, code, version FROM locality WHERE id = $1', [id])).toEqual([
        { name: 'Audit Village Green', code: 'AUD-02', version: 2 },
      ]);
    });

    it('an update that changes nothing keeps the version and writes no audit row', async () => {
      const created = await t
        .http()
        .post('/api/v1/localities')
        .set('Authorization', admin.bearer)
        .send({ code: 'AUD-03', name: 'Audit Hamlet', area: 'North', district: 'Gravesham' })
        .expect(201);
      const id = created.body.id;
      const same = await t
        .http()
        .patch(`/api/v1/localities/${id}`)
        .set('Authorization', admin.bearer)
        .send({ name: 'Audit Hamlet', area: 'North', version: 1 })
        .expect(200);
      expect(same.body).toEqual(created.body);
      const empty = await t.http().patch(`/api/v1/localities/${id}`).set('Authorization', admin.bearer).set('If-Match', '"1"').send({}).expect(200);
      expect(empty.body).toEqual(created.body);
      expect(await t.dataSource.query('SELECT version FROM locality WHERE id = $1', [id])).toEqual([{ version: 1 }]);
      expect((await auditOf(id)).map((r: { action: string }) => r.action)).toEqual(['locality.create']);
    });

    it('a refused create (400, 409) writes no audit row', async () => {
      const before = await auditCount('locality.create');
      await t.http().post('/api/v1/localities').set('Authorization', admin.bearer).send({ code: 'bad code', name: 'Bad' }).expect(400);
      await t
        .http()
        .post('/api/v1/localities')
        .set('Authorization', admin.bearer)
        .send({ code: 'AUD-01', name: 'Audit Again', area: 'North', district: 'Gravesham' })
        .expect(409);
      expect(await auditCount('locality.create')).toBe(before);
    });

    it('two concurrent PATCHes: only the one that commits is audited', async () => {
      const created = await t
        .http()
        .post('/api/v1/localities')
        .set('Authorization', admin.bearer)
        .send({ code: 'AUD-04', name: 'Audit Race', area: 'North', district: 'Gravesham' })
        .expect(201);
      const results = await Promise.all(
        ['Audit Race A', 'Audit Race B'].map((name) =>
          t.http().patch(`/api/v1/localities/${created.body.id}`).set('Authorization', admin.bearer).send({ name, version: 1 }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      expect((await auditOf(created.body.id)).map((r: { action: string }) => r.action)).toEqual(['locality.create', 'locality.update']);
    });
  });
});
