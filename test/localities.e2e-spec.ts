import { createTestApp, TestApp } from './support/test-app';

describe('localities', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates, reads and lists a locality', async () => {
    const created = await t
      .http()
      .post('/api/v1/localities')
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
    const read = await t.http().get(`/api/v1/localities/${created.body.id}`).expect(200);
    expect(read.body).toEqual(created.body);
    const list = await t.http().get('/api/v1/localities?area=East').expect(200);
    expect(list.body).toEqual({ data: [created.body], nextCursor: null });
    const byPrefix = await t.http().get('/api/v1/localities?q=canter').expect(200);
    expect(byPrefix.body.data.map((l: { code: string }) => l.code)).toEqual(['CAN-01']);
  });

  it('updates with the version read; a stale version is 409 and changes nothing', async () => {
    const created = await t
      .http()
      .post('/api/v1/localities')
      .send({ code: 'ASH-01', name: 'Ashford', area: 'South', district: 'Ashford' })
      .expect(201);
    const id = created.body.id;
    const missing = await t.http().patch(`/api/v1/localities/${id}`).send({ name: 'No version' }).expect(400);
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'version' })]);

    const first = await t.http().patch(`/api/v1/localities/${id}`).send({ name: 'Ashford Town', version: 1 }).expect(200);
    expect(first.body).toMatchObject({ name: 'Ashford Town', version: 2 });
    const stale = await t.http().patch(`/api/v1/localities/${id}`).send({ name: 'Lost update', version: 1 }).expect(409);
    expect(stale.body).toMatchObject({ type: '/problems/stale-version', currentVersion: 2 });
    const viaHeader = await t.http().patch(`/api/v1/localities/${id}`).set('If-Match', '"2"').send({ district: 'Ashford Borough' }).expect(200);
    expect(viaHeader.body.version).toBe(3);
    const stored = await t.http().get(`/api/v1/localities/${id}`).expect(200);
    expect(stored.body).toMatchObject({ name: 'Ashford Town', version: 3 });
  });

  it('two concurrent PATCHes with the same version: one wins, one gets 409', async () => {
    const created = await t
      .http()
      .post('/api/v1/localities')
      .send({ code: 'DOV-01', name: 'Dover', area: 'South', district: 'Dover' })
      .expect(201);
    const id = created.body.id;
    const results = await Promise.all(
      ['Dover and Deal', 'Dover Town'].map((name) => t.http().patch(`/api/v1/localities/${id}`).send({ name, version: 1 })),
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
        const res = await t.http().get('/api/v1/localities').query(query).expect(200);
        seen.push(...res.body.data.map((l: { code: string }) => l.code));
        cursor = res.body.nextCursor;
        pages += 1;
      } while (cursor);
      expect(pages).toBe(5);
      expect(seen).toEqual(sort === 'code' ? codes : [...codes].reverse());
    }
  });

  it('refuses a cursor made for another sort', async () => {
    const first = await t.http().get('/api/v1/localities?area=Paged&limit=2&sort=code').expect(200);
    const res = await t.http().get(`/api/v1/localities?area=Paged&limit=2&sort=name&cursor=${first.body.nextCursor}`);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('cursor');
  });
});
