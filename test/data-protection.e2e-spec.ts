import { addWeeks, todayInLondon } from '../src/common/dates/calendar-date';
import { upnCheckLetter } from '../src/pupils/upn';
import { createAllocation } from './support/allocation-factory';
import { createUser, type TestUser } from './support/auth';
import { auditCount } from './support/audit-log';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * Data protection (issue 10 point 6): the subject access export holds every record about the
 * pupil and its access log; erasure anonymises names, UPN, date of birth (to its month) and every
 * free text about the child, while the statutory counts and a dashboard figure stay the same.
 * Both ADMIN only, both audited.
 */
describe('data protection: subject access export and erasure', () => {
  let t: TestApp;
  const today = todayInLondon();
  const received = addWeeks(today, -10);
  let localityId: string;
  let schoolId: string;
  let orgId: string;
  let pupilId: string;
  let admin: TestUser;
  let senco: TestUser;
  let caseworker: TestUser;
  let provider: TestUser;
  const SECRET = 'ZQSECRET';
  const post = (as: TestUser, path: string, body: object = {}) => t.http().post(`/api/v1${path}`).set('Authorization', as.bearer).send(body);
  const get = (as: TestUser, path: string) => t.http().get(`/api/v1${path}`).set('Authorization', as.bearer);
  /** Rows in every table of the schema whose text anywhere holds `needle`. */
  const rowsHolding = async (needle: string): Promise<Record<string, number>> => {
    const tables: { table_name: string }[] = await t.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`,
    );
    const found: Record<string, number> = {};
    for (const { table_name } of tables) {
      const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM "${table_name}" t WHERE to_jsonb(t)::text ILIKE $1`, [`%${needle}%`]);
      if (n > 0) found[table_name] = n;
    }
    return found;
  };
  const counts = async () => ({
    deadlines: (await t.dataSource.query(`SELECT kind, due_on, met_on, cancelled_on FROM deadline WHERE pupil_id = $1 ORDER BY kind, due_on`, [pupilId])),
    pupil: (await t.dataSource.query(`SELECT school_id, sen_status, primary_need, secondary_need, year_offset, left_on FROM pupil WHERE id = $1`, [pupilId]))[0],
    yearGroup: (await get(caseworker, `/pupils/${pupilId}`).expect(200)).body.yearGroup,
    plans: (await t.dataSource.query(`SELECT primary_need, setting_school_id, issued_on FROM ehc_plan WHERE pupil_id = $1`, [pupilId])),
  });
  const dashboard = async () =>
    (await get(caseworker, `/dashboards/timeliness?groupBy=school&localityId=${localityId}&from=${addWeeks(today, -52)}&to=${today}`).expect(200)).body;

  beforeAll(async () => {
    t = await createTestApp();
    [{ id: localityId }] = await t.dataSource.query(`INSERT INTO locality (code, name, area, district) VALUES ('DP-L', 'DP locality', 'North', 'Dartford') RETURNING id`);
    [{ id: schoolId }] = await t.dataSource.query(
      `INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ('138801', 'DP School', 'PRIMARY', 'MAINSTREAM', $1) RETURNING id`,
      [localityId],
    );
    [{ id: orgId }] = await t.dataSource.query(`INSERT INTO organisation (name, kind) VALUES ('DP Health', 'NHS') RETURNING id`);
    await t.dataSource.query(`INSERT INTO service (code, name, organisation_id, unit) VALUES ('DP-SALT', 'DP SALT', $1, 'SESSIONS')`, [orgId]);
    admin = await createUser(t, 'ADMIN');
    senco = await createUser(t, 'SENCO', { schoolId });
    caseworker = await createUser(t, 'CASEWORKER', { area: 'North' });
    provider = await createUser(t, 'PROVIDER', { organisationId: orgId });
    const body = '88800126001';
    [{ id: pupilId }] = await t.dataSource.query(
      `INSERT INTO pupil (upn, first_name, last_name, first_name_key, last_name_key, date_of_birth, school_id, sen_status, primary_need)
       VALUES ($1, 'Zephyrine', 'Quillfeather', 'zephyrine', 'quillfeather', '2016-05-14', $2, 'K', 'SLCN') RETURNING id`,
      [`${upnCheckLetter(`${body}1`)}${body}1`, schoolId],
    );
    // A support plan with its free text, through the API.
    await post(senco, `/pupils/${pupilId}/support-plans`, {
      outcomes: [{ description: `${SECRET} outcome: speaks to her brother Tobias` }],
      provision: [{ description: `${SECRET} provision`, frequency: `${SECRET} daily`, by: `${SECRET} Mrs Adebayo` }],
      startOn: today,
      reviewOn: addWeeks(today, 12),
    }).expect(201);
    // Request, decision, allocation (as the panel leaves them), then delivery through the API.
    const allocation = await createAllocation(t, {
      pupilId, schoolId, localityId, organisationId: orgId, serviceCode: 'DP-SALT', units: 6, offeredOn: addWeeks(today, -3), reason: `${SECRET} request reason`,
    });
    await t.dataSource.query(
      `INSERT INTO support_request_decision (request_id, outcome, decided_on, units_approved, pool_id, organisation_id, allocation_id, reason)
       VALUES ($1, 'APPROVED', $2, 6, $3, $4, $5, $6)`,
      [allocation.requestId, addWeeks(today, -3), allocation.poolId, orgId, allocation.id, `${SECRET} decision reason`],
    );
    await post(provider, `/allocations/${allocation.id}/accept`, { acceptedOn: addWeeks(today, -2) }).expect(200);
    await post(provider, `/allocations/${allocation.id}/sessions`, {
      deliveredOn: addWeeks(today, -1), durationMinutes: 30, attended: true, note: `${SECRET} session note`,
    }).expect(201);
    await post(provider, `/allocations/${allocation.id}/complete`, { outcome: 'PARTLY_MET', summary: `${SECRET} outcome summary`, completedOn: today }).expect(200);
    // An EHC case with advice, an exception and a final plan, through the API.
    const ehc = (await post(caseworker, '/ehc-assessments', { pupilId, requestReceivedOn: received, requestedBy: 'PARENT' }).expect(201)).body;
    await post(caseworker, `/ehc-assessments/${ehc.id}/decision-to-assess`, { decision: true, decidedOn: addWeeks(received, 4) }).expect(200);
    await post(caseworker, `/ehc-assessments/${ehc.id}/advice-requests`, { adviceType: 'HEALTH', organisationId: orgId, requestedOn: addWeeks(received, 4) }).expect(201);
    await post(caseworker, `/ehc-assessments/${ehc.id}/exceptions`, {
      reason: 'PERSONAL_CIRCUMSTANCES', fromOn: addWeeks(received, 5), toOn: addWeeks(received, 6), note: `${SECRET} exception note`,
    }).expect(201);
    await post(caseworker, `/ehc-assessments/${ehc.id}/issue-decision`, { decision: true, decidedOn: addWeeks(received, 8) }).expect(200);
    await post(caseworker, `/ehc-assessments/${ehc.id}/final-plan`, { issuedOn: addWeeks(received, 9) }).expect(200);
    // The SENCO reads the record: an access row.
    await get(senco, `/pupils/${pupilId}`).expect(200);
  }, 300_000);
  afterAll(async () => {
    await t?.close();
  });

  it('refuses every role but ADMIN with 403, and writes nothing', async () => {
    const audit = () => auditCount(t);
    const before = await audit();
    for (const user of [senco, caseworker, provider]) {
      expect((await get(user, `/pupils/${pupilId}/subject-access-export`)).status).toBe(403);
      expect((await post(user, `/pupils/${pupilId}/erasure`, { reason: 'SUBJECT_REQUEST' })).status).toBe(403);
    }
    expect(await audit()).toBe(before);
    expect(await rowsHolding('Quillfeather')).toEqual({ pupil: 1 });
  });

  it('exports everything held about the pupil, with the access log, and audits the export as a read', async () => {
    const res = await get(admin, `/pupils/${pupilId}/subject-access-export`).expect(200);
    const { pupil, records } = res.body;
    expect(pupil).toMatchObject({ id: pupilId, firstName: 'Zephyrine', lastName: 'Quillfeather', dateOfBirth: '2016-05-14', schoolId });
    for (const key of ['history', 'supportPlans', 'supportRequests', 'decisions', 'allocations', 'sessions', 'ehcAssessments', 'adviceRequests', 'ehcPlans', 'ehcExceptions', 'deadlines', 'accessLog']) {
      expect({ key, rows: records[key].length > 0 }).toEqual({ key, rows: true });
    }
    expect(records.supportPlanReviews).toEqual([]);
    expect(records.ehcAppeals).toEqual([]);
    expect(records.annualReviews).toEqual([]);
    expect(records.supportPlans[0].outcomes[0].description).toContain(SECRET);
    expect(records.supportRequests[0].reason).toBe(`${SECRET} request reason`);
    expect(records.decisions[0].reason).toBe(`${SECRET} decision reason`);
    expect(records.sessions[0].note).toBe(`${SECRET} session note`);
    expect(records.allocations[0].outcomeSummary).toBe(`${SECRET} outcome summary`);
    expect(records.ehcExceptions[0].note).toBe(`${SECRET} exception note`);
    expect(records.ehcPlans).toHaveLength(1);
    expect(records.deadlines.length).toBe((await t.dataSource.query(`SELECT id FROM deadline WHERE pupil_id = $1`, [pupilId])).length);
    const actions = records.accessLog.map((e: { action: string; actorEmail: string }) => `${e.actorEmail} ${e.action}`);
    expect(actions).toEqual(expect.arrayContaining([`${senco.email} pupil.read`, `${admin.email} pupil.read`, `${admin.email} pupil.subject-access-export`]));
    const rows = await t.dataSource.query(`SELECT action, changed_fields FROM audit_event WHERE actor_id = $1 AND pupil_id = $2 ORDER BY at`, [admin.id, pupilId]);
    expect(rows).toEqual([{ action: 'pupil.read', changed_fields: [] }, { action: 'pupil.subject-access-export', changed_fields: [] }]);
  });

  it('erases the personal fields and free text, keeps the statutory counts and the dashboard, and audits without personal data', async () => {
    const countsBefore = await counts();
    const dashboardBefore = await dashboard();
    expect((await get(caseworker, '/pupils?q=Quill').expect(200)).body.data).toHaveLength(1);
    expect(Object.keys(await rowsHolding(SECRET)).sort()).toEqual(
      ['allocation', 'allocation_session', 'ehc_exception', 'support_plan', 'support_request', 'support_request_decision'],
    );

    const res = await post(admin, `/pupils/${pupilId}/erasure`, { reason: 'SUBJECT_REQUEST' }).expect(200);
    expect(res.body).toMatchObject({ pupilId, erasedOn: today, reason: 'SUBJECT_REQUEST', upn: expect.stringMatching(/^[A-Z]999\d{8}Z$/) });

    // Nothing personal is left in any table (the audit trail included).
    expect(await rowsHolding(SECRET)).toEqual({});
    expect(await rowsHolding('Quillfeather')).toEqual({});
    expect(await rowsHolding('Zephyrine')).toEqual({});
    expect(await rowsHolding('Adebayo')).toEqual({});
    const [row] = await t.dataSource.query(`SELECT first_name, last_name, first_name_key, last_name_key, date_of_birth, upn, erased_on FROM pupil WHERE id = $1`, [pupilId]);
    expect(row).toEqual({ first_name: 'ERASED', last_name: 'ERASED', first_name_key: 'erased', last_name_key: 'erased', date_of_birth: '2016-05-01', upn: res.body.upn, erased_on: today });
    expect((await t.dataSource.query(`SELECT reason FROM support_request WHERE pupil_id = $1`, [pupilId]))[0].reason).toBe('ERASED');
    expect((await t.dataSource.query(`SELECT note FROM allocation_session s JOIN allocation a ON a.id = s.allocation_id WHERE a.pupil_id = $1`, [pupilId]))[0].note).toBe('ERASED');
    expect((await t.dataSource.query(`SELECT outcomes, provision FROM support_plan WHERE pupil_id = $1`, [pupilId]))[0]).toEqual({
      outcomes: [{ description: 'ERASED' }],
      provision: [{ description: 'ERASED', frequency: 'ERASED', by: 'ERASED' }],
    });

    // The statutory counts and the dashboard are unchanged.
    expect(await counts()).toEqual(countsBefore);
    expect(await dashboard()).toEqual(dashboardBefore);
    // Gone from name search.
    expect((await get(caseworker, '/pupils?q=Quill').expect(200)).body.data).toHaveLength(0);
    expect((await get(caseworker, '/pupils?q=erased').expect(200)).body.data).toHaveLength(0);

    const [audit] = await t.dataSource.query(`SELECT actor_id, entity_id, changed_fields, pupil_id FROM audit_event WHERE action = 'pupil.erasure'`);
    expect(audit).toEqual({ actor_id: admin.id, entity_id: pupilId, changed_fields: ['dateOfBirth', 'firstName', 'lastName', 'upn'], pupil_id: pupilId });
  });

  it('a change to the name or date of birth of an erased pupil is a 409 naming the erasure, and writes nothing', async () => {
    const patch = (body: object) => t.http().patch(`/api/v1/pupils/${pupilId}`).set('Authorization', senco.bearer).send(body);
    const before = { pupil: (await t.dataSource.query(`SELECT * FROM pupil WHERE id = $1`, [pupilId]))[0], audit: await auditCount(t) };
    const { version } = (await get(senco, `/pupils/${pupilId}`).expect(200)).body;
    for (const change of [{ firstName: 'Zephyrine' }, { lastName: 'Quillfeather' }, { dateOfBirth: '2016-05-17' }, { firstName: 'Ada', senStatus: 'E' }]) {
      const res = await patch({ version, ...change });
      expect({ status: res.status, type: res.body.type }).toEqual({ status: 409, type: '/problems/invalid-transition' });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.detail).toMatch(/erased on \d{4}-\d{2}-\d{2}/);
      expect(res.body.detail).toMatch(/data protection/);
      expect(res.body.erasedOn).toBe(today);
    }
    expect((await t.dataSource.query(`SELECT * FROM pupil WHERE id = $1`, [pupilId]))[0]).toEqual(before.pupil);
    // The GET above wrote one access row; the refused changes wrote none.
    expect(await auditCount(t)).toBe(before.audit + 1);
  });

  it('a second erasure is 409 and writes nothing; a bad reason is 400', async () => {
    const audit = () => auditCount(t);
    const before = await audit();
    const again = await post(admin, `/pupils/${pupilId}/erasure`, { reason: 'SUBJECT_REQUEST' }).expect(409);
    expect(again.body.type).toBe('/problems/invalid-transition');
    const bad = await post(admin, `/pupils/${pupilId}/erasure`, { reason: 'because' }).expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['reason']);
    expect(await audit()).toBe(before);
    await post(admin, `/pupils/00000000-0000-4000-8000-000000000000/erasure`, { reason: 'SUBJECT_REQUEST' }).expect(404);
  });
});
