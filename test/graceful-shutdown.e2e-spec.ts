import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HEAP_GROWING_PERCENT } from '../src/common/heap/heap-growth';
import { upnCheckLetter } from '../src/pupils/upn';
import { ADMIN, type BuiltApp, startBuiltApp, waitForLog } from './support/built-app';
import { createIsolatedDatabase } from './support/test-database';

/**
 * Graceful shutdown of the BUILT app (issue 10, point 4): on SIGTERM it stops taking connections,
 * finishes the request in flight, closes the database pool and exits 0; a request that never
 * finishes cannot hold it beyond SHUTDOWN_TIMEOUT_MS (exit 1). The request in flight is a sign-in
 * whose body the client sends in two halves, the second only after SIGTERM: it is provably in the
 * server's hands when the signal lands, with no test-only code in the app.
 */

interface RawResponse {
  status: number;
  headers: string;
  body: string;
}

/** Sends the request line, headers and the first part of a JSON body; `finish` sends the rest. */
function slowRequest(app: BuiltApp, path: string, body: string) {
  const socket: Socket = connect(app.port, '127.0.0.1');
  let data = '';
  socket.on('data', (chunk) => (data += chunk.toString()));
  const opened = new Promise<void>((done, fail) => {
    socket.once('connect', () => done());
    socket.once('error', fail);
  });
  const closed = new Promise<RawResponse>((done) =>
    socket.once('close', () => {
      const [head, ...rest] = data.split('\r\n\r\n');
      done({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head, body: rest.join('\r\n\r\n') });
    }),
  );
  return {
    async start(): Promise<void> {
      await opened;
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
          body.slice(0, 10),
      );
    },
    finish(): void {
      socket.write(body.slice(10));
    },
    /** Resolves when the server closes the connection (it must: keep-alive would hold shutdown open). */
    closed,
  };
}

/** A fresh TCP connection (no pooled keep-alive socket) is refused; polls up to 2 s for the listener to close. */
async function connectionRefused(app: BuiltApp): Promise<boolean> {
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline) {
    const refused = await new Promise<boolean>((done) => {
      const socket = connect(app.port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        done(false);
      });
      socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED'));
    });
    if (refused) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

describe('graceful shutdown of the built app (node dist/src/main.js)', () => {
  let app: BuiltApp | undefined;

  afterEach(async () => {
    await app?.cleanup();
    app = undefined;
  });

  it('on SIGTERM: finishes the request in flight, refuses new connections, closes the pool and exits 0', async () => {
    app = await startBuiltApp({ env: { SHUTDOWN_TIMEOUT_MS: '10000' } });
    const login = slowRequest(app, '/api/v1/auth/login', JSON.stringify({ email: ADMIN.email, password: ADMIN.password }));
    await login.start();
    await new Promise((r) => setTimeout(r, 200));

    const signalled = Date.now();
    app.process.kill('SIGTERM');
    await waitForLog(app, /SIGTERM received/);
    // The listener is closed: a new connection is refused while the old request is still open.
    expect(await connectionRefused(app)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    login.finish();

    const response = await login.closed;
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body).accessToken).toEqual(expect.any(String));
    expect(response.headers).toMatch(/^connection: close$/im);

    const exit = await app.exited;
    const shutdownMs = exit.at - signalled;
    // eslint-disable-next-line no-console
    console.log(`graceful shutdown: exit ${exit.code} ${shutdownMs} ms after SIGTERM, in-flight sign-in answered ${response.status}`);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(shutdownMs).toBeLessThan(10_000);
    const log = app.log();
    expect(log).toMatch(/"path":"\/api\/v1\/auth\/login","statusCode":200/);
    expect(log).toMatch(/database pool closed/);
    // The pool closed after the in-flight request was answered, never under it.
    expect(log.indexOf('database pool closed')).toBeGreaterThan(log.indexOf('"path":"/api/v1/auth/login"'));
    expect(log).not.toMatch(/"level":50/);
    // main() limited V8's heap growth before anything else (src/common/heap/heap-growth.ts).
    expect(log).toMatch(new RegExp(`heap growth between full collections ${HEAP_GROWING_PERCENT}%`));
  }, 180_000);

  it('a request that never finishes cannot hold the process beyond SHUTDOWN_TIMEOUT_MS (exit 1)', async () => {
    app = await startBuiltApp({ env: { SHUTDOWN_TIMEOUT_MS: '1500' } });
    const stuck = slowRequest(app, '/api/v1/auth/login', JSON.stringify({ email: ADMIN.email, password: ADMIN.password }));
    await stuck.start();
    await new Promise((r) => setTimeout(r, 200));

    const signalled = Date.now();
    app.process.kill('SIGTERM');
    const exit = await app.exited;
    const shutdownMs = exit.at - signalled;
    // eslint-disable-next-line no-console
    console.log(`bounded shutdown: exit ${exit.code} ${shutdownMs} ms after SIGTERM with a request that never finished`);
    expect(exit.code).toBe(1);
    expect(shutdownMs).toBeGreaterThanOrEqual(1400);
    expect(shutdownMs).toBeLessThan(5000);
    expect(app.log()).toMatch(/shutdown took longer than 1500 ms/);
  }, 180_000);

  it('on SIGTERM: every buffered access row of a read is written before the pool closes (none lost)', async () => {
    // The same database across two starts: a PostgreSQL database of the test's own, or one DATA_DIR.
    const database = await createIsolatedDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'sen-access-'));
    const start = (env: Record<string, string> = {}) => startBuiltApp({ databaseUrl: database.url, env: { DATA_DIR: dataDir, LOGIN_RATE_LIMIT_PER_MINUTE: '1000', ...env } });
    try {
      // Rows wait a minute before a timed write: the 120 reads below are all still buffered at SIGTERM.
      app = await start({ ACCESS_LOG_FLUSH_MS: '60000' });
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const call = async (token: string | null, method: string, path: string, body?: object): Promise<any> => {
        const res = await fetch(`${app!.base}/api/v1${path}`, {
          method,
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: body ? JSON.stringify(body) : undefined,
        });
        const json = await res.json();
        if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
        return json;
      };
      const login = async (email: string, password: string) => (await call(null, 'POST', '/auth/login', { email, password })).accessToken as string;
      const admin = await login(ADMIN.email, ADMIN.password);
      const locality = await call(admin, 'POST', '/localities', { code: 'SHUT-1', name: 'Shutdown Schools', area: 'East', district: 'Canterbury' });
      const school = await call(admin, 'POST', '/schools', { urn: '990001', name: 'Shutdown Primary', phase: 'PRIMARY', kind: 'MAINSTREAM', localityId: locality.id });
      const senco = { email: 'senco.shutdown@example.org', password: 'quiet-harbour-lantern-88' };
      await call(admin, 'POST', '/users', { ...senco, name: 'Shutdown SENCO', role: 'SENCO', schoolId: school.id });
      const token = await login(senco.email, senco.password);
      const body = '886200100001';
      const pupil = await call(token, 'POST', '/pupils', {
        upn: `${upnCheckLetter(body)}${body}`,
        firstName: 'Ada',
        lastName: 'Shutdown',
        dateOfBirth: '2018-01-15',
        schoolId: school.id,
        senStatus: 'K',
        primaryNeed: 'SLCN',
      });

      // 120 reads (fewer than a batch of 200): none is written before SIGTERM.
      const READS = 120;
      for (let i = 0; i < READS; i += 20) await Promise.all(Array.from({ length: 20 }, () => call(token, 'GET', `/pupils/${pupil.id}`)));
      app.process.kill('SIGTERM');
      expect(await app.exited).toMatchObject({ code: 0 });
      const log = app.log();
      expect(log).toMatch(new RegExp(`${READS} buffered access rows written before the pool closed`));
      expect(log.indexOf('buffered access rows written')).toBeLessThan(log.indexOf('database pool closed'));
      await app.cleanup();

      app = await start();
      const again = await login(ADMIN.email, ADMIN.password);
      const trail = await call(again, 'GET', `/pupils/${pupil.id}/access-log?limit=200`);
      expect(trail.data.filter((row: { action: string }) => row.action === 'pupil.read')).toHaveLength(READS);
    } finally {
      await app?.cleanup();
      app = undefined;
      rmSync(dataDir, { recursive: true, force: true });
      await database.drop();
    }
  }, 240_000);
});
