import { createHmac, createSign, generateKeyPairSync } from 'node:crypto';
import { JWT_AUDIENCE, JWT_ISSUER } from '../src/auth/jwt-secret';
import { createUser, type TestUser } from './support/auth';
import { ADMIN, type BuiltApp, startBuiltApp } from './support/built-app';
import { createTestApp, type TestApp } from './support/test-app';

const b64url = (value: object | Buffer) => (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString('base64url');

/** A JWT with the app's claims, signed however the test likes (or not at all). */
function forgeToken(alg: string, claims: object, sign: (input: string) => Buffer | undefined): string {
  const input = `${b64url({ alg, typ: 'JWT' })}.${b64url(claims)}`;
  const signature = sign(input);
  return `${input}.${signature ? b64url(signature) : ''}`;
}

/**
 * Hardening (issue 10 point 5) on the in-process app: security headers, CORS for configured
 * origins only, the URL limit, the per-user limit on expensive routes, and the pinned JWT algorithm.
 */
describe('security: headers, CORS, limits, JWT algorithm', () => {
  let t: TestApp;
  let caseworker: TestUser;
  let other: TestUser;
  const ALLOWED = 'https://sen.example.org';

  beforeAll(async () => {
    t = await createTestApp({ corsOrigins: [ALLOWED], expensiveRateLimitPerMinute: 3 });
    caseworker = await createUser(t, 'CASEWORKER', { area: 'North' });
    other = await createUser(t, 'CASEWORKER', { area: 'North' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sends the security headers on API, health and error responses', async () => {
    for (const res of [
      await t.http().get('/health/live'),
      await t.http().get('/api/v1/auth/me').set('Authorization', caseworker.bearer),
      await t.http().get('/api/v1/auth/me'),
      await t.http().get('/api/v1/no-such-route'),
    ]) {
      const csp = res.headers['content-security-policy'];
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("frame-ancestors 'self'");
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'strict-transport-security': expect.stringContaining('max-age='),
        'referrer-policy': 'no-referrer',
        'cross-origin-resource-policy': 'same-origin',
      });
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('answers CORS only for the configured origin', async () => {
    const preflight = (origin: string) =>
      t.http().options('/api/v1/auth/me').set('Origin', origin).set('Access-Control-Request-Method', 'GET').set('Access-Control-Request-Headers', 'authorization');
    const allowed = await preflight(ALLOWED);
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(allowed.headers['access-control-allow-headers']).toMatch(/authorization/i);
    const refused = await preflight('https://evil.example.com');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    const simple = await t.http().get('/api/v1/auth/me').set('Origin', 'https://evil.example.com').set('Authorization', caseworker.bearer);
    expect(simple.status).toBe(200);
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
    const simpleAllowed = await t.http().get('/api/v1/auth/me').set('Origin', ALLOWED).set('Authorization', caseworker.bearer);
    expect(simpleAllowed.headers['access-control-allow-origin']).toBe(ALLOWED);
  });

  it('refuses a URL longer than MAX_URL_LENGTH, and a path parameter over 200 characters, with 414', async () => {
    const long = await t.http().get(`/api/v1/pupils?q=${'a'.repeat(t.config.maxUrlLength)}`).set('Authorization', caseworker.bearer);
    expect(long.status).toBe(414);
    expect(long.body).toMatchObject({ type: '/problems/uri-too-long', status: 414 });
    const param = await t.http().get(`/api/v1/pupils/${'a'.repeat(300)}`).set('Authorization', caseworker.bearer);
    expect(param.status).toBe(414);
    expect(param.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(param.body).toMatchObject({ type: '/problems/uri-too-long', status: 414 });
    const fine = await t.http().get(`/api/v1/pupils?q=${'a'.repeat(60)}`).set('Authorization', caseworker.bearer);
    expect(fine.status).toBe(200);
  });

  it('limits expensive routes per user per minute: 429 rate-limited with Retry-After, other users unaffected', async () => {
    // Fixed one-minute windows: start well inside one, so the four calls share it.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 61_000 - intoMinute));
    const call = (user: TestUser) => t.http().get('/api/v1/dashboards/overdue').set('Authorization', user.bearer);
    for (let i = 0; i < 3; i += 1) expect((await call(caseworker)).status).toBe(200);
    const limited = await call(caseworker);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ type: '/problems/rate-limited', status: 429 });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Also the other dashboard (one budget for the class), but not another user.
    expect((await t.http().get('/api/v1/dashboards/timeliness').set('Authorization', caseworker.bearer)).status).toBe(429);
    expect((await call(other)).status).toBe(200);
    // A role refused by the policy is 403 and spends nothing.
    const admin = await createUser(t, 'ADMIN');
    for (let i = 0; i < 5; i += 1) expect((await call(admin)).status).toBe(403);
    const [row] = await t.dataSource.query(`SELECT count(*)::int AS n FROM rate_limit WHERE key = $1`, [`expensive:${admin.id}`]);
    expect(row.n).toBe(0);
  });

  it('keeps the counters in an UNLOGGED table (no WAL flush per hit; emptied only by a server crash)', async () => {
    const [table] = await t.dataSource.query(`SELECT relpersistence FROM pg_class WHERE oid = 'rate_limit'::regclass`);
    expect(table.relpersistence).toBe('u');
  });

  it('accepts only HS256 tokens: alg none, HS512 and RS256 with valid claims are 401', async () => {
    const [user] = await t.dataSource.query(`SELECT token_version FROM app_user WHERE id = $1`, [caseworker.id]);
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: caseworker.id, tv: user.token_version, iss: JWT_ISSUER, aud: JWT_AUDIENCE, iat: now, exp: now + 600 };
    const secret = t.config.jwtSecret!;
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const tokens = {
      hs256: forgeToken('HS256', claims, (input) => createHmac('sha256', secret).update(input).digest()),
      none: forgeToken('none', claims, () => undefined),
      noneUpper: forgeToken('NONE', claims, () => undefined),
      hs512: forgeToken('HS512', claims, (input) => createHmac('sha512', secret).update(input).digest()),
      rs256: forgeToken('RS256', claims, (input) => createSign('RSA-SHA256').update(input).sign(privateKey)),
    };
    const status = async (token: string) => (await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`)).status;
    // The forging is right: the same claims signed HS256 with the secret are accepted.
    expect(await status(tokens.hs256)).toBe(200);
    for (const name of ['none', 'noneUpper', 'hs512', 'rs256'] as const) {
      const res = await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${tokens[name]}`);
      expect({ name, status: res.status, type: res.body.type }).toEqual({ name, status: 401, type: '/problems/unauthenticated' });
    }
  });
});

/**
 * Secrets never reach the log or an error body: the BUILT app (as production runs it) at the most
 * verbose level, through sign-in, a failed sign-in, a password change and authenticated calls;
 * then its whole log output is searched for every password and token used.
 */
describe('security: no secrets in logs or error bodies (built app, LOG_LEVEL=trace)', () => {
  let app: BuiltApp;
  beforeAll(async () => {
    app = await startBuiltApp({ env: { LOG_LEVEL: 'trace' } });
  }, 180_000);
  afterAll(async () => {
    await app?.cleanup();
  });

  it('logs none of the passwords, tokens or authorization headers', async () => {
    const api = (path: string, init: RequestInit = {}) => fetch(`${app.base}/api/v1${path}`, init);
    const json = (body: object, token?: string): RequestInit => ({
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    const wrongPassword = 'wrong-Secret-Pw-4471-xyzzy';
    const newPassword = 'fresh-Secret-Pw-9923-plugh';
    const weakPassword = 'weakpw';
    const bodies: string[] = [];

    const failed = await api('/auth/login', json({ email: ADMIN.email, password: wrongPassword }));
    expect(failed.status).toBe(401);
    bodies.push(await failed.text());
    const login = await api('/auth/login', json({ email: ADMIN.email, password: ADMIN.password }));
    expect(login.status).toBe(200);
    const token = ((await login.json()) as { accessToken: string }).accessToken;
    expect((await api('/auth/me', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await api('/users', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const weak = await api('/auth/change-password', json({ currentPassword: ADMIN.password, newPassword: weakPassword }, token));
    expect(weak.status).toBe(400);
    bodies.push(await weak.text());
    const wrongCurrent = await api('/auth/change-password', json({ currentPassword: wrongPassword, newPassword }, token));
    expect(wrongCurrent.status).toBeGreaterThanOrEqual(400);
    bodies.push(await wrongCurrent.text());
    const changed = await api('/auth/change-password', json({ currentPassword: ADMIN.password, newPassword }, token));
    expect(changed.status).toBe(200);
    const newToken = ((await changed.json()) as { accessToken: string }).accessToken;
    // The old token is refused now; the refusal must not echo it.
    const stale = await api('/auth/me', { headers: { authorization: `Bearer ${token}` } });
    expect(stale.status).toBe(401);
    bodies.push(await stale.text());
    expect((await api('/auth/me', { headers: { authorization: `Bearer ${newToken}` } })).status).toBe(200);
    const garbage = await api('/auth/me', { headers: { authorization: `Bearer ${token}x` } });
    bodies.push(await garbage.text());
    // Nothing configured: no CORS headers at all.
    const cors = await fetch(`${app.base}/health/live`, { headers: { origin: 'https://sen.example.org' } });
    expect(cors.headers.get('access-control-allow-origin')).toBeNull();

    await new Promise((r) => setTimeout(r, 300)); // let the last log lines flush
    const log = app.log();
    expect(log.length).toBeGreaterThan(1000); // trace level did log every request
    expect(log).toMatch(/"path":"\/api\/v1\/auth\/change-password"/);
    const secrets = { adminPassword: ADMIN.password, wrongPassword, newPassword, weakPassword, token, newToken, tokenSignature: token.split('.')[2], newTokenSignature: newToken.split('.')[2] };
    for (const [name, secret] of Object.entries(secrets)) {
      expect({ name, inLog: log.includes(secret) }).toEqual({ name, inLog: false });
      for (const body of bodies) expect({ name, inBody: body.includes(secret) }).toEqual({ name, inBody: false });
    }
    expect(log).not.toMatch(/bearer\s+ey/i);
    expect(log).not.toMatch(/"authorization":"(?!\[redacted\])/i);
  });

  it('serves Swagger UI at /docs under the CSP: scripts from self only, no inline script', async () => {
    const res = await fetch(`${app.base}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, content] of scripts) {
      expect({ attributes, inline: content.trim() }).toEqual({ attributes: expect.stringMatching(/^\s*src="[\w./-]+\.js"\s*$/), inline: '' });
      const src = /src="([^"]+)"/.exec(attributes)![1];
      const asset = await fetch(new URL(src, res.url));
      expect({ src, status: asset.status }).toEqual({ src, status: 200 });
    }
  });
});

/**
 * Behind a load balancer every connection comes from the balancer: without TRUST_PROXY all clients
 * would share one sign-in budget (and the audit would record the balancer). TRUST_PROXY names the
 * balancer; only from it is X-Forwarded-For believed, so a client cannot pick its own address.
 */
describe('security: the client address behind a trusted proxy (TRUST_PROXY)', () => {
  const LIMIT = 3;
  let behind: TestApp;
  let direct: TestApp;
  const users = new Map<TestApp, TestUser>();
  // A wrong password for a real account (fewer failures than the lockout threshold): its audit row carries the address.
  const attempt = (app: TestApp, forwardedFor: string) =>
    app.http().post('/api/v1/auth/login').set('X-Forwarded-For', forwardedFor).send({ email: users.get(app)!.email, password: 'not-the-password-at-all' });
  const auditedIps = async (app: TestApp): Promise<string[]> =>
    (await app.dataSource.query(`SELECT ip FROM audit_event WHERE action = 'auth.login' ORDER BY at, id`)).map((row: { ip: string }) => row.ip);

  beforeAll(async () => {
    // supertest connects from the loopback address: that is "the balancer" here.
    behind = await createTestApp({ trustProxy: ['127.0.0.1', '::1', '::ffff:127.0.0.1'], loginRateLimitPerMinute: LIMIT });
    direct = await createTestApp({ loginRateLimitPerMinute: LIMIT });
    for (const app of [behind, direct]) users.set(app, await createUser(app, 'CASEWORKER'));
  });
  afterAll(async () => {
    await behind?.close();
    await direct?.close();
  });

  it('counts sign-in attempts per forwarded client address and audits that address', async () => {
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 61_000 - intoMinute));
    const first: number[] = [];
    for (let i = 0; i <= LIMIT; i += 1) first.push((await attempt(behind, '203.0.113.7')).status);
    expect(first).toEqual([...Array.from({ length: LIMIT }, () => 401), 429]);
    // Another client behind the same balancer has its own budget.
    expect((await attempt(behind, '203.0.113.8')).status).toBe(401);
    expect(await auditedIps(behind)).toEqual([...Array.from({ length: LIMIT }, () => '203.0.113.7'), '203.0.113.8']);
  });

  it('ignores X-Forwarded-For when no proxy is trusted: a client cannot escape the limit by naming other addresses', async () => {
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 61_000 - intoMinute));
    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i += 1) statuses.push((await attempt(direct, `198.51.100.${i + 1}`)).status);
    expect(statuses).toEqual([...Array.from({ length: LIMIT }, () => 401), 429]);
    const ips = await auditedIps(direct);
    expect(ips).toHaveLength(LIMIT);
    expect(ips.filter((ip) => ip.startsWith('198.51.100.'))).toEqual([]);
  });
});
