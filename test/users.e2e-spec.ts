import { randomUUID } from 'node:crypto';
import type { Role } from '../src/access/role';
import { createUser, login, type TestUser, type UserScope } from './support/auth';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Accounts (API.md "Auth and users"): ADMIN only; each role with exactly the scope it takes;
 * never deleted but deactivated; temporary passwords on reset; every change audited by field
 * name, never by value.
 */
describe('users', () => {
  let t: TestApp;
  let admin: TestUser;
  let localityId: string;
  let otherLocalityId: string;
  let schoolId: string;
  let organisationId: string;
  /** Every password this suite sends or receives: none may ever reach the audit trail. */
  const secrets: string[] = [];

  type Res = { status: number; headers: Record<string, string>; body: any };
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  const as = (bearer: string) => ({
    get: (path: string) => t.http().get(`/api/v1${path}`).set('Authorization', bearer),
    post: (path: string, body?: object) => t.http().post(`/api/v1${path}`).set('Authorization', bearer).send(body),
    patch: (path: string, body: object) => t.http().patch(`/api/v1${path}`).set('Authorization', bearer).send(body),
  });
  const api = () => as(admin.bearer);

  const count = async (sql: string) => Number((await t.dataSource.query(sql))[0].n);
  const userCount = () => count('SELECT count(*)::int AS n FROM app_user');
  const userAuditCount = () => count(`SELECT count(*)::int AS n FROM audit_event WHERE entity_type = 'user'`);
  /** The audit rows of one account, oldest first. */
  const auditOf = (id: string): Promise<{ action: string; changed_fields: string[]; actor_id: string | null }[]> =>
    t.dataSource.query(
      `SELECT action, changed_fields, actor_id FROM audit_event WHERE entity_type = 'user' AND entity_id = $1 ORDER BY at, id`,
      [id],
    );

  function expectProblem(res: Res, status: number, type: string) {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: `/problems/${type}`, status, title: expect.any(String), detail: expect.any(String) });
  }
  const fieldsOf = (res: Res) => [...new Set((res.body.errors as { field: string }[]).map((e) => e.field))].sort();
  function expectNoSecrets(body: unknown) {
    const text = JSON.stringify(body);
    expect(text).not.toMatch(/passwordHash|password_hash|\$argon2/);
    expect(text).not.toMatch(/tokenVersion|failedLogins/);
  }

  let n = 0;
  const email = (prefix: string) => `${prefix}-${(n++).toString(36)}-${randomUUID().slice(0, 6)}@example.org`;
  const PASSWORD = 'a-long-and-unusual-passphrase-42';

  /** Creates an account through the API with PASSWORD and returns its view. */
  async function createViaApi(role: Role, scope: UserScope = {}, extra: object = {}) {
    const res = await api()
      .post('/users', { email: email(role.toLowerCase()), name: `${role} person`, role, password: PASSWORD, ...scope, ...extra })
      .expect(201);
    return res.body as { id: string; email: string; version: number; [key: string]: unknown };
  }

  beforeAll(async () => {
    t = await createTestApp();
    admin = await createUser(t, 'ADMIN');
    secrets.push(PASSWORD, admin.password);
    const localities = await t.dataSource.query(
      `INSERT INTO locality (code, name, area, district) VALUES
         ('USR-CAN', 'Canterbury Schools', 'East', 'Canterbury'),
         ('USR-DAR', 'Dartford Schools', 'North', 'Dartford')
       RETURNING id, code`,
    );
    localityId = localities.find((l: { code: string }) => l.code === 'USR-CAN').id;
    otherLocalityId = localities.find((l: { code: string }) => l.code === 'USR-DAR').id;
    [{ id: schoolId }] = await t.dataSource.query(
      `INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ('118712', 'Oakfield Primary School', 'PRIMARY', 'MAINSTREAM', $1) RETURNING id`,
      [localityId],
    );
    [{ id: organisationId }] = await t.dataSource.query(
      `INSERT INTO organisation (name, kind) VALUES ('Specialist Teaching and Learning Service', 'KCC_SERVICE') RETURNING id`,
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('create', () => {
    const none = { schoolId: null, localityId: null, area: null, organisationId: null };
    const cases: [string, Role, () => UserScope, string[]][] = [
      ['a SENCO of a school', 'SENCO', () => ({ schoolId }), ['schoolId']],
      ['a PANEL member of a locality', 'PANEL', () => ({ localityId }), ['localityId']],
      ['a PROVIDER practitioner of an organisation', 'PROVIDER', () => ({ organisationId }), ['organisationId']],
      ['a CASEWORKER of a locality', 'CASEWORKER', () => ({ localityId }), ['localityId']],
      ['a CASEWORKER of an area', 'CASEWORKER', () => ({ area: 'East' }), ['area']],
      ['a county-wide CASEWORKER', 'CASEWORKER', () => ({}), []],
      ['a MANAGER of an area', 'MANAGER', () => ({ area: 'North' }), ['area']],
      ['a MANAGER of a locality', 'MANAGER', () => ({ localityId: otherLocalityId }), ['localityId']],
      ['a county-wide MANAGER', 'MANAGER', () => ({}), []],
      ['an ADMIN', 'ADMIN', () => ({}), []],
    ];

    it.each(cases)('creates %s: 201 with exactly the UserView, the row stored, one audit row', async (_, role, scopeOf, scopeFields) => {
      const scope = scopeOf();
      const address = `${role}.Person-${(n++).toString(36)}@Example.ORG`;
      const res = await api().post('/users', { email: address, name: `${role} Person`, role, password: PASSWORD, ...scope });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        email: address.toLowerCase(),
        name: `${role} Person`,
        role,
        ...none,
        ...scope,
        active: true,
        mustChangePassword: false,
        lockedUntil: null,
        version: 1,
      });
      expectNoSecrets(res.body);

      const [row] = await t.dataSource.query(
        `SELECT email, role, school_id, locality_id, area, organisation_id, active, must_change_password, token_version, password_hash
         FROM app_user WHERE id = $1`,
        [res.body.id],
      );
      expect(row).toMatchObject({ email: address.toLowerCase(), role, active: true, must_change_password: false, token_version: 1 });
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
      expect(row.password_hash).not.toContain(PASSWORD);
      secrets.push(row.password_hash);

      const audit = await auditOf(res.body.id);
      expect(audit).toEqual([{ action: 'user.create', changed_fields: ['email', 'name', 'password', 'role', ...scopeFields].sort(), actor_id: admin.id }]);

      // The new account signs in with the password it was given.
      await login(t, address, PASSWORD);
    });

    it('creates a deactivated account when asked (active: false)', async () => {
      const res = await api().post('/users', { email: email('dormant'), name: 'Dormant', role: 'ADMIN', password: PASSWORD, active: false }).expect(201);
      expect(res.body.active).toBe(false);
      expect((await auditOf(res.body.id)).map((a) => a.changed_fields)).toEqual([['active', 'email', 'name', 'password', 'role']]);
      const attempt = await t.http().post('/api/v1/auth/login').send({ email: res.body.email, password: PASSWORD });
      expectProblem(attempt, 401, 'unauthenticated');
    });
  });

  describe('refusals on create write nothing (no row, no audit row)', () => {
    const base = () => ({ email: email('refused'), name: 'Refused Person', password: PASSWORD });

    /** `namesHashField`: the refusal names a smuggled `passwordHash` field, so skip that part of the secrets check. */
    async function expectRefused(body: object, status: number, type: string, namesHashField = false): Promise<Res> {
      const users = await userCount();
      const audits = await userAuditCount();
      const res = await api().post('/users', body);
      expectProblem(res, status, type);
      if (namesHashField) expect(JSON.stringify(res.body)).not.toMatch(/\$argon2/);
      else expectNoSecrets(res.body);
      expect(await userCount()).toBe(users);
      expect(await userAuditCount()).toBe(audits);
      return res;
    }

    it('a SENCO without schoolId: 400 naming schoolId', async () => {
      const res = await expectRefused({ ...base(), role: 'SENCO' }, 400, 'validation');
      expect(res.body.errors).toEqual([{ field: 'schoolId', message: 'is required for the SENCO role' }]);
    });

    it('a PANEL member without localityId: 400 naming localityId', async () => {
      const res = await expectRefused({ ...base(), role: 'PANEL' }, 400, 'validation');
      expect(res.body.errors).toEqual([{ field: 'localityId', message: 'is required for the PANEL role' }]);
    });

    it('a PROVIDER without organisationId: 400 naming organisationId', async () => {
      const res = await expectRefused({ ...base(), role: 'PROVIDER', organisationId: null }, 400, 'validation');
      expect(res.body.errors).toEqual([{ field: 'organisationId', message: 'is required for the PROVIDER role' }]);
    });

    it('a SENCO with organisationId: 400 on organisationId (not used by the SENCO role)', async () => {
      const res = await expectRefused({ ...base(), role: 'SENCO', schoolId, organisationId }, 400, 'validation');
      expect(res.body.errors).toEqual([{ field: 'organisationId', message: 'is not used by the SENCO role' }]);
    });

    it('scope fields the role does not take are each named', async () => {
      const admin2 = await expectRefused({ ...base(), role: 'ADMIN', schoolId, area: 'East' }, 400, 'validation');
      expect(admin2.body.errors).toEqual([
        { field: 'schoolId', message: 'is not used by the ADMIN role' },
        { field: 'area', message: 'is not used by the ADMIN role' },
      ]);
      const caseworker = await expectRefused({ ...base(), role: 'CASEWORKER', organisationId }, 400, 'validation');
      expect(fieldsOf(caseworker)).toEqual(['organisationId']);
      const panel = await expectRefused({ ...base(), role: 'PANEL', localityId, schoolId }, 400, 'validation');
      expect(panel.body.errors).toEqual([{ field: 'schoolId', message: 'is not used by the PANEL role' }]);
    });

    it('a MANAGER (or CASEWORKER) with both localityId and area: 400 on both', async () => {
      const res = await expectRefused({ ...base(), role: 'MANAGER', localityId, area: 'East' }, 400, 'validation');
      expect(fieldsOf(res)).toEqual(['area', 'localityId']);
      expect(res.body.errors[0].message).toMatch(/not both/);
      const caseworker = await expectRefused({ ...base(), role: 'CASEWORKER', localityId, area: 'East' }, 400, 'validation');
      expect(fieldsOf(caseworker)).toEqual(['area', 'localityId']);
    });

    it('an unknown area, school, locality or organisation: 400 naming the field', async () => {
      const area = await expectRefused({ ...base(), role: 'MANAGER', area: 'Atlantis' }, 400, 'validation');
      expect(area.body.errors).toEqual([{ field: 'area', message: 'unknown area' }]);
      const school = await expectRefused({ ...base(), role: 'SENCO', schoolId: randomUUID() }, 400, 'validation');
      expect(school.body.errors).toEqual([{ field: 'schoolId', message: 'unknown school' }]);
      const locality = await expectRefused({ ...base(), role: 'PANEL', localityId: randomUUID() }, 400, 'validation');
      expect(locality.body.errors).toEqual([{ field: 'localityId', message: 'unknown locality' }]);
      const organisation = await expectRefused({ ...base(), role: 'PROVIDER', organisationId: randomUUID() }, 400, 'validation');
      expect(organisation.body.errors).toEqual([{ field: 'organisationId', message: 'unknown organisation' }]);
      const malformed = await expectRefused({ ...base(), role: 'SENCO', schoolId: 'school-1' }, 400, 'validation');
      expect(malformed.body.errors).toEqual([{ field: 'schoolId', message: 'must be a UUID' }]);
    });

    it('a weak password: 400 naming password, and the password is never echoed', async () => {
      secrets.push('password1234', 'short-pw');
      const common = await expectRefused({ ...base(), role: 'ADMIN', password: 'password1234' }, 400, 'validation');
      expect(common.body.errors).toEqual([{ field: 'password', message: expect.stringMatching(/common/) }]);
      expect(JSON.stringify(common.body)).not.toContain('password1234');
      const short = await expectRefused({ ...base(), role: 'ADMIN', password: 'short-pw' }, 400, 'validation');
      expect(short.body.errors).toEqual([{ field: 'password', message: 'must be at least 12 characters' }]);
      const own = await expectRefused(
        { email: 'jo.bloggs@example.org', name: 'Jo', role: 'ADMIN', password: 'jo.bloggs-is-my-password' },
        400,
        'validation',
      );
      expect(own.body.errors).toEqual([{ field: 'password', message: 'must not contain your email address' }]);
    });

    it('a duplicate email, in another case: 409 duplicate naming email', async () => {
      const first = await createViaApi('ADMIN');
      const res = await expectRefused({ ...base(), email: first.email.toUpperCase(), role: 'ADMIN' }, 409, 'duplicate');
      expect(res.body.errors).toEqual([{ field: 'email', message: 'is already in use' }]);
    });

    it('malformed bodies: bad email, unknown role, missing fields, unknown fields', async () => {
      const badEmail = await expectRefused({ ...base(), email: 'not-an-email', role: 'ADMIN' }, 400, 'validation');
      expect(badEmail.body.errors).toEqual([{ field: 'email', message: 'must be an email address' }]);
      const badRole = await expectRefused({ ...base(), role: 'SUPERUSER' }, 400, 'validation');
      expect(fieldsOf(badRole)).toEqual(['role']);
      const empty = await expectRefused({}, 400, 'validation');
      expect(fieldsOf(empty)).toEqual(['email', 'name', 'password', 'role']);
      const blankName = await expectRefused({ ...base(), name: '   ', role: 'ADMIN' }, 400, 'validation');
      expect(fieldsOf(blankName)).toEqual(['name']);
      const smuggled = await expectRefused({ ...base(), role: 'ADMIN', passwordHash: 'x', mustChangePassword: false }, 400, 'validation', true);
      expect(smuggled.body.errors).toEqual([
        { field: 'passwordHash', message: 'is not a known field' },
        { field: 'mustChangePassword', message: 'is not a known field' },
      ]);
    });
  });

  describe('read and list', () => {
    const made: Record<string, { id: string; email: string; name: string }> = {};

    beforeAll(async () => {
      const make = async (key: string, name: string, address: string, role: Role, scope: UserScope, active = true) => {
        const res = await api().post('/users', { email: address, name, role, password: PASSWORD, ...scope, active }).expect(201);
        made[key] = res.body;
      };
      await make('senco', 'Zoe Quill', 'zoe.quill@oakfield.example.org', 'SENCO', { schoolId });
      await make('panel', 'Quentin Yeo', 'q.yeo@example.org', 'PANEL', { localityId });
      await make('provider', 'Priya Shah', 'priya.shah@stls.example.org', 'PROVIDER', { organisationId });
      await make('manager', 'Quinn Abbott', 'manager.north@example.org', 'MANAGER', { area: 'North' });
      await make('left', 'Quinlan Former', 'former.senco@example.org', 'SENCO', { schoolId }, false);
    });

    it('reads one account by id; absent is 404, malformed 400', async () => {
      const res = await api().get(`/users/${made.senco.id}`).expect(200);
      expect(res.body).toEqual({
        id: made.senco.id,
        email: 'zoe.quill@oakfield.example.org',
        name: 'Zoe Quill',
        role: 'SENCO',
        schoolId,
        localityId: null,
        area: null,
        organisationId: null,
        active: true,
        mustChangePassword: false,
        lockedUntil: null,
        version: 1,
      });
      expectNoSecrets(res.body);
      expectProblem(await api().get(`/users/${randomUUID()}`), 404, 'not-found');
      const malformed = await api().get('/users/42');
      expectProblem(malformed, 400, 'validation');
      expect(malformed.body.errors).toEqual([{ field: 'id', message: 'must be a UUID' }]);
    });

    const ids = (res: Res) => (res.body.data as { id: string }[]).map((u) => u.id);

    it('filters by role, active, school, locality, organisation and area', async () => {
      const sencos = await api().get('/users?role=SENCO').expect(200);
      expect(ids(sencos)).toEqual(expect.arrayContaining([made.senco.id, made.left.id]));
      expect((sencos.body.data as { role: string }[]).every((u) => u.role === 'SENCO')).toBe(true);
      expectNoSecrets(sencos.body);

      const activeSencos = await api().get(`/users?role=SENCO&active=true&schoolId=${schoolId}`).expect(200);
      expect(ids(activeSencos)).toContain(made.senco.id);
      expect(ids(activeSencos)).not.toContain(made.left.id);
      const inactive = await api().get('/users?active=false').expect(200);
      expect(ids(inactive)).toContain(made.left.id);
      expect((inactive.body.data as { active: boolean }[]).every((u) => !u.active)).toBe(true);

      const byOrganisation = await api().get(`/users?organisationId=${organisationId.toUpperCase()}`).expect(200);
      expect((byOrganisation.body.data as { organisationId: string }[]).every((u) => u.organisationId === organisationId)).toBe(true);
      expect(ids(byOrganisation)).toContain(made.provider.id);
      const byLocality = await api().get(`/users?localityId=${localityId}&role=PANEL`).expect(200);
      expect(ids(byLocality)).toContain(made.panel.id);
      const byArea = await api().get('/users?area=North&role=MANAGER').expect(200);
      expect(ids(byArea)).toContain(made.manager.id);
      expect((byArea.body.data as { area: string }[]).every((u) => u.area === 'North')).toBe(true);

      const badActive = await api().get('/users?active=yes');
      expectProblem(badActive, 400, 'validation');
      expect(fieldsOf(badActive)).toEqual(['active']);
      expectProblem(await api().get('/users?role=ROOT'), 400, 'validation');
      expectProblem(await api().get('/users?schoolId=nope'), 400, 'validation');
    });

    it('?q= matches an email or name prefix, ignoring case, with LIKE wildcards taken literally', async () => {
      const byName = await api().get('/users?q=QUIN').expect(200);
      expect(ids(byName).sort()).toEqual([made.manager.id, made.left.id].sort());
      const byEmail = await api().get('/users?q=Priya.Sh').expect(200);
      expect(ids(byEmail)).toEqual([made.provider.id]);
      const both = await api().get('/users?q=q').expect(200);
      expect(ids(both).sort()).toEqual([made.panel.id, made.manager.id, made.left.id].sort());
      const wildcard = await api().get('/users?q=%25').expect(200);
      expect(ids(wildcard)).toEqual([]);
      const underscore = await api().get('/users?q=_oe').expect(200);
      expect(ids(underscore)).toEqual([]);
    });

    it('pages through every account by keyset, in name order and by -email', async () => {
      const all = await api().get('/users?limit=500').expect(200);
      expect(all.body.nextCursor).toBeNull();
      expect(all.body.data.length).toBeGreaterThan(10);
      // The database's collation decides the order; compare with it rather than with JavaScript's.
      const byName = await t.dataSource.query('SELECT id FROM app_user ORDER BY name, id');
      expect(ids(all)).toEqual(byName.map((r: { id: string }) => r.id));

      for (const sort of ['name', '-email']) {
        const full = await api().get(`/users?limit=500&sort=${sort}`).expect(200);
        const walked: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const res: Res = await api()
            .get(`/users?limit=3&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`)
            .expect(200);
          expect(res.body.data.length).toBeLessThanOrEqual(3);
          walked.push(...ids(res));
          cursor = res.body.nextCursor;
          pages += 1;
        } while (cursor && pages < 100);
        expect(walked).toEqual(ids(full));
        expect(new Set(walked).size).toBe(walked.length);
      }
      const byEmail = await t.dataSource.query('SELECT id FROM app_user ORDER BY email DESC, id DESC');
      expect(ids(await api().get('/users?limit=500&sort=-email').expect(200))).toEqual(byEmail.map((r: { id: string }) => r.id));

      expectProblem(await api().get('/users?sort=password'), 400, 'validation');
      expectProblem(await api().get('/users?limit=501'), 400, 'validation');
      expectProblem(await api().get('/users?cursor=garbage'), 400, 'validation');
    });
  });

  describe('update', () => {
    it('changes fields with the version read (body or If-Match); a stale version is 409 and changes nothing', async () => {
      const user = await createViaApi('SENCO', { schoolId });
      const missing = await api().patch(`/users/${user.id}`, { name: 'No Version' });
      expectProblem(missing, 400, 'validation');
      expect(fieldsOf(missing)).toEqual(['version']);

      const renamed = await api().patch(`/users/${user.id}`, { name: 'Sam Patel', email: 'Sam.Patel@Oakfield.example.org', version: 1 }).expect(200);
      expect(renamed.body).toMatchObject({ id: user.id, name: 'Sam Patel', email: 'sam.patel@oakfield.example.org', version: 2 });
      expectNoSecrets(renamed.body);

      const before = await t.dataSource.query('SELECT * FROM app_user WHERE id = $1', [user.id]);
      const stale = await api().patch(`/users/${user.id}`, { name: 'Lost Update', version: 1 });
      expectProblem(stale, 409, 'stale-version');
      expect(stale.body.currentVersion).toBe(2);
      expect(await t.dataSource.query('SELECT * FROM app_user WHERE id = $1', [user.id])).toEqual(before);

      const viaHeader = await t
        .http()
        .patch(`/api/v1/users/${user.id}`)
        .set('Authorization', admin.bearer)
        .set('If-Match', '"2"')
        .send({ name: 'Samira Patel' })
        .expect(200);
      expect(viaHeader.body).toMatchObject({ name: 'Samira Patel', version: 3 });

      const audit = await auditOf(user.id);
      expect(audit.map(({ action, changed_fields }) => ({ action, changed_fields }))).toEqual([
        { action: 'user.create', changed_fields: ['email', 'name', 'password', 'role', 'schoolId'] },
        { action: 'user.update', changed_fields: ['email', 'name'] },
        { action: 'user.update', changed_fields: ['name'] },
      ]);
    });

    it('validates a role change against the resulting role and scope', async () => {
      const user = await createViaApi('SENCO', { schoolId });
      const audits = await userAuditCount();
      const keepsSchool = await api().patch(`/users/${user.id}`, { role: 'CASEWORKER', version: 1 });
      expectProblem(keepsSchool, 400, 'validation');
      expect(keepsSchool.body.errors).toEqual([{ field: 'schoolId', message: 'is not used by the CASEWORKER role' }]);

      const dropsSchool = await api().patch(`/users/${user.id}`, { schoolId: null, version: 1 });
      expectProblem(dropsSchool, 400, 'validation');
      expect(dropsSchool.body.errors).toEqual([{ field: 'schoolId', message: 'is required for the SENCO role' }]);

      const unknownArea = await api().patch(`/users/${user.id}`, { role: 'MANAGER', schoolId: null, area: 'Atlantis', version: 1 });
      expectProblem(unknownArea, 400, 'validation');
      expect(unknownArea.body.errors).toEqual([{ field: 'area', message: 'unknown area' }]);
      expect(await userAuditCount()).toBe(audits);

      const moved = await api().patch(`/users/${user.id}`, { role: 'CASEWORKER', schoolId: null, localityId, version: 1 }).expect(200);
      expect(moved.body).toMatchObject({ role: 'CASEWORKER', schoolId: null, localityId, area: null, organisationId: null, version: 2 });
      const both = await api().patch(`/users/${user.id}`, { area: 'East', version: 2 });
      expectProblem(both, 400, 'validation');
      expect(fieldsOf(both)).toEqual(['area', 'localityId']);
      const toArea = await api().patch(`/users/${user.id}`, { area: 'East', localityId: null, version: 2 }).expect(200);
      expect(toArea.body).toMatchObject({ localityId: null, area: 'East', version: 3 });

      expect((await auditOf(user.id)).slice(1).map(({ action, changed_fields }) => ({ action, changed_fields }))).toEqual([
        { action: 'user.update', changed_fields: ['localityId', 'role', 'schoolId'] },
        { action: 'user.update', changed_fields: ['area', 'localityId'] },
      ]);
    });

    it('refuses an email another account has (409), a password, nulls and unknown accounts', async () => {
      const one = await createViaApi('ADMIN');
      const two = await createViaApi('ADMIN');
      const taken = await api().patch(`/users/${two.id}`, { email: one.email.toUpperCase(), version: 1 });
      expectProblem(taken, 409, 'duplicate');
      expect(taken.body.errors).toEqual([{ field: 'email', message: 'is already in use' }]);

      const password = await api().patch(`/users/${two.id}`, { password: 'another-long-passphrase', version: 1 });
      expectProblem(password, 400, 'validation');
      expect(password.body.errors).toEqual([{ field: 'password', message: 'is not a known field' }]);
      const nullName = await api().patch(`/users/${two.id}`, { name: null, version: 1 });
      expectProblem(nullName, 400, 'validation');
      expect(fieldsOf(nullName)).toEqual(['name']);
      const nullRole = await api().patch(`/users/${two.id}`, { role: null, active: null, version: 1 });
      expectProblem(nullRole, 400, 'validation');
      expect(fieldsOf(nullRole)).toEqual(['active', 'role']);

      expectProblem(await api().patch(`/users/${randomUUID()}`, { name: 'Nobody', version: 1 }), 404, 'not-found');
      expect((await auditOf(two.id)).map((a) => a.action)).toEqual(['user.create']);
    });

    it('a PATCH that changes nothing keeps the version and writes no audit row', async () => {
      const user = await createViaApi('ADMIN');
      const same = await api().patch(`/users/${user.id}`, { name: user.name, role: 'ADMIN', version: 1 }).expect(200);
      expect(same.body.version).toBe(1);
      expect((await auditOf(user.id)).map((a) => a.action)).toEqual(['user.create']);
    });

    it('an admin cannot deactivate themself or drop their own ADMIN role', async () => {
      const [{ version }] = await t.dataSource.query('SELECT version FROM app_user WHERE id = $1', [admin.id]);
      const deactivate = await api().patch(`/users/${admin.id}`, { active: false, version });
      expectProblem(deactivate, 400, 'validation');
      expect(deactivate.body.errors).toEqual([{ field: 'active', message: 'you cannot deactivate your own account' }]);
      const demote = await api().patch(`/users/${admin.id}`, { role: 'MANAGER', version });
      expectProblem(demote, 400, 'validation');
      expect(demote.body.errors).toEqual([{ field: 'role', message: 'you cannot remove the ADMIN role from your own account' }]);
      await api().get('/users?limit=1').expect(200);
      expect(await auditOf(admin.id)).toEqual([]);

      // Another administrator may do both.
      const other = await createViaApi('ADMIN');
      const otherToken = await login(t, other.email, PASSWORD);
      const [{ version: adminVersion }] = await t.dataSource.query('SELECT version FROM app_user WHERE id = $1', [admin.id]);
      const renamed = await as(`Bearer ${otherToken}`).patch(`/users/${admin.id}`, { name: 'Chief Admin', version: adminVersion }).expect(200);
      expect(renamed.body.name).toBe('Chief Admin');
      const demoted = await api().patch(`/users/${other.id}`, { role: 'MANAGER', area: 'East', version: 1 }).expect(200);
      expect(demoted.body).toMatchObject({ role: 'MANAGER', area: 'East' });
      // The demoted account's next request answers as a MANAGER.
      expectProblem(await as(`Bearer ${otherToken}`).get('/users'), 403, 'forbidden');
    });
  });

  describe('deactivation', () => {
    it('ends the account’s sessions at once and stops sign-in; reactivation allows sign-in again', async () => {
      const user = await createViaApi('CASEWORKER', { localityId });
      const token = await login(t, user.email, PASSWORD);
      await as(`Bearer ${token}`).get('/auth/me').expect(200);

      const res = await api().patch(`/users/${user.id}`, { active: false, version: 1 }).expect(200);
      expect(res.body).toMatchObject({ active: false, version: 2 });
      const [row] = await t.dataSource.query('SELECT active, token_version FROM app_user WHERE id = $1', [user.id]);
      expect(row).toEqual({ active: false, token_version: 2 });

      expectProblem(await as(`Bearer ${token}`).get('/auth/me'), 401, 'unauthenticated');
      expectProblem(await t.http().post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD }), 401, 'unauthenticated');
      // Never deleted: still listed, as inactive.
      const listed = await api().get('/users?active=false&role=CASEWORKER').expect(200);
      expect(listed.body.data.map((u: { id: string }) => u.id)).toContain(user.id);

      await api().patch(`/users/${user.id}`, { active: true, version: 2 }).expect(200);
      const fresh = await login(t, user.email, PASSWORD);
      await as(`Bearer ${fresh}`).get('/auth/me').expect(200);
      // The token from before the deactivation stays dead.
      expectProblem(await as(`Bearer ${token}`).get('/auth/me'), 401, 'unauthenticated');

      expect((await auditOf(user.id)).map(({ action, changed_fields }) => ({ action, changed_fields }))).toEqual([
        { action: 'user.create', changed_fields: ['email', 'localityId', 'name', 'password', 'role'] },
        { action: 'user.deactivate', changed_fields: ['active'] },
        { action: 'user.update', changed_fields: ['active'] },
      ]);
    });

    it('there is no DELETE', async () => {
      const user = await createViaApi('ADMIN');
      const res = await t.http().delete(`/api/v1/users/${user.id}`).set('Authorization', admin.bearer);
      expect([404, 405]).toContain(res.status);
      expect(await count(`SELECT count(*)::int AS n FROM app_user WHERE id = '${user.id}'`)).toBe(1);
    });
  });

  describe('reset-password', () => {
    it('gives a one-time temporary password: old tokens die, and only change-password works until it is changed', async () => {
      const user = await createViaApi('PANEL', { localityId });
      const oldToken = await login(t, user.email, PASSWORD);
      await as(`Bearer ${oldToken}`).get('/localities').expect(200);
      // A lockout in force is cleared by the reset.
      await t.dataSource.query(`UPDATE app_user SET failed_logins = 3, locked_until = now() + interval '1 hour' WHERE id = $1`, [user.id]);

      const res = await api().post(`/users/${user.id}/reset-password`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        temporaryPassword: expect.stringMatching(/^[A-Za-z0-9]{20}$/),
        user: expect.objectContaining({ id: user.id, email: user.email, mustChangePassword: true, lockedUntil: null, version: 2 }),
      });
      expectNoSecrets(res.body);
      const temporary: string = res.body.temporaryPassword;
      secrets.push(temporary);
      const [row] = await t.dataSource.query(
        'SELECT must_change_password, token_version, failed_logins, locked_until, password_hash FROM app_user WHERE id = $1',
        [user.id],
      );
      expect(row).toMatchObject({ must_change_password: true, token_version: 2, failed_logins: 0, locked_until: null });
      expect(row.password_hash).not.toContain(temporary);
      secrets.push(row.password_hash);

      expectProblem(await as(`Bearer ${oldToken}`).get('/auth/me'), 401, 'unauthenticated');
      expectProblem(await t.http().post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD }), 401, 'unauthenticated');

      const tempToken = await login(t, user.email, temporary);
      const me = await as(`Bearer ${tempToken}`).get('/auth/me').expect(200);
      expect(me.body.mustChangePassword).toBe(true);
      const blocked = await as(`Bearer ${tempToken}`).get('/localities');
      expectProblem(blocked, 403, 'forbidden');
      expect(blocked.body.detail).toMatch(/change-password/);

      const newPassword = 'my-own-new-passphrase-2026';
      secrets.push(newPassword);
      const changed = await as(`Bearer ${tempToken}`).post('/auth/change-password', { currentPassword: temporary, newPassword }).expect(200);
      expect(changed.body.user.mustChangePassword).toBe(false);
      await as(`Bearer ${changed.body.accessToken}`).get('/localities').expect(200);
      const signedIn = await login(t, user.email, newPassword);
      await as(`Bearer ${signedIn}`).get('/localities').expect(200);
      expectProblem(await t.http().post('/api/v1/auth/login').send({ email: user.email, password: temporary }), 401, 'unauthenticated');

      expect((await auditOf(user.id)).map(({ action, changed_fields }) => ({ action, changed_fields }))).toEqual([
        { action: 'user.create', changed_fields: ['email', 'localityId', 'name', 'password', 'role'] },
        { action: 'user.reset-password', changed_fields: ['failedLogins', 'lockedUntil', 'mustChangePassword', 'password'] },
        { action: 'auth.password-change', changed_fields: ['password'] },
      ]);
    });

    it('takes an optional version (body or If-Match): a stale one is 409 and changes nothing', async () => {
      const user = await createViaApi('MANAGER', { area: 'East' });
      await api().patch(`/users/${user.id}`, { name: 'Renamed Manager', version: 1 }).expect(200);
      const before = await t.dataSource.query('SELECT * FROM app_user WHERE id = $1', [user.id]);
      const audits = await userAuditCount();
      for (const res of [
        await api().post(`/users/${user.id}/reset-password`, { version: 1 }),
        await t.http().post(`/api/v1/users/${user.id}/reset-password`).set('Authorization', admin.bearer).set('If-Match', '"1"'),
        await api().post(`/users/${user.id}/unlock`, { version: 1 }),
      ]) {
        expectProblem(res, 409, 'stale-version');
        expect(res.body.currentVersion).toBe(2);
      }
      const mismatch = await t.http().post(`/api/v1/users/${user.id}/unlock`).set('Authorization', admin.bearer).set('If-Match', '"2"').send({ version: 1 });
      expectProblem(mismatch, 400, 'validation');
      const unknown = await api().post(`/users/${user.id}/unlock`, { force: true });
      expectProblem(unknown, 400, 'validation');
      expect(unknown.body.errors).toEqual([{ field: 'force', message: 'is not a known field' }]);
      expect(await t.dataSource.query('SELECT * FROM app_user WHERE id = $1', [user.id])).toEqual(before);
      expect(await userAuditCount()).toBe(audits);

      const reset = await api().post(`/users/${user.id}/reset-password`, { version: 2 }).expect(200);
      secrets.push(reset.body.temporaryPassword);
      expect(reset.body.user.version).toBe(3);
      await t.http().post(`/api/v1/users/${user.id}/unlock`).set('Authorization', admin.bearer).set('If-Match', '"3"').expect(200);
    });

    it('an absent account is 404 and writes nothing', async () => {
      const audits = await userAuditCount();
      expectProblem(await api().post(`/users/${randomUUID()}/reset-password`), 404, 'not-found');
      expectProblem(await api().post(`/users/${randomUUID()}/unlock`), 404, 'not-found');
      expect(await userAuditCount()).toBe(audits);
    });
  });

  describe('unlock', () => {
    it('clears a lockout so the account can sign in again', async () => {
      const user = await createViaApi('PROVIDER', { organisationId });
      await t.dataSource.query(`UPDATE app_user SET failed_logins = 2, locked_until = now() + interval '1 hour' WHERE id = $1`, [user.id]);
      const locked = await api().get(`/users/${user.id}`).expect(200);
      expect(locked.body.lockedUntil).toEqual(expect.any(String));
      expect(Date.parse(locked.body.lockedUntil)).toBeGreaterThan(Date.now());
      expectProblem(await t.http().post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD }), 401, 'unauthenticated');

      const res = await api().post(`/users/${user.id}/unlock`).expect(200);
      expect(res.body).toMatchObject({ id: user.id, lockedUntil: null, mustChangePassword: false });
      expectNoSecrets(res.body);
      const [row] = await t.dataSource.query('SELECT failed_logins, locked_until FROM app_user WHERE id = $1', [user.id]);
      expect(row).toEqual({ failed_logins: 0, locked_until: null });
      await login(t, user.email, PASSWORD);

      expect((await auditOf(user.id)).map(({ action, changed_fields }) => ({ action, changed_fields }))).toEqual([
        { action: 'user.create', changed_fields: ['email', 'name', 'organisationId', 'password', 'role'] },
        { action: 'user.unlock', changed_fields: ['failedLogins', 'lockedUntil'] },
      ]);
    });
  });

  describe('only ADMIN', () => {
    const others: [Role, () => UserScope][] = [
      ['SENCO', () => ({ schoolId })],
      ['PANEL', () => ({ localityId })],
      ['PROVIDER', () => ({ organisationId })],
      ['CASEWORKER', () => ({ localityId })],
      ['MANAGER', () => ({})],
    ];

    it.each(others)('a %s gets 403 on every /users route and changes nothing', async (role, scopeOf) => {
      const caller = await createUser(t, role, scopeOf());
      const target = await createViaApi('SENCO', { schoolId });
      const before = await t.dataSource.query('SELECT * FROM app_user WHERE id = $1', [target.id]);
      const users = await userCount();
      const audits = await userAuditCount();
      const calls: [string, () => Promise<Res>][] = [
        ['GET /users', () => as(caller.bearer).get('/users')],
        ['POST /users', () => as(caller.bearer).post('/users', { email: email('sneaky'), name: 'Sneaky', role: 'ADMIN', password: PASSWORD })],
        ['GET /users/:id', () => as(caller.bearer).get(`/users/${target.id}`)],
        ['GET /users/:id (own)', () => as(caller.bearer).get(`/users/${caller.id}`)],
        ['PATCH /users/:id', () => as(caller.bearer).patch(`/users/${target.id}`, { name: 'Renamed', version: 1 })],
        ['PATCH /users/:id (own role)', () => as(caller.bearer).patch(`/users/${caller.id}`, { role: 'ADMIN', version: 1 })],
        ['POST /users/:id/reset-password', () => as(caller.bearer).post(`/users/${target.id}/reset-password`)],
        ['POST /users/:id/unlock', () => as(caller.bearer).post(`/users/${target.id}/unlock`)],
      ];
      for (const [name, call] of calls) {
        const res = await call();
        expect({ name, status: res.status, type: res.body.type }).toEqual({ name, status: 403, type: '/problems/forbidden' });
        expect(JSON.stringify(res.body)).not.toContain(target.email);
      }
      expect(await t.dataSource.query('SELECT * FROM app_user WHERE id = $1', [target.id])).toEqual(before);
      expect(await userCount()).toBe(users);
      expect(await userAuditCount()).toBe(audits);
    });

    it('without a token every /users route is 401', async () => {
      const id = randomUUID();
      for (const res of [
        await t.http().get('/api/v1/users'),
        await t.http().post('/api/v1/users').send({}),
        await t.http().get(`/api/v1/users/${id}`),
        await t.http().patch(`/api/v1/users/${id}`).send({}),
        await t.http().post(`/api/v1/users/${id}/reset-password`),
        await t.http().post(`/api/v1/users/${id}/unlock`),
      ]) {
        expectProblem(res, 401, 'unauthenticated');
      }
    });
  });

  describe('the audit trail', () => {
    it('every account change is attributed to the administrator who made it', async () => {
      const rows: { actor_id: string | null; actor_role: string | null }[] = await t.dataSource.query(
        `SELECT actor_id, actor_role FROM audit_event WHERE action LIKE 'user.%'`,
      );
      expect(rows.length).toBeGreaterThan(20);
      for (const row of rows) expect(row.actor_role).toBe('ADMIN');
    });

    it('never holds a password, temporary password or hash: names of fields only', async () => {
      const rows = await t.dataSource.query('SELECT * FROM audit_event');
      const text = JSON.stringify(rows);
      expect(secrets.length).toBeGreaterThan(10);
      for (const secret of secrets) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/\$argon2/);
      const fieldNames = new Set(
        (rows as { entity_type: string; changed_fields: string[] }[]).filter((r) => r.entity_type === 'user').flatMap((r) => r.changed_fields),
      );
      for (const field of fieldNames) {
        expect(['email', 'name', 'role', 'password', 'schoolId', 'localityId', 'area', 'organisationId', 'active', 'mustChangePassword', 'failedLogins', 'lockedUntil']).toContain(field);
      }
    });
  });
});
