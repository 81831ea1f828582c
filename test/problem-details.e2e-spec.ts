import { createUser, TestUser } from './support/auth';
import { createTestApp, TestApp } from './support/test-app';

/** Every error leaves as RFC 9457 problem details (API.md "Errors"), and nothing is written. */
describe('problem details', () => {
  let t: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await createUser(t, 'ADMIN');
  });
  afterAll(async () => {
    await t?.close();
  });

  const localityCount = async () => Number((await t.dataSource.query('SELECT count(*)::int AS n FROM locality'))[0].n);
  const valid = { code: 'PRB-01', name: 'Problem Town', area: 'North', district: 'Dartford' };

  function expectProblem(res: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, status: number, type: string) {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: `/problems/${type}`, status, title: expect.any(String), detail: expect.any(String) });
  }

  it('lists every bad field of a body, and writes nothing', async () => {
    const res = await t.http().post('/api/v1/localities').set('Authorization', admin.bearer).send({ code: 'lower case!', name: '', area: 7 });
    expectProblem(res, 400, 'validation');
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(expect.arrayContaining(['area', 'code', 'district', 'name']));
    expect(res.body.instance).toBe('/api/v1/localities');
    expect(await localityCount()).toBe(0);
  });

  it('names an unknown field', async () => {
    const res = await t.http().post('/api/v1/localities').set('Authorization', admin.bearer).send({ ...valid, colour: 'blue' });
    expectProblem(res, 400, 'validation');
    expect(res.body.errors).toEqual([{ field: 'colour', message: 'is not a known field' }]);
    expect(await localityCount()).toBe(0);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await t.http().get('/api/v1/no-such-thing').set('Authorization', admin.bearer);
    expectProblem(res, 404, 'not-found');
  });

  it('answers malformed JSON with a 400 problem', async () => {
    const res = await t.http().post('/api/v1/localities').set('Authorization', admin.bearer).set('content-type', 'application/json').send('{"code": "X');
    expectProblem(res, 400, 'validation');
  });

  it('answers an unsupported content type with 415', async () => {
    const res = await t.http().post('/api/v1/localities').set('Authorization', admin.bearer).set('content-type', 'application/xml').send('<a/>');
    expectProblem(res, 415, 'unsupported-media-type');
  });

  it('answers a body over the size limit with 413', async () => {
    const res = await t
      .http()
      .post('/api/v1/localities')
      .set('Authorization', admin.bearer)
      .set('content-type', 'application/json')
      .send(JSON.stringify({ ...valid, name: 'x'.repeat(t.config.bodyLimitBytes + 10) }));
    expectProblem(res, 413, 'payload-too-large');
    expect(await localityCount()).toBe(0);
  });

  it('answers a duplicate unique key with 409 duplicate naming the field', async () => {
    await t.http().post('/api/v1/localities').set('Authorization', admin.bearer).send(valid).expect(201);
    const res = await t.http().post('/api/v1/localities').set('Authorization', admin.bearer).send({ ...valid, name: 'Another' });
    expectProblem(res, 409, 'duplicate');
    expect(res.body.errors).toEqual([{ field: 'code', message: 'is already in use' }]);
    expect(await localityCount()).toBe(1);
  });

  it('answers a path id that is not a UUID with 400 naming it', async () => {
    const res = await t.http().get('/api/v1/localities/not-a-uuid').set('Authorization', admin.bearer);
    expectProblem(res, 400, 'validation');
    expect(res.body.errors).toEqual([{ field: 'id', message: 'must be a UUID' }]);
  });

  it('answers an absent record with 404', async () => {
    const res = await t.http().get('/api/v1/localities/00000000-0000-4000-8000-000000000000').set('Authorization', admin.bearer);
    expectProblem(res, 404, 'not-found');
  });

  it('rejects an invalid cursor and an unknown sort as 400 on that field', async () => {
    const cursor = await t.http().get('/api/v1/localities?cursor=garbage').set('Authorization', admin.bearer);
    expectProblem(cursor, 400, 'validation');
    expect(cursor.body.errors[0].field).toBe('cursor');
    const sort = await t.http().get('/api/v1/localities?sort=secret').set('Authorization', admin.bearer);
    expectProblem(sort, 400, 'validation');
    expect(sort.body.errors[0].field).toBe('sort');
    const limit = await t.http().get('/api/v1/localities?limit=501').set('Authorization', admin.bearer);
    expectProblem(limit, 400, 'validation');
    expect(limit.body.errors[0].field).toBe('limit');
  });
});
