import { addDays, addMonths, addWeeks, todayInLondon } from '../src/common/dates/calendar-date';
import { ADVICE_CASELOAD_SQL } from '../src/ehc/advice-caseload';
import { academicYearOf } from '../src/ehc/phase-transfer';
import { upnCheckLetter } from '../src/pupils/upn';
import { createUser, type TestUser } from './support/auth';
import { auditRows } from './support/audit-log';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * EHC needs assessments on the statutory clock (API.md "EHC needs assessments", DOMAIN.md
 * timescales; issue 7): whole journeys with deadlines met on time and late, decisions not to
 * assess or issue cancelling the later deadlines, withdrawal, date-order and stage refusals
 * writing nothing, exceptions keeping the due date, the provider's advice worklist (minimal pupil
 * view) and scope.
 */
describe('EHC needs assessments', () => {
  let t: TestApp;
  let localityId: string;
  let schoolId: string;
  let otherSchoolId: string;
  let settingUrn: string;
  let nhsId: string;
  let epId: string;
  let caseworker: TestUser;
  let caseworker2: TestUser;
  let otherCaseworker: TestUser;
  let inactiveCaseworkerId: string;
  let manager: TestUser;
  let senco: TestUser;
  let otherSenco: TestUser;
  let nhsProvider: TestUser;
  let epProvider: TestUser;
  let serial = 0;
  const today = todayInLondon();
  // Year 4 now (and Year 3 last year): no phase transfer in these journeys (test/phase-transfers.e2e-spec.ts has them).
  const year4DateOfBirth = `${academicYearOf(today) - 8}-05-14`;

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
    ({ localityId, schoolId } = await place('EHC-N', 'North', '128901'));
    const other = await place('EHC-E', 'East', '128902');
    otherSchoolId = other.schoolId;
    settingUrn = '128903';
    await t.dataSource.query(`INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ($1, 'Special school', 'ALL_THROUGH', 'SPECIAL', $2)`, [
      settingUrn,
      localityId,
    ]);
    [{ id: nhsId }] = await t.dataSource.query(`INSERT INTO organisation (name, kind) VALUES ('EHC NHS Trust', 'NHS') RETURNING id`);
    [{ id: epId }] = await t.dataSource.query(`INSERT INTO organisation (name, kind) VALUES ('EHC EP Service', 'KCC_SERVICE') RETURNING id`);
    caseworker = await createUser(t, 'CASEWORKER', { localityId });
    caseworker2 = await createUser(t, 'CASEWORKER', { area: 'North' });
    otherCaseworker = await createUser(t, 'CASEWORKER', { localityId: other.localityId });
    const inactive = await createUser(t, 'CASEWORKER', { localityId });
    inactiveCaseworkerId = inactive.id;
    await t.dataSource.query(`UPDATE app_user SET active = false WHERE id = $1`, [inactiveCaseworkerId]);
    manager = await createUser(t, 'MANAGER', { localityId });
    senco = await createUser(t, 'SENCO', { schoolId });
    otherSenco = await createUser(t, 'SENCO', { schoolId: otherSchoolId });
    nhsProvider = await createUser(t, 'PROVIDER', { organisationId: nhsId });
    epProvider = await createUser(t, 'PROVIDER', { organisationId: epId });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function makePupil(school = schoolId, primaryNeed = 'SLCN'): Promise<string> {
    const body = `8870002${String(25).padStart(2, '0')}${String(serial++).padStart(3, '0')}`;
    const [pupil] = await t.dataSource.query(
      `INSERT INTO pupil (upn, first_name, last_name, first_name_key, last_name_key, date_of_birth, school_id, sen_status, primary_need)
       VALUES ($1, 'Amara', 'Okafor', 'amara', 'okafor', $4, $2, 'K', $3) RETURNING id`,
      [`${upnCheckLetter(body)}${body}`, school, primaryNeed, year4DateOfBirth],
    );
    return pupil.id;
  }

  const post = (as: TestUser, path: string, body: object = {}) => t.http().post(`/api/v1${path}`).set('Authorization', as.bearer).send(body);
  const get = (as: TestUser, path: string) => t.http().get(`/api/v1${path}`).set('Authorization', as.bearer);
  const open = async (pupilId: string, requestReceivedOn: string, as = caseworker, extra: object = {}) =>
    (await post(as, '/ehc-assessments', { pupilId, requestReceivedOn, requestedBy: 'PARENT', ...extra }).expect(201)).body;
  const deadlinesOf = async (pupilId: string) =>
    (await get(caseworker, `/deadlines?pupilId=${pupilId}&limit=100`).expect(200)).body.data as {
      kind: string;
      subjectType: string;
      startsOn: string;
      dueOn: string;
      metOn: string | null;
      cancelledOn: string | null;
      status: string;
      excepted: boolean;
      organisationId: string | null;
    }[];
  const byKind = (rows: Awaited<ReturnType<typeof deadlinesOf>>) =>
    Object.fromEntries(rows.map((d) => [d.kind, { status: d.status, dueOn: d.dueOn, metOn: d.metOn, cancelledOn: d.cancelledOn }]));

  const footprint = async () =>
    (
      await auditRows(t, `
        SELECT (SELECT count(*)::int FROM ehc_assessment) AS cases,
               (SELECT coalesce(sum(version), 0)::int FROM ehc_assessment) AS versions,
               (SELECT count(*)::int FROM advice_request) AS advice,
               (SELECT coalesce(sum(version), 0)::int FROM advice_request) AS adviceVersions,
               (SELECT count(*)::int FROM ehc_plan) AS plans,
               (SELECT count(*)::int FROM ehc_exception) AS exceptions,
               (SELECT count(*)::int FROM ehc_appeal) AS appeals,
               (SELECT count(*)::int FROM deadline) AS deadlines,
               (SELECT count(*)::int FROM deadline WHERE met_on IS NOT NULL OR cancelled_on IS NOT NULL OR excepted) AS closed,
               (SELECT count(*)::int FROM audit_event) AS audits,
               (SELECT count(*)::int FROM pupil_history) AS history`)
    )[0];

  function expectProblem(res: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, status: number, type: string) {
    expect({ status: res.status, type: res.body.type }).toEqual({ status, type: `/problems/${type}` });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  }
  const fieldsOf = (res: { body: { errors?: { field: string }[] } }) => [...new Set((res.body.errors ?? []).map((e) => e.field))].sort();

  describe('on time: the whole path to PLAN_ISSUED', () => {
    let pupilId: string;
    let caseId: string;
    let adviceId: string;
    const received = addWeeks(today, -19);

    it('opens the case with the 6, 16 and 20 week deadlines from the request date', async () => {
      pupilId = await makePupil();
      const body = await open(pupilId, received, caseworker, { caseworkerId: caseworker2.id, requestedBy: 'SCHOOL' });
      caseId = body.id;
      expect(body).toMatchObject({
        pupilId,
        schoolId,
        localityId,
        requestReceivedOn: received,
        requestedBy: 'SCHOOL',
        caseworkerId: caseworker2.id,
        stage: 'REQUESTED',
        nextDueOn: addWeeks(received, 6),
        nextDueKind: 'EHC_DECISION_TO_ASSESS',
        nextDueStatus: 'OVERDUE',
        excepted: false,
        planId: null,
        version: 1,
      });
      expect(byKind(await deadlinesOf(pupilId))).toEqual({
        EHC_DECISION_TO_ASSESS: { status: 'OVERDUE', dueOn: addWeeks(received, 6), metOn: null, cancelledOn: null },
        EHC_ISSUE_DECISION: { status: 'OVERDUE', dueOn: addWeeks(received, 16), metOn: null, cancelledOn: null },
        EHC_FINAL_PLAN: { status: 'DUE_SOON', dueOn: addWeeks(received, 20), metOn: null, cancelledOn: null },
      });
      const rows = await t.dataSource.query(`SELECT DISTINCT subject_type, subject_id, starts_on FROM deadline WHERE pupil_id = $1`, [pupilId]);
      expect(rows).toEqual([{ subject_type: 'EHC_ASSESSMENT', subject_id: caseId, starts_on: received }]);
    });

    it('decides to assess on its due date (on time) and asks health for advice', async () => {
      const res = await post(caseworker, `/ehc-assessments/${caseId}/decision-to-assess`, { decision: true, decidedOn: addWeeks(received, 6) }).expect(200);
      expect(res.body).toMatchObject({ stage: 'ASSESSING', decisionToAssess: true, decisionToAssessOn: addWeeks(received, 6), version: 2 });
      const advice = await post(caseworker, `/ehc-assessments/${caseId}/advice-requests`, {
        adviceType: 'HEALTH',
        organisationId: nhsId,
        requestedOn: addWeeks(received, 6),
      }).expect(201);
      adviceId = advice.body.id;
      expect(advice.body).toMatchObject({
        assessmentId: caseId,
        adviceType: 'HEALTH',
        organisationId: nhsId,
        organisationName: 'EHC NHS Trust',
        status: 'REQUESTED',
        requestedOn: addWeeks(received, 6),
        dueOn: addWeeks(received, 12),
        receivedOn: null,
        deadlineStatus: 'OVERDUE',
      });
      const [deadline] = await t.dataSource.query(`SELECT organisation_id, subject_type, kind FROM deadline WHERE subject_id = $1`, [adviceId]);
      expect(deadline).toEqual({ organisation_id: nhsId, subject_type: 'ADVICE_REQUEST', kind: 'EHC_ADVICE' });
    });

    it('the provider records the advice received on time; the deadline is met', async () => {
      const res = await post(nhsProvider, `/advice-requests/${adviceId}/received`, { receivedOn: addWeeks(received, 11) }).expect(200);
      expect(res.body).toMatchObject({ status: 'RECEIVED', receivedOn: addWeeks(received, 11), deadlineStatus: 'MET_ON_TIME' });
    });

    it('issues the draft and then the final plan within 20 weeks, naming the setting', async () => {
      await post(caseworker, `/ehc-assessments/${caseId}/issue-decision`, { decision: true, decidedOn: addWeeks(received, 16) }).expect(200);
      const res = await post(caseworker, `/ehc-assessments/${caseId}/final-plan`, { issuedOn: addWeeks(received, 19), settingUrn }).expect(200);
      expect(res.body).toMatchObject({
        stage: 'PLAN_ISSUED',
        finalPlanIssuedOn: addWeeks(received, 19),
        nextDueKind: 'ANNUAL_REVIEW_MEETING',
        nextDueOn: addMonths(addWeeks(received, 19), 12),
        planId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(byKind(await deadlinesOf(pupilId))).toEqual({
        EHC_DECISION_TO_ASSESS: { status: 'MET_ON_TIME', dueOn: addWeeks(received, 6), metOn: addWeeks(received, 6), cancelledOn: null },
        EHC_ADVICE: { status: 'MET_ON_TIME', dueOn: addWeeks(received, 12), metOn: addWeeks(received, 11), cancelledOn: null },
        EHC_ISSUE_DECISION: { status: 'MET_ON_TIME', dueOn: addWeeks(received, 16), metOn: addWeeks(received, 16), cancelledOn: null },
        EHC_FINAL_PLAN: { status: 'MET_ON_TIME', dueOn: addWeeks(received, 20), metOn: addWeeks(received, 19), cancelledOn: null },
        ANNUAL_REVIEW_MEETING: { status: 'ON_TRACK', dueOn: addMonths(addWeeks(received, 19), 12), metOn: null, cancelledOn: null },
      });
      const [plan] = await t.dataSource.query(
        `SELECT p.pupil_id, p.assessment_id, p.issued_on, s.urn, p.primary_need FROM ehc_plan p LEFT JOIN school s ON s.id = p.setting_school_id WHERE p.id = $1`,
        [res.body.planId],
      );
      expect(plan).toEqual({ pupil_id: pupilId, assessment_id: caseId, issued_on: addWeeks(received, 19), urn: settingUrn, primary_need: 'SLCN' });
      const [pupil] = await t.dataSource.query(`SELECT sen_status, version FROM pupil WHERE id = $1`, [pupilId]);
      expect(pupil).toEqual({ sen_status: 'E', version: 2 });
      const history = await t.dataSource.query(`SELECT field, from_value, to_value, effective_on FROM pupil_history WHERE pupil_id = $1`, [pupilId]);
      expect(history).toEqual([{ field: 'senStatus', from_value: 'K', to_value: 'E', effective_on: addWeeks(received, 19) }]);
      const [annual] = await t.dataSource.query(`SELECT subject_type, subject_id FROM deadline WHERE kind = 'ANNUAL_REVIEW_MEETING' AND pupil_id = $1`, [pupilId]);
      expect(annual).toEqual({ subject_type: 'EHC_PLAN', subject_id: res.body.planId });
    });

    it('the timeline lists each step with its date, due date, status and recorder', async () => {
      const res = await get(caseworker, `/ehc-assessments/${caseId}`).expect(200);
      const steps = res.body.timeline.map((s: Record<string, unknown>) => [s.step, s.date, s.dueOn, s.status, s.recordedBy]);
      expect(steps).toEqual([
        ['REQUEST_RECEIVED', received, null, null, caseworker.id],
        ['DECISION_TO_ASSESS', addWeeks(received, 6), addWeeks(received, 6), 'MET_ON_TIME', caseworker.id],
        ['ADVICE', addWeeks(received, 11), addWeeks(received, 12), 'MET_ON_TIME', nhsProvider.id],
        ['ISSUE_DECISION', addWeeks(received, 16), addWeeks(received, 16), 'MET_ON_TIME', caseworker.id],
        ['FINAL_PLAN', addWeeks(received, 19), addWeeks(received, 20), 'MET_ON_TIME', caseworker.id],
        ['ANNUAL_REVIEW_MEETING', null, addMonths(addWeeks(received, 19), 12), 'ON_TRACK', null],
      ]);
      expect(res.body.timeline[1]).toMatchObject({ decision: true, recordedByName: 'Test CASEWORKER', kind: 'EHC_DECISION_TO_ASSESS' });
      expect(res.body.adviceRequests).toHaveLength(1);
      // Reading the case is reading the child's record: an access row, shown in the pupil's access log.
      const log = await get(manager, `/pupils/${pupilId}/access-log?limit=100`).expect(200);
      expect(log.body.data).toEqual(expect.arrayContaining([expect.objectContaining({ actorId: caseworker.id, action: 'ehc-assessment.read' })]));
    });

    it('a second request while a case is open is 409 duplicate; after the plan it may be opened again', async () => {
      const pupil2 = await makePupil();
      await open(pupil2, today);
      const before = await footprint();
      const res = await post(caseworker, '/ehc-assessments', { pupilId: pupil2, requestReceivedOn: today, requestedBy: 'PARENT' });
      expectProblem(res, 409, 'duplicate');
      expect(fieldsOf(res)).toEqual(['pupilId']);
      expect(await footprint()).toEqual(before);
      await open(pupilId, today);
    });
  });

  describe('late: every deadline met after its due date', () => {
    it('MET_LATE with days overdue, computed by the deadline mechanism', async () => {
      const pupilId = await makePupil();
      const received = addWeeks(today, -30);
      const { id } = await open(pupilId, received);
      await post(caseworker, `/ehc-assessments/${id}/decision-to-assess`, { decision: true, decidedOn: addDays(addWeeks(received, 6), 1) }).expect(200);
      await post(caseworker, `/ehc-assessments/${id}/issue-decision`, { decision: true, decidedOn: addWeeks(received, 18) }).expect(200);
      await post(caseworker, `/ehc-assessments/${id}/final-plan`, { issuedOn: addWeeks(received, 27) }).expect(200);
      const rows = await deadlinesOf(pupilId);
      expect(byKind(rows)).toMatchObject({
        EHC_DECISION_TO_ASSESS: { status: 'MET_LATE' },
        EHC_ISSUE_DECISION: { status: 'MET_LATE' },
        EHC_FINAL_PLAN: { status: 'MET_LATE', dueOn: addWeeks(received, 20), metOn: addWeeks(received, 27) },
      });
      expect(rows.find((d) => d.kind === 'EHC_FINAL_PLAN')).toMatchObject({ daysOverdue: 49 });
      expect(rows.find((d) => d.kind === 'EHC_DECISION_TO_ASSESS')).toMatchObject({ daysOverdue: 1 });
    });
  });

  describe('decisions not to assess or not to issue', () => {
    it('not to assess: NOT_ASSESSED, the later deadlines CANCELLED (not OVERDUE), no next date', async () => {
      const pupilId = await makePupil();
      const received = addWeeks(today, -30);
      const { id } = await open(pupilId, received);
      const res = await post(caseworker, `/ehc-assessments/${id}/decision-to-assess`, { decision: false, decidedOn: addWeeks(received, 5) }).expect(200);
      expect(res.body).toMatchObject({ stage: 'NOT_ASSESSED', decisionToAssess: false, nextDueOn: null, nextDueKind: null, nextDueStatus: null });
      expect(byKind(await deadlinesOf(pupilId))).toEqual({
        EHC_DECISION_TO_ASSESS: { status: 'MET_ON_TIME', dueOn: addWeeks(received, 6), metOn: addWeeks(received, 5), cancelledOn: null },
        EHC_ISSUE_DECISION: { status: 'CANCELLED', dueOn: addWeeks(received, 16), metOn: null, cancelledOn: addWeeks(received, 5) },
        EHC_FINAL_PLAN: { status: 'CANCELLED', dueOn: addWeeks(received, 20), metOn: null, cancelledOn: addWeeks(received, 5) },
      });
      // A refusal may be taken to mediation or tribunal (SEN2), and is listed on the case.
      await post(caseworker, `/ehc-assessments/${id}/appeals`, { kind: 'TRIBUNAL', stage: 'REQUEST', startedOn: addWeeks(received, 8) }).expect(201);
      const read = await get(caseworker, `/ehc-assessments/${id}`).expect(200);
      expect(read.body.appeals).toEqual([
        expect.objectContaining({ kind: 'TRIBUNAL', stage: 'REQUEST', startedOn: addWeeks(received, 8), recordedBy: caseworker.id }),
      ]);
    });

    it('not to issue: NOT_ISSUED cancels EHC_FINAL_PLAN and the advice still awaited', async () => {
      const pupilId = await makePupil();
      const received = addWeeks(today, -20);
      const { id } = await open(pupilId, received);
      await post(caseworker, `/ehc-assessments/${id}/decision-to-assess`, { decision: true, decidedOn: addWeeks(received, 4) }).expect(200);
      const advice = await post(caseworker, `/ehc-assessments/${id}/advice-requests`, {
        adviceType: 'EDUCATIONAL_PSYCHOLOGY',
        organisationId: epId,
        requestedOn: addWeeks(received, 4),
      }).expect(201);
      const res = await post(caseworker, `/ehc-assessments/${id}/issue-decision`, { decision: false, decidedOn: addWeeks(received, 15) }).expect(200);
      expect(res.body).toMatchObject({ stage: 'NOT_ISSUED', issueDecision: false, nextDueOn: null });
      expect(res.body.adviceRequests).toEqual([expect.objectContaining({ id: advice.body.id, status: 'CANCELLED', deadlineStatus: 'CANCELLED' })]);
      expect(byKind(await deadlinesOf(pupilId))).toMatchObject({
        EHC_ISSUE_DECISION: { status: 'MET_ON_TIME' },
        EHC_FINAL_PLAN: { status: 'CANCELLED', cancelledOn: addWeeks(received, 15) },
        EHC_ADVICE: { status: 'CANCELLED', cancelledOn: addWeeks(received, 15) },
      });
      // Advice no longer awaited cannot be received.
      const late = await post(epProvider, `/advice-requests/${advice.body.id}/received`, { receivedOn: today });
      expectProblem(late, 409, 'invalid-transition');
      expect(late.body.currentStatus).toBe('CANCELLED');
    });
  });

  describe('withdrawal', () => {
    it('cancels every open deadline of the case, advice included; the reason is never audited', async () => {
      const pupilId = await makePupil();
      const received = addWeeks(today, -10);
      const { id } = await open(pupilId, received);
      await post(caseworker, `/ehc-assessments/${id}/decision-to-assess`, { decision: true, decidedOn: addWeeks(received, 5) }).expect(200);
      await post(caseworker, `/ehc-assessments/${id}/advice-requests`, { adviceType: 'HEALTH', organisationId: nhsId, requestedOn: addWeeks(received, 5) }).expect(201);
      const res = await post(caseworker, `/ehc-assessments/${id}/withdraw`, { withdrawnOn: addWeeks(received, 8), reason: 'Family moved to Medway SECRET-NOTE' }).expect(200);
      expect(res.body).toMatchObject({ stage: 'WITHDRAWN', withdrawnOn: addWeeks(received, 8), nextDueOn: null });
      expect(res.body.timeline.at(-1)).toMatchObject({ step: 'WITHDRAWN', date: addWeeks(received, 8), recordedBy: caseworker.id });
      expect(byKind(await deadlinesOf(pupilId))).toMatchObject({
        EHC_DECISION_TO_ASSESS: { status: 'MET_ON_TIME' },
        EHC_ADVICE: { status: 'CANCELLED' },
        EHC_ISSUE_DECISION: { status: 'CANCELLED' },
        EHC_FINAL_PLAN: { status: 'CANCELLED' },
      });
      const audits = await auditRows(t, `SELECT action, changed_fields FROM audit_event WHERE entity_id = $1 ORDER BY at`, [id]);
      expect(audits.map((a: { action: string }) => a.action)).toEqual([
        'ehc-assessment.create',
        'ehc-assessment.decision-to-assess',
        'ehc-assessment.withdraw',
      ]);
      expect(JSON.stringify(await auditRows(t, `SELECT * FROM audit_event`))).not.toContain('SECRET-NOTE');
      expectProblem(await post(caseworker, `/ehc-assessments/${id}/withdraw`, { withdrawnOn: today, reason: 'again' }), 409, 'invalid-transition');
    });
  });

  describe('bad input writes nothing', () => {
    let caseId: string;
    const received = addWeeks(today, -8);
    beforeAll(async () => {
      caseId = (await open(await makePupil(), received)).id;
    });

    it.each([
      ['before the request', () => addDays(received, -1), 'must not be before requestReceivedOn'],
      ['in the future', () => addDays(today, 1), 'must not be in the future'],
    ])('a decision dated %s is 400 on decidedOn', async (_label, date, message) => {
      const before = await footprint();
      const res = await post(caseworker, `/ehc-assessments/${caseId}/decision-to-assess`, { decision: true, decidedOn: date() });
      expectProblem(res, 400, 'validation');
      expect(res.body.errors).toEqual([{ field: 'decidedOn', message: expect.stringContaining(message) }]);
      expect(await footprint()).toEqual(before);
    });

    it('steps out of order are 409 invalid-transition with the current stage', async () => {
      const before = await footprint();
      for (const [step, body] of [
        ['issue-decision', { decision: true, decidedOn: today }],
        ['final-plan', { issuedOn: today }],
        ['advice-requests', { adviceType: 'HEALTH', organisationId: nhsId, requestedOn: today }],
      ] as const) {
        const res = await post(caseworker, `/ehc-assessments/${caseId}/${step}`, body);
        expectProblem(res, 409, 'invalid-transition');
        expect(res.body.currentStage).toBe('REQUESTED');
      }
      await post(caseworker, `/ehc-assessments/${caseId}/decision-to-assess`, { decision: true, decidedOn: addWeeks(received, 2) }).expect(200);
      const twice = await post(caseworker, `/ehc-assessments/${caseId}/decision-to-assess`, { decision: true, decidedOn: addWeeks(received, 2) });
      expectProblem(twice, 409, 'invalid-transition');
      expect(twice.body.currentStage).toBe('ASSESSING');
      expect((await footprint()).cases).toBe(before.cases);
    });

    it('an issue decision before the decision to assess, advice before it, or advice received before requested are 400s', async () => {
      const before = await footprint();
      const early = await post(caseworker, `/ehc-assessments/${caseId}/issue-decision`, { decision: true, decidedOn: addWeeks(received, 1) });
      expectProblem(early, 400, 'validation');
      expect(early.body.errors[0]).toMatchObject({ field: 'decidedOn', message: expect.stringContaining('decisionToAssessOn') });
      const advice = await post(caseworker, `/ehc-assessments/${caseId}/advice-requests`, {
        adviceType: 'HEALTH',
        organisationId: '00000000-0000-4000-8000-000000000000',
        requestedOn: addWeeks(received, 1),
      });
      expectProblem(advice, 400, 'validation');
      expect(fieldsOf(advice)).toEqual(['organisationId', 'requestedOn']);
      expect(await footprint()).toEqual(before);
      const ok = await post(caseworker, `/ehc-assessments/${caseId}/advice-requests`, { adviceType: 'HEALTH', organisationId: nhsId, requestedOn: addWeeks(received, 3) }).expect(201);
      const before2 = await footprint();
      const received2 = await post(caseworker, `/advice-requests/${ok.body.id}/received`, { receivedOn: addWeeks(received, 2) });
      expectProblem(received2, 400, 'validation');
      expect(fieldsOf(received2)).toEqual(['receivedOn']);
      expect(await footprint()).toEqual(before2);
    });

    it('a final plan dated before the issue decision, or naming an unknown URN, is 400', async () => {
      await post(caseworker, `/ehc-assessments/${caseId}/issue-decision`, { decision: true, decidedOn: addWeeks(received, 6) }).expect(200);
      const before = await footprint();
      const early = await post(caseworker, `/ehc-assessments/${caseId}/final-plan`, { issuedOn: addWeeks(received, 5) });
      expectProblem(early, 400, 'validation');
      expect(fieldsOf(early)).toEqual(['issuedOn']);
      const urn = await post(caseworker, `/ehc-assessments/${caseId}/final-plan`, { issuedOn: today, settingUrn: '999999' });
      expectProblem(urn, 400, 'validation');
      expect(fieldsOf(urn)).toEqual(['settingUrn']);
      expect(await footprint()).toEqual(before);
    });

    it('creating: unknown or out-of-scope pupil, a non-caseworker or inactive caseworker, a future date: 400 naming each field', async () => {
      const before = await footprint();
      const outside = await makePupil(otherSchoolId);
      const res = await post(caseworker, '/ehc-assessments', { pupilId: outside, requestReceivedOn: addDays(today, 1), requestedBy: 'PARENT', caseworkerId: senco.id });
      expectProblem(res, 400, 'validation');
      expect(fieldsOf(res)).toEqual(['caseworkerId', 'pupilId', 'requestReceivedOn']);
      const inactive = await post(caseworker, '/ehc-assessments', { pupilId: await makePupil(), requestReceivedOn: today, requestedBy: 'PARENT', caseworkerId: inactiveCaseworkerId });
      expect(fieldsOf(inactive)).toEqual(['caseworkerId']);
      const enums = await post(caseworker, '/ehc-assessments', { pupilId: 'x', requestReceivedOn: '2025-02-30', requestedBy: 'GRANDPARENT' });
      expect(fieldsOf(enums)).toEqual(['pupilId', 'requestReceivedOn', 'requestedBy']);
      expect(await footprint()).toEqual(before);
    });
  });

  describe('exceptions', () => {
    it('mark EHC_FINAL_PLAN excepted without moving its due date; a short closure is 400', async () => {
      const pupilId = await makePupil();
      const received = addWeeks(today, -12);
      const { id } = await open(pupilId, received);
      const before = await footprint();
      const short = await post(caseworker, `/ehc-assessments/${id}/exceptions`, { reason: 'SCHOOL_CLOSURE', fromOn: addWeeks(received, 1), toOn: addDays(addWeeks(received, 5), -2) });
      expectProblem(short, 400, 'validation');
      expect(fieldsOf(short)).toEqual(['toOn']);
      const bad = await post(caseworker, `/ehc-assessments/${id}/exceptions`, { reason: 'HOLIDAY', fromOn: today, toOn: today });
      expect(fieldsOf(bad)).toEqual(['reason']);
      expect(await footprint()).toEqual(before);

      const res = await post(caseworker, `/ehc-assessments/${id}/exceptions`, {
        reason: 'ABSENT_FROM_AREA',
        fromOn: addWeeks(received, 1),
        toOn: addDays(addWeeks(received, 5), -1),
        note: 'Family abroad PRIVATE-NOTE',
      }).expect(201);
      expect(res.body).toMatchObject({ reason: 'ABSENT_FROM_AREA', fromOn: addWeeks(received, 1), note: 'Family abroad PRIVATE-NOTE' });
      const rows = await deadlinesOf(pupilId);
      expect(rows.map((d) => [d.kind, d.dueOn, d.excepted]).sort()).toEqual(
        [
          ['EHC_DECISION_TO_ASSESS', addWeeks(received, 6), false],
          ['EHC_FINAL_PLAN', addWeeks(received, 20), true],
          ['EHC_ISSUE_DECISION', addWeeks(received, 16), false],
        ].sort(),
      );
      const read = await get(caseworker, `/ehc-assessments/${id}`).expect(200);
      expect(read.body.excepted).toBe(true);
      expect(read.body.exceptions).toHaveLength(1);
      expect(read.body.timeline.find((s: { step: string }) => s.step === 'FINAL_PLAN')).toMatchObject({ excepted: true, dueOn: addWeeks(received, 20) });
      expect(JSON.stringify(await auditRows(t, `SELECT * FROM audit_event`))).not.toContain('PRIVATE-NOTE');
    });
  });

  describe('the provider’s advice worklist and scope', () => {
    let caseId: string;
    let adviceId: string;
    let pupilId: string;
    beforeAll(async () => {
      pupilId = await makePupil();
      const received = addWeeks(today, -9);
      caseId = (await open(pupilId, received)).id;
      await post(caseworker, `/ehc-assessments/${caseId}/decision-to-assess`, { decision: true, decidedOn: addWeeks(received, 1) }).expect(200);
      adviceId = (
        await post(caseworker, `/ehc-assessments/${caseId}/advice-requests`, { adviceType: 'HEALTH', organisationId: nhsId, requestedOn: addWeeks(received, 1) }).expect(201)
      ).body.id;
      await post(caseworker, `/ehc-assessments/${caseId}/advice-requests`, { adviceType: 'EDUCATIONAL_PSYCHOLOGY', organisationId: epId, requestedOn: addWeeks(received, 8) }).expect(201);
    });

    it('lists its own organisation’s advice with the pupil’s minimal view only', async () => {
      const res = await get(nhsProvider, `/advice-requests?status=OVERDUE`).expect(200);
      const mine = res.body.data.find((r: { id: string }) => r.id === adviceId);
      expect(mine).toMatchObject({ organisationId: nhsId, status: 'REQUESTED', deadlineStatus: 'OVERDUE', daysOverdue: 14 });
      expect(Object.keys(mine.pupil).sort()).toEqual(
        ['id', 'upn', 'firstName', 'lastName', 'dateOfBirth', 'yearGroup', 'schoolId', 'schoolName', 'primaryNeed', 'secondaryNeed'].sort(),
      );
      for (const absent of ['senStatus', 'localityId', 'leftOn', 'leaveReason', 'version', 'history']) expect(mine.pupil).not.toHaveProperty(absent);
      expect(res.body.data.every((r: { organisationId: string }) => r.organisationId === nhsId)).toBe(true);
      const ep = await get(epProvider, `/advice-requests`).expect(200);
      expect(ep.body.data.map((r: { id: string }) => r.id)).not.toContain(adviceId);
      expect(ep.body.data.every((r: { organisationId: string }) => r.organisationId === epId)).toBe(true);
      const due = await get(nhsProvider, `/advice-requests?dueBefore=${today}`).expect(200);
      expect(due.body.data.map((r: { id: string }) => r.id)).toContain(adviceId);
      const none = await get(nhsProvider, `/advice-requests?dueBefore=${addWeeks(today, -6)}`).expect(200);
      expect(none.body.data.map((r: { id: string }) => r.id)).not.toContain(adviceId);
      const csv = await get(nhsProvider, `/advice-requests?format=csv`).expect(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      expect(csv.text.split('\r\n')[0]).toBe(
        'id,assessmentId,adviceType,organisationId,organisationName,status,requestedOn,dueOn,receivedOn,cancelledOn,deadlineStatus,daysOverdue,pupilId,pupilUpn,pupilFirstName,pupilLastName,pupilDateOfBirth,pupilYearGroup,pupilSchoolName',
      );
    });

    it('the asked organisation’s practitioner reads the pupil’s minimal record while advice is awaited; another organisation gets 404', async () => {
      const pupil = await get(nhsProvider, `/pupils/${pupilId}`).expect(200);
      expect(pupil.body.id).toBe(pupilId);
      for (const absent of ['senStatus', 'leftOn', 'version', 'history']) expect(pupil.body).not.toHaveProperty(absent);
      const [{ count }] = await t.dataSource.query(`SELECT count(*)::int AS count FROM advice_request WHERE pupil_id = $1 AND organisation_id = $2`, [pupilId, epId]);
      expect(count).toBe(1);
      // An organisation never asked about this child does not see it.
      const [org] = await t.dataSource.query(`INSERT INTO organisation (name, kind) VALUES ('Never asked trust', 'NHS') RETURNING id`);
      const otherProvider = await createUser(t, 'PROVIDER', { organisationId: org.id });
      expectProblem(await get(otherProvider, `/pupils/${pupilId}`), 404, 'not-found');
    });

    it('another organisation’s practitioner gets 404; the case itself is not for providers (403)', async () => {
      const before = await footprint();
      expectProblem(await post(epProvider, `/advice-requests/${adviceId}/received`, { receivedOn: today }), 404, 'not-found');
      expectProblem(await post(otherCaseworker, `/advice-requests/${adviceId}/received`, { receivedOn: today }), 404, 'not-found');
      expect(await footprint()).toEqual(before);
      expectProblem(await get(nhsProvider, `/ehc-assessments/${caseId}`), 403, 'forbidden');
      expectProblem(await get(nhsProvider, `/ehc-assessments`), 403, 'forbidden');
    });

    it('the case is read in scope: SENCO of the school and MANAGER read, other locality 404, SENCO may not write', async () => {
      await get(senco, `/ehc-assessments/${caseId}`).expect(200);
      await get(manager, `/ehc-assessments/${caseId}`).expect(200);
      expectProblem(await get(otherSenco, `/ehc-assessments/${caseId}`), 404, 'not-found');
      expectProblem(await get(otherCaseworker, `/ehc-assessments/${caseId}`), 404, 'not-found');
      expectProblem(await post(otherCaseworker, `/ehc-assessments/${caseId}/withdraw`, { withdrawnOn: today, reason: 'x' }), 404, 'not-found');
      expectProblem(await post(senco, `/ehc-assessments/${caseId}/withdraw`, { withdrawnOn: today, reason: 'x' }), 403, 'forbidden');
      const other = await get(otherCaseworker, `/ehc-assessments?limit=500`).expect(200);
      expect(other.body.data).toEqual([]);
    });

    it('lists cases by next statutory date, by stage, and “my cases”, with CSV', async () => {
      const list = await get(caseworker, `/ehc-assessments?limit=500`).expect(200);
      const dues = list.body.data.map((c: { nextDueOn: string | null }) => c.nextDueOn ?? '2999-12-31');
      expect(dues).toEqual([...dues].sort());
      expect(list.body.data.find((c: { id: string }) => c.id === caseId)).toMatchObject({ stage: 'ASSESSING', nextDueKind: 'EHC_ADVICE' });
      const assessing = await get(caseworker, `/ehc-assessments?stage=ASSESSING&limit=500`).expect(200);
      expect(assessing.body.data.every((c: { stage: string }) => c.stage === 'ASSESSING')).toBe(true);
      const mine = await get(caseworker2, `/ehc-assessments?mine=true`).expect(200);
      expect(mine.body.data.length).toBeGreaterThan(0);
      expect(mine.body.data.every((c: { caseworkerId: string }) => c.caseworkerId === caseworker2.id)).toBe(true);
      // Keyset pages cover the same cases, in the same order.
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { data: { id: string }[]; nextCursor: string | null } } = await get(
          caseworker,
          `/ehc-assessments?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        ).expect(200);
        ids.push(...page.body.data.map((c) => c.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(ids).toEqual(list.body.data.map((c: { id: string }) => c.id));
      const byRequest = await get(caseworker, `/ehc-assessments?sort=-requestReceivedOn&limit=500`).expect(200);
      const dates = byRequest.body.data.map((c: { requestReceivedOn: string }) => c.requestReceivedOn);
      expect(dates).toEqual([...dates].sort().reverse());
      const csv = await get(caseworker, `/ehc-assessments?format=csv`).expect(200);
      expect(csv.text.split('\r\n')[0]).toContain('id,pupilId,pupilUpn,pupilName');
    });

    it('the provider records receipt; the worklist then shows it received', async () => {
      await post(nhsProvider, `/advice-requests/${adviceId}/received`, { receivedOn: today }).expect(200);
      const res = await get(nhsProvider, `/advice-requests?status=RECEIVED`).expect(200);
      expect(res.body.data.find((r: { id: string }) => r.id === adviceId)).toMatchObject({ receivedOn: today, deadlineStatus: 'MET_LATE' });
      const again = await post(nhsProvider, `/advice-requests/${adviceId}/received`, { receivedOn: today });
      expectProblem(again, 409, 'invalid-transition');
      expect(again.body.currentStatus).toBe('RECEIVED');
    });
  });

  describe('annual reviews: meeting, report, decision to amend, amended plan; then cease', () => {
    let planId: string;
    let pupilId: string;
    const issued = addWeeks(today, -60);

    beforeAll(async () => {
      pupilId = await makePupil();
      const received = addWeeks(issued, -19);
      const { id } = await open(pupilId, received);
      await post(caseworker, `/ehc-assessments/${id}/decision-to-assess`, { decision: true, decidedOn: addWeeks(received, 5) }).expect(200);
      await post(caseworker, `/ehc-assessments/${id}/issue-decision`, { decision: true, decidedOn: addWeeks(received, 15) }).expect(200);
      planId = (await post(caseworker, `/ehc-assessments/${id}/final-plan`, { issuedOn: issued }).expect(200)).body.planId;
    });

    it('lists the plan with its overdue annual review meeting', async () => {
      const list = await get(senco, `/ehc-plans?pupilId=${pupilId}`).expect(200);
      expect(list.body.data).toEqual([
        expect.objectContaining({ id: planId, issuedOn: issued, primaryNeed: 'SLCN', nextReviewDueOn: addMonths(issued, 12), nextReviewStatus: 'OVERDUE' }),
      ]);
    });

    it('walks a review through amendment with each deadline met', async () => {
      const meetingOn = addWeeks(issued, 53);
      const review = await post(caseworker, `/ehc-plans/${planId}/annual-reviews`, { meetingOn }).expect(201);
      const id = review.body.id;
      expect(review.body).toMatchObject({ stage: 'MEETING_HELD', meetingOn });
      expect(review.body.deadlines.map((d: { kind: string; dueOn: string }) => [d.kind, d.dueOn])).toEqual([
        ['ANNUAL_REVIEW_REPORT', addWeeks(meetingOn, 2)],
        ['ANNUAL_REVIEW_DECISION', addWeeks(meetingOn, 4)],
      ]);
      const twice = await post(caseworker, `/ehc-plans/${planId}/annual-reviews`, { meetingOn });
      expectProblem(twice, 409, 'invalid-transition');
      expectProblem(await post(caseworker, `/annual-reviews/${id}/amendments-sent`, { sentOn: meetingOn }), 409, 'invalid-transition');
      await post(caseworker, `/annual-reviews/${id}/report-sent`, { sentOn: addWeeks(meetingOn, 1) }).expect(200);
      const before = await footprint();
      const noReason = await post(caseworker, `/annual-reviews/${id}/decision`, { decision: 'AMEND', decidedOn: addWeeks(meetingOn, 3), ceaseReason: 2 });
      expect(fieldsOf(noReason)).toEqual(['ceaseReason']);
      const early = await post(caseworker, `/annual-reviews/${id}/decision`, { decision: 'AMEND', decidedOn: meetingOn });
      expect(fieldsOf(early)).toEqual(['decidedOn']);
      expect(await footprint()).toEqual(before);
      await post(caseworker, `/annual-reviews/${id}/decision`, { decision: 'AMEND', decidedOn: addWeeks(meetingOn, 5) }).expect(200);
      await post(caseworker, `/annual-reviews/${id}/amendments-sent`, { sentOn: addWeeks(meetingOn, 5) }).expect(200);
      const done = await post(caseworker, `/annual-reviews/${id}/amended-plan`, { issuedOn: addWeeks(meetingOn, 6) }).expect(200);
      expect(done.body.stage).toBe('AMENDED');
      expect(Object.fromEntries(done.body.deadlines.map((d: { kind: string; status: string }) => [d.kind, d.status]))).toEqual({
        ANNUAL_REVIEW_REPORT: 'MET_ON_TIME',
        ANNUAL_REVIEW_DECISION: 'MET_LATE',
        AMENDED_PLAN: 'MET_ON_TIME',
      });
      const plan = await get(caseworker, `/ehc-plans/${planId}`).expect(200);
      // The next meeting is 12 months after this meeting, not after the decision.
      expect(plan.body).toMatchObject({ nextReviewDueOn: addMonths(meetingOn, 12) });
      expect(byKind((await deadlinesOf(pupilId)).filter((d) => d.kind === 'ANNUAL_REVIEW_MEETING' && d.metOn))).toEqual({
        ANNUAL_REVIEW_MEETING: { status: 'MET_LATE', dueOn: addMonths(issued, 12), metOn: meetingOn, cancelledOn: null },
      });
    });

    it('ceasing needs the SEN2 reason and closes the plan', async () => {
      const meetingOn = addWeeks(today, -1);
      const { body } = await post(caseworker, `/ehc-plans/${planId}/annual-reviews`, { meetingOn }).expect(201);
      await post(caseworker, `/annual-reviews/${body.id}/report-sent`, { sentOn: meetingOn }).expect(200);
      const missing = await post(caseworker, `/annual-reviews/${body.id}/decision`, { decision: 'CEASE', decidedOn: today });
      expectProblem(missing, 400, 'validation');
      expect(fieldsOf(missing)).toEqual(['ceaseReason']);
      await post(caseworker, `/annual-reviews/${body.id}/decision`, { decision: 'CEASE', decidedOn: today, ceaseReason: 3 }).expect(200);
      const plan = await get(caseworker, `/ehc-plans/${planId}`).expect(200);
      expect(plan.body).toMatchObject({ ceasedOn: today, ceaseReason: 3, nextReviewDueOn: null });
      expect(plan.body.annualReviews.map((r: { stage: string }) => r.stage)).toEqual(['AMENDED', 'CEASED']);
      expectProblem(await post(caseworker, `/ehc-plans/${planId}/annual-reviews`, { meetingOn: today }), 409, 'invalid-transition');
      expectProblem(await get(otherCaseworker, `/ehc-plans/${planId}`), 404, 'not-found');
      expectProblem(await get(nhsProvider, `/ehc-plans/${planId}`), 403, 'forbidden');
    });
  });

  it('ADVICE_CASELOAD_SQL (for the PROVIDER pupil caseload) finds pupils with awaited or recent advice of that organisation only', async () => {
    const awaitedPupil = await makePupil();
    const { id } = await open(awaitedPupil, addWeeks(today, -3));
    await post(caseworker, `/ehc-assessments/${id}/decision-to-assess`, { decision: true, decidedOn: addWeeks(today, -2) }).expect(200);
    await post(caseworker, `/ehc-assessments/${id}/advice-requests`, { adviceType: 'HEALTH', organisationId: nhsId, requestedOn: addWeeks(today, -2) }).expect(201);
    const sql = `SELECT pupil.id FROM pupil WHERE ${ADVICE_CASELOAD_SQL.replace(/:scope_organisationId/g, '$1').replace(/:scope_accessFrom/g, '$2')}`;
    const accessFrom = addDays(today, -30);
    const nhs = (await t.dataSource.query(sql, [nhsId, accessFrom])).map((r: { id: string }) => r.id);
    expect(nhs).toContain(awaitedPupil);
    // Received today (the worklist's): still in the caseload for 30 days.
    const [recent] = await t.dataSource.query(`SELECT pupil_id FROM advice_request WHERE organisation_id = $1 AND received_on = $2::date`, [nhsId, today]);
    expect(nhs).toContain(recent.pupil_id);
    const old = await t.dataSource.query(
      `SELECT pupil_id FROM advice_request a WHERE organisation_id = $1 AND received_on < $2::date - 30
         AND NOT EXISTS (SELECT 1 FROM advice_request b WHERE b.pupil_id = a.pupil_id AND b.organisation_id = $1 AND (b.received_on IS NULL OR b.received_on >= $2::date - 30))`,
      [nhsId, today],
    );
    expect(old.length).toBeGreaterThan(0);
    for (const row of old) expect(nhs).not.toContain(row.pupil_id);
    const nhsPupils = (await t.dataSource.query(`SELECT DISTINCT pupil_id FROM advice_request WHERE organisation_id = $1`, [nhsId])).map(
      (r: { pupil_id: string }) => r.pupil_id,
    );
    expect(nhs.every((id: string) => nhsPupils.includes(id))).toBe(true);
    // The EP service asked about the same awaited pupil? Only through its own requests.
    const ep = (await t.dataSource.query(sql, [epId, accessFrom])).map((r: { id: string }) => r.id);
    const epPupils = (await t.dataSource.query(`SELECT DISTINCT pupil_id FROM advice_request WHERE organisation_id = $1`, [epId])).map(
      (r: { pupil_id: string }) => r.pupil_id,
    );
    expect(ep.length).toBeGreaterThan(0);
    expect(ep.every((id: string) => epPupils.includes(id))).toBe(true);
  });

  it('keeps each case’s next statutory date (the list’s sort key) equal to its earliest open deadline, whatever writes the deadlines', async () => {
    // The earliest open deadline of each case among its own, its advice requests' and its plan's, computed afresh.
    const differing = `
      WITH nd AS (SELECT DISTINCT ON (o.case_id) o.case_id, o.id, o.due_on FROM (
          SELECT d.subject_id AS case_id, d.id, d.kind, d.due_on FROM deadline d WHERE d.subject_type = 'EHC_ASSESSMENT' AND d.met_on IS NULL AND d.cancelled_on IS NULL
          UNION ALL
          SELECT x.assessment_id, d.id, d.kind, d.due_on FROM deadline d JOIN advice_request x ON x.id = d.subject_id
           WHERE d.subject_type = 'ADVICE_REQUEST' AND d.met_on IS NULL AND d.cancelled_on IS NULL
          UNION ALL
          SELECT x.assessment_id, d.id, d.kind, d.due_on FROM deadline d JOIN ehc_plan x ON x.id = d.subject_id
           WHERE d.subject_type = 'EHC_PLAN' AND d.met_on IS NULL AND d.cancelled_on IS NULL
        ) o ORDER BY o.case_id, o.due_on, o.kind, o.id)
      SELECT a.id FROM ehc_assessment a LEFT JOIN nd ON nd.case_id = a.id
       WHERE a.next_deadline_id IS DISTINCT FROM nd.id OR a.next_due_on IS DISTINCT FROM nd.due_on`;
    // Every use case of this suite went through TimelinessService.
    const [{ cases, withNext }] = await t.dataSource.query(`SELECT count(*)::int AS cases, count(next_deadline_id)::int AS "withNext" FROM ehc_assessment`);
    expect(cases).toBeGreaterThan(10);
    expect(withNext).toBeGreaterThan(0);
    expect(await t.dataSource.query(differing)).toEqual([]);

    // Direct SQL too (imports, the county generator): meeting a case's next deadline moves it on; reopening moves it back.
    const [before] = await t.dataSource.query(
      `SELECT a.id, a.next_deadline_id, a.next_due_on::text FROM ehc_assessment a JOIN advice_request x ON x.assessment_id = a.id
        WHERE a.next_deadline_id IS NOT NULL ORDER BY a.id LIMIT 1`,
    );
    expect(before).toBeDefined();
    await t.dataSource.query(`UPDATE deadline SET met_on = due_on WHERE id = $1`, [before.next_deadline_id]);
    const [met] = await t.dataSource.query(`SELECT next_deadline_id FROM ehc_assessment WHERE id = $1`, [before.id]);
    expect(met.next_deadline_id).not.toBe(before.next_deadline_id);
    expect(await t.dataSource.query(differing)).toEqual([]);
    await t.dataSource.query(`UPDATE deadline SET met_on = NULL WHERE id = $1`, [before.next_deadline_id]);
    const [reopened] = await t.dataSource.query(`SELECT next_deadline_id, next_due_on::text FROM ehc_assessment WHERE id = $1`, [before.id]);
    expect(reopened).toEqual({ next_deadline_id: before.next_deadline_id, next_due_on: before.next_due_on });

    // An advice request removed (erasure): its deadlines no longer count for the case.
    const adviceDeadlines = await t.dataSource.query(
      `SELECT x.id AS advice_id, d.id AS deadline_id FROM advice_request x JOIN deadline d ON d.subject_type = 'ADVICE_REQUEST' AND d.subject_id = x.id
        WHERE x.assessment_id = $1`,
      [before.id],
    );
    expect(adviceDeadlines.length).toBeGreaterThan(0);
    await t.dataSource.transaction(async (manager) => {
      await manager.query(`DELETE FROM advice_request WHERE assessment_id = $1`, [before.id]);
      expect(await manager.query(differing)).toEqual([]);
      const [after] = await manager.query(`SELECT next_deadline_id FROM ehc_assessment WHERE id = $1`, [before.id]);
      expect(adviceDeadlines.map((r: { deadline_id: string }) => r.deadline_id)).not.toContain(after.next_deadline_id);
      throw new RollbackProbe();
    }).catch((err) => {
      if (!(err instanceof RollbackProbe)) throw err;
    });
  });
});

/** Thrown to roll a probing transaction back. */
class RollbackProbe extends Error {}
