import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../migrations';
import { addDays, todayInLondon } from '../src/common/dates/calendar-date';
import { dataSourceOptions } from '../src/database/data-source';
import { upnCheckLetter } from '../src/pupils/upn';
import { createUser, TEST_PASSWORD, type TestUser } from './support/auth';
import { ADMIN, type BuiltApp, startBuiltApp } from './support/built-app';
import { approvalOf, type ContendedPool, contentionOutcome, expectExactAllocation, seedContendedPool, type Sql } from './support/contended-pool';
import { CuttableProxy } from './support/cuttable-proxy';
import { createTestApp, type TestApp } from './support/test-app';
import { createIsolatedDatabase, type IsolatedDatabase, serverUrl } from './support/test-database';

/**
 * Scale-out (issue 9, part 5): several app instances behind a load balancer against ONE
 * PostgreSQL, and dashboard reads on read replicas (DATABASE_READ_URLS).
 *
 * PostgreSQL only. The embedded database is PGlite inside one app process (served to that process
 * over a loopback socket, all connections in one session): a second process cannot open its data
 * directory, and pointing it at the first one's socket would interleave two processes'
 * transactions in one session. So there is nothing to scale out there, and the embedded
 * configuration refuses DATABASE_READ_URLS (src/config/app-config.spec.ts). .ci/run leaves this
 * suite out of its embedded pass; run on the embedded database it fails at once, saying so.
 */
const SECRET = 'scale-out-test-secret-that-is-long-enough-0123';
const EXPENSIVE_LIMIT = 6;
const today = todayInLondon();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

async function call(app: BuiltApp, method: string, path: string, bearer?: string, body?: object): Promise<Answer> {
  const res = await fetch(`${app.base}/api/v1${path}`, {
    method,
    headers: { ...(bearer ? { authorization: bearer } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text, headers: res.headers };
}

function requirePostgres(): string {
  const server = serverUrl();
  if (!server) {
    throw new Error('test/scale-out.e2e-spec.ts needs PostgreSQL (set DATABASE_URL): two instances cannot share the embedded database, which lives inside one process');
  }
  return server;
}

describe('scale-out: two built app instances on one PostgreSQL', () => {
  let database: IsolatedDatabase;
  let a: BuiltApp;
  let b: BuiltApp;
  /** In-process, on the same database: writes the fixtures and signs tokens with the instances' secret. */
  let t: TestApp;
  let sql: Sql;
  let bootLogs: string[];

  beforeAll(async () => {
    requirePostgres();
    database = await createIsolatedDatabase();
    const env = {
      JWT_SECRET: SECRET,
      DATABASE_POOL_SIZE: '10',
      DATABASE_TIMEOUT_MS: '60000',
      LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
      EXPENSIVE_RATE_LIMIT_PER_MINUTE: String(EXPENSIVE_LIMIT),
      LOG_LEVEL: 'info',
    };
    // Both start at the same moment on the EMPTY database: both migrate at start.
    [a, b] = await Promise.all([startBuiltApp({ databaseUrl: database.url, env }), startBuiltApp({ databaseUrl: database.url, env })]);
    bootLogs = [a.log(), b.log()];
    t = await createTestApp({ databaseUrl: database.url, jwtSecret: SECRET, databasePoolSize: 2 });
    sql = (text, params) => t.dataSource.query(text, params);
  }, 240000);

  afterAll(async () => {
    await t?.close();
    await a?.cleanup();
    await b?.cleanup();
    await database?.drop();
  });

  it('two instances started at once on an empty database both come up: the migrations ran once, under the lock, the first administrator was created once, no failed start', async () => {
    const [{ rows, names }] = await sql(`SELECT count(*)::int AS rows, count(DISTINCT name)::int AS names FROM schema_migration`);
    expect({ rows, names }).toEqual({ rows: MIGRATIONS.length, names: MIGRATIONS.length });
    const applied = bootLogs.map((log) => (log.match(/applied (\d+) migrations/) ?? [])[1]);
    // One instance applied them all; the other found none pending (it waited for the lock, or came after).
    expect(applied.filter((n) => n !== undefined)).toEqual([String(MIGRATIONS.length)]);
    for (const log of bootLogs) {
      expect(log).not.toMatch(/Retrying|"level":50|Start-up failed/);
    }
    // Both were told to create the first administrator (ADMIN_EMAIL): there is one, created once.
    const [admins] = await sql(
      `SELECT (SELECT count(*)::int FROM app_user WHERE role = 'ADMIN') AS users,
              (SELECT count(*)::int FROM audit_event WHERE action = 'user.create') AS audited`,
    );
    expect(admins).toEqual({ users: 1, audited: 1 });
    // eslint-disable-next-line no-console
    console.log(`scale-out start-up: ${bootLogs.map((log, i) => `instance ${i + 1} ${/waiting for it/.test(log) ? 'waited for the lock' : 'did not wait'}`).join(', ')}`);
  });

  it('a write through one instance is read through the other, and a token from one is honoured by the other', async () => {
    const login = await call(a, 'POST', '/auth/login', undefined, ADMIN);
    expect(login.status).toBe(200);
    const admin = `Bearer ${login.body.accessToken}`;
    const created = await call(a, 'POST', '/localities', admin, { code: 'SO-ONE', name: 'Scale-out One', area: 'North', district: 'Dartford' });
    expect(created.status).toBe(201);
    const read = await call(b, 'GET', `/localities/${created.body.id}`, admin);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: created.body.id, code: 'SO-ONE', name: 'Scale-out One' });
    // An update through B, with the version read through B, is seen by A; a stale version through A is refused.
    const renamed = await call(b, 'PATCH', `/localities/${created.body.id}`, admin, { name: 'Scale-out One (renamed)', version: read.body.version });
    expect(renamed.status).toBe(200);
    expect((await call(a, 'GET', `/localities/${created.body.id}`, admin)).body.name).toBe('Scale-out One (renamed)');
    const stale = await call(a, 'PATCH', `/localities/${created.body.id}`, admin, { name: 'Lost update', version: read.body.version });
    expect(stale.body).toMatchObject({ status: 409, type: '/problems/stale-version' });
  });

  it('a password changed through one instance revokes the old token on the other at once (no per-process user cache)', async () => {
    const user = await createUser(t, 'MANAGER');
    expect((await call(b, 'GET', '/auth/me', user.bearer)).status).toBe(200);
    const changed = await call(a, 'POST', '/auth/change-password', user.bearer, { currentPassword: TEST_PASSWORD, newPassword: 'a-brand-new-passphrase-2026' });
    expect(changed.status).toBe(200);
    expect((await call(b, 'GET', '/auth/me', user.bearer)).status).toBe(401);
    expect((await call(b, 'GET', '/auth/me', `Bearer ${changed.body.accessToken}`)).status).toBe(200);
  });

  it('failed sign-ins spread across both instances lock the account at the threshold (the counter is in the database)', async () => {
    const user = await createUser(t, 'MANAGER');
    const threshold = t.config.lockoutThreshold; // 5: the built instances run with the default too
    const attempts: number[] = [];
    for (let i = 0; i < threshold; i += 1) {
      attempts.push((await call(i % 2 ? b : a, 'POST', '/auth/login', undefined, { email: user.email, password: 'not-the-password-at-all' })).status);
    }
    expect(attempts).toEqual(Array.from({ length: threshold }, () => 401));
    // The right password now fails on either instance: the account is locked.
    expect((await call(a, 'POST', '/auth/login', undefined, { email: user.email, password: TEST_PASSWORD })).status).toBe(401);
    expect((await call(b, 'POST', '/auth/login', undefined, { email: user.email, password: TEST_PASSWORD })).status).toBe(401);
    const [{ lockouts }] = await sql(`SELECT count(*)::int AS lockouts FROM audit_event WHERE action = 'auth.lockout' AND entity_id = $1`, [user.id]);
    expect(lockouts).toBe(1);
  });

  it(`the expensive-route limit (${EXPENSIVE_LIMIT} a minute) is counted across instances: calls alternating between them hit 429 at the combined count`, async () => {
    const manager = await createUser(t, 'MANAGER');
    // One fixed one-minute window (the database's clock): start well inside it.
    const [{ second }] = await sql(`SELECT extract(second FROM now())::float8 AS second`);
    if (second > 45) await sleep((61 - second) * 1000);
    const statuses: { instance: string; status: number; type?: string }[] = [];
    for (let i = 0; i < EXPENSIVE_LIMIT + 4; i += 1) {
      const instance = i % 2 ? b : a;
      const res = await call(instance, 'GET', '/dashboards/timeliness', manager.bearer);
      statuses.push({ instance: instance === a ? 'A' : 'B', status: res.status, type: res.body?.type });
    }
    // Each instance alone answered only EXPENSIVE_LIMIT / 2 successes: per-process counters would have allowed all ten.
    expect(statuses.map((s) => s.status)).toEqual([...Array.from({ length: EXPENSIVE_LIMIT }, () => 200), 429, 429, 429, 429]);
    expect(statuses.filter((s) => s.status === 429).every((s) => s.type === '/problems/rate-limited')).toBe(true);
    expect(statuses.filter((s) => s.status === 200 && s.instance === 'A')).toHaveLength(EXPENSIVE_LIMIT / 2);
    const [{ hits }] = await sql(`SELECT sum(hits)::int AS hits FROM rate_limit WHERE key = $1`, [`expensive:${manager.id}`]);
    expect(hits).toBe(EXPENSIVE_LIMIT + 4);
  });

  describe('pool contention spread across both instances', () => {
    const APPROVALS = 60;
    const UNITS = 5;
    const CAPACITY = 100;
    let pool: ContendedPool;
    let panel: TestUser;

    beforeAll(async () => {
      pool = await seedContendedPool(sql, today, { requests: APPROVALS, units: UNITS, capacity: CAPACITY });
      panel = await createUser(t, 'PANEL', { localityId: pool.localityId });
    }, 120000);

    it(`${APPROVALS} approvals of ${UNITS} hours at once, alternating between the instances, against ${CAPACITY} hours: exactly ${CAPACITY / UNITS} approved, the ledger exact`, async () => {
      const started = Date.now();
      const responses = await Promise.all(
        pool.requestIds.map(async (id, i) => ({
          instance: i % 2 ? 'B' : 'A',
          ...(await call(i % 2 ? b : a, 'POST', `/support-requests/${id}/decision`, panel.bearer, approvalOf(pool, today, UNITS))),
        })),
      );
      const elapsed = Date.now() - started;
      const outcome = await contentionOutcome(sql, pool.poolId);
      const approvedBy = (instance: string) => responses.filter((r) => r.status === 200 && r.instance === instance).length;
      // eslint-disable-next-line no-console
      console.log(
        `scale-out pool contention (2 instances x 10 connections, PostgreSQL): ${APPROVALS} approvals of ${UNITS} against ${CAPACITY}: ` +
          `approved ${approvedBy('A')} through A and ${approvedBy('B')} through B, refused ${responses.filter((r) => r.status !== 200).length}, ` +
          `allocated ${outcome.pool.allocated} (allocation rows ${outcome.sums.units}), ${elapsed} ms`,
      );
      expectExactAllocation(responses, outcome, { requests: APPROVALS, units: UNITS, capacity: CAPACITY });
    }, 120000);
  });
});

/**
 * A stand-in for a replica: a SECOND database, migrated like the primary but holding different
 * figures. A real streaming standby (scripts/standby.sh) is a byte copy of the primary, so its
 * answers cannot show which server gave them; with different figures in each, every answer says
 * where it was read. The app is told the stand-in is its read replica (DATABASE_READ_URLS).
 */
describe('read replicas: dashboards read the replica, everything else the primary', () => {
  let t: TestApp;
  let replica: IsolatedDatabase;
  let replicaDb: DataSource;
  let manager: TestUser;
  let admin: TestUser;

  /** One locality with a school, a pupil, deadlines (some met on time, some overdue) and an EHC request. */
  async function seedTown(run: Sql, code: string, name: string, upnBody: string, metOnTime: number, overdue: number): Promise<string> {
    const [locality] = await run(`INSERT INTO locality (code, name, area, district) VALUES ($1, $2, 'North', 'Dartford') RETURNING id`, [code, name]);
    const [school] = await run(`INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ($1, $2, 'PRIMARY', 'MAINSTREAM', $3) RETURNING id`, [
      upnBody.slice(-6),
      `${name} Primary`,
      locality.id,
    ]);
    const [pupil] = await run(
      `INSERT INTO pupil (upn, first_name, last_name, first_name_key, last_name_key, date_of_birth, school_id, sen_status, primary_need)
       VALUES ($1, 'Ada', $2, 'ada', lower($2), '2016-04-04', $3, 'K', 'SPLD') RETURNING id`,
      [`${upnCheckLetter(upnBody)}${upnBody}`, name.split(' ')[0], school.id],
    );
    const deadline = (startsOn: string, dueOn: string, metOn: string | null) =>
      run(
        `INSERT INTO deadline (kind, subject_type, subject_id, pupil_id, school_id, locality_id, starts_on, due_on, met_on)
         VALUES ('REQUEST_DECISION', 'SUPPORT_REQUEST', gen_random_uuid(), $1, $2, $3, $4, $5, $6)`,
        [pupil.id, school.id, locality.id, startsOn, dueOn, metOn],
      );
    for (let i = 0; i < metOnTime; i += 1) await deadline(addDays(today, -60), addDays(today, -30), addDays(today, -40));
    for (let i = 0; i < overdue; i += 1) await deadline(addDays(today, -60), addDays(today, -10 - i), null);
    await run(`INSERT INTO ehc_assessment (pupil_id, request_received_on, requested_by) VALUES ($1, $2, 'PARENT')`, [pupil.id, `${today.slice(0, 4)}-01-02`]);
    return locality.id;
  }

  beforeAll(async () => {
    requirePostgres();
    replica = await createIsolatedDatabase();
    replicaDb = await new DataSource(dataSourceOptions({ url: replica.url!, poolSize: 2, migrationsRun: true })).initialize();
    t = await createTestApp({ databaseReadUrls: [replica.url!] });
    await seedTown((text, params) => t.dataSource.query(text, params), 'RR-PRI', 'Primaryton Vale', '886111111111', 1, 1);
    await seedTown((text, params) => replicaDb.query(text, params), 'RR-REP', 'Replicaford Hill', '886222222222', 3, 2);
    // Users exist only on the primary: a request whose sign-in check read the replica would be 401.
    manager = await createUser(t, 'MANAGER');
    admin = await createUser(t, 'ADMIN');
  }, 120000);

  afterAll(async () => {
    await t?.close();
    await replicaDb?.destroy();
    await replica?.drop();
  });

  it('the timeliness dashboard, the overdue worklist, an EHC dashboard and the SEN2 export answer from the replica', async () => {
    const timeliness = await t.http().get('/api/v1/dashboards/timeliness').set('Authorization', manager.bearer).expect(200);
    expect(timeliness.body.data).toEqual([expect.objectContaining({ groupName: 'Replicaford Hill', met: 3, metOnTime: 3, overdue: 2 })]);
    const worklist = await t.http().get('/api/v1/dashboards/overdue').set('Authorization', manager.bearer).expect(200);
    expect(worklist.body.data.map((row: { localityName: string }) => row.localityName)).toEqual(['Replicaford Hill', 'Replicaford Hill']);
    const ehc = await t.http().get('/api/v1/dashboards/ehc-requests').set('Authorization', manager.bearer).expect(200);
    expect(ehc.body.data).toEqual([expect.objectContaining({ groupName: 'Replicaford Hill', received: 1 })]);
    const sen2 = await t.http().get(`/api/v1/exports/sen2?year=${today.slice(0, 4)}&module=requests`).set('Authorization', manager.bearer).expect(200);
    expect(sen2.text).toContain('Replicaford');
    expect(sen2.text).not.toContain('Primaryton');
    // The place check reads the replica too: its locality is found, the primary's is not there.
    const [{ id: replicaLocality }] = await replicaDb.query(`SELECT id FROM locality WHERE code = 'RR-REP'`);
    const [{ id: primaryLocality }] = await t.dataSource.query(`SELECT id FROM locality WHERE code = 'RR-PRI'`);
    await t.http().get(`/api/v1/dashboards/timeliness?localityId=${replicaLocality}`).set('Authorization', manager.bearer).expect(200);
    await t.http().get(`/api/v1/dashboards/timeliness?localityId=${primaryLocality}`).set('Authorization', manager.bearer).expect(404);
  });

  it('every other read, and every write, goes to the primary', async () => {
    const list = await t.http().get('/api/v1/localities').set('Authorization', admin.bearer).expect(200);
    expect(list.body.data.map((l: { code: string }) => l.code)).toEqual(['RR-PRI']);
    const created = await t.http().post('/api/v1/localities').set('Authorization', admin.bearer).send({ code: 'RR-NEW', name: 'Written Here', area: 'North', district: 'Dartford' }).expect(201);
    // Read back at once (the caller's own write): from the primary, where it is.
    await t.http().get(`/api/v1/localities/${created.body.id}`).set('Authorization', admin.bearer).expect(200);
    const [{ onPrimary }] = await t.dataSource.query(`SELECT count(*)::int AS "onPrimary" FROM locality WHERE code = 'RR-NEW'`);
    const [{ onReplica }] = await replicaDb.query(`SELECT count(*)::int AS "onReplica" FROM locality WHERE code = 'RR-NEW'`);
    expect({ onPrimary, onReplica }).toEqual({ onPrimary: 1, onReplica: 0 });
    // The rate-limit counters of the dashboard calls above were written on the primary, none on the replica.
    const [{ primaryHits }] = await t.dataSource.query(`SELECT coalesce(sum(hits), 0)::int AS "primaryHits" FROM rate_limit WHERE key = $1`, [`expensive:${manager.id}`]);
    const [{ replicaRows }] = await replicaDb.query(`SELECT count(*)::int AS "replicaRows" FROM rate_limit`);
    expect(primaryHits).toBeGreaterThanOrEqual(6);
    expect(replicaRows).toBe(0);
  });

  it('a replica that goes away makes dashboards answer 503 /problems/unavailable, and every other route, readiness included, carries on', async () => {
    // The replica reached through a proxy the test cuts (TypeORM connects to every replica at
    // start, so an instance does not start while one is unreachable: README).
    const target = new URL(replica.url!);
    const proxy = new CuttableProxy(target.hostname, Number(target.port || 5432));
    await proxy.listen();
    const cut = await createTestApp({ databaseReadUrls: [proxy.urlFor(replica.url!)], databaseTimeoutMs: 1000 });
    try {
      const user = await createUser(cut, 'MANAGER');
      await cut.http().get('/api/v1/dashboards/timeliness').set('Authorization', user.bearer).expect(200);
      proxy.set('refuse');
      const dashboard = await cut.http().get('/api/v1/dashboards/timeliness').set('Authorization', user.bearer);
      expect(dashboard.body).toMatchObject({ status: 503, type: '/problems/unavailable' });
      await cut.http().get('/api/v1/localities').set('Authorization', user.bearer).expect(200);
      await cut.http().get('/health/ready').expect(200);
      proxy.set('up');
      const back = await cut.http().get('/api/v1/dashboards/timeliness').set('Authorization', user.bearer).expect(200);
      expect(back.body.data).toEqual([expect.objectContaining({ groupName: 'Replicaford Hill' })]);
    } finally {
      await cut.close();
      await proxy.close();
    }
  }, 60000);
});
