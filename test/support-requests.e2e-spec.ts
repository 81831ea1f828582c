import { addWeeks, todayInLondon } from '../src/common/dates/calendar-date';
import { upnCheckLetter } from '../src/pupils/upn';
import { createUser, type TestUser } from './support/auth';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * Support requests (API.md "Support requests and panels"; issue 5 item 1): a SENCO drafts,
 * submits (REQUEST_DECISION deadline opened) and withdraws (deadline cancelled); invalid
 * transitions are 409 with the current state; bad bodies name their fields and write nothing;
 * scope by school and locality; a PANEL member's caseload is the pupils with a request heard in
 * their locality.
 */
describe('support requests', () => {
  let t: TestApp;
  let localityId: string;
  let otherLocalityId: string;
  let schoolId: string;
  let otherSchoolId: string;
  let senco: TestUser;
  let otherSenco: TestUser;
  let panel: TestUser;
  let otherPanel: TestUser;
  let provider: TestUser;
  let serial = 0;

  beforeAll(async () => {
    t = await createTestApp();
    const place = async (code: string, area: string, urn: string) => {
      const [locality] = await t.dataSource.query(
        `INSERT INTO locality (code, name, area, district) VALUES ($1, $2, $3, 'Dartford') RETURNING id`,
        [code, `${code} Community`, area],
      );
      const [school] = await t.dataSource.query(
        `INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ($1, $2, 'PRIMARY', 'MAINSTREAM', $3) RETURNING id`,
        [urn, `School ${urn}`, locality.id],
      );
      return { localityId: locality.id as string, schoolId: school.id as string };
    };
    ({ localityId, schoolId } = await place('SR-NORTH', 'North', '118901'));
    ({ localityId: otherLocalityId, schoolId: otherSchoolId } = await place('SR-EAST', 'East', '118902'));
    const [organisation] = await t.dataSource.query(`INSERT INTO organisation (name, kind) VALUES ('SR Trust', 'NHS') RETURNING id`);
    for (const [code, unit] of [
      ['SR-STLS', 'HOURS'],
      ['SR-SALT', 'SESSIONS'],
      ['SR-HNF', 'GBP'],
      ['SR-PLACE', 'PLACES'],
    ]) {
      await t.dataSource.query(`INSERT INTO service (code, name, organisation_id, unit) VALUES ($1, $1, $2, $3)`, [code, organisation.id, unit]);
    }
    senco = await createUser(t, 'SENCO', { schoolId });
    otherSenco = await createUser(t, 'SENCO', { schoolId: otherSchoolId });
    panel = await createUser(t, 'PANEL', { localityId });
    otherPanel = await createUser(t, 'PANEL', { localityId: otherLocalityId });
    provider = await createUser(t, 'PROVIDER', { organisationId: organisation.id });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function makePupil(school = schoolId, leftOn: string | null = null): Promise<string> {
    const body = `8870001${String(26).padStart(2, '0')}${String(serial++).padStart(3, '0')}`;
    const [pupil] = await t.dataSource.query(
      `INSERT INTO pupil (upn, first_name, last_name, first_name_key, last_name_key, date_of_birth, school_id, sen_status, primary_need,
         left_on, leave_reason)
       VALUES ($1, 'Amara', 'Okafor', 'amara', 'okafor', '2018-05-14', $2, 'K', 'SLCN', $3, $4) RETURNING id`,
      [`${upnCheckLetter(body)}${body}`, school, leftOn, leftOn ? 'MOVED_OUT_OF_AREA' : null],
    );
    return pupil.id;
  }

  const requestBody = (pupilId: string, overrides: Record<string, unknown> = {}) => ({
    pupilId,
    serviceCode: 'SR-STLS',
    reason: 'Reading age three years behind after two support cycles',
    urgency: 'ROUTINE',
    unitsRequested: 12.25,
    ...overrides,
  });
  const create = (as: TestUser, body: object) => t.http().post('/api/v1/support-requests').set('Authorization', as.bearer).send(body);
  const submit = (as: TestUser, id: string) => t.http().post(`/api/v1/support-requests/${id}/submit`).set('Authorization', as.bearer).send();
  const withdraw = (as: TestUser, id: string, reason = 'Needs now met in school') =>
    t.http().post(`/api/v1/support-requests/${id}/withdraw`).set('Authorization', as.bearer).send({ reason });
  const read = (as: TestUser, id: string) => t.http().get(`/api/v1/support-requests/${id}`).set('Authorization', as.bearer);

  const footprint = async () =>
    (
      await t.dataSource.query(`
        SELECT (SELECT count(*)::int FROM support_request) AS requests,
               (SELECT count(*)::int FROM deadline) AS deadlines,
               (SELECT count(*)::int FROM deadline WHERE cancelled_on IS NOT NULL) AS cancelled,
               (SELECT count(*)::int FROM audit_event WHERE entity_type = 'support-request') AS audits,
               (SELECT coalesce(sum(version), 0)::int FROM support_request) AS versions`)
    )[0];

  function expectProblem(res: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, status: number, type: string) {
    expect({ status: res.status, type: res.body.type }).toEqual({ status, type: `/problems/${type}` });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  }
  const fieldsOf = (res: { body: { errors?: { field: string }[] } }) => [...new Set((res.body.errors ?? []).map((e) => e.field))].sort();

  describe('the SENCO journey: draft, submit, withdraw', () => {
    let pupilId: string;
    let planId: string;
    let requestId: string;

    beforeAll(async () => {
      pupilId = await makePupil();
      const [plan] = await t.dataSource.query(
        `INSERT INTO support_plan (pupil_id, school_id, outcomes, provision, start_on, review_on)
         VALUES ($1, $2, '[{"description":"Reads 40 words a minute"}]', '[{"description":"Phonics","frequency":"daily","by":"TA"}]',
                 '2026-09-01', '2026-12-01') RETURNING id`,
        [pupilId, schoolId],
      );
      planId = plan.id;
    });

    it('drafts a request: 201 with exactly the contract fields, and an audit row naming fields only', async () => {
      const res = await create(senco, requestBody(pupilId, { supportPlanId: planId, urgency: 'URGENT' })).expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        pupilId,
        schoolId,
        localityId,
        serviceCode: 'SR-STLS',
        reason: 'Reading age three years behind after two support cycles',
        urgency: 'URGENT',
        unitsRequested: 12.25,
        supportPlanId: planId,
        status: 'DRAFT',
        submittedOn: null,
        withdrawnOn: null,
        needsReallocation: false,
        reallocationReason: null,
        decision: null,
        version: 1,
      });
      requestId = res.body.id;
      const [row] = await t.dataSource.query(`SELECT created_by, units_requested FROM support_request WHERE id = $1`, [requestId]);
      expect(row).toEqual({ created_by: senco.id, units_requested: '12.25' });
      const audits = await t.dataSource.query(
        `SELECT action, changed_fields, school_id, locality_id, pupil_id FROM audit_event WHERE entity_id = $1`,
        [requestId],
      );
      expect(audits).toEqual([
        {
          action: 'support-request.create',
          changed_fields: ['pupilId', 'reason', 'serviceCode', 'supportPlanId', 'unitsRequested', 'urgency'],
          school_id: schoolId,
          locality_id: localityId,
          pupil_id: pupilId,
        },
      ]);
      expect(await t.dataSource.query(`SELECT 1 FROM deadline WHERE subject_id = $1`, [requestId])).toEqual([]);
    });

    it('a PANEL member does not see a draft, nor yet the pupil', async () => {
      expectProblem(await read(panel, requestId), 404, 'not-found');
      const list = await t.http().get('/api/v1/support-requests').set('Authorization', panel.bearer).expect(200);
      expect(list.body.data).toEqual([]);
      await t.http().get(`/api/v1/pupils/${pupilId}`).set('Authorization', panel.bearer).expect(404);
    });

    it('submits: 200, SUBMITTED today, and a REQUEST_DECISION deadline due in 4 weeks', async () => {
      const today = todayInLondon();
      const res = await submit(senco, requestId).expect(200);
      expect(res.body).toMatchObject({ id: requestId, status: 'SUBMITTED', submittedOn: today, version: 2 });
      const deadlines = await t.dataSource.query(
        `SELECT kind, subject_type, pupil_id, school_id, locality_id, starts_on, due_on, met_on, cancelled_on FROM deadline WHERE subject_id = $1`,
        [requestId],
      );
      expect(deadlines).toEqual([
        {
          kind: 'REQUEST_DECISION',
          subject_type: 'SUPPORT_REQUEST',
          pupil_id: pupilId,
          school_id: schoolId,
          locality_id: localityId,
          starts_on: today,
          due_on: addWeeks(today, 4),
          met_on: null,
          cancelled_on: null,
        },
      ]);
    });

    it('submitting twice is 409 invalid-transition with the current state, and writes nothing', async () => {
      const before = await footprint();
      const res = await submit(senco, requestId);
      expectProblem(res, 409, 'invalid-transition');
      expect(res.body.detail).toContain('SUBMITTED');
      expect(res.body.currentStatus).toBe('SUBMITTED');
      expect(await footprint()).toEqual(before);
    });

    it('the locality PANEL lists the submitted request and now reads the pupil; another locality’s PANEL does not', async () => {
      const list = await t.http().get('/api/v1/support-requests?status=SUBMITTED').set('Authorization', panel.bearer).expect(200);
      expect(list.body.data.map((r: { id: string }) => r.id)).toContain(requestId);
      await t.http().get(`/api/v1/pupils/${pupilId}`).set('Authorization', panel.bearer).expect(200);
      await t.http().get(`/api/v1/pupils/${pupilId}/support-plans`).set('Authorization', panel.bearer).expect(200);
      await t.http().get(`/api/v1/support-plans/${planId}`).set('Authorization', panel.bearer).expect(200);

      const other = await t.http().get('/api/v1/support-requests').set('Authorization', otherPanel.bearer).expect(200);
      expect(other.body.data).toEqual([]);
      expectProblem(await read(otherPanel, requestId), 404, 'not-found');
      expectProblem(await t.http().get(`/api/v1/pupils/${pupilId}`).set('Authorization', otherPanel.bearer), 404, 'not-found');
    });

    it('withdraws: 200, WITHDRAWN today, the deadline cancelled (not late)', async () => {
      const today = todayInLondon();
      const res = await withdraw(senco, requestId).expect(200);
      expect(res.body).toMatchObject({ id: requestId, status: 'WITHDRAWN', withdrawnOn: today, version: 3 });
      const [deadline] = await t.dataSource.query(`SELECT met_on, cancelled_on FROM deadline WHERE subject_id = $1`, [requestId]);
      expect(deadline).toEqual({ met_on: null, cancelled_on: today });
      const audits = await t.dataSource.query(`SELECT action, changed_fields FROM audit_event WHERE entity_id = $1 ORDER BY action`, [requestId]);
      expect(audits.map((a: { action: string }) => a.action).sort()).toEqual(['support-request.create', 'support-request.submit', 'support-request.withdraw']);
      expect(JSON.stringify(audits)).not.toContain('Needs now met');
    });

    it('withdrawing or submitting a withdrawn request is 409 with currentStatus WITHDRAWN, and writes nothing', async () => {
      const before = await footprint();
      for (const res of [await withdraw(senco, requestId), await submit(senco, requestId)]) {
        expectProblem(res, 409, 'invalid-transition');
        expect(res.body.currentStatus).toBe('WITHDRAWN');
        expect(res.body.detail).toContain('WITHDRAWN');
      }
      expect(await footprint()).toEqual(before);
    });

    it('a draft can be withdrawn straight away, with nothing to cancel', async () => {
      const draft = await create(senco, requestBody(pupilId)).expect(201);
      const res = await withdraw(senco, draft.body.id).expect(200);
      expect(res.body).toMatchObject({ status: 'WITHDRAWN', submittedOn: null });
    });

    it('lists as CSV with a header row', async () => {
      const res = await t.http().get(`/api/v1/support-requests?pupilId=${pupilId}&format=csv`).set('Authorization', senco.bearer).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      const lines = res.text.trim().split('\r\n');
      expect(lines[0]).toBe('id,pupilId,schoolId,localityId,serviceCode,urgency,unitsRequested,supportPlanId,status,submittedOn,withdrawnOn,needsReallocation,version');
      expect(lines).toHaveLength(3);
    });
  });

  describe('bad bodies name their fields and write nothing', () => {
    let pupilId: string;
    let otherPupilId: string;
    let leftPupilId: string;

    beforeAll(async () => {
      pupilId = await makePupil();
      otherPupilId = await makePupil(otherSchoolId);
      leftPupilId = await makePupil(schoolId, '2026-07-20');
    });

    it.each<[string, (p: { pupilId: string; otherPupilId: string; leftPupilId: string }) => Record<string, unknown>, string[]]>([
      ['1.3 HOURS (not a quarter hour)', ({ pupilId }) => requestBody(pupilId, { unitsRequested: 1.3 }), ['unitsRequested']],
      ['2.5 SESSIONS', ({ pupilId }) => requestBody(pupilId, { serviceCode: 'SR-SALT', unitsRequested: 2.5 }), ['unitsRequested']],
      ['250.5 GBP', ({ pupilId }) => requestBody(pupilId, { serviceCode: 'SR-HNF', unitsRequested: 250.5 }), ['unitsRequested']],
      ['0.5 PLACES', ({ pupilId }) => requestBody(pupilId, { serviceCode: 'SR-PLACE', unitsRequested: 0.5 }), ['unitsRequested']],
      ['zero units', ({ pupilId }) => requestBody(pupilId, { unitsRequested: 0 }), ['unitsRequested']],
      ['negative units', ({ pupilId }) => requestBody(pupilId, { unitsRequested: -4 }), ['unitsRequested']],
      ['absurdly many units', ({ pupilId }) => requestBody(pupilId, { unitsRequested: 1e9 }), ['unitsRequested']],
      ['units as a string', ({ pupilId }) => requestBody(pupilId, { unitsRequested: '4' }), ['unitsRequested']],
      ['an unknown service', ({ pupilId }) => requestBody(pupilId, { serviceCode: 'NOPE' }), ['serviceCode']],
      ['another school’s pupil', ({ otherPupilId }) => requestBody(otherPupilId), ['pupilId']],
      ['a pupil who left', ({ leftPupilId }) => requestBody(leftPupilId), ['pupilId']],
      ['an unknown pupil', () => requestBody('00000000-0000-4000-8000-000000000000'), ['pupilId']],
      ['another pupil’s support plan', ({ pupilId }) => requestBody(pupilId, { supportPlanId: '00000000-0000-4000-8000-000000000000' }), ['supportPlanId']],
      ['a blank reason', ({ pupilId }) => requestBody(pupilId, { reason: '   ' }), ['reason']],
      ['a reason too long', ({ pupilId }) => requestBody(pupilId, { reason: 'x'.repeat(2001) }), ['reason']],
      ['an unknown urgency', ({ pupilId }) => requestBody(pupilId, { urgency: 'NOW' }), ['urgency']],
      ['an unknown field', ({ pupilId }) => requestBody(pupilId, { status: 'APPROVED' }), ['status']],
      ['nothing at all', () => ({}), ['pupilId', 'reason', 'serviceCode', 'unitsRequested', 'urgency']],
    ])('%s -> 400', async (_label, body, fields) => {
      const before = await footprint();
      const res = await create(senco, body({ pupilId, otherPupilId, leftPupilId }));
      expectProblem(res, 400, 'validation');
      expect(fieldsOf(res)).toEqual(fields);
      expect(await footprint()).toEqual(before);
    });

    it('accepts 1.25 HOURS, 3 SESSIONS, 250 GBP and 1 PLACE', async () => {
      for (const [serviceCode, unitsRequested] of [
        ['SR-STLS', 1.25],
        ['SR-SALT', 3],
        ['SR-HNF', 250],
        ['SR-PLACE', 1],
      ] as const) {
        const res = await create(senco, requestBody(pupilId, { serviceCode, unitsRequested }));
        expect({ status: res.status, units: res.body.unitsRequested }).toEqual({ status: 201, units: unitsRequested });
      }
    });

    it('a submit with a stale version is 409 stale-version, and writes nothing', async () => {
      const draft = await create(senco, requestBody(pupilId)).expect(201);
      const before = await footprint();
      const res = await t.http().post(`/api/v1/support-requests/${draft.body.id}/submit`).set('Authorization', senco.bearer).send({ version: 7 });
      expectProblem(res, 409, 'stale-version');
      expect(res.body.currentVersion).toBe(1);
      expect(await footprint()).toEqual(before);
      await t.http().post(`/api/v1/support-requests/${draft.body.id}/submit`).set('Authorization', senco.bearer).send({ version: 1 }).expect(200);
    });

    it('a withdraw without a reason is 400 on reason', async () => {
      const draft = await create(senco, requestBody(pupilId)).expect(201);
      const res = await t.http().post(`/api/v1/support-requests/${draft.body.id}/withdraw`).set('Authorization', senco.bearer).send({});
      expectProblem(res, 400, 'validation');
      expect(fieldsOf(res)).toEqual(['reason']);
    });
  });

  describe('scope', () => {
    let requestId: string;

    beforeAll(async () => {
      const res = await create(senco, requestBody(await makePupil())).expect(201);
      requestId = res.body.id;
    });

    it('another school’s SENCO gets 404 on read, submit and withdraw, and writes nothing', async () => {
      const before = await footprint();
      expectProblem(await read(otherSenco, requestId), 404, 'not-found');
      expectProblem(await submit(otherSenco, requestId), 404, 'not-found');
      expectProblem(await withdraw(otherSenco, requestId), 404, 'not-found');
      const list = await t.http().get('/api/v1/support-requests').set('Authorization', otherSenco.bearer).expect(200);
      expect(list.body.data).toEqual([]);
      expect(await footprint()).toEqual(before);
    });

    it('PANEL may read but not write; PROVIDER has no access (403)', async () => {
      expectProblem(await submit(panel, requestId), 403, 'forbidden');
      expectProblem(await read(provider, requestId), 403, 'forbidden');
      expectProblem(await t.http().get('/api/v1/support-requests').set('Authorization', provider.bearer), 403, 'forbidden');
      expectProblem(await create(provider, requestBody(await makePupil())), 403, 'forbidden');
    });

    it('a malformed id is 400, an unknown one 404', async () => {
      expectProblem(await read(senco, 'nope'), 400, 'validation');
      expectProblem(await read(senco, '00000000-0000-4000-8000-000000000000'), 404, 'not-found');
    });
  });
});
