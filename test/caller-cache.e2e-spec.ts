import { JwtService } from '@nestjs/jwt';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { CALLER_CACHE_APPLICATION_NAME, CallerCache, USER_CHANGED_CHANNEL } from '../src/auth/caller-cache';
import { ConfigError } from '../src/config/app-config';
import { EmbeddedPostgres, IN_MEMORY } from '../src/database/embedded-postgres';
import { createUser, TEST_PASSWORD, type TestUser } from './support/auth';
import { ADMIN, type BuiltApp, startBuiltApp, waitForLog } from './support/built-app';
import { createTestApp, type TestApp } from './support/test-app';
import { serverUrl } from './support/test-database';

/**
 * The opt-in caller cache (AUTH_USER_CACHE_SECONDS > 0): a caller's app_user row is reused across
 * requests, kept exact by the app_user trigger's NOTIFY and by this instance's own evictions, and
 * not used at all while its LISTEN connection is down. Off (the default), every request reads the
 * row: test/auth.e2e-spec.ts and test/scale-out.e2e-spec.ts pin that.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => Promise<boolean> | boolean, withinMs: number): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > withinMs) throw new Error(`not within ${withinMs} ms`);
    await sleep(10);
  }
  return Date.now() - started;
}

/** Counts the JWT strategy's reads of app_user (its statement by key) made through the app's DataSource. */
function countUserReads(dataSource: DataSource): { count: number } {
  const counter = { count: 0 };
  const query = dataSource.query.bind(dataSource);
  dataSource.query = ((sql: string, ...rest: unknown[]) => {
    if (/FROM app_user WHERE id = \$1$/.test(sql)) counter.count++;
    return (query as (...args: unknown[]) => Promise<unknown>)(sql, ...rest);
  }) as DataSource['query'];
  return counter;
}

if (serverUrl()) {
  describe('caller cache on (AUTH_USER_CACHE_SECONDS=60) on PostgreSQL', () => {
    let t: TestApp;
    let cache: CallerCache;
    let reads: { count: number };
    const me = (user: TestUser) => t.http().get('/api/v1/auth/me').set('Authorization', user.bearer);
    /** Status of `me` and how many times it read app_user for the caller. */
    const meCounted = async (user: TestUser) => {
      const before = reads.count;
      const res = await me(user);
      return { status: res.status, reads: reads.count - before };
    };

    beforeAll(async () => {
      t = await createTestApp({ authUserCacheSeconds: 60 });
      cache = t.app.get(CallerCache);
      reads = countUserReads(t.dataSource);
    });
    afterAll(() => t?.close());

    it('LISTENs on a connection of its own, named in pg_stat_activity', async () => {
      expect(cache.isListening).toBe(true);
      const rows = await t.dataSource.query(`SELECT query FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`, [
        CALLER_CACHE_APPLICATION_NAME,
      ]);
      expect(rows).toEqual([{ query: `LISTEN ${USER_CHANGED_CHANNEL}` }]);
    });

    it('reads app_user for the first request of a token, not for the next ones', async () => {
      const user = await createUser(t, 'CASEWORKER');
      expect(await meCounted(user)).toEqual({ status: 200, reads: 1 });
      expect(await meCounted(user)).toEqual({ status: 200, reads: 0 });
      expect(await meCounted(user)).toEqual({ status: 200, reads: 0 });
    });

    it('refuses a user deactivated straight in SQL within 1 s (NOTIFY from the trigger)', async () => {
      const leaver = await createUser(t, 'CASEWORKER');
      expect(await meCounted(leaver)).toEqual({ status: 200, reads: 1 });
      expect(await meCounted(leaver)).toEqual({ status: 200, reads: 0 }); // cached
      // Another connection than the app's pool, as psql or another instance would be.
      const sql = new Client({ connectionString: t.config.databaseUrl });
      await sql.connect();
      try {
        await sql.query(`UPDATE app_user SET active = false WHERE id = $1`, [leaver.id]);
      } finally {
        await sql.end();
      }
      await until(async () => (await me(leaver)).status === 401, 1000);
    });

    it('refuses the old token on the very next request after a password change through the API', async () => {
      const user = await createUser(t, 'CASEWORKER');
      expect(await meCounted(user)).toEqual({ status: 200, reads: 1 });
      expect(await meCounted(user)).toEqual({ status: 200, reads: 0 }); // cached
      const changed = await t.http().post('/api/v1/auth/change-password').set('Authorization', user.bearer).send({
        currentPassword: TEST_PASSWORD,
        newPassword: 'a-brand-new-passphrase-91',
      });
      expect(changed.status).toBe(200);
      expect((await me(user)).status).toBe(401);
      const fresh = { ...user, bearer: `Bearer ${changed.body.accessToken}` };
      expect(await meCounted(fresh)).toEqual({ status: 200, reads: 0 }); // the new version, cached by the refusal's read
    });

    it('a cached row of another token version than the token is read again, not refused', async () => {
      const user = await createUser(t, 'CASEWORKER');
      expect(await meCounted(user)).toEqual({ status: 200, reads: 1 }); // cached at the token's version
      // The version moves on with the trigger off (session_replication_role = replica), as if the
      // NOTIFY were lost: the cache still holds the old version.
      const tv = await t.dataSource.transaction(async (manager) => {
        await manager.query(`SET LOCAL session_replication_role = replica`);
        await manager.query(`UPDATE app_user SET token_version = token_version + 1 WHERE id = $1`, [user.id]);
        const [row] = await manager.query(`SELECT token_version FROM app_user WHERE id = $1`, [user.id]);
        return row.token_version as number;
      });
      expect(await meCounted(user)).toEqual({ status: 200, reads: 0 }); // stale, as the TTL allows
      const next = { ...user, bearer: `Bearer ${await t.app.get(JwtService).signAsync({ sub: user.id, tv })}` };
      expect(await meCounted(next)).toEqual({ status: 200, reads: 1 }); // read again: the new version is current
      expect(await meCounted(user)).toEqual({ status: 401, reads: 1 }); // and now the old one is refused
    });

    it('while the LISTEN connection is down, reads app_user on every request (exact), then caches again once back', async () => {
      const user = await createUser(t, 'CASEWORKER');
      expect(await meCounted(user)).toEqual({ status: 200, reads: 1 });
      expect(await meCounted(user)).toEqual({ status: 200, reads: 0 });

      // Hold the reconnect back until the test lets it go.
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const seam = cache as unknown as { openListener: () => Promise<Client> };
      const open = seam.openListener.bind(cache);
      seam.openListener = async () => {
        await gate;
        return open();
      };
      try {
        const [{ killed }] = await t.dataSource.query(
          `SELECT bool_and(pg_terminate_backend(pid)) AS killed FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`,
          [CALLER_CACHE_APPLICATION_NAME],
        );
        expect(killed).toBe(true);
        await until(() => !cache.isListening, 2000);

        expect(await meCounted(user)).toEqual({ status: 200, reads: 1 });
        expect(await meCounted(user)).toEqual({ status: 200, reads: 1 });
        // No NOTIFY can arrive now; the read on each request still sees this at once.
        await t.dataSource.query(`UPDATE app_user SET active = false WHERE id = $1`, [user.id]);
        expect(await meCounted(user)).toEqual({ status: 401, reads: 1 });
        await t.dataSource.query(`UPDATE app_user SET active = true WHERE id = $1`, [user.id]);
        expect(await meCounted(user)).toEqual({ status: 200, reads: 1 });
      } finally {
        release();
      }
      await until(() => cache.isListening, 5000);
      expect(await meCounted(user)).toEqual({ status: 200, reads: 1 });
      expect(await meCounted(user)).toEqual({ status: 200, reads: 0 });
    });
  });
  describe('caller cache on, the built app', () => {
    let app: BuiltApp | undefined;
    afterEach(() => app?.cleanup());

    it('on SIGTERM closes its LISTEN connection and exits 0, as fast as with the cache off', async () => {
      app = await startBuiltApp({ env: { AUTH_USER_CACHE_SECONDS: '60' } });
      await waitForLog(app, /caller cache on: rows kept up to 60 s/);
      const res = await fetch(`${app.base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }),
      });
      const { accessToken } = (await res.json()) as { accessToken: string };
      for (let i = 0; i < 3; i++) expect((await fetch(`${app.base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${accessToken}` } })).status).toBe(200);
      const signalled = Date.now();
      app.process.kill('SIGTERM');
      const exit = await app.exited;
      expect(exit.code).toBe(0);
      expect(exit.at - signalled).toBeLessThan(5000);
      expect(app.log()).not.toMatch(/lost the LISTEN connection/);
    }, 120_000);
  });
} else {
  describe('caller cache on the embedded database', () => {
    it('is refused at start with a message naming AUTH_USER_CACHE_SECONDS', async () => {
      const started = createTestApp({ authUserCacheSeconds: 60 });
      await expect(started).rejects.toBeInstanceOf(ConfigError);
      await expect(started).rejects.toMatchObject({ variable: 'AUTH_USER_CACHE_SECONDS', message: expect.stringMatching(/needs DATABASE_URL/) });
    });

    it('(why) delivers a NOTIFY to the notifying connection, not to the one that LISTENs: its connections share one session', async () => {
      const embedded = await EmbeddedPostgres.start(IN_MEMORY, 4);
      const listener = new Client({ connectionString: embedded.url });
      const writer = new Client({ connectionString: embedded.url });
      try {
        await listener.connect();
        await writer.connect();
        const heard = { listener: 0, writer: 0 };
        listener.on('notification', () => heard.listener++);
        writer.on('notification', () => heard.writer++);
        await listener.query(`LISTEN ${USER_CHANGED_CHANNEL}`);
        await writer.query(`SELECT pg_notify('${USER_CHANGED_CHANNEL}', 'someone')`);
        await sleep(300);
        await listener.query('SELECT 1');
        expect(heard).toEqual({ listener: 0, writer: 1 });
      } finally {
        await listener.end();
        await writer.end();
        await embedded.stop();
      }
    });
  });
}
