import { createHmac } from 'node:crypto';
import { AdminBootstrap } from '../src/auth/admin-bootstrap';
import { JWT_AUDIENCE, JWT_ISSUER } from '../src/auth/jwt-secret';
import { createUser, login, TEST_PASSWORD, TestUser } from './support/auth';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Sign-in, tokens and passwords (issue 3, API.md "Auth and users"): lockout, the shared per-IP
 * rate limit, one answer for every failed sign-in, token tampering, and the first administrator.
 */

interface Res {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown> & { errors?: { field: string; message: string }[] };
}

function expectProblem(res: Res, status: number, type: string): void {
  expect({ status: res.status, type: res.body?.type }).toEqual({ status, type: `/problems/${type}` });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String), instance: expect.any(String) });
}

const fieldsOf = (res: Res): string[] => [...new Set((res.body.errors ?? []).map((e) => e.field))].sort();

// A JWT built by hand, so the tests control every part of it (header, claims, signature).
const b64url = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function handMadeJwt(
  claims: Record<string, unknown>,
  options: { secret: string; alg?: 'HS256' | 'HS512' | 'none'; header?: Record<string, unknown> },
): string {
  const alg = options.alg ?? 'HS256';
  const head = `${b64url(options.header ?? { alg, typ: 'JWT' })}.${b64url(claims)}`;
  if (alg === 'none') return `${head}.`;
  const signature = createHmac(alg === 'HS512' ? 'sha512' : 'sha256', options.secret).update(head).digest('base64url');
  return `${head}.${signature}`;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('auth', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const loginAs = (email: unknown, password: unknown) => t.http().post('/api/v1/auth/login').send({ email, password });
  const userRow = async (id: string) =>
    (await t.dataSource.query(`SELECT failed_logins, locked_until, active, token_version, must_change_password FROM app_user WHERE id = $1`, [id]))[0];
  const auditRows = async (where: string, params: unknown[]) =>
    t.dataSource.query(`SELECT action, outcome, entity_type, entity_id, actor_id, actor_email, changed_fields, ip, request_id FROM audit_event WHERE ${where} ORDER BY at, id`, params);

  describe('login', () => {
    it('returns {accessToken, expiresIn: 900, user} without the password hash; /auth/me answers with that user', async () => {
      const user = await createUser(t, 'CASEWORKER');
      const res = await loginAs(user.email, TEST_PASSWORD);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ accessToken: expect.any(String), expiresIn: 900, user: expect.any(Object) });
      expect(res.body.accessToken.split('.')).toHaveLength(3);
      expect(res.body.user).toMatchObject({ id: user.id, email: user.email, role: 'CASEWORKER', active: true, mustChangePassword: false, lockedUntil: null });
      const text = JSON.stringify(res.body);
      expect(text).not.toMatch(/passwordHash|password_hash|\$argon2|tokenVersion|failedLogins/);

      const me = await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${res.body.accessToken}`);
      expect(me.status).toBe(200);
      expect(me.body).toEqual(res.body.user);
      expect(JSON.stringify(me.body)).not.toMatch(/passwordHash|\$argon2/);

      // The token says who and which token version, and that it is ours; it expires in 15 minutes.
      const claims = JSON.parse(Buffer.from(res.body.accessToken.split('.')[1], 'base64url').toString());
      expect(claims).toMatchObject({ sub: user.id, tv: 1, iss: JWT_ISSUER, aud: JWT_AUDIENCE });
      expect(claims.exp - claims.iat).toBe(900);
      expect(JSON.parse(Buffer.from(res.body.accessToken.split('.')[0], 'base64url').toString()).alg).toBe('HS256');
    });

    it('treats the email case-insensitively', async () => {
      const user = await createUser(t, 'ADMIN');
      const res = await loginAs(user.email.toUpperCase(), TEST_PASSWORD);
      expect(res.status).toBe(200);
      expect(res.body.user.email).toBe(user.email);
    });

    it('audits a successful sign-in with the address it came from', async () => {
      const user = await createUser(t, 'CASEWORKER');
      await login(t, user.email, TEST_PASSWORD);
      const rows = await auditRows(`entity_id = $1`, [user.id]);
      expect(rows).toEqual([expect.objectContaining({ action: 'auth.login', outcome: 'SUCCESS', entity_type: 'auth', actor_id: user.id })]);
      expect(rows[0].ip).toEqual(expect.any(String));
      expect(rows[0].request_id).toEqual(expect.any(String));
    });

    it('answers a wrong password, an unknown email, a deactivated and a locked account with the same 401', async () => {
      const wrong = await createUser(t, 'CASEWORKER');
      const deactivated = await createUser(t, 'CASEWORKER');
      const locked = await createUser(t, 'CASEWORKER');
      await t.dataSource.query(`UPDATE app_user SET active = false WHERE id = $1`, [deactivated.id]);
      await t.dataSource.query(`UPDATE app_user SET locked_until = now() + interval '10 minutes' WHERE id = $1`, [locked.id]);
      const unknownEmail = 'nobody-here@example.org';

      const answers = [
        await loginAs(wrong.email, 'not-the-password-123'),
        await loginAs(unknownEmail, TEST_PASSWORD),
        await loginAs(deactivated.email, TEST_PASSWORD),
        await loginAs(locked.email, TEST_PASSWORD),
      ];
      for (const res of answers) expectProblem(res, 401, 'unauthenticated');
      // Same text and the same members: nothing tells whether the email exists or why it failed.
      expect(new Set(answers.map((r) => r.body.detail)).size).toBe(1);
      expect(new Set(answers.map((r) => Object.keys(r.body).sort().join(','))).size).toBe(1);
      expect(answers[0].body.errors).toBeUndefined();
      expect(String(answers[0].body.detail)).not.toMatch(/locked|deactivated|unknown|not found|does not exist/i);

      // Each failure is on the trail; the unknown address is kept so an attack on it can be seen.
      expect(await auditRows(`action = 'auth.login' AND outcome = 'FAILURE' AND actor_email = $1`, [unknownEmail])).toEqual([
        expect.objectContaining({ entity_type: 'auth', entity_id: null, actor_id: null }),
      ]);
      for (const user of [wrong, deactivated, locked]) {
        expect(await auditRows(`entity_id = $1`, [user.id])).toEqual([expect.objectContaining({ action: 'auth.login', outcome: 'FAILURE' })]);
      }
      // A failure on a deactivated or locked account does not count towards (or extend) a lockout.
      expect((await userRow(wrong.id)).failed_logins).toBe(1);
      expect((await userRow(deactivated.id)).failed_logins).toBe(0);
    });

    it('audits a failed sign-in with the address and request id it came from, whether the email is known or not', async () => {
      const known = await createUser(t, 'CASEWORKER');
      const unknownEmail = 'no-such-user@example.org';
      const attempt = (email: string, requestId: string) =>
        t.http().post('/api/v1/auth/login').set('X-Request-Id', requestId).send({ email, password: 'not-the-password-123' });
      expectProblem(await attempt(known.email, 'known-email-attempt-1'), 401, 'unauthenticated');
      expectProblem(await attempt(unknownEmail, 'unknown-email-attempt-1'), 401, 'unauthenticated');
      const [knownRow] = await auditRows(`action = 'auth.login' AND entity_id = $1`, [known.id]);
      const [unknownRow] = await auditRows(`action = 'auth.login' AND actor_email = $1`, [unknownEmail]);
      expect(knownRow).toMatchObject({ outcome: 'FAILURE', request_id: 'known-email-attempt-1', ip: expect.any(String) });
      expect(unknownRow).toMatchObject({ outcome: 'FAILURE', actor_id: null, entity_id: null, request_id: 'unknown-email-attempt-1', ip: knownRow.ip });
    });

    it('locks the account after 5 failures for 15 minutes, even against the right password, then lets it in again', async () => {
      const user = await createUser(t, 'CASEWORKER');
      for (let i = 1; i <= 4; i += 1) {
        expectProblem(await loginAs(user.email, `wrong-password-${i}-abc`), 401, 'unauthenticated');
        expect((await userRow(user.id)).failed_logins).toBe(i);
      }
      const fifth = await loginAs(user.email, 'wrong-password-5-abc');
      expectProblem(fifth, 401, 'unauthenticated');

      const [{ seconds }] = await t.dataSource.query(
        `SELECT extract(epoch FROM locked_until - now())::float AS seconds FROM app_user WHERE id = $1`,
        [user.id],
      );
      expect(seconds).toBeGreaterThan(14 * 60);
      expect(seconds).toBeLessThanOrEqual(15 * 60 + 5);

      const sixth = await loginAs(user.email, TEST_PASSWORD);
      expectProblem(sixth, 401, 'unauthenticated');
      expect(sixth.body.detail).toBe(fifth.body.detail);
      // Attempts while locked do not push the lock further out.
      const [{ seconds: after }] = await t.dataSource.query(
        `SELECT extract(epoch FROM locked_until - now())::float AS seconds FROM app_user WHERE id = $1`,
        [user.id],
      );
      expect(after).toBeLessThanOrEqual(seconds);

      // The user can see that the account is locked (their token still identifies them).
      const me = await t.http().get('/api/v1/auth/me').set('Authorization', user.bearer).expect(200);
      expect(me.body.lockedUntil).toEqual(expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/));

      await t.dataSource.query(`UPDATE app_user SET locked_until = now() - interval '1 second' WHERE id = $1`, [user.id]);
      const ok = await loginAs(user.email, TEST_PASSWORD);
      expect(ok.status).toBe(200);
      expect(ok.body.user.lockedUntil).toBeNull();
      expect((await userRow(user.id)).failed_logins).toBe(0);

      const rows = await auditRows(`entity_id = $1`, [user.id]);
      const summary = rows.map((r: { action: string; outcome: string }) => `${r.action}:${r.outcome}`);
      expect(summary.filter((s: string) => s === 'auth.login:FAILURE')).toHaveLength(6);
      expect(summary.filter((s: string) => s.startsWith('auth.lockout'))).toHaveLength(1);
      expect(summary[summary.length - 1]).toBe('auth.login:SUCCESS');
    });

    it('resets the failure count on a successful sign-in', async () => {
      const user = await createUser(t, 'CASEWORKER');
      for (let i = 0; i < 3; i += 1) await loginAs(user.email, 'still-wrong-password');
      expect((await userRow(user.id)).failed_logins).toBe(3);
      await login(t, user.email, TEST_PASSWORD);
      expect((await userRow(user.id)).failed_logins).toBe(0);
      for (let i = 0; i < 4; i += 1) await loginAs(user.email, 'still-wrong-password');
      expect(await login(t, user.email, TEST_PASSWORD)).toEqual(expect.any(String));
    });

    it('counts concurrent wrong passwords exactly (no lost updates) and locks', async () => {
      const user = await createUser(t, 'CASEWORKER');
      const answers = await Promise.all(Array.from({ length: 7 }, (_, i) => loginAs(user.email, `parallel-wrong-${i}-pass`)));
      expect(answers.map((r) => r.status)).toEqual(Array(7).fill(401));
      const row = await userRow(user.id);
      expect(row.locked_until).not.toBeNull();
      expectProblem(await loginAs(user.email, TEST_PASSWORD), 401, 'unauthenticated');
      const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_event WHERE entity_id = $1 AND action = 'auth.lockout'`, [user.id]);
      expect(n).toBe(1);
    });
  });

  describe('malformed login bodies', () => {
    it.each<[string, unknown, string[]]>([
      ['an empty object', {}, ['email', 'password']],
      ['a number for the email', { email: 5, password: 'whatever-it-is' }, ['email']],
      ['an email that is not one', { email: 'x', password: 'whatever-it-is' }, ['email']],
      ['a missing password', { email: 'someone@example.org' }, ['password']],
      ['an object for the password', { email: 'someone@example.org', password: { $ne: '' } }, ['password']],
      ['an unknown field', { email: 'someone@example.org', password: 'whatever-it-is', role: 'ADMIN' }, ['role']],
    ])('answers %s with 400 naming the fields', async (_, body, fields) => {
      const res = await t.http().post('/api/v1/auth/login').send(body as object);
      expectProblem(res, 400, 'validation');
      expect(fieldsOf(res)).toEqual(fields);
    });

    it('answers a body that is not JSON with 400 on body', async () => {
      const res = await t.http().post('/api/v1/auth/login').set('content-type', 'application/json').send('{"email": "a@b.org", ');
      expectProblem(res, 400, 'validation');
      expect(fieldsOf(res)).toEqual(['body']);
    });

    it('answers an array body with 400, not 500', async () => {
      const res = await t.http().post('/api/v1/auth/login').send([{ email: 'someone@example.org', password: 'whatever-it-is' }]);
      expectProblem(res, 400, 'validation');
      expect(res.body.errors?.length).toBeGreaterThan(0);
    });

    it.each<[string, string]>([
      ['null', 'null'],
      ['a string', '"someone@example.org"'],
      ['a number', '42'],
    ])('answers a JSON %s body with 400, not 500', async (_, text) => {
      const res = await t.http().post('/api/v1/auth/login').set('content-type', 'application/json').send(text);
      expectProblem(res, 400, 'validation');
    });

    it('answers an empty JSON body, XML and a form body with 4xx problems, not 500', async () => {
      const empty = await t.http().post('/api/v1/auth/login').set('content-type', 'application/json').send('');
      expectProblem(empty, 400, 'validation');
      const xml = await t.http().post('/api/v1/auth/login').set('content-type', 'application/xml').send('<login/>');
      expectProblem(xml, 415, 'unsupported-media-type');
      // Nest's Fastify adapter parses forms too; whatever the answer, it is a client error.
      const form = await t.http().post('/api/v1/auth/login').set('content-type', 'application/x-www-form-urlencoded').send('email=a%40b.org&password=x');
      expect(form.status).toBeGreaterThanOrEqual(400);
      expect(form.status).toBeLessThan(500);
      expect(form.headers['content-type']).toMatch(/^application\/problem\+json/);
    });

    it('refuses an over-long password without hashing it', async () => {
      const res = await loginAs('someone@example.org', 'x'.repeat(10_000));
      expectProblem(res, 400, 'validation');
      expect(fieldsOf(res)).toEqual(['password']);
    });
  });

  describe('tokens', () => {
    let user: TestUser;
    let secret: string;
    const valid = () => ({ sub: user.id, tv: 1, iss: JWT_ISSUER, aud: JWT_AUDIENCE, iat: nowSeconds() - 10, exp: nowSeconds() + 600 });
    const me = (authorization?: string) => {
      const req = t.http().get('/api/v1/auth/me');
      return authorization === undefined ? req : req.set('Authorization', authorization);
    };

    beforeAll(async () => {
      user = await createUser(t, 'CASEWORKER');
      secret = t.config.jwtSecret as string;
    });

    it('accepts a well-formed token built by hand (so the refusals below are about the one thing changed)', async () => {
      const res = await me(`Bearer ${handMadeJwt(valid(), { secret })}`);
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(user.id);
    });

    const flipSignatureChar = (token: string): string => {
      const [h, p, s] = token.split('.');
      // A character in the middle of the signature: every one of its 6 bits is signature data.
      const i = Math.floor(s.length / 2);
      return `${h}.${p}.${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`;
    };

    it.each<[string, () => string | undefined]>([
      ['no Authorization header', () => undefined],
      ['an empty bearer', () => 'Bearer '],
      ['Bearer garbage', () => 'Bearer garbage'],
      ['a token without the Bearer scheme', () => handMadeJwt(valid(), { secret })],
      ['a Basic credential', () => `Basic ${Buffer.from(`${user.email}:${TEST_PASSWORD}`).toString('base64')}`],
      ['one signature character changed', () => `Bearer ${flipSignatureChar(user.token)}`],
      ['the signature removed', () => `Bearer ${user.token.split('.').slice(0, 2).join('.')}.`],
      ['a payload changed under the old signature', () => {
        const [h, , s] = user.token.split('.');
        return `Bearer ${h}.${b64url({ ...valid(), sub: '00000000-0000-4000-8000-000000000000' })}.${s}`;
      }],
      ['a token signed with another secret', () => `Bearer ${handMadeJwt(valid(), { secret: 'another-secret-that-is-also-long-enough-42' })}`],
      ['alg none', () => `Bearer ${handMadeJwt(valid(), { secret, alg: 'none' })}`],
      ['alg "None" with an empty signature', () => `Bearer ${handMadeJwt(valid(), { secret, alg: 'none', header: { alg: 'None', typ: 'JWT' } })}`],
      ['HS512 with the right secret', () => `Bearer ${handMadeJwt(valid(), { secret, alg: 'HS512' })}`],
      ['a header claiming RS256 over an HMAC signature', () => {
        const head = `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(valid())}`;
        return `Bearer ${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
      }],
      ['a wrong issuer', () => `Bearer ${handMadeJwt({ ...valid(), iss: 'someone-else' }, { secret })}`],
      ['no issuer', () => `Bearer ${handMadeJwt({ ...valid(), iss: undefined }, { secret })}`],
      ['a wrong audience', () => `Bearer ${handMadeJwt({ ...valid(), aud: 'another-api' }, { secret })}`],
      ['an expired token', () => `Bearer ${handMadeJwt({ ...valid(), iat: nowSeconds() - 3600, exp: nowSeconds() - 60 }, { secret })}`],
      ['a token not valid yet (nbf)', () => `Bearer ${handMadeJwt({ ...valid(), nbf: nowSeconds() + 3600 }, { secret })}`],
      ['a subject that is not a uuid', () => `Bearer ${handMadeJwt({ ...valid(), sub: "x' OR '1'='1" }, { secret })}`],
      ['a subject with no account', () => `Bearer ${handMadeJwt({ ...valid(), sub: '00000000-0000-4000-8000-000000000000' }, { secret })}`],
      ['no token version', () => `Bearer ${handMadeJwt({ ...valid(), tv: undefined }, { secret })}`],
      ['a token version as a string', () => `Bearer ${handMadeJwt({ ...valid(), tv: '1' }, { secret })}`],
      ['a payload that is not JSON', () => {
        const head = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url('not json')}`;
        return `Bearer ${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
      }],
    ])('answers %s with a 401 problem', async (_, authorization) => {
      const res = await me(authorization());
      expectProblem(res, 401, 'unauthenticated');
      expect(JSON.stringify(res.body)).not.toMatch(/jwt|signature|algorithm|stack/i);
    });

    it('refuses a token whose token version is stale', async () => {
      const stale = await createUser(t, 'CASEWORKER');
      await me(stale.bearer).expect(200);
      await t.dataSource.query(`UPDATE app_user SET token_version = token_version + 1 WHERE id = $1`, [stale.id]);
      expectProblem(await me(stale.bearer), 401, 'unauthenticated');
    });

    it('refuses the tokens of a deactivated user at once', async () => {
      const leaver = await createUser(t, 'CASEWORKER');
      await me(leaver.bearer).expect(200);
      await t.dataSource.query(`UPDATE app_user SET active = false WHERE id = $1`, [leaver.id]);
      expectProblem(await me(leaver.bearer), 401, 'unauthenticated');
    });
  });

  describe('change-password', () => {
    const change = (bearer: string, body: object) => t.http().post('/api/v1/auth/change-password').set('Authorization', bearer).send(body);
    const NEW_PASSWORD = 'a-brand-new-passphrase-91';

    it('refuses a wrong current password with 400 on currentPassword, and changes nothing', async () => {
      const user = await createUser(t, 'CASEWORKER');
      const res = await change(user.bearer, { currentPassword: 'not-my-password-77', newPassword: NEW_PASSWORD });
      expectProblem(res, 400, 'validation');
      expect(fieldsOf(res)).toEqual(['currentPassword']);
      expect(await login(t, user.email, TEST_PASSWORD)).toEqual(expect.any(String));
      await t.http().get('/api/v1/auth/me').set('Authorization', user.bearer).expect(200);
    });

    it.each([
      ['too short', 'short-1'],
      ['a common password', 'password1234'],
      ['a common password in other case', 'Password1234'],
      ['one repeated character', 'zzzzzzzzzzzzzzzz'],
      ['the current password', TEST_PASSWORD],
      ['too long', 'p'.repeat(20) + 'q'.repeat(120)],
    ])('refuses a new password that is %s with 400 on newPassword', async (_, newPassword) => {
      const user = await createUser(t, 'CASEWORKER');
      const res = await change(user.bearer, { currentPassword: TEST_PASSWORD, newPassword });
      expectProblem(res, 400, 'validation');
      expect(fieldsOf(res)).toEqual(['newPassword']);
      expect((await userRow(user.id)).token_version).toBe(1);
    });

    it('refuses a new password containing the email address', async () => {
      const user = await createUser(t, 'CASEWORKER');
      const res = await change(user.bearer, { currentPassword: TEST_PASSWORD, newPassword: `${user.email.split('@')[0]}-2026!` });
      expectProblem(res, 400, 'validation');
      expect(fieldsOf(res)).toEqual(['newPassword']);
    });

    it('answers bad bodies with 400 naming the fields', async () => {
      const user = await createUser(t, 'CASEWORKER');
      const empty = await change(user.bearer, {});
      expectProblem(empty, 400, 'validation');
      expect(fieldsOf(empty)).toEqual(['currentPassword', 'newPassword']);
      const extra = await change(user.bearer, { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD, userId: user.id });
      expectProblem(extra, 400, 'validation');
      expect(fieldsOf(extra)).toEqual(['userId']);
    });

    it('needs a token', async () => {
      const res = await t.http().post('/api/v1/auth/change-password').send({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD });
      expectProblem(res, 401, 'unauthenticated');
    });

    it('changes the password: a new token, the old one refused, the new password signs in, audited without any password', async () => {
      const user = await createUser(t, 'CASEWORKER');
      const res = await change(user.bearer, { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ accessToken: expect.any(String), expiresIn: 900, user: expect.objectContaining({ id: user.id }) });
      expect(res.body.accessToken).not.toBe(user.token);

      expectProblem(await t.http().get('/api/v1/auth/me').set('Authorization', user.bearer), 401, 'unauthenticated');
      await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${res.body.accessToken}`).expect(200);
      expect(await login(t, user.email, NEW_PASSWORD)).toEqual(expect.any(String));
      expectProblem(await loginAs(user.email, TEST_PASSWORD), 401, 'unauthenticated');

      const rows = await auditRows(`action = 'auth.password-change' AND entity_id = $1`, [user.id]);
      expect(rows).toEqual([expect.objectContaining({ entity_type: 'user', actor_id: user.id, changed_fields: ['password'], outcome: 'SUCCESS' })]);
      expect(rows[0].request_id).toEqual(expect.any(String));

      const [{ trail }] = await t.dataSource.query(`SELECT coalesce(string_agg(row_to_json(a)::text, E'\\n'), '') AS trail FROM audit_event a`);
      expect(trail).not.toContain(NEW_PASSWORD);
      expect(trail).not.toContain(TEST_PASSWORD);
      expect(trail).not.toContain('$argon2');
    });

    it('lets a user with a temporary password read /auth/me and change it, and nothing else until then', async () => {
      const user = await createUser(t, 'ADMIN');
      await t.dataSource.query(`UPDATE app_user SET must_change_password = true WHERE id = $1`, [user.id]);
      const me = await t.http().get('/api/v1/auth/me').set('Authorization', user.bearer);
      expect(me.status).toBe(200);
      expect(me.body.mustChangePassword).toBe(true);
      expectProblem(await t.http().get('/api/v1/localities').set('Authorization', user.bearer), 403, 'forbidden');
      expectProblem(await t.http().get('/api/v1/audit-events').set('Authorization', user.bearer), 403, 'forbidden');

      const changed = await change(user.bearer, { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD });
      expect(changed.status).toBe(200);
      expect(changed.body.user.mustChangePassword).toBe(false);
      expect((await userRow(user.id)).must_change_password).toBe(false);
      await t.http().get('/api/v1/localities').set('Authorization', `Bearer ${changed.body.accessToken}`).expect(200);
    });
  });

  it('reference data needs a token', async () => {
    expectProblem(await t.http().get('/api/v1/localities'), 401, 'unauthenticated');
  });
});

describe('login rate limit per IP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ loginRateLimitPerMinute: 3 });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers the 4th sign-in within a minute with 429 and retryAfter, counted in the shared rate_limit table', async () => {
    const user = await createUser(t, 'CASEWORKER');
    // The window is a fixed calendar minute of the database clock: do not start near its end.
    const [{ left }] = await t.dataSource.query(`SELECT 60 - mod(extract(epoch FROM now())::numeric, 60)::float AS left`);
    if (left < 15) await new Promise((resolve) => setTimeout(resolve, (left + 0.5) * 1000));

    const send = (password: string) => t.http().post('/api/v1/auth/login').send({ email: user.email, password });
    expect((await send(TEST_PASSWORD)).status).toBe(200);
    expect((await send('a-wrong-password-1')).status).toBe(401);
    expect((await send(TEST_PASSWORD)).status).toBe(200);

    const fourth = await send(TEST_PASSWORD);
    expectProblem(fourth, 429, 'rate-limited');
    expect(fourth.body.retryAfter).toEqual(expect.any(Number));
    expect(fourth.body.retryAfter).toBeGreaterThanOrEqual(1);
    expect(fourth.body.retryAfter).toBeLessThanOrEqual(60);

    // A forged X-Forwarded-For does not buy a fresh allowance.
    const forged = await t.http().post('/api/v1/auth/login').set('X-Forwarded-For', '203.0.113.9').send({ email: user.email, password: TEST_PASSWORD });
    expectProblem(forged, 429, 'rate-limited');

    const rows = await t.dataSource.query(`SELECT key, hits FROM rate_limit WHERE key LIKE 'login:%'`);
    expect(rows).toEqual([{ key: expect.stringMatching(/^login:.+/), hits: 5 }]);

    // Refused attempts are not sign-in attempts: no audit row, and no failure counted on the account.
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_event WHERE entity_id = $1 AND action = 'auth.login'`, [user.id]);
    expect(n).toBe(3);
  });
});

describe('first administrator', () => {
  const adminEmail = 'first.admin@example.org';
  const adminPassword = 'a-long-first-admin-pass-77';
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ adminEmail, adminPassword });
  });
  afterAll(async () => {
    await t?.close();
  });

  const admins = () => t.dataSource.query(`SELECT id, email, role, active, must_change_password FROM app_user WHERE role = 'ADMIN'`);

  it('is created at start from ADMIN_EMAIL/ADMIN_PASSWORD, audited, and can sign in', async () => {
    const rows = await admins();
    expect(rows).toEqual([expect.objectContaining({ email: adminEmail, role: 'ADMIN', active: true })]);
    const audit = await t.dataSource.query(`SELECT action, entity_type, entity_id, changed_fields, actor_role FROM audit_event WHERE action = 'user.create'`);
    expect(audit).toEqual([expect.objectContaining({ entity_type: 'user', entity_id: rows[0].id })]);
    expect(audit[0].actor_role).toMatch(/^SYSTEM:/);
    expect(JSON.stringify(audit)).not.toContain(adminPassword);

    const token = await login(t, adminEmail, adminPassword);
    const me = await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
    expect(me.body).toMatchObject({ email: adminEmail, role: 'ADMIN' });
  });

  it('is not created again on a later start', async () => {
    await t.app.get(AdminBootstrap).onApplicationBootstrap();
    await t.app.get(AdminBootstrap).onApplicationBootstrap();
    expect(await admins()).toHaveLength(1);
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_event WHERE action = 'user.create'`);
    expect(n).toBe(1);
  });
});
