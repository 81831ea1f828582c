import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Client } from 'pg';
import { todayInLondon } from '../src/common/dates/calendar-date';
import { upnCheckLetter } from '../src/pupils/upn';
import { ADMIN, type BuiltApp, startBuiltApp } from './support/built-app';
import { seedContendedPool } from './support/contended-pool';
import { createIsolatedDatabase, type IsolatedDatabase } from './support/test-database';

/**
 * Crash safety of the BUILT app (issue 10, point 3): the process is SIGKILLed (no shutdown hook
 * runs) in the middle of a pupils import and in the middle of a stream of pool allocations, then
 * restarted on the same database. Every import must be wholly present or wholly absent, and the
 * pool ledger must equal the sum of its holding allocation rows, with every allocation's decision
 * and deadline. On PostgreSQL the test reads the database over its own connection; on the embedded
 * database (PGlite in a DATA_DIR, one process at a time) it stops the app with SIGTERM and opens
 * the same DATA_DIR itself, which also shows that PGlite's on-disk files survive a SIGKILL.
 */

type Sql = (text: string, params?: unknown[]) => Promise<any[]>;
const embedded = !(process.env.TEST_DATABASE_URL || process.env.DATABASE_URL);
const DB = embedded ? 'embedded (PGlite, DATA_DIR)' : 'PostgreSQL';
const today = todayInLondon();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The database as the test sees it: one place for both kinds, and for PGlite only while the app is stopped. */
class Database {
  private database?: IsolatedDatabase;
  readonly dataDir = mkdtempSync(join(tmpdir(), 'sen-crash-'));
  private client?: Client;
  app?: BuiltApp;

  async init(): Promise<void> {
    if (!embedded) {
      this.database = await createIsolatedDatabase();
      this.client = new Client({ connectionString: this.database.url });
      await this.client.connect();
    }
  }

  async start(env: Record<string, string> = {}): Promise<BuiltApp> {
    this.app = await startBuiltApp({
      databaseUrl: this.database?.url,
      env: { DATA_DIR: this.dataDir, IMPORT_MAX_BYTES: String(64 * 1024 * 1024), ...(embedded ? {} : { DATABASE_POOL_SIZE: '10' }), DATABASE_TIMEOUT_MS: '60000', LOGIN_RATE_LIMIT_PER_MINUTE: '1000', LOG_LEVEL: 'warn', ...env },
    });
    return this.app;
  }

  async kill(): Promise<void> {
    const app = this.app!;
    app.process.kill('SIGKILL');
    const exit = await app.exited;
    expect(exit.signal).toBe('SIGKILL');
    await app.cleanup();
    this.app = undefined;
  }

  async stop(): Promise<void> {
    if (!this.app) return;
    this.app.process.kill('SIGTERM');
    await this.app.exited;
    await this.app.cleanup();
    this.app = undefined;
  }

  /** Runs SQL: over the test's own connection on PostgreSQL; on PGlite the app is stopped first (it is restarted by the caller). */
  async sql<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    if (this.client) return work(async (text, params) => (await this.client!.query(text, params as unknown[])).rows);
    await this.stop();
    const db = await PGlite.create({ dataDir: this.dataDir });
    try {
      return await work(async (text, params) => (await db.query(text, params as unknown[])).rows as any[]);
    } finally {
      await db.close();
    }
  }

  /** Is the import's write running now (PostgreSQL only: pg_stat_activity)? */
  async importWriting(): Promise<boolean> {
    if (!this.client) return false;
    const rows = await this.client.query(
      `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%INSERT INTO pupil (upn%' AND state = 'active'`,
    );
    return rows.rowCount! > 0;
  }

  async close(): Promise<void> {
    if (this.app) {
      this.app.process.kill('SIGKILL');
      await this.app.exited;
      await this.app.cleanup();
    }
    await this.client?.end();
    await this.database?.drop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

async function api(app: BuiltApp, method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${app.base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function signIn(app: BuiltApp, email: string): Promise<string> {
  const res = await api(app, 'POST', '/api/v1/auth/login', undefined, { email, password: ADMIN.password });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.accessToken;
}

/** A pupils CSV of `rows` valid rows whose UPNs are unique to `attempt`. */
function pupilsCsv(attempt: number, rows: number, urn: string): Buffer {
  const academicYear = Number(today.slice(5, 7)) >= 9 ? Number(today.slice(0, 4)) : Number(today.slice(0, 4)) - 1;
  const lines = ['upn,firstName,lastName,dateOfBirth,yearGroup,schoolUrn,senStatus,primaryNeed,secondaryNeed'];
  for (let i = 0; i < rows; i += 1) {
    const body = `886${String(2000 + attempt * 100 + Math.floor(i / 1000)).padStart(4, '0')}25${String(i % 1000).padStart(3, '0')}`;
    lines.push(`${upnCheckLetter(body)}${body},Crash${attempt},Row${i},${academicYear - 9}-01-15,,${urn},K,SPLD,`);
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

/**
 * Streams the CSV in 64 KiB chunks, `pauseMs` apart; `onSent(bytes)` is told after each chunk.
 * Resolves with the status, or with 0 when the connection died (the process was killed).
 */
function streamImport(app: BuiltApp, token: string, csv: Buffer, pauseMs: number, onSent: (bytes: number) => void): Promise<number> {
  return new Promise((done) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: app.port, method: 'POST', path: '/api/v1/imports/pupils', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', 'content-length': csv.length } },
      (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode ?? 0));
        res.on('error', () => done(0));
      },
    );
    req.on('error', () => done(0));
    void (async () => {
      for (let at = 0; at < csv.length; at += 64 * 1024) {
        if (req.destroyed) return;
        req.write(csv.subarray(at, at + 64 * 1024));
        onSent(Math.min(csv.length, at + 64 * 1024));
        await sleep(pauseMs);
      }
      req.end();
    })();
  });
}

async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await sleep(10);
  }
  return false;
}

const HOLDING = `('OFFERED', 'ACCEPTED', 'IN_DELIVERY', 'COMPLETED')`;

describe(`crash safety of the built app under SIGKILL (${DB})`, () => {
  const db = new Database();
  let urn: string;

  beforeAll(async () => {
    await db.init();
    await db.start(); // migrates and creates the ADMIN
    await db.sql(async (sql) => {
      const [locality] = await sql(`INSERT INTO locality (code, name, area, district) VALUES ('CR-DAR', 'Crash', 'North', 'Dartford') RETURNING id`);
      await sql(`INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ('139901', 'Crash Primary', 'PRIMARY', 'MAINSTREAM', $1)`, [locality.id]);
    });
    urn = '139901';
  }, 180_000);

  afterAll(async () => {
    await db.close();
  }, 60_000);

  it('a pupils import killed at any point is wholly present or wholly absent after restart', async () => {
    // Fewer rows on the embedded database: it imports far slower, and the point is the kill, not the volume.
    const ROWS = embedded ? 5_000 : 30_000;
    const points = ['mid-upload (half the bytes sent)', 'upload complete (staging/validating)', embedded ? '1.5 s after the upload (no pg_stat_activity to watch)' : 'during the write (INSERT INTO pupil running)', 'just after the 200 answer'] as const;
    const figures: string[] = [];
    let expected = 0;
    for (let attempt = 0; attempt < points.length; attempt += 1) {
      const point = points[attempt];
      const app = db.app ?? (await db.start());
      const token = await signIn(app, ADMIN.email);
      const csv = pupilsCsv(attempt, ROWS, urn);
      let sent = 0;
      const status = streamImport(app, token, csv, attempt === 0 ? 20 : 1, (bytes) => (sent = bytes));
      let answered: number | undefined;
      void status.then((s) => (answered = s));
      if (attempt === 0) await waitFor(() => sent >= csv.length / 2, 30_000);
      else if (attempt === 1) await waitFor(() => sent >= csv.length, 30_000);
      else if (attempt === 2) {
        await waitFor(() => sent >= csv.length, 30_000);
        if (embedded) await sleep(1500); // no pg_stat_activity to watch: a point inside the work
        else expect(await waitFor(() => answered !== undefined || db.importWriting(), 60_000)).toBe(true);
      } else expect(await waitFor(() => answered !== undefined, 120_000)).toBe(true);
      const answeredBeforeKill = answered;
      await db.kill();
      await status;

      const restarted = await db.start();
      expect((await fetch(`${restarted.base}/health/ready`)).status).toBe(200);
      const state = await db.sql(async (sql) => {
        const [row] = await sql(
          `SELECT (SELECT count(*)::int FROM pupil) AS pupils,
                  (SELECT count(*)::int FROM pupil WHERE last_name = 'Row0' AND first_name = $1) AS this_import,
                  (SELECT count(*)::int FROM pupil_history h WHERE NOT EXISTS (SELECT 1 FROM pupil p WHERE p.id = h.pupil_id)) AS orphan_history,
                  (SELECT count(*)::int FROM audit_event a WHERE a.action = 'pupil.create' AND NOT EXISTS (SELECT 1 FROM pupil p WHERE p.id = a.entity_id)) AS orphan_audit,
                  (SELECT count(*)::int FROM pupil p WHERE NOT EXISTS (SELECT 1 FROM audit_event a WHERE a.action = 'pupil.create' AND a.entity_id = p.id)) AS pupils_without_audit,
                  (SELECT count(*)::int FROM pupil p WHERE NOT EXISTS (SELECT 1 FROM pupil_history h WHERE h.pupil_id = p.id)) AS pupils_without_history,
                  (SELECT count(*)::int FROM audit_event WHERE action = 'import.pupils') AS import_audits`,
          [`Crash${attempt}`],
        );
        return row;
      });
      const present = state.pupils === expected + ROWS;
      // Never partial: either none of this file's rows or all of them, and their history and audit with them.
      expect([expected, expected + ROWS]).toContain(state.pupils);
      expect(state.this_import).toBe(present ? 1 : 0);
      expect(state).toMatchObject({ orphan_history: 0, orphan_audit: 0, pupils_without_audit: 0, pupils_without_history: 0 });
      if (answeredBeforeKill === 200) expect(present).toBe(true); // an answered import is durable
      if (attempt <= 1) expect(present).toBe(false); // the file was not even fully read
      if (present) expected += ROWS;
      expect(state.import_audits).toBe(expected / ROWS);
      figures.push(`kill ${attempt + 1} ${point}: ${(sent / 1024).toFixed(0)} KiB of ${(csv.length / 1024).toFixed(0)} KiB sent, answer before kill ${answeredBeforeKill ?? 'none'} -> ${present ? 'WHOLLY PRESENT' : 'WHOLLY ABSENT'} (pupils ${state.pupils})`);
    }
    const app = db.app ?? (await db.start());
    expect((await fetch(`${app.base}/health/ready`)).status).toBe(200);
    // eslint-disable-next-line no-console
    console.log(`crash safety, imports (${DB}), ${ROWS} rows per file:\n  ${figures.join('\n  ')}\n  after restart: ready 200, no orphan history/audit rows`);
  }, 600_000);

  it('a stream of approvals killed mid-way leaves the pool ledger equal to its allocation rows', async () => {
    const REQUESTS = 60;
    const UNITS = 5;
    const CAPACITY = 150; // room for 30 approvals
    const { poolId, organisationId, requestIds } = await db.sql(async (sql) => {
      const [locality] = await sql(`SELECT id FROM locality WHERE code = 'CR-DAR'`);
      const [school] = await sql(`SELECT id FROM school WHERE urn = $1`, [urn]);
      // A PANEL member who signs in with the ADMIN's password (the same hash).
      await sql(
        `INSERT INTO app_user (email, name, role, locality_id, password_hash) SELECT 'panel-crash@example.org', 'Crash Panel', 'PANEL', $1, password_hash FROM app_user WHERE email = $2`,
        [locality.id, ADMIN.email],
      );
      return seedContendedPool(sql, today, {
        requests: REQUESTS,
        units: UNITS,
        capacity: CAPACITY,
        place: { localityId: locality.id, schoolId: school.id },
        serviceCode: 'CR-STLS',
        organisationName: 'Crash STLS',
        upnPrefix: '886890127',
        label: 'Stream',
      });
    });

    const check = (sql: Sql) =>
      sql(
        `SELECT p.capacity_units::float8 AS capacity, p.allocated_units::float8 AS allocated,
                (SELECT coalesce(sum(a.units), 0)::float8 FROM allocation a WHERE a.pool_id = p.id AND a.status IN ${HOLDING}) AS held,
                (SELECT count(*)::int FROM allocation a WHERE a.pool_id = p.id) AS allocations,
                (SELECT count(*)::int FROM allocation a WHERE a.pool_id = p.id
                   AND NOT EXISTS (SELECT 1 FROM support_request_decision d WHERE d.request_id = a.request_id)) AS without_decision,
                (SELECT count(*)::int FROM allocation a WHERE a.pool_id = p.id
                   AND NOT EXISTS (SELECT 1 FROM deadline d WHERE d.kind = 'ALLOCATION_ACCEPTANCE' AND d.subject_id = a.id)) AS without_deadline,
                (SELECT count(*)::int FROM support_request r WHERE r.service_code = 'CR-STLS'
                   AND EXISTS (SELECT 1 FROM allocation a WHERE a.request_id = r.id) AND r.status NOT IN ('APPROVED', 'PARTIALLY_APPROVED')) AS allocated_not_approved,
                (SELECT count(*)::int FROM support_request r WHERE r.service_code = 'CR-STLS'
                   AND NOT EXISTS (SELECT 1 FROM allocation a WHERE a.request_id = r.id) AND r.status <> 'SUBMITTED') AS unallocated_not_submitted,
                (SELECT count(*)::int FROM support_request r WHERE r.service_code = 'CR-STLS' AND r.status = 'SUBMITTED'
                   AND NOT EXISTS (SELECT 1 FROM deadline d WHERE d.kind = 'REQUEST_DECISION' AND d.subject_id = r.id AND d.met_on IS NULL AND d.cancelled_on IS NULL)) AS submitted_without_open_deadline,
                (SELECT count(*)::int FROM support_request_decision d JOIN support_request r ON r.id = d.request_id WHERE r.service_code = 'CR-STLS'
                   AND NOT EXISTS (SELECT 1 FROM allocation a WHERE a.request_id = r.id)) AS decisions_without_allocation
           FROM resource_pool p WHERE p.id = $1`,
        [poolId],
      ).then((rows) => rows[0]);
    const consistent = (state: any) => {
      expect(state.allocated).toBe(state.held);
      expect(state.allocated).toBeLessThanOrEqual(state.capacity);
      expect(state.allocations * UNITS).toBe(state.held);
      expect(state).toMatchObject({
        without_decision: 0,
        without_deadline: 0,
        allocated_not_approved: 0,
        unallocated_not_submitted: 0,
        submitted_without_open_deadline: 0,
        decisions_without_allocation: 0,
      });
    };

    const approve = (app: BuiltApp, token: string, id: string) =>
      api(app, 'POST', `/api/v1/support-requests/${id}/decision`, token, {
        outcome: 'APPROVED',
        decidedOn: today,
        unitsApproved: UNITS,
        poolId,
        organisationId,
        reason: 'Stream approval',
      }).catch(() => ({ status: 0, body: undefined }));

    let app = db.app ?? (await db.start());
    let token = await signIn(app, 'panel-crash@example.org');
    // 40 in flight at a time; the kill lands once 8 have been answered.
    const answers: number[] = [];
    let next = 0;
    const worker = async (target: BuiltApp) => {
      while (next < requestIds.length) {
        const id = requestIds[next++];
        answers.push((await approve(target, token, id)).status);
      }
    };
    const stream = Promise.all(Array.from({ length: 40 }, () => worker(app)));
    expect(await waitFor(() => answers.length >= 8, 120_000)).toBe(true);
    const okBeforeKill = answers.filter((s) => s === 200).length;
    const sentBeforeKill = next;
    await db.kill();
    await stream;
    const okTotal = answers.filter((s) => s === 200).length;

    app = await db.start();
    expect((await fetch(`${app.base}/health/ready`)).status).toBe(200);
    const afterKill = await db.sql(check);
    consistent(afterKill);
    // Every approval the client saw answered 200 survived the kill.
    expect(afterKill.allocations).toBeGreaterThanOrEqual(okTotal);

    // Carry on after the restart until the pool is exhausted.
    app = db.app ?? (await db.start());
    token = await signIn(app, 'panel-crash@example.org');
    const pending = await db.sql((sql) => sql(`SELECT id FROM support_request WHERE service_code = 'CR-STLS' AND status = 'SUBMITTED' ORDER BY id`));
    app = db.app ?? (await db.start());
    const after: number[] = [];
    for (const { id } of pending) after.push((await approve(app, token, id)).status);
    const final = await db.sql(check);
    consistent(final);
    expect(final.allocated).toBe(CAPACITY);
    expect(after.filter((s) => s === 200).length).toBe(CAPACITY / UNITS - afterKill.allocations);
    expect(after.filter((s) => s !== 200).every((s) => s === 409)).toBe(true);
    if (!db.app) await db.start();
    // eslint-disable-next-line no-console
    console.log(
      `crash safety, allocations (${DB}): ${REQUESTS} approvals of ${UNITS} against ${CAPACITY}, 40 in flight; ` +
        `SIGKILL after ${sentBeforeKill} sent / ${answers.length} answered (${okBeforeKill} ok at the kill, ${okTotal} ok in all); ` +
        `after restart: ${afterKill.allocations} allocations, pool ${afterKill.allocated} = rows ${afterKill.held}; ` +
        `then ${after.filter((s) => s === 200).length} more approved and ${after.filter((s) => s === 409).length} refused 409: pool ${final.allocated}/${final.capacity} = rows ${final.held}, every allocation with decision and deadline`,
    );
  }, 600_000);
});
