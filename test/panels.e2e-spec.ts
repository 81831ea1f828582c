import { addDays, addWeeks, todayInLondon } from '../src/common/dates/calendar-date';
import { upnCheckLetter } from '../src/pupils/upn';
import { createUser, type TestUser } from './support/auth';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * Locality panels (API.md "Support requests and panels", issue 5 items 2-5): meetings with
 * declared interests, the agenda, decisions (with the pool ledger as the overspend guard and an
 * allocation with its ALLOCATION_ACCEPTANCE deadline for an approval), the panel's cancel and
 * extend of allocations, and a pool's figures per school. Every refusal writes nothing.
 */
describe('panels: meetings, agenda, decisions, allocations and pool figures', () => {
  let t: TestApp;
  const today = todayInLondon();
  let localityId: string;
  let otherLocalityId: string;
  let schoolId: string;
  let quietSchoolId: string;
  let otherSchoolId: string;
  let organisationId: string;
  let otherOrganisationId: string;
  let poolId: string;
  let otherLocalityPoolId: string;
  let closedPoolId: string;
  let saltPoolId: string;
  let senco: TestUser;
  let panel: TestUser;
  let conflicted: TestUser;
  let otherPanel: TestUser;
  let manager: TestUser;
  let serial = 0;

  beforeAll(async () => {
    t = await createTestApp();
    const locality = async (code: string, area: string) =>
      (await t.dataSource.query(`INSERT INTO locality (code, name, area, district) VALUES ($1, $1, $2, 'Dartford') RETURNING id`, [code, area]))[0]
        .id as string;
    const school = async (urn: string, name: string, locality: string) =>
      (
        await t.dataSource.query(`INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ($1, $2, 'PRIMARY', 'MAINSTREAM', $3) RETURNING id`, [
          urn,
          name,
          locality,
        ])
      )[0].id as string;
    localityId = await locality('PN-DAR', 'North');
    otherLocalityId = await locality('PN-THA', 'East');
    schoolId = await school('128901', 'Alder Primary', localityId);
    quietSchoolId = await school('128902', 'Birch Primary', localityId);
    otherSchoolId = await school('128903', 'Cedar Primary', otherLocalityId);
    organisationId = (await t.dataSource.query(`INSERT INTO organisation (name, kind) VALUES ('PN STLS', 'KCC_SERVICE') RETURNING id`))[0].id;
    otherOrganisationId = (await t.dataSource.query(`INSERT INTO organisation (name, kind) VALUES ('PN NHS', 'NHS') RETURNING id`))[0].id;
    await t.dataSource.query(`INSERT INTO service (code, name, organisation_id, unit) VALUES ('PN-STLS', 'STLS', $1, 'HOURS')`, [organisationId]);
    await t.dataSource.query(`INSERT INTO service (code, name, organisation_id, unit) VALUES ('PN-SALT', 'SALT', $1, 'SESSIONS')`, [otherOrganisationId]);
    const pool = async (locality: string, service: string, start: string, end: string, capacity: number) =>
      (
        await t.dataSource.query(
          `INSERT INTO resource_pool (locality_id, service_code, period_start, period_end, capacity_units) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
          [locality, service, start, end, capacity],
        )
      )[0].id as string;
    poolId = await pool(localityId, 'PN-STLS', addDays(today, -60), addDays(today, 300), 40);
    closedPoolId = await pool(localityId, 'PN-STLS', addDays(today, -500), addDays(today, -61), 40);
    saltPoolId = await pool(localityId, 'PN-SALT', addDays(today, -60), addDays(today, 300), 40);
    otherLocalityPoolId = await pool(otherLocalityId, 'PN-STLS', addDays(today, -60), addDays(today, 300), 40);
    senco = await createUser(t, 'SENCO', { schoolId });
    panel = await createUser(t, 'PANEL', { localityId });
    conflicted = await createUser(t, 'PANEL', { localityId });
    otherPanel = await createUser(t, 'PANEL', { localityId: otherLocalityId });
    manager = await createUser(t, 'MANAGER', { localityId });
    // SEN pupils on roll for the per-school figures: Alder has these 3 plus every request's pupil; Birch 2 (one N, one left).
    for (const status of ['K', 'E', 'N']) await makePupil(schoolId, status);
    await makePupil(quietSchoolId, 'K');
    await makePupil(quietSchoolId, 'N');
    const left = await makePupil(quietSchoolId, 'K');
    await t.dataSource.query(`UPDATE pupil SET left_on = $2, leave_reason = 'OTHER' WHERE id = $1`, [left, addDays(today, -3)]);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function makePupil(school: string, senStatus = 'K'): Promise<string> {
    const body = `8860201${String(26).padStart(2, '0')}${String(serial++).padStart(3, '0')}`;
    const [pupil] = await t.dataSource.query(
      `INSERT INTO pupil (upn, first_name, last_name, first_name_key, last_name_key, date_of_birth, school_id, sen_status, primary_need, secondary_need)
       VALUES ($1, 'Amara', $2, 'amara', $3, '2018-05-14', $4, $5, $6, $7) RETURNING id`,
      [`${upnCheckLetter(body)}${body}`, `Pupil${serial}`, `pupil${serial}`, school, senStatus, senStatus === 'N' ? null : 'SLCN', senStatus === 'N' ? null : 'SEMH'],
    );
    return pupil.id;
  }

  /** A SUBMITTED request (with its open REQUEST_DECISION deadline) written straight to the tables. */
  async function submittedRequest(
    options: { school?: string; locality?: string; units?: number; submittedOn?: string; urgency?: string; service?: string; status?: string; pupilId?: string } = {},
  ): Promise<string> {
    const school = options.school ?? schoolId;
    const pupilId = options.pupilId ?? (await makePupil(school));
    const submittedOn = options.submittedOn ?? addDays(today, -7);
    const status = options.status ?? 'SUBMITTED';
    const [request] = await t.dataSource.query(
      `INSERT INTO support_request (pupil_id, school_id, locality_id, service_code, reason, urgency, units_requested, status, submitted_on, withdrawn_on)
       VALUES ($1, $2, $3, $4, 'Needs specialist teaching', $5, $6, $7, $8, $9) RETURNING id`,
      [
        pupilId,
        school,
        options.locality ?? localityId,
        options.service ?? 'PN-STLS',
        options.urgency ?? 'ROUTINE',
        options.units ?? 10,
        status,
        status === 'DRAFT' ? null : submittedOn,
        status === 'WITHDRAWN' ? today : null,
      ],
    );
    if (status !== 'DRAFT') {
      await t.dataSource.query(
        `INSERT INTO deadline (kind, subject_type, subject_id, pupil_id, school_id, locality_id, starts_on, due_on, cancelled_on)
         VALUES ('REQUEST_DECISION', 'SUPPORT_REQUEST', $1, $2, $3, $4, $5, $6, $7)`,
        [request.id, pupilId, school, options.locality ?? localityId, submittedOn, addWeeks(submittedOn, 4), status === 'WITHDRAWN' ? today : null],
      );
    }
    return request.id;
  }

  const decide = (as: TestUser, id: string, body: object) => t.http().post(`/api/v1/support-requests/${id}/decision`).set('Authorization', as.bearer).send(body);
  const approval = (overrides: object = {}) => ({ outcome: 'APPROVED', decidedOn: today, unitsApproved: 10, poolId, organisationId, reason: 'Meets the criteria', ...overrides });
  const poolRow = async (id = poolId) => (await t.dataSource.query(`SELECT capacity_units::float8 AS capacity, allocated_units::float8 AS allocated, version FROM resource_pool WHERE id = $1`, [id]))[0];
  const footprint = async () =>
    (
      await t.dataSource.query(`
        SELECT (SELECT count(*)::int FROM allocation) AS allocations,
               (SELECT count(*)::int FROM support_request_decision) AS decisions,
               (SELECT count(*)::int FROM deadline) AS deadlines,
               (SELECT count(*)::int FROM deadline WHERE met_on IS NOT NULL OR cancelled_on IS NOT NULL) AS closed,
               (SELECT count(*)::int FROM audit_event) AS audits,
               (SELECT coalesce(sum(version), 0)::int FROM support_request) AS requestVersions,
               (SELECT coalesce(sum(allocated_units), 0)::float8 FROM resource_pool) AS allocated,
               (SELECT coalesce(sum(version), 0)::int FROM resource_pool) AS poolVersions,
               (SELECT coalesce(sum(units), 0)::float8 FROM allocation) AS units,
               (SELECT count(*)::int FROM panel_meeting) AS meetings,
               (SELECT count(*)::int FROM panel_meeting_interest) AS interests`)
    )[0];
  /** The ledger: a pool holds the units of its live allocations and what cancelled or declined ones used. */
  const ledgerMismatches = async () =>
    t.dataSource.query(`
      SELECT rp.id, rp.allocated_units, coalesce(sum(CASE WHEN a.status IN ('DECLINED', 'CANCELLED') THEN a.units_used ELSE a.units END), 0) AS held
      FROM resource_pool rp LEFT JOIN allocation a ON a.pool_id = rp.id
      GROUP BY rp.id HAVING rp.allocated_units <> coalesce(sum(CASE WHEN a.status IN ('DECLINED', 'CANCELLED') THEN a.units_used ELSE a.units END), 0)`);
  function expectProblem(res: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, status: number, type: string) {
    expect({ status: res.status, type: res.body.type }).toEqual({ status, type: `/problems/${type}` });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  }
  const fieldsOf = (res: { body: { errors?: { field: string }[] } }) => [...new Set((res.body.errors ?? []).map((e) => e.field))].sort();

  describe('the journey: SENCO request -> meeting -> agenda -> PARTIAL approval -> allocation -> pool figures', () => {
    let pupilId: string;
    let requestId: string;
    let olderRequestId: string;
    let meetingId: string;
    let allocationId: string;

    it('the SENCO drafts and submits a request for 12 hours', async () => {
      pupilId = await makePupil(schoolId);
      const [plan] = await t.dataSource.query(
        `INSERT INTO support_plan (pupil_id, school_id, outcomes, provision, start_on, review_on, status, reviewed_on)
         VALUES ($1, $2, '[{"description":"Reads 40 words a minute"},{"description":"Writes a sentence"}]', '[{"description":"Phonics","frequency":"daily","by":"TA"}]',
                 $3, $4, 'REVIEWED', $4) RETURNING id`,
        [pupilId, schoolId, addDays(today, -120), addDays(today, -20)],
      );
      await t.dataSource.query(
        `INSERT INTO support_plan_review (support_plan_id, reviewed_on, outcomes, next_step)
         VALUES ($1, $2, '[{"outcomeIndex":0,"progress":"PARTLY"},{"outcomeIndex":1,"progress":"NOT_ACHIEVED"}]', 'REQUEST_LOCALITY_SUPPORT')`,
        [plan.id, addDays(today, -20)],
      );
      // An earlier request of the same pupil, declined: shown among the previous requests.
      await submittedRequest({ pupilId, status: 'DECLINED', submittedOn: addDays(today, -200) });
      const created = await t
        .http()
        .post('/api/v1/support-requests')
        .set('Authorization', senco.bearer)
        .send({ pupilId, serviceCode: 'PN-STLS', reason: 'Reading age three years behind', urgency: 'ROUTINE', unitsRequested: 12, supportPlanId: plan.id })
        .expect(201);
      requestId = created.body.id;
      const submitted = await t.http().post(`/api/v1/support-requests/${requestId}/submit`).set('Authorization', senco.bearer).send().expect(200);
      expect(submitted.body).toMatchObject({ status: 'SUBMITTED', submittedOn: today, decision: null });
      // An older, urgent request a provider declined earlier: first on the agenda.
      olderRequestId = await submittedRequest({ school: quietSchoolId, submittedOn: addDays(today, -20), urgency: 'URGENT', units: 4 });
      await t.dataSource.query(`UPDATE support_request SET needs_reallocation = true, reallocation_reason = 'No capacity this term' WHERE id = $1`, [olderRequestId]);
    });

    it('the PANEL records a meeting with a declared interest: 201, readable by id and in the list', async () => {
      const res = await t
        .http()
        .post('/api/v1/panel-meetings')
        .set('Authorization', panel.bearer)
        .send({
          localityId,
          meetingOn: today,
          chair: 'Helen Okafor',
          attendees: ['Helen Okafor', 'Priya Shah (SENCO)'],
          declaredInterests: [{ userId: conflicted.id, schoolId }],
        })
        .expect(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        localityId,
        meetingOn: today,
        chair: 'Helen Okafor',
        attendees: ['Helen Okafor', 'Priya Shah (SENCO)'],
        declaredInterests: [{ userId: conflicted.id, schoolId }],
        version: 1,
      });
      meetingId = res.body.id;
      const one = await t.http().get(`/api/v1/panel-meetings/${meetingId}`).set('Authorization', manager.bearer).expect(200);
      expect(one.body).toEqual(res.body);
      const list = await t.http().get(`/api/v1/panel-meetings?localityId=${localityId}`).set('Authorization', panel.bearer).expect(200);
      expect(list.body.data.map((m: { id: string }) => m.id)).toEqual([meetingId]);
      await t.http().get(`/api/v1/panel-meetings/${meetingId}`).set('Authorization', otherPanel.bearer).expect(404);
      const audit = await t.dataSource.query(`SELECT action, changed_fields, locality_id FROM audit_event WHERE entity_id = $1`, [meetingId]);
      expect(audit).toEqual([{ action: 'panel-meeting.create', changed_fields: ['attendees', 'chair', 'declaredInterests', 'localityId', 'meetingOn'], locality_id: localityId }]);
    });

    it('the agenda lists the locality’s submitted requests, oldest first, with pupil summary, history, cycles and the pools open that day', async () => {
      const res = await t.http().get(`/api/v1/panel-meetings/${meetingId}/agenda`).set('Authorization', panel.bearer).expect(200);
      expect(res.body.meeting.id).toBe(meetingId);
      expect(res.body.requests.map((i: { request: { id: string } }) => i.request.id)).toEqual([olderRequestId, requestId]);
      const [older, item] = res.body.requests;
      expect(older).toMatchObject({ urgent: true, request: { needsReallocation: true, reallocationReason: 'No capacity this term', urgency: 'URGENT' } });
      expect(item.urgent).toBe(false);
      expect(item.callerDeclaredInterest).toBe(false);
      expect(item.pupil).toEqual({
        id: pupilId,
        firstName: 'Amara',
        lastName: expect.stringMatching(/^Pupil/),
        yearGroup: expect.any(Number),
        schoolId,
        schoolName: 'Alder Primary',
        senStatus: 'K',
        primaryNeed: 'SLCN',
        secondaryNeed: 'SEMH',
      });
      expect(item.previousRequests).toEqual([
        expect.objectContaining({ serviceCode: 'PN-STLS', status: 'DECLINED', submittedOn: addDays(today, -200), unitsRequested: 10 }),
      ]);
      expect(item.supportCycles).toEqual([
        {
          id: expect.any(String),
          startOn: addDays(today, -120),
          reviewOn: addDays(today, -20),
          status: 'REVIEWED',
          reviewedOn: addDays(today, -20),
          nextStep: 'REQUEST_LOCALITY_SUPPORT',
          outcomes: [
            { description: 'Reads 40 words a minute', progress: 'PARTLY' },
            { description: 'Writes a sentence', progress: 'NOT_ACHIEVED' },
          ],
        },
      ]);
      expect(res.body.pools.map((p: { id: string }) => p.id).sort()).toEqual([poolId, saltPoolId].sort());
      const conflictedView = await t.http().get(`/api/v1/panel-meetings/${meetingId}/agenda`).set('Authorization', conflicted.bearer).expect(200);
      expect(conflictedView.body.requests[1].callerDeclaredInterest).toBe(true);
      await t.http().get(`/api/v1/panel-meetings/${meetingId}/agenda`).set('Authorization', otherPanel.bearer).expect(404);
    });

    it('a member who declared an interest in the pupil’s school at the meeting is refused: 409 conflict-of-interest, nothing written', async () => {
      const before = await footprint();
      const res = await decide(conflicted, requestId, approval({ outcome: 'PARTIAL', unitsApproved: 8, meetingId }));
      expectProblem(res, 409, 'conflict-of-interest');
      expect(await footprint()).toEqual(before);
    });

    it('PARTIAL approval of 8 of 12 hours: allocation OFFERED, acceptance deadline, decision met, pool figures exact', async () => {
      const before = await poolRow();
      const res = await decide(panel, requestId, approval({ outcome: 'PARTIAL', unitsApproved: 8, meetingId, reason: 'Eight hours this term' })).expect(200);
      expect(res.body).toMatchObject({
        id: requestId,
        status: 'PARTIALLY_APPROVED',
        needsReallocation: false,
        decision: {
          outcome: 'PARTIAL',
          decidedOn: today,
          reason: 'Eight hours this term',
          meetingId,
          decidedBy: panel.id,
          unitsApproved: 8,
          poolId,
          organisationId,
          allocationId: expect.any(String),
        },
      });
      allocationId = res.body.decision.allocationId;
      const [allocation] = await t.dataSource.query(`SELECT * FROM allocation WHERE id = $1`, [allocationId]);
      expect(allocation).toMatchObject({
        request_id: requestId,
        pupil_id: pupilId,
        school_id: schoolId,
        locality_id: localityId,
        pool_id: poolId,
        organisation_id: organisationId,
        service_code: 'PN-STLS',
        units: '8.00',
        units_used: '0.00',
        status: 'OFFERED',
        offered_on: today,
        created_by: panel.id,
      });
      const deadlines = await t.dataSource.query(
        `SELECT kind, subject_type, starts_on, due_on, met_on, organisation_id, pupil_id, school_id, locality_id FROM deadline
         WHERE subject_id IN ($1, $2) ORDER BY kind`,
        [allocationId, requestId],
      );
      expect(deadlines).toEqual([
        { kind: 'ALLOCATION_ACCEPTANCE', subject_type: 'ALLOCATION', starts_on: today, due_on: addWeeks(today, 2), met_on: null, organisation_id: organisationId, pupil_id: pupilId, school_id: schoolId, locality_id: localityId },
        { kind: 'REQUEST_DECISION', subject_type: 'SUPPORT_REQUEST', starts_on: today, due_on: addWeeks(today, 4), met_on: today, organisation_id: null, pupil_id: pupilId, school_id: schoolId, locality_id: localityId },
      ]);
      const decisions = await t.dataSource.query(`SELECT outcome, decided_on, meeting_id, decided_by, units_approved, pool_id, organisation_id, allocation_id, reason FROM support_request_decision WHERE request_id = $1`, [requestId]);
      expect(decisions).toEqual([
        { outcome: 'PARTIAL', decided_on: today, meeting_id: meetingId, decided_by: panel.id, units_approved: '8.00', pool_id: poolId, organisation_id: organisationId, allocation_id: allocationId, reason: 'Eight hours this term' },
      ]);
      expect(await poolRow()).toEqual({ capacity: 40, allocated: before.allocated + 8, version: before.version + 1 });
      const pool = await t.http().get(`/api/v1/resource-pools/${poolId}`).set('Authorization', panel.bearer).expect(200);
      expect(pool.body).toMatchObject({ capacityUnits: 40, allocatedUnits: 8, remainingUnits: 32 });
      // The reason is never in the audit trail.
      const audits = await t.dataSource.query(`SELECT action, changed_fields FROM audit_event WHERE entity_id IN ($1, $2) AND action NOT LIKE '%create' OR entity_id = $2 ORDER BY action`, [requestId, allocationId]);
      expect(audits).toEqual([
        { action: 'allocation.create', changed_fields: ['organisationId', 'poolId', 'units'] },
        { action: 'support-request.decide', changed_fields: ['decision', 'status'] },
        { action: 'support-request.submit', changed_fields: ['status', 'submittedOn'] },
      ]);
      expect(JSON.stringify(await t.dataSource.query(`SELECT * FROM audit_event`))).not.toContain('Eight hours');
      // The school sees the decision on its request.
      const read = await t.http().get(`/api/v1/support-requests/${requestId}`).set('Authorization', senco.bearer).expect(200);
      expect(read.body.decision).toMatchObject({ outcome: 'PARTIAL', unitsApproved: 8, allocationId });
      expect(await ledgerMismatches()).toEqual([]);
    });

    it('deciding it again is 409 invalid-transition with the current status, nothing written', async () => {
      const before = await footprint();
      const res = await decide(panel, requestId, { outcome: 'DECLINED', decidedOn: today, reason: 'Again' });
      expectProblem(res, 409, 'invalid-transition');
      expect(res.body.currentStatus).toBe('PARTIALLY_APPROVED');
      expect(await footprint()).toEqual(before);
    });

    it('the pool’s figures per school: every school of the locality, zeros included, in JSON and CSV', async () => {
      const res = await t.http().get(`/api/v1/resource-pools/${poolId}/by-school`).set('Authorization', panel.bearer).expect(200);
      expect(res.body.nextCursor).toBeNull();
      const [{ alder_sen }] = await t.dataSource.query(
        `SELECT count(*)::int AS alder_sen FROM pupil WHERE school_id = $1 AND sen_status IN ('K', 'E') AND left_on IS NULL`,
        [schoolId],
      );
      expect(res.body.data).toEqual([
        {
          schoolId,
          schoolName: 'Alder Primary',
          urn: '128901',
          requests: 1,
          approvals: 1,
          unitsRequested: 12,
          unitsApproved: 8,
          unitsAllocated: 8,
          senPupils: alder_sen,
          unitsPerSenPupil: Math.round((8 / alder_sen) * 100) / 100,
        },
        {
          schoolId: quietSchoolId,
          schoolName: 'Birch Primary',
          urn: '128902',
          requests: 1,
          approvals: 0,
          unitsRequested: 4,
          unitsApproved: 0,
          unitsAllocated: 0,
          senPupils: 2,
          unitsPerSenPupil: 0,
        },
      ]);
      const csv = await t.http().get(`/api/v1/resource-pools/${poolId}/by-school?format=csv`).set('Authorization', panel.bearer).expect(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const lines = csv.text.trim().split('\r\n');
      expect(lines[0]).toBe('schoolId,schoolName,urn,requests,approvals,unitsRequested,unitsApproved,unitsAllocated,senPupils,unitsPerSenPupil');
      expect(lines[1]).toBe(`${schoolId},Alder Primary,128901,1,1,12,8,8,${alder_sen},${Math.round((8 / alder_sen) * 100) / 100}`);
      expect(lines).toHaveLength(3);
      await t.http().get(`/api/v1/resource-pools/${poolId}/by-school`).set('Authorization', otherPanel.bearer).expect(404);
      await t.http().get(`/api/v1/resource-pools/${poolId}/by-school`).set('Authorization', senco.bearer).expect(403);
    });

    it('the panel cancels the allocation: its 8 hours return, its acceptance deadline is cancelled; cancelling again is 409', async () => {
      const res = await t.http().post(`/api/v1/allocations/${allocationId}/cancel`).set('Authorization', panel.bearer).send({ reason: 'Pupil moved away' }).expect(200);
      expect(res.body).toMatchObject({ id: allocationId, status: 'CANCELLED', cancelledOn: today, units: 8, unitsUsed: 0, pool: { id: poolId, capacityUnits: 40, allocatedUnits: 0, remainingUnits: 40 } });
      const [deadline] = await t.dataSource.query(`SELECT cancelled_on FROM deadline WHERE subject_id = $1`, [allocationId]);
      expect(deadline.cancelled_on).toBe(today);
      const again = await t.http().post(`/api/v1/allocations/${allocationId}/cancel`).set('Authorization', panel.bearer).send({ reason: 'Again' });
      expectProblem(again, 409, 'invalid-transition');
      expect(again.body.currentStatus).toBe('CANCELLED');
      const extend = await t.http().post(`/api/v1/allocations/${allocationId}/extend`).set('Authorization', panel.bearer).send({ additionalUnits: 1 });
      expectProblem(extend, 409, 'invalid-transition');
      expect(await ledgerMismatches()).toEqual([]);
      expect(JSON.stringify(await t.dataSource.query(`SELECT * FROM audit_event`))).not.toContain('Pupil moved away');
    });
  });

  describe('refusals: nothing written', () => {
    it('beyond the pool’s remainder is 409 capacity-exhausted with remainingUnits: no allocation, no decision, still SUBMITTED, deadline open', async () => {
      const fill = await submittedRequest({ units: 30 });
      await decide(panel, fill, approval({ unitsApproved: 30 })).expect(200);
      const big = await submittedRequest({ units: 20 });
      const before = await footprint();
      const res = await decide(panel, big, approval({ unitsApproved: 20 }));
      expectProblem(res, 409, 'capacity-exhausted');
      expect(res.body.remainingUnits).toBe(10);
      expect(await footprint()).toEqual(before);
      const [row] = await t.dataSource.query(`SELECT status, version FROM support_request WHERE id = $1`, [big]);
      expect(row).toEqual({ status: 'SUBMITTED', version: 1 });
      const [deadline] = await t.dataSource.query(`SELECT met_on, cancelled_on FROM deadline WHERE subject_id = $1`, [big]);
      expect(deadline).toEqual({ met_on: null, cancelled_on: null });
      // The panel may then decide PARTIAL with what remains.
      const partial = await decide(panel, big, approval({ outcome: 'PARTIAL', unitsApproved: 10 })).expect(200);
      expect(partial.body.status).toBe('PARTIALLY_APPROVED');
      expect(await poolRow()).toMatchObject({ allocated: 40 });
      expect(await ledgerMismatches()).toEqual([]);
      // Free the pool for the tests below.
      for (const allocation of await t.dataSource.query(`SELECT id FROM allocation WHERE request_id IN ($1, $2)`, [fill, big])) {
        await t.http().post(`/api/v1/allocations/${allocation.id}/cancel`).set('Authorization', panel.bearer).send({ reason: 'Freed' }).expect(200);
      }
      expect(await poolRow()).toMatchObject({ allocated: 0 });
    });

    it('a withdrawn or draft request cannot be decided: 409 invalid-transition', async () => {
      for (const status of ['WITHDRAWN', 'DRAFT']) {
        const id = await submittedRequest({ status });
        const before = await footprint();
        const res = await decide(panel, id, { outcome: 'DECLINED', decidedOn: today, reason: 'No' });
        expectProblem(res, 409, 'invalid-transition');
        expect(res.body.currentStatus).toBe(status);
        expect(await footprint()).toEqual(before);
      }
    });

    it('a request of another locality is 404 for this panel; roles without the action are 403', async () => {
      const id = await submittedRequest({ school: otherSchoolId, locality: otherLocalityId });
      const before = await footprint();
      const res = await decide(panel, id, { outcome: 'DECLINED', decidedOn: today, reason: 'No' });
      expectProblem(res, 404, 'not-found');
      expectProblem(await decide(senco, id, { outcome: 'DECLINED', decidedOn: today, reason: 'No' }), 403, 'forbidden');
      expectProblem(await decide(manager, id, { outcome: 'DECLINED', decidedOn: today, reason: 'No' }), 403, 'forbidden');
      expect(await footprint()).toEqual(before);
    });

    it.each([
      ['a pool of another locality', () => ({ poolId: otherLocalityPoolId }), ['poolId'], /unknown pool/],
      ['a pool whose period has ended', () => ({ poolId: closedPoolId }), ['poolId'], /does not contain decidedOn/],
      ['a pool of another service', () => ({ poolId: saltPoolId }), ['poolId'], /PN-SALT/],
      ['an organisation not offering the service', () => ({ organisationId: otherOrganisationId }), ['organisationId'], /unknown organisation/],
      ['APPROVED with fewer units than requested', () => ({ unitsApproved: 6 }), ['unitsApproved'], /decide PARTIAL/],
      ['PARTIAL with all the units requested', () => ({ outcome: 'PARTIAL', unitsApproved: 10 }), ['unitsApproved'], /fewer than/],
      ['units not in quarter hours', () => ({ outcome: 'PARTIAL', unitsApproved: 2.3 }), ['unitsApproved'], /quarter hours/],
      ['an approval without units, pool or organisation', () => ({ unitsApproved: undefined, poolId: undefined, organisationId: undefined }), ['organisationId', 'poolId', 'unitsApproved'], /required/],
      ['DECLINED with a pool', () => ({ outcome: 'DECLINED', unitsApproved: undefined, organisationId: undefined }), ['poolId'], /only an APPROVED or PARTIAL/],
      ['a decision date in the future', () => ({ decidedOn: addDays(today, 1) }), ['decidedOn'], /future/],
      ['a decision date before submission', () => ({ decidedOn: addDays(today, -8) }), ['decidedOn'], /submitted/],
      ['a meeting of another locality', () => ({ meetingId: 'OTHER' }), ['meetingId'], /unknown meeting/],
      ['an unknown outcome and a blank reason', () => ({ outcome: 'MAYBE', reason: ' ' }), ['outcome', 'reason'], /./],
    ] as const)('%s is 400 naming the field', async (_name, overrides, fields, message) => {
      const id = await submittedRequest();
      const extra: Record<string, unknown> = { ...overrides() };
      if (extra.meetingId === 'OTHER') {
        const [meeting] = await t.dataSource.query(`INSERT INTO panel_meeting (locality_id, meeting_on, chair) VALUES ($1, $2, 'Chair') RETURNING id`, [otherLocalityId, today]);
        extra.meetingId = meeting.id;
      }
      const before = await footprint();
      const res = await decide(panel, id, JSON.parse(JSON.stringify(approval(extra))));
      expectProblem(res, 400, 'validation');
      expect(fieldsOf(res)).toEqual(fields);
      expect(JSON.stringify(res.body.errors)).toMatch(message);
      expect(await footprint()).toEqual(before);
    });

    it('meetings: another locality, a non-PANEL or out-of-locality member, or a school elsewhere are 400 on the field', async () => {
      const before = await footprint();
      const post = (body: object) => t.http().post('/api/v1/panel-meetings').set('Authorization', panel.bearer).send(body);
      const base = { localityId, meetingOn: today, chair: 'Chair', attendees: [] };
      expect(fieldsOf(await post({ ...base, localityId: otherLocalityId, declaredInterests: [] }).expect(400))).toEqual(['localityId']);
      const res = await post({
        ...base,
        declaredInterests: [
          { userId: senco.id, schoolId },
          { userId: otherPanel.id, schoolId: otherSchoolId },
          { userId: panel.id, schoolId },
          { userId: panel.id, schoolId },
        ],
      }).expect(400);
      expect(fieldsOf(res)).toEqual(['declaredInterests.0.userId', 'declaredInterests.1.schoolId', 'declaredInterests.1.userId', 'declaredInterests.3']);
      expect(fieldsOf(await post({ ...base, chair: ' ', attendees: ['x'.repeat(201)], declaredInterests: [{ userId: 'nope', schoolId }] }).expect(400))).toEqual([
        'attendees',
        'chair',
        'declaredInterests.0.userId',
      ]);
      expect(await footprint()).toEqual(before);
    });
  });

  describe('deferral, decline and the panel’s extend', () => {
    it('DEFERRED keeps the decision deadline open and can be decided again: then APPROVED exactly, deadline met, two decisions kept', async () => {
      const id = await submittedRequest({ units: 6 });
      const deferred = await decide(panel, id, { outcome: 'DEFERRED', decidedOn: addDays(today, -2), reason: 'Awaiting EP report' }).expect(200);
      expect(deferred.body).toMatchObject({ status: 'DEFERRED', decision: { outcome: 'DEFERRED', unitsApproved: null, allocationId: null } });
      const [open] = await t.dataSource.query(`SELECT met_on FROM deadline WHERE subject_id = $1`, [id]);
      expect(open.met_on).toBeNull();
      // Not before the deferral.
      expect(fieldsOf(await decide(panel, id, approval({ unitsApproved: 6, decidedOn: addDays(today, -3) })).expect(400))).toEqual(['decidedOn']);
      const approved = await decide(panel, id, approval({ unitsApproved: 6 })).expect(200);
      expect(approved.body).toMatchObject({ status: 'APPROVED', decision: { outcome: 'APPROVED', unitsApproved: 6 } });
      const [met] = await t.dataSource.query(`SELECT met_on FROM deadline WHERE subject_id = $1 AND kind = 'REQUEST_DECISION'`, [id]);
      expect(met.met_on).toBe(today);
      const history = await t.dataSource.query(`SELECT outcome, decided_on FROM support_request_decision WHERE request_id = $1 ORDER BY created_at`, [id]);
      expect(history).toEqual([
        { outcome: 'DEFERRED', decided_on: addDays(today, -2) },
        { outcome: 'APPROVED', decided_on: today },
      ]);
      const withdrawn = await t.http().post(`/api/v1/support-requests/${id}/withdraw`).set('Authorization', senco.bearer).send({ reason: 'x' });
      expectProblem(withdrawn, 409, 'invalid-transition');
    });

    it('DECLINED closes the request and meets its decision deadline; nothing is allocated', async () => {
      const id = await submittedRequest();
      const before = await footprint();
      const res = await decide(panel, id, { outcome: 'DECLINED', decidedOn: today, reason: 'Needs met by school' }).expect(200);
      expect(res.body).toMatchObject({ status: 'DECLINED', decision: { outcome: 'DECLINED', poolId: null, allocationId: null } });
      const after = await footprint();
      expect({ allocations: after.allocations, decisions: after.decisions, allocated: after.allocated }).toEqual({
        allocations: before.allocations,
        decisions: before.decisions + 1,
        allocated: before.allocated,
      });
      const [deadline] = await t.dataSource.query(`SELECT met_on FROM deadline WHERE subject_id = $1`, [id]);
      expect(deadline.met_on).toBe(today);
    });

    it('extend draws on the same pool; beyond its remainder 409 with nothing changed; cancelling IN_DELIVERY returns only the unused units', async () => {
      const id = await submittedRequest({ units: 10 });
      const res = await decide(panel, id, approval()).expect(200);
      const allocationId = res.body.decision.allocationId;
      const start = await poolRow();
      const extend = (units: unknown, as = panel) => t.http().post(`/api/v1/allocations/${allocationId}/extend`).set('Authorization', as.bearer).send({ additionalUnits: units });
      const extended = await extend(2.5).expect(200);
      expect(extended.body).toMatchObject({ units: 12.5, status: 'OFFERED', pool: { allocatedUnits: start.allocated + 2.5, remainingUnits: 40 - start.allocated - 2.5 } });
      expect(fieldsOf(await extend(0.3).expect(400))).toEqual(['additionalUnits']);
      expect(fieldsOf(await extend(-1).expect(400))).toEqual(['additionalUnits']);
      expectProblem(await extend(1, otherPanel), 404, 'not-found');
      const before = await footprint();
      const over = await extend(40);
      expectProblem(over, 409, 'capacity-exhausted');
      expect(over.body.remainingUnits).toBe(40 - start.allocated - 2.5);
      expect(await footprint()).toEqual(before);

      // In delivery, 3.5 of its 12.5 hours used: cancelling returns the other 9 (the pool keeps the 3.5 spent).
      await t.dataSource.query(`UPDATE allocation SET status = 'IN_DELIVERY', accepted_on = $2, units_used = 3.5 WHERE id = $1`, [allocationId, today]);
      const cancelled = await t.http().post(`/api/v1/allocations/${allocationId}/cancel`).set('Authorization', panel.bearer).send({ reason: 'School closed' }).expect(200);
      expect(cancelled.body).toMatchObject({ status: 'CANCELLED', units: 12.5, unitsUsed: 3.5, pool: { allocatedUnits: start.allocated - 10 + 3.5 } });
      expect(await ledgerMismatches()).toEqual([]);
      expectProblem(await t.http().post(`/api/v1/allocations/${allocationId}/cancel`).set('Authorization', otherPanel.bearer).send({ reason: 'x' }), 404, 'not-found');
    });
  });

  it('meetings list latest first in keyset pages, within the caller’s locality only', async () => {
    const post = (meetingOn: string) =>
      t
        .http()
        .post('/api/v1/panel-meetings')
        .set('Authorization', otherPanel.bearer)
        .send({ localityId: otherLocalityId, meetingOn, chair: 'Gary Fisher', attendees: [], declaredInterests: [{ userId: otherPanel.id, schoolId: otherSchoolId }] })
        .expect(201);
    const ids = [(await post(addDays(today, -14))).body.id, (await post(addDays(today, 14))).body.id, (await post(today)).body.id];
    // Every meeting of that locality (an earlier test added one too), latest first, then by id descending.
    const expected = (await t.dataSource.query(`SELECT id FROM panel_meeting WHERE locality_id = $1 ORDER BY meeting_on DESC, id DESC`, [otherLocalityId])).map(
      (m: { id: string }) => m.id,
    );
    expect(expected).toHaveLength(4);
    expect(expected[0]).toBe(ids[1]);
    expect(expected[3]).toBe(ids[0]);
    const first = await t.http().get('/api/v1/panel-meetings?limit=3').set('Authorization', otherPanel.bearer).expect(200);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await t.http().get(`/api/v1/panel-meetings?limit=3&cursor=${encodeURIComponent(first.body.nextCursor)}`).set('Authorization', otherPanel.bearer).expect(200);
    expect([...first.body.data, ...second.body.data].map((m: { id: string }) => m.id)).toEqual(expected);
    expect(second.body.nextCursor).toBeNull();
    const upcoming = await t.http().get(`/api/v1/panel-meetings?from=${addDays(today, 1)}`).set('Authorization', otherPanel.bearer).expect(200);
    expect(upcoming.body.data.map((m: { id: string }) => m.id)).toEqual([ids[1]]);
    // The Dartford panel sees none of them.
    const mine = await t.http().get('/api/v1/panel-meetings?limit=500').set('Authorization', panel.bearer).expect(200);
    expect(mine.body.data.every((m: { localityId: string }) => m.localityId === localityId)).toBe(true);
  });
});
