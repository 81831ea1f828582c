import { EmbeddedPostgres, IN_MEMORY } from '../src/database/embedded-postgres';
import { createUser, type TestUser } from './support/auth';
import { CuttableProxy, type ProxyMode } from './support/cuttable-proxy';
import { createIsolatedDatabase, type IsolatedDatabase } from './support/test-database';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * Database outage (issue 10, point 2). The app talks to its database through a TCP proxy the test
 * cuts and restores: in front of a fresh database on the real PostgreSQL when DATABASE_URL is set,
 * else in front of an embedded PostgreSQL the test starts itself. The machine's cluster is never
 * stopped. While the database is away, readiness is 503 and API calls fail fast with a 503
 * /problems/unavailable problem; once it is back the same process serves again, without a
 * restart, and what was committed before is intact while what was refused left no trace.
 */

const TIMEOUT_MS = 1000; // DATABASE_TIMEOUT_MS for this app: connection wait 1 s, statements 6 s
const FAIL_FAST_MS = 5000;

let t: TestApp;
let proxy: CuttableProxy;
let database: IsolatedDatabase | undefined;
let embedded: EmbeddedPostgres | undefined;
let admin: TestUser;

interface Timed {
  status: number;
  type?: string;
  contentType?: string;
  ms: number;
  body: Record<string, unknown>;
}

async function timed(method: 'get' | 'post', path: string, body?: object): Promise<Timed> {
  const started = Date.now();
  let req = t.http()[method](path);
  if (path.startsWith('/api/')) req = req.set('Authorization', admin.bearer);
  const res = await req.send(body);
  return { status: res.status, type: res.body?.type, contentType: res.headers['content-type'], ms: Date.now() - started, body: res.body };
}

const calls = (code: string) =>
  [
    () => timed('get', '/health/ready'),
    () => timed('get', '/api/v1/localities'),
    () => timed('get', '/api/v1/auth/me'),
    () => timed('post', '/api/v1/localities', { code, name: 'Written during the outage', area: 'Outage', district: 'Outage' }),
    () => timed('post', '/api/v1/auth/login', { email: admin.email, password: admin.password }),
  ] as const;

beforeAll(async () => {
  database = await createIsolatedDatabase();
  let target: URL;
  if (database.url) {
    target = new URL(database.url);
  } else {
    embedded = await EmbeddedPostgres.start(IN_MEMORY, 8);
    target = new URL(embedded.url);
  }
  proxy = new CuttableProxy(target.hostname, Number(target.port || 5432));
  await proxy.listen();
  t = await createTestApp({
    databaseUrl: proxy.urlFor(target.toString()),
    databaseTimeoutMs: TIMEOUT_MS,
    // The embedded database has one session for all connections: one pooled connection (as the app does).
    databasePoolSize: embedded ? 1 : 4,
  });
  admin = await createUser(t, 'ADMIN');
}, 120_000);

afterAll(async () => {
  proxy?.set('up');
  await t?.close();
  await proxy?.close();
  await embedded?.stop();
  await database?.drop();
});

describe('database outage through a TCP proxy the test cuts', () => {
  const figures: string[] = [];

  afterAll(() => {
    // eslint-disable-next-line no-console
    console.log(`database outage (${embedded ? 'embedded' : 'PostgreSQL'}):\n  ${figures.join('\n  ')}`);
  });

  it('serves, goes 503 fast while the database is away, and recovers without a restart', async () => {
    // Before: a committed write.
    const before = await timed('post', '/api/v1/localities', { code: 'OUT-BEFORE', name: 'Committed before', area: 'Outage', district: 'Outage' });
    expect(before.status).toBe(201);
    const committed = before.body;
    const auditBefore = Number((await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_event`))[0].n);
    expect((await timed('get', '/health/ready')).status).toBe(200);

    for (const mode of ['refuse', 'blackhole'] as ProxyMode[]) {
      proxy.set(mode);
      const results: Timed[] = [];
      for (let round = 0; round < 3; round++) {
        for (const call of calls(`OUT-${mode.toUpperCase()}-${round}`)) results.push(await call());
      }
      // Every call: a 503 unavailable problem, answered within the bound; none hangs, none is a 500.
      const summary = results.map((r) => `${r.status} ${r.type} ${r.ms}ms`);
      for (const r of results) {
        expect({ status: r.status, type: r.type, contentType: r.contentType }).toEqual({
          status: 503,
          type: '/problems/unavailable',
          contentType: expect.stringMatching(/^application\/problem\+json/),
        });
        expect(r.ms).toBeLessThan(FAIL_FAST_MS);
        // No driver text (host, port, SQL) reaches the client.
        expect(JSON.stringify(r.body)).not.toMatch(/ECONN|127\.0\.0\.1|timeout exceeded|SELECT/i);
      }
      const slowest = Math.max(...results.map((r) => r.ms));
      figures.push(`${mode}: ${results.length} requests during the outage, all 503 /problems/unavailable, slowest ${slowest} ms (${summary.slice(0, 5).join(', ')})`);
    }

    // Back: the same process recovers on its own.
    const restored = Date.now();
    proxy.set('up');
    let ready = 0;
    let probes = 0;
    while (Date.now() - restored < 15_000) {
      probes += 1;
      ready = (await timed('get', '/health/ready')).status;
      if (ready === 200) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const recoveryMs = Date.now() - restored;
    expect(ready).toBe(200);
    figures.push(`recovery: ready 200 ${recoveryMs} ms after the database came back (${probes} probes), no restart`);

    const after = await timed('post', '/api/v1/localities', { code: 'OUT-AFTER', name: 'Written after', area: 'Outage', district: 'Outage' });
    expect(after.status).toBe(201);
    const signIn = await timed('post', '/api/v1/auth/login', { email: admin.email, password: admin.password });
    expect(signIn.status).toBe(200);

    // Committed before: intact. Refused during: no trace, not even half (no locality, no audit row).
    const kept = await timed('get', `/api/v1/localities/${committed.id as string}`);
    expect(kept.status).toBe(200);
    expect(kept.body).toEqual(committed);
    const codes = (await t.dataSource.query(`SELECT code FROM locality WHERE area = 'Outage' ORDER BY code`)).map((r: { code: string }) => r.code);
    expect(codes).toEqual(['OUT-AFTER', 'OUT-BEFORE']);
    const audit = await t.dataSource.query(
      `SELECT entity_id FROM audit_event WHERE entity_type = 'locality' AND entity_id IN (SELECT id FROM locality WHERE area = 'Outage')`,
    );
    expect(audit.length).toBeGreaterThanOrEqual(2);
    const auditAfter = Number((await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_event`))[0].n);
    figures.push(`data: locality committed before intact; 0 of ${2 * 3} writes refused during the outage left a row; audit rows ${auditBefore} -> ${auditAfter}`);
  }, 120_000);

  it('a partition under established connections: requests end in 503 within the statement bound, then it heals', async () => {
    // Nothing flows on the pool's open connections: a statement waits at most 6 x DATABASE_TIMEOUT_MS
    // (query_timeout), readiness at most min(DATABASE_TIMEOUT_MS, 2 s).
    proxy.set('stall');
    const results = [await timed('get', '/health/ready'), await timed('get', '/api/v1/localities')];
    proxy.set('up');
    for (const r of results) expect({ status: r.status, type: r.type }).toEqual({ status: 503, type: '/problems/unavailable' });
    expect(results[0].ms).toBeLessThan(TIMEOUT_MS + 1500);
    expect(results[1].ms).toBeLessThan(6 * TIMEOUT_MS + 1500);
    const healed = Date.now();
    let status = 0;
    while (Date.now() - healed < 20_000) {
      status = (await timed('get', '/api/v1/localities')).status;
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(200);
    figures.push(
      `stalled connections: ready 503 in ${results[0].ms} ms, a list 503 in ${results[1].ms} ms (bound ${6 * TIMEOUT_MS} ms); ` +
        `serving again ${Date.now() - healed} ms after the partition healed`,
    );
  }, 120_000);

  it('writes in flight when the database goes away are wholly kept or wholly gone', async () => {
    const codes = Array.from({ length: 16 }, (_, i) => `FLIGHT-${String(i).padStart(2, '0')}`);
    // A stream of creates; the database goes away as soon as the first one has been answered,
    // so some are committed, some are mid-transaction and some have not reached it yet.
    let firstAnswered!: () => void;
    const first = new Promise<void>((r) => (firstAnswered = r));
    const pending = codes.map((code, i) =>
      new Promise((r) => setTimeout(r, i * 10))
        .then(() => timed('post', '/api/v1/localities', { code, name: 'In flight', area: 'Flight', district: 'Flight' }))
        .then((r) => {
          firstAnswered();
          return r;
        }),
    );
    await first;
    proxy.set('refuse');
    const results = await Promise.all(pending);
    proxy.set('up');
    const restored = Date.now();
    while ((await timed('get', '/health/ready')).status !== 200 && Date.now() - restored < 15_000) await new Promise((r) => setTimeout(r, 50));

    const rows: { code: string; audits: number }[] = await t.dataSource.query(
      `SELECT l.code, count(a.id)::int AS audits FROM locality l
       LEFT JOIN audit_event a ON a.entity_type = 'locality' AND a.entity_id = l.id
       WHERE l.area = 'Flight' GROUP BY l.code ORDER BY l.code`,
    );
    const kept = new Set(rows.map((r) => r.code));
    results.forEach((r, i) => {
      expect([201, 503]).toContain(r.status);
      // Answered 201 = committed and still there; a 503 may have been cut before or after COMMIT.
      if (r.status === 201) expect(kept.has(codes[i])).toBe(true);
    });
    // Every kept locality has its audit row (same transaction): nothing half-written.
    expect(rows.filter((r) => r.audits < 1)).toEqual([]);
    const created = results.filter((r) => r.status === 201).length;
    figures.push(
      `in flight: ${codes.length} concurrent creates cut mid-stream: ${created} answered 201, ${codes.length - created} answered 503; ` +
        `${rows.length} rows kept, each with its audit row`,
    );
  }, 120_000);
});
