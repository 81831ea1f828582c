import { createTestApp, TestApp } from './support/test-app';

describe('health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('live answers 200 without auth', async () => {
    const res = await t.http().get('/health/live').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('ready checks the database', async () => {
    const res = await t.http().get('/health/ready').expect(200);
    expect(res.body).toEqual({ status: 'ok', database: 'up' });
  });

  it('ignores a bad token: the probes are public', async () => {
    await t.http().get('/health/live').set('Authorization', 'Bearer not-a-token').expect(200);
    await t.http().get('/health/ready').set('Authorization', 'Bearer not-a-token').expect(200);
  });

  it('every response carries a request id, and a sane caller id is kept', async () => {
    const res = await t.http().get('/health/live').set('x-request-id', 'trace-abc-12345').expect(200);
    expect(res.headers['x-request-id']).toBe('trace-abc-12345');
    const other = await t.http().get('/health/live').set('x-request-id', 'bad id with spaces').expect(200);
    expect(other.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
