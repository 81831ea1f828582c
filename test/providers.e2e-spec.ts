import { randomUUID } from 'node:crypto';
import { createUser, TestUser } from './support/auth';
import { createTestApp, TestApp } from './support/test-app';

/** Provider organisations and the county service catalogue (API.md "Reference data"). */
describe('providers', () => {
  let t: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await createUser(t, 'ADMIN');
  });
  afterAll(async () => {
    await t?.close();
  });

  const count = async (table: 'organisation' | 'service') =>
    Number((await t.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n);

  type Res = { status: number; headers: Record<string, string>; body: Record<string, any> };
  function expectProblem(res: Res, status: number, type: string) {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: `/problems/${type}`, status, title: expect.any(String), detail: expect.any(String) });
  }
  const fieldsOf = (res: Res) => [...new Set((res.body.errors as { field: string }[]).map((e) => e.field))].sort();
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  /** The audit rows of one record, oldest first. */
  const auditOf = (entityId: string) =>
    t.dataSource.query(
      `SELECT action, entity_type, entity_id, changed_fields, actor_id FROM audit_event WHERE entity_id = $1 ORDER BY at, id`,
      [entityId],
    );
  const auditCount = async () => Number((await t.dataSource.query('SELECT count(*)::int AS n FROM audit_event'))[0].n);
  const actionsOf = async (entityId: string) => (await auditOf(entityId)).map((r: { action: string }) => r.action);

  describe('organisations', () => {
    const orgs: Record<string, { id: string; name: string; kind: string; version: number }> = {};

    it('creates an organisation: 201 with exactly the contract fields, and the row stored', async () => {
      const res = await t.http().post('/api/v1/organisations').set('Authorization', admin.bearer).send({ name: 'Kent Community Health NHS Foundation Trust', kind: 'NHS' }).expect(201);
      expect(res.body).toEqual({ id: expect.stringMatching(UUID), name: 'Kent Community Health NHS Foundation Trust', kind: 'NHS', version: 1 });
      orgs.kcht = res.body;
      const rows = await t.dataSource.query('SELECT name, kind, version FROM organisation WHERE id = $1', [res.body.id]);
      expect(rows).toEqual([{ name: 'Kent Community Health NHS Foundation Trust', kind: 'NHS', version: 1 }]);

      for (const [key, body] of Object.entries({
        stls: { name: 'Specialist Teaching and Learning Service', kind: 'KCC_SERVICE' },
        ep: { name: 'Educational Psychology Service', kind: 'KCC_SERVICE' },
        barnardos: { name: "Barnardo's", kind: 'VOLUNTARY' },
        therapy: { name: 'Acorn Therapy Ltd', kind: 'INDEPENDENT' },
      })) {
        orgs[key] = (await t.http().post('/api/v1/organisations').set('Authorization', admin.bearer).send(body).expect(201)).body;
      }
    });

    it('reads one by id; an absent one is 404, a malformed id 400', async () => {
      const res = await t.http().get(`/api/v1/organisations/${orgs.kcht.id}`).set('Authorization', admin.bearer).expect(200);
      expect(res.body).toEqual(orgs.kcht);
      expectProblem(await t.http().get(`/api/v1/organisations/${randomUUID()}`).set('Authorization', admin.bearer), 404, 'not-found');
      const malformed = await t.http().get('/api/v1/organisations/kcht').set('Authorization', admin.bearer);
      expectProblem(malformed, 400, 'validation');
      expect(malformed.body.errors).toEqual([{ field: 'id', message: 'must be a UUID' }]);
    });

    it('lists in name order, filtered by kind and by name prefix', async () => {
      const all = await t.http().get('/api/v1/organisations').set('Authorization', admin.bearer).expect(200);
      expect(all.body).toEqual({
        data: [orgs.therapy, orgs.barnardos, orgs.ep, orgs.kcht, orgs.stls],
        nextCursor: null,
      });

      const kcc = await t.http().get('/api/v1/organisations').set('Authorization', admin.bearer).query({ kind: 'KCC_SERVICE' }).expect(200);
      expect(kcc.body).toEqual({ data: [orgs.ep, orgs.stls], nextCursor: null });
      const kccDesc = await t.http().get('/api/v1/organisations').set('Authorization', admin.bearer).query({ kind: 'KCC_SERVICE', sort: '-name' }).expect(200);
      expect(kccDesc.body.data).toEqual([orgs.stls, orgs.ep]);

      const nhs = await t.http().get('/api/v1/organisations').set('Authorization', admin.bearer).query({ kind: 'NHS' }).expect(200);
      expect(nhs.body.data).toEqual([orgs.kcht]);

      const prefix = await t.http().get('/api/v1/organisations').set('Authorization', admin.bearer).query({ q: 'kent comm' }).expect(200);
      expect(prefix.body.data).toEqual([orgs.kcht]);

      const paged = await t.http().get('/api/v1/organisations').set('Authorization', admin.bearer).query({ limit: 2 }).expect(200);
      expect(paged.body.data).toEqual([orgs.therapy, orgs.barnardos]);
      const next = await t.http().get('/api/v1/organisations').set('Authorization', admin.bearer).query({ limit: 2, cursor: paged.body.nextCursor }).expect(200);
      expect(next.body.data).toEqual([orgs.ep, orgs.kcht]);
    });

    it('refuses a kind outside the enum, on create and as a filter', async () => {
      const before = await count('organisation');
      const create = await t.http().post('/api/v1/organisations').set('Authorization', admin.bearer).send({ name: 'Some Charity', kind: 'CHARITY' });
      expectProblem(create, 400, 'validation');
      expect(fieldsOf(create)).toEqual(['kind']);
      const filter = await t.http().get('/api/v1/organisations').set('Authorization', admin.bearer).query({ kind: 'nhs' });
      expectProblem(filter, 400, 'validation');
      expect(fieldsOf(filter)).toEqual(['kind']);
      const missing = await t.http().post('/api/v1/organisations').set('Authorization', admin.bearer).send({});
      expectProblem(missing, 400, 'validation');
      expect(fieldsOf(missing)).toEqual(['kind', 'name']);
      const extra = await t.http().post('/api/v1/organisations').set('Authorization', admin.bearer).send({ name: 'Some Charity', kind: 'VOLUNTARY', odsCode: 'RYY' });
      expectProblem(extra, 400, 'validation');
      expect(extra.body.errors).toEqual([{ field: 'odsCode', message: 'is not a known field' }]);
      expect(await count('organisation')).toBe(before);
    });

    it.each([['Kent Community Health NHS Foundation Trust'], ['KENT COMMUNITY HEALTH NHS FOUNDATION TRUST'], ['kent community health nhs foundation trust']])(
      'a name already in use, ignoring case (%p), is 409 duplicate naming name, and nothing is written',
      async (name) => {
        const before = await count('organisation');
        const res = await t.http().post('/api/v1/organisations').set('Authorization', admin.bearer).send({ name, kind: 'VOLUNTARY' });
        expectProblem(res, 409, 'duplicate');
        expect(res.body.errors).toEqual([{ field: 'name', message: 'is already in use' }]);
        expect(await count('organisation')).toBe(before);
      },
    );
  });

  describe('services', () => {
    let org: string;
    let otherOrg: string;
    let stls: Record<string, any>;

    beforeAll(async () => {
      org = (await t.http().post('/api/v1/organisations').set('Authorization', admin.bearer).send({ name: 'Catalogue Provider', kind: 'KCC_SERVICE' }).expect(201)).body.id;
      otherOrg = (await t.http().post('/api/v1/organisations').set('Authorization', admin.bearer).send({ name: 'Catalogue Therapies', kind: 'NHS' }).expect(201)).body.id;
    });

    it('creates a service with its organisationId: 201 with exactly the contract fields, and the row stored', async () => {
      const res = await t
        .http()
        .post('/api/v1/services')
        .set('Authorization', admin.bearer)
        .send({ code: 'STLS', name: 'Specialist Teaching and Learning Service', organisationId: org, unit: 'HOURS' })
        .expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        code: 'STLS',
        name: 'Specialist Teaching and Learning Service',
        organisationId: org,
        unit: 'HOURS',
        deliveryStartWeeks: null,
        version: 1,
      });
      stls = res.body;
      const rows = await t.dataSource.query(
        'SELECT code, name, organisation_id, unit, delivery_start_weeks, version FROM service WHERE id = $1',
        [stls.id],
      );
      expect(rows).toEqual([
        { code: 'STLS', name: 'Specialist Teaching and Learning Service', organisation_id: org, unit: 'HOURS', delivery_start_weeks: null, version: 1 },
      ]);

      const withOverride = await t
        .http()
        .post('/api/v1/services')
        .set('Authorization', admin.bearer)
        .send({ code: 'SALT', name: 'Speech and Language Therapy', organisationId: otherOrg.toUpperCase(), unit: 'SESSIONS', deliveryStartWeeks: 8 })
        .expect(201);
      expect(withOverride.body).toMatchObject({ code: 'SALT', organisationId: otherOrg, unit: 'SESSIONS', deliveryStartWeeks: 8, version: 1 });
      expect(typeof withOverride.body.deliveryStartWeeks).toBe('number');

      const read = await t.http().get(`/api/v1/services/${stls.id}`).set('Authorization', admin.bearer).expect(200);
      expect(read.body).toEqual(stls);
      expectProblem(await t.http().get(`/api/v1/services/${randomUUID()}`).set('Authorization', admin.bearer), 404, 'not-found');
    });

    it('an unknown organisationId is 400 naming organisationId, and nothing is written', async () => {
      const before = await count('service');
      const res = await t.http().post('/api/v1/services').set('Authorization', admin.bearer).send({ code: 'GHOST', name: 'Ghost Service', organisationId: randomUUID(), unit: 'GBP' });
      expectProblem(res, 400, 'validation');
      expect(res.body.errors).toEqual([{ field: 'organisationId', message: 'unknown organisation' }]);
      const malformed = await t.http().post('/api/v1/services').set('Authorization', admin.bearer).send({ code: 'GHOST', name: 'Ghost Service', organisationId: 'Catalogue Provider', unit: 'GBP' });
      expectProblem(malformed, 400, 'validation');
      expect(malformed.body.errors).toEqual([{ field: 'organisationId', message: 'must be a UUID' }]);
      expect(await count('service')).toBe(before);
      expect(await t.dataSource.query(`SELECT id FROM service WHERE code = 'GHOST'`)).toEqual([]);
    });

    it('a code already in use is 409 duplicate naming code, and nothing is written', async () => {
      const before = await count('service');
      const res = await t.http().post('/api/v1/services').set('Authorization', admin.bearer).send({ code: 'STLS', name: 'Another STLS', organisationId: otherOrg, unit: 'SESSIONS' });
      expectProblem(res, 409, 'duplicate');
      expect(res.body.errors).toEqual([{ field: 'code', message: 'is already in use' }]);
      expect(await count('service')).toBe(before);
    });

    it('refuses bad codes, units and overrides with 400 naming each field', async () => {
      const before = await count('service');
      const res = await t
        .http()
        .post('/api/v1/services')
        .set('Authorization', admin.bearer)
        .send({ code: 'stls lower', name: 'Bad', organisationId: org, unit: 'MINUTES', deliveryStartWeeks: 0 });
      expectProblem(res, 400, 'validation');
      expect(fieldsOf(res)).toEqual(['code', 'deliveryStartWeeks', 'unit']);
      const tooLong = await t.http().post('/api/v1/services').set('Authorization', admin.bearer).send({ code: 'OT', name: 'Occupational Therapy', organisationId: org, unit: 'SESSIONS', deliveryStartWeeks: 53 });
      expectProblem(tooLong, 400, 'validation');
      expect(fieldsOf(tooLong)).toEqual(['deliveryStartWeeks']);
      expect(await count('service')).toBe(before);
    });

    it('PATCH sets and removes deliveryStartWeeks with the version read; stale is 409', async () => {
      const missing = await t.http().patch(`/api/v1/services/${stls.id}`).set('Authorization', admin.bearer).send({ deliveryStartWeeks: 6 });
      expectProblem(missing, 400, 'validation');
      expect(fieldsOf(missing)).toEqual(['version']);

      const set = await t.http().patch(`/api/v1/services/${stls.id}`).set('Authorization', admin.bearer).send({ deliveryStartWeeks: 6, version: 1 }).expect(200);
      expect(set.body).toEqual({ ...stls, deliveryStartWeeks: 6, version: 2 });
      expect(await t.dataSource.query('SELECT delivery_start_weeks, version FROM service WHERE id = $1', [stls.id])).toEqual([
        { delivery_start_weeks: 6, version: 2 },
      ]);

      const stale = await t.http().patch(`/api/v1/services/${stls.id}`).set('Authorization', admin.bearer).send({ deliveryStartWeeks: 10, version: 1 });
      expectProblem(stale, 409, 'stale-version');
      expect(stale.body.currentVersion).toBe(2);

      // Absent leaves it alone; null removes it.
      const renamed = await t.http().patch(`/api/v1/services/${stls.id}`).set('Authorization', admin.bearer).set('If-Match', '"2"').send({ name: 'STLS time' }).expect(200);
      expect(renamed.body).toMatchObject({ name: 'STLS time', deliveryStartWeeks: 6, version: 3 });
      const cleared = await t.http().patch(`/api/v1/services/${stls.id}`).set('Authorization', admin.bearer).send({ deliveryStartWeeks: null, version: 3 }).expect(200);
      expect(cleared.body).toEqual({ ...stls, name: 'STLS time', deliveryStartWeeks: null, version: 4 });
      expect(await t.dataSource.query('SELECT delivery_start_weeks, version FROM service WHERE id = $1', [stls.id])).toEqual([
        { delivery_start_weeks: null, version: 4 },
      ]);
      stls = cleared.body;
    });

    it('PATCH with unit or code is 400 unknown field, and changes nothing', async () => {
      const before = await t.dataSource.query('SELECT * FROM service WHERE id = $1', [stls.id]);
      const unit = await t.http().patch(`/api/v1/services/${stls.id}`).set('Authorization', admin.bearer).send({ unit: 'GBP', version: stls.version });
      expectProblem(unit, 400, 'validation');
      expect(unit.body.errors).toEqual([{ field: 'unit', message: 'is not a known field' }]);
      const code = await t.http().patch(`/api/v1/services/${stls.id}`).set('Authorization', admin.bearer).send({ code: 'STLS2', version: stls.version });
      expectProblem(code, 400, 'validation');
      expect(code.body.errors).toEqual([{ field: 'code', message: 'is not a known field' }]);
      const badWeeks = await t.http().patch(`/api/v1/services/${stls.id}`).set('Authorization', admin.bearer).send({ deliveryStartWeeks: 2.5, version: stls.version });
      expectProblem(badWeeks, 400, 'validation');
      expect(fieldsOf(badWeeks)).toEqual(['deliveryStartWeeks']);
      const nullName = await t.http().patch(`/api/v1/services/${stls.id}`).set('Authorization', admin.bearer).send({ name: null, organisationId: null, version: stls.version });
      expectProblem(nullName, 400, 'validation');
      expect(fieldsOf(nullName)).toEqual(['name', 'organisationId']);
      const unknownOrg = await t.http().patch(`/api/v1/services/${stls.id}`).set('Authorization', admin.bearer).send({ organisationId: randomUUID(), version: stls.version });
      expectProblem(unknownOrg, 400, 'validation');
      expect(unknownOrg.body.errors).toEqual([{ field: 'organisationId', message: 'unknown organisation' }]);
      expect(await t.dataSource.query('SELECT * FROM service WHERE id = $1', [stls.id])).toEqual(before);
    });

    it('PATCH moves a service to another organisation', async () => {
      const moved = await t.http().patch(`/api/v1/services/${stls.id}`).set('Authorization', admin.bearer).send({ organisationId: otherOrg, version: stls.version }).expect(200);
      expect(moved.body).toEqual({ ...stls, organisationId: otherOrg, version: stls.version + 1 });
      const back = await t.http().patch(`/api/v1/services/${stls.id}`).set('Authorization', admin.bearer).send({ organisationId: org, version: moved.body.version }).expect(200);
      stls = back.body;
    });

    it('lists by organisationId (and unit), in code order', async () => {
      await t.http().post('/api/v1/services').set('Authorization', admin.bearer).send({ code: 'HNF', name: 'High Needs Funding', organisationId: org, unit: 'GBP' }).expect(201);
      await t.http().post('/api/v1/services').set('Authorization', admin.bearer).send({ code: 'SRP-PLACES', name: 'Specialist Resource Provision', organisationId: org, unit: 'PLACES' }).expect(201);

      const mine = await t.http().get('/api/v1/services').set('Authorization', admin.bearer).query({ organisationId: org }).expect(200);
      expect(mine.body.nextCursor).toBeNull();
      expect(mine.body.data.map((s: { code: string }) => s.code)).toEqual(['HNF', 'SRP-PLACES', 'STLS']);
      expect(mine.body.data.every((s: { organisationId: string }) => s.organisationId === org)).toBe(true);
      expect(mine.body.data[2]).toEqual(stls);

      const theirs = await t.http().get('/api/v1/services').set('Authorization', admin.bearer).query({ organisationId: otherOrg.toUpperCase() }).expect(200);
      expect(theirs.body.data.map((s: { code: string }) => s.code)).toEqual(['SALT']);

      const places = await t.http().get('/api/v1/services').set('Authorization', admin.bearer).query({ organisationId: org, unit: 'PLACES' }).expect(200);
      expect(places.body.data.map((s: { code: string }) => s.code)).toEqual(['SRP-PLACES']);

      const none = await t.http().get('/api/v1/services').set('Authorization', admin.bearer).query({ organisationId: randomUUID() }).expect(200);
      expect(none.body).toEqual({ data: [], nextCursor: null });

      const bad = await t.http().get('/api/v1/services').set('Authorization', admin.bearer).query({ organisationId: 'nope' });
      expectProblem(bad, 400, 'validation');
      expect(fieldsOf(bad)).toEqual(['organisationId']);

      const q = await t.http().get('/api/v1/services').set('Authorization', admin.bearer).query({ q: 'speech' }).expect(200);
      expect(q.body.data.map((s: { code: string }) => s.code)).toEqual(['SALT']);
    });
  });

  describe('access', () => {
    let org: Record<string, unknown> & { id: string };
    let service: Record<string, unknown> & { id: string; version: number };
    let senco: TestUser;

    beforeAll(async () => {
      const locality = await t
        .http()
        .post('/api/v1/localities')
        .set('Authorization', admin.bearer)
        .send({ code: 'PRV-ACC', name: 'Provider Access', area: 'West', district: 'Tonbridge and Malling' })
        .expect(201);
      const school = await t
        .http()
        .post('/api/v1/schools')
        .set('Authorization', admin.bearer)
        .send({ urn: '510001', name: 'Provider Access School', phase: 'PRIMARY', kind: 'MAINSTREAM', localityId: locality.body.id })
        .expect(201);
      senco = await createUser(t, 'SENCO', { schoolId: school.body.id });
      org = (await t.http().post('/api/v1/organisations').set('Authorization', admin.bearer).send({ name: 'Access Provider', kind: 'VOLUNTARY' }).expect(201)).body;
      service = (
        await t
          .http()
          .post('/api/v1/services')
          .set('Authorization', admin.bearer)
          .send({ code: 'ACC-SVC', name: 'Access Service', organisationId: org.id, unit: 'SESSIONS' })
          .expect(201)
      ).body;
    });

    it('without a token is 401 /problems/unauthenticated, and nothing is written', async () => {
      const [orgsBefore, servicesBefore] = [await count('organisation'), await count('service')];
      for (const res of [
        await t.http().get('/api/v1/organisations'),
        await t.http().get(`/api/v1/organisations/${org.id}`),
        await t.http().post('/api/v1/organisations').send({ name: 'Anonymous Provider', kind: 'VOLUNTARY' }),
        await t.http().get('/api/v1/services'),
        await t.http().get(`/api/v1/services/${service.id}`),
        await t.http().post('/api/v1/services').send({ code: 'ANON', name: 'Anon', organisationId: org.id, unit: 'GBP' }),
        await t.http().patch(`/api/v1/services/${service.id}`).send({ name: 'Anon', version: service.version }),
      ]) {
        expectProblem(res, 401, 'unauthenticated');
      }
      expect([await count('organisation'), await count('service')]).toEqual([orgsBefore, servicesBefore]);
      expect(await t.dataSource.query('SELECT name, version FROM service WHERE id = $1', [service.id])).toEqual([{ name: 'Access Service', version: 1 }]);
    });

    it('a SENCO reads organisations and services but may not create or change them (403), and nothing is written', async () => {
      const orgs = await t.http().get('/api/v1/organisations').set('Authorization', senco.bearer).query({ q: 'access prov' }).expect(200);
      expect(orgs.body).toEqual({ data: [org], nextCursor: null });
      expect((await t.http().get(`/api/v1/organisations/${org.id}`).set('Authorization', senco.bearer).expect(200)).body).toEqual(org);
      const services = await t.http().get('/api/v1/services').set('Authorization', senco.bearer).query({ organisationId: org.id }).expect(200);
      expect(services.body).toEqual({ data: [service], nextCursor: null });
      expect((await t.http().get(`/api/v1/services/${service.id}`).set('Authorization', senco.bearer).expect(200)).body).toEqual(service);

      const [orgsBefore, servicesBefore, auditBefore] = [await count('organisation'), await count('service'), await auditCount()];
      for (const res of [
        await t.http().post('/api/v1/organisations').set('Authorization', senco.bearer).send({ name: 'Senco Provider', kind: 'VOLUNTARY' }),
        await t.http().post('/api/v1/services').set('Authorization', senco.bearer).send({ code: 'SENCO-SVC', name: 'Senco', organisationId: org.id, unit: 'GBP' }),
        await t.http().patch(`/api/v1/services/${service.id}`).set('Authorization', senco.bearer).send({ name: 'Senco Service', version: service.version }),
      ]) {
        expectProblem(res, 403, 'forbidden');
      }
      expect([await count('organisation'), await count('service'), await auditCount()]).toEqual([orgsBefore, servicesBefore, auditBefore]);
      expect(await t.dataSource.query(`SELECT id FROM organisation WHERE name = 'Senco Provider'`)).toEqual([]);
      expect(await t.dataSource.query('SELECT name, version FROM service WHERE id = $1', [service.id])).toEqual([{ name: 'Access Service', version: 1 }]);
    });
  });

  describe('audit trail', () => {
    let org: string;
    let otherOrg: string;

    beforeAll(async () => {
      org = (await t.http().post('/api/v1/organisations').set('Authorization', admin.bearer).send({ name: 'Audit Provider', kind: 'NHS' }).expect(201)).body.id;
      otherOrg = (await t.http().post('/api/v1/organisations').set('Authorization', admin.bearer).send({ name: 'Audit Other', kind: 'NHS' }).expect(201)).body.id;
    });

    it('an organisation create writes one organisation.create row naming the fields set, placed in the organisation', async () => {
      expect(await auditOf(org)).toEqual([
        { action: 'organisation.create', entity_type: 'organisation', entity_id: org, changed_fields: ['kind', 'name'], actor_id: admin.id },
      ]);
      const [place] = await t.dataSource.query('SELECT actor_role, outcome, organisation_id, school_id, locality_id FROM audit_event WHERE entity_id = $1', [org]);
      expect(place).toEqual({ actor_role: 'ADMIN', outcome: 'SUCCESS', organisation_id: org, school_id: null, locality_id: null });
    });

    it('a service create writes one service.create row naming the fields set, placed in its organisation', async () => {
      const plain = await t
        .http()
        .post('/api/v1/services')
        .set('Authorization', admin.bearer)
        .send({ code: 'AUD-SVC', name: 'Audit Service', organisationId: org, unit: 'HOURS' })
        .expect(201);
      expect(await auditOf(plain.body.id)).toEqual([
        {
          action: 'service.create',
          entity_type: 'service',
          entity_id: plain.body.id,
          changed_fields: ['code', 'name', 'organisationId', 'unit'],
          actor_id: admin.id,
        },
      ]);
      const withOverride = await t
        .http()
        .post('/api/v1/services')
        .set('Authorization', admin.bearer)
        .send({ code: 'AUD-SVC2', name: 'Audit Service Two', organisationId: org, unit: 'GBP', deliveryStartWeeks: 4 })
        .expect(201);
      const [row] = await t.dataSource.query('SELECT changed_fields, organisation_id FROM audit_event WHERE entity_id = $1', [withOverride.body.id]);
      expect(row).toEqual({ changed_fields: ['code', 'deliveryStartWeeks', 'name', 'organisationId', 'unit'], organisation_id: org });
    });

    it('each service update writes one service.update row naming only the fields changed; a no-op writes none', async () => {
      const created = await t
        .http()
        .post('/api/v1/services')
        .set('Authorization', admin.bearer)
        .send({ code: 'AUD-UPD', name: 'Audit Updates', organisationId: org, unit: 'SESSIONS' })
        .expect(201);
      const id = created.body.id;
      const patch = (body: Record<string, unknown>) => t.http().patch(`/api/v1/services/${id}`).set('Authorization', admin.bearer).send(body);

      expect((await patch({ name: 'Audit Updates', deliveryStartWeeks: 5, version: 1 }).expect(200)).body.version).toBe(2);
      // Nothing changes: the same name, an override equal to the stored one; version and trail stay.
      const same = await patch({ name: 'Audit Updates', deliveryStartWeeks: 5, version: 2 }).expect(200);
      expect(same.body).toEqual({ ...created.body, deliveryStartWeeks: 5, version: 2 });
      expect((await patch({ deliveryStartWeeks: null, version: 2 }).expect(200)).body.version).toBe(3);
      expect((await patch({ organisationId: otherOrg, version: 3 }).expect(200)).body.version).toBe(4);

      const rows = await t.dataSource.query(
        'SELECT action, entity_type, changed_fields, organisation_id FROM audit_event WHERE entity_id = $1 ORDER BY at, id',
        [id],
      );
      expect(rows).toEqual([
        { action: 'service.create', entity_type: 'service', changed_fields: ['code', 'name', 'organisationId', 'unit'], organisation_id: org },
        { action: 'service.update', entity_type: 'service', changed_fields: ['deliveryStartWeeks'], organisation_id: org },
        { action: 'service.update', entity_type: 'service', changed_fields: ['deliveryStartWeeks'], organisation_id: org },
        { action: 'service.update', entity_type: 'service', changed_fields: ['organisationId'], organisation_id: otherOrg },
      ]);
      expect(await t.dataSource.query('SELECT version FROM service WHERE id = $1', [id])).toEqual([{ version: 4 }]);
    });

    it('refused creates and updates (400, 409) write no audit row', async () => {
      const created = await t
        .http()
        .post('/api/v1/services')
        .set('Authorization', admin.bearer)
        .send({ code: 'AUD-REF', name: 'Audit Refusals', organisationId: org, unit: 'PLACES' })
        .expect(201);
      const id = created.body.id;
      const before = await auditCount();
      const refusals = [
        await t.http().post('/api/v1/organisations').set('Authorization', admin.bearer).send({ name: 'audit provider', kind: 'NHS' }),
        await t.http().post('/api/v1/organisations').set('Authorization', admin.bearer).send({ name: 'Audit Charity', kind: 'CHARITY' }),
        await t.http().post('/api/v1/services').set('Authorization', admin.bearer).send({ code: 'AUD-REF', name: 'Again', organisationId: org, unit: 'GBP' }),
        await t.http().post('/api/v1/services').set('Authorization', admin.bearer).send({ code: 'AUD-GHOST', name: 'Ghost', organisationId: randomUUID(), unit: 'GBP' }),
        await t.http().patch(`/api/v1/services/${id}`).set('Authorization', admin.bearer).send({ name: 'No Version' }),
        await t.http().patch(`/api/v1/services/${id}`).set('Authorization', admin.bearer).send({ organisationId: randomUUID(), version: 1 }),
        await t.http().patch(`/api/v1/services/${id}`).set('Authorization', admin.bearer).send({ name: 'Stale', version: 2 }),
      ];
      expect(refusals.map((r) => r.status)).toEqual([409, 400, 409, 400, 400, 400, 409]);
      expect(await auditCount()).toBe(before);
      expect(await actionsOf(id)).toEqual(['service.create']);
    });
  });
});
