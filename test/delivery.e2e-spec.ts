import { Clock } from '../src/common/clock/clock';
import { addDays, addWeeks, todayInLondon } from '../src/common/dates/calendar-date';
import { upnCheckLetter } from '../src/pupils/upn';
import { createAllocation, type AllocationFixture } from './support/allocation-factory';
import { createUser, type TestUser } from './support/auth';
import { auditCount } from './support/audit-log';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * Provider delivery (API.md "Delivery", issue 6): a provider's worklist, accept / decline /
 * sessions / complete with their deadlines, the units ledger, the figures on GET /allocations/:id
 * from known dates, and the provider's minimal pupil view that ends 30 days after completion.
 * Allocations are made by test/support/allocation-factory.ts (what a panel decision leaves).
 */
describe('provider delivery', () => {
  let t: TestApp;
  const today = todayInLondon();
  const ago = (days: number) => addDays(today, -days);
  let localityId: string;
  let otherLocalityId: string;
  let schoolId: string;
  let otherSchoolId: string;
  let orgId: string;
  let otherOrgId: string;
  let provider: TestUser;
  let otherProvider: TestUser;
  let senco: TestUser;
  let otherSenco: TestUser;
  let panel: TestUser;
  let otherPanel: TestUser;
  let caseworker: TestUser;
  let admin: TestUser;
  let serial = 0;

  beforeAll(async () => {
    t = await createTestApp();
    const place = async (code: string, area: string, urn: string) => {
      const [locality] = await t.dataSource.query(`INSERT INTO locality (code, name, area, district) VALUES ($1, $1, $2, 'Dartford') RETURNING id`, [code, area]);
      const [school] = await t.dataSource.query(
        `INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ($1, $2, 'PRIMARY', 'MAINSTREAM', $3) RETURNING id`,
        [urn, `School ${urn}`, locality.id],
      );
      return { localityId: locality.id as string, schoolId: school.id as string };
    };
    ({ localityId, schoolId } = await place('DL-NORTH', 'North', '128901'));
    ({ localityId: otherLocalityId, schoolId: otherSchoolId } = await place('DL-EAST', 'East', '128902'));
    [{ id: orgId }] = await t.dataSource.query(`INSERT INTO organisation (name, kind) VALUES ('DL Community Health', 'NHS') RETURNING id`);
    [{ id: otherOrgId }] = await t.dataSource.query(`INSERT INTO organisation (name, kind) VALUES ('DL Teaching Service', 'KCC_SERVICE') RETURNING id`);
    // SALT: 8-week delivery target; TIME: the DELIVERY_START rule's 6 weeks.
    for (const [code, unit, weeks, org] of [
      ['DL-SALT', 'SESSIONS', 8, orgId],
      ['DL-TIME', 'HOURS', null, orgId],
      ['DL-HNF', 'GBP', 2, orgId],
      ['DL-OTHER', 'SESSIONS', null, otherOrgId],
    ] as const) {
      await t.dataSource.query(`INSERT INTO service (code, name, organisation_id, unit, delivery_start_weeks) VALUES ($1, $1, $2, $3, $4)`, [code, org, unit, weeks]);
    }
    provider = await createUser(t, 'PROVIDER', { organisationId: orgId });
    otherProvider = await createUser(t, 'PROVIDER', { organisationId: otherOrgId });
    senco = await createUser(t, 'SENCO', { schoolId });
    otherSenco = await createUser(t, 'SENCO', { schoolId: otherSchoolId });
    panel = await createUser(t, 'PANEL', { localityId });
    otherPanel = await createUser(t, 'PANEL', { localityId: otherLocalityId });
    caseworker = await createUser(t, 'CASEWORKER', { area: 'North' });
    admin = await createUser(t, 'ADMIN');
  });
  afterAll(async () => {
    await t?.close();
  });

  async function makePupil(school = schoolId): Promise<string> {
    serial += 1;
    const body = `886${school === schoolId ? '8901' : '8902'}17${String(serial).padStart(3, '0')}`;
    const [pupil] = await t.dataSource.query(
      `INSERT INTO pupil (upn, first_name, last_name, first_name_key, last_name_key, date_of_birth, school_id, sen_status, primary_need, secondary_need)
       VALUES ($1, 'Ada', $2, 'ada', $3, '2017-05-04', $4, 'K', 'SLCN', 'SEMH') RETURNING id`,
      [`${upnCheckLetter(body)}${body}`, `Pupil${serial}`, `pupil${serial}`, school],
    );
    return pupil.id;
  }

  /** An OFFERED allocation to the provider's organisation (or another) for a fresh pupil. */
  async function offer(options: { serviceCode?: string; units?: number; offeredOn?: string; org?: string; school?: string; capacity?: number } = {}) {
    const school = options.school ?? schoolId;
    const pupilId = await makePupil(school);
    const fixture = await createAllocation(t, {
      pupilId,
      schoolId: school,
      localityId: school === schoolId ? localityId : otherLocalityId,
      organisationId: options.org ?? orgId,
      serviceCode: options.serviceCode ?? 'DL-SALT',
      units: options.units ?? 6,
      offeredOn: options.offeredOn ?? ago(40),
      capacity: options.capacity,
    });
    return { ...fixture, pupilId };
  }

  const post = (user: TestUser, path: string, body?: object) => t.http().post(`/api/v1/allocations${path}`).set('Authorization', user.bearer).send(body);
  const get = (user: TestUser, path: string) => t.http().get(`/api/v1${path}`).set('Authorization', user.bearer);
  const row = async (id: string) => (await t.dataSource.query(`SELECT * FROM allocation WHERE id = $1`, [id]))[0];
  const pool = async (id: string) => Number((await t.dataSource.query(`SELECT allocated_units FROM resource_pool WHERE id = $1`, [id]))[0].allocated_units);
  const sessionCount = async (id: string) => (await t.dataSource.query(`SELECT count(*)::int AS n FROM allocation_session WHERE allocation_id = $1`, [id]))[0].n;
  const deadlines = async (subjectId: string) =>
    (await get(provider, `/deadlines?limit=500`).expect(200)).body.data.filter((d: { subjectId: string }) => d.subjectId === subjectId);
  const deadline = async (subjectId: string, kind: string) => (await deadlines(subjectId)).find((d: { kind: string }) => d.kind === kind);
  /** Everything a refused request must leave untouched. */
  const snapshot = async (a: AllocationFixture) => ({
    allocation: await row(a.id),
    sessions: await sessionCount(a.id),
    pool: await pool(a.poolId),
    deadlines: await t.dataSource.query(`SELECT * FROM deadline WHERE subject_id IN ($1, $2) ORDER BY id`, [a.id, a.requestId]),
    request: (await t.dataSource.query(`SELECT * FROM support_request WHERE id = $1`, [a.requestId]))[0],
    audit: await auditCount(t),
  });
  const fields = (body: { errors?: { field: string }[] }) => [...new Set((body.errors ?? []).map((e) => e.field))].sort();

  describe('accept -> sessions -> complete, on time', () => {
    let a: AllocationFixture & { pupilId: string };

    it('the provider sees the offered allocation with its acceptance due date from the deadline table', async () => {
      a = await offer({ offeredOn: ago(40), units: 6 });
      const res = await get(provider, `/allocations/${a.id}`).expect(200);
      expect(res.body).toMatchObject({
        id: a.id,
        requestId: a.requestId,
        pupilId: a.pupilId,
        poolId: a.poolId,
        organisationId: orgId,
        serviceCode: 'DL-SALT',
        unit: 'SESSIONS',
        units: 6,
        unitsUsed: 0,
        status: 'OFFERED',
        offeredOn: ago(40),
        acceptanceDueOn: addWeeks(ago(40), 2),
        acceptedOn: null,
        deliveryStartDueOn: null,
        firstSessionOn: null,
        completedOn: null,
        outcome: null,
        attendanceRate: null,
        daysToAcceptance: null,
        daysToFirstSession: null,
        schoolId,
        localityId,
        version: 1,
      });
    });

    it('accepting meets ALLOCATION_ACCEPTANCE on time and opens DELIVERY_START with the service’s 8 weeks', async () => {
      const res = await post(provider, `/${a.id}/accept`, { acceptedOn: ago(30) }).expect(200);
      expect(res.body).toMatchObject({ status: 'ACCEPTED', acceptedOn: ago(30), daysToAcceptance: 10, deliveryStartDueOn: addWeeks(ago(30), 8) });
      expect(await deadline(a.id, 'ALLOCATION_ACCEPTANCE')).toMatchObject({ metOn: ago(30), status: 'MET_ON_TIME', organisationId: orgId });
      expect(await deadline(a.id, 'DELIVERY_START')).toMatchObject({ startsOn: ago(30), dueOn: addWeeks(ago(30), 8), metOn: null, status: 'ON_TRACK' });
      const [event] = await t.dataSource.query(`SELECT action, changed_fields, organisation_id, pupil_id FROM audit_event WHERE entity_id = $1 ORDER BY at DESC LIMIT 1`, [a.id]);
      expect(event).toMatchObject({ action: 'allocation.accept', organisation_id: orgId, pupil_id: a.pupilId });
    });

    it('accepting again is 409 invalid-transition with the current status', async () => {
      const res = await post(provider, `/${a.id}/accept`, {}).expect(409);
      expect(res.body).toMatchObject({ type: '/problems/invalid-transition', currentStatus: 'ACCEPTED' });
    });

    it('a did-not-attend session uses a unit and moves to IN_DELIVERY but meets nothing', async () => {
      const res = await post(provider, `/${a.id}/sessions`, { deliveredOn: ago(22), durationMinutes: 45, attended: false, absenceReason: 'DID_NOT_ATTEND' }).expect(201);
      expect(res.body).toMatchObject({ allocationId: a.id, deliveredOn: ago(22), attended: false, absenceReason: 'DID_NOT_ATTEND', unitsUsed: 1, recordedBy: provider.id });
      expect(await row(a.id)).toMatchObject({ status: 'IN_DELIVERY', first_session_on: null });
      expect(await deadline(a.id, 'DELIVERY_START')).toMatchObject({ metOn: null });
    });

    it('the first attended session sets firstSessionOn and meets DELIVERY_START on its date', async () => {
      await post(provider, `/${a.id}/sessions`, { deliveredOn: ago(20), durationMinutes: 45, attended: true, note: 'Worked on /s/ blends' }).expect(201);
      await post(provider, `/${a.id}/sessions`, { deliveredOn: ago(13), durationMinutes: 45, attended: true }).expect(201);
      // Cancelled by the provider: recorded, but uses nothing.
      await post(provider, `/${a.id}/sessions`, { deliveredOn: ago(6), durationMinutes: 45, attended: false, absenceReason: 'CANCELLED_BY_PROVIDER' }).expect(201);
      expect(await deadline(a.id, 'DELIVERY_START')).toMatchObject({ metOn: ago(20), status: 'MET_ON_TIME' });
      const res = await get(provider, `/allocations/${a.id}`).expect(200);
      // 2 attended of 4 recorded; offered 40 days ago, accepted 30, first attended session 20.
      expect(res.body).toMatchObject({
        status: 'IN_DELIVERY',
        unitsUsed: 3,
        firstSessionOn: ago(20),
        attendanceRate: 0.5,
        daysToAcceptance: 10,
        daysToFirstSession: 20,
        sessionCount: 4,
        sessionsAttended: 2,
      });
    });

    it('lists the sessions latest first; the note only for the provider', async () => {
      const mine = await get(provider, `/allocations/${a.id}/sessions`).expect(200);
      expect(mine.body.data.map((s: { deliveredOn: string }) => s.deliveredOn)).toEqual([ago(6), ago(13), ago(20), ago(22)]);
      expect(mine.body.data[2].note).toBe('Worked on /s/ blends');
      const school = await get(senco, `/allocations/${a.id}/sessions`).expect(200);
      expect(school.body.data).toHaveLength(4);
      expect(school.body.data[2]).not.toHaveProperty('note');
      const csv = await get(provider, `/allocations/${a.id}/sessions?format=csv`).expect(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      expect(csv.text).not.toContain('blends');
    });

    it('a session note is never in the audit trail', async () => {
      const rows = await t.dataSource.query(`SELECT * FROM audit_event WHERE action = 'allocation.session'`);
      expect(rows.length).toBeGreaterThan(0);
      expect(JSON.stringify(rows)).not.toContain('blends');
    });

    it('completing closes the work with its outcome; SENCO and panel see it', async () => {
      const res = await post(provider, `/${a.id}/complete`, { outcome: 'PARTLY_MET', summary: 'Intelligibility improved', completedOn: ago(2) }).expect(200);
      expect(res.body).toMatchObject({ status: 'COMPLETED', completedOn: ago(2), outcome: 'PARTLY_MET', outcomeSummary: 'Intelligibility improved', unitsUsed: 3 });
      for (const user of [senco, panel, caseworker]) {
        expect((await get(user, `/allocations/${a.id}`).expect(200)).body).toMatchObject({ status: 'COMPLETED', outcome: 'PARTLY_MET' });
      }
      // A completed allocation keeps its units in the pool.
      expect(await pool(a.poolId)).toBe(6);
    });

    it('a session or a second completion on a completed allocation is 409, nothing written', async () => {
      const before = await snapshot(a);
      const s = await post(provider, `/${a.id}/sessions`, { deliveredOn: ago(1), durationMinutes: 45, attended: true }).expect(409);
      expect(s.body).toMatchObject({ type: '/problems/invalid-transition', currentStatus: 'COMPLETED' });
      await post(provider, `/${a.id}/complete`, { outcome: 'NEED_MET', summary: 'x' }).expect(409);
      await post(provider, `/${a.id}/decline`, { reason: 'x' }).expect(409);
      expect(await snapshot(a)).toEqual(before);
    });
  });

  describe('deadlines met late, given dates', () => {
    it('a late acceptance and a late first session are MET_LATE; the figures follow the dates', async () => {
      const a = await offer({ serviceCode: 'DL-TIME', units: 10, offeredOn: ago(120) });
      await post(provider, `/${a.id}/accept`, { acceptedOn: ago(100) }).expect(200);
      expect(await deadline(a.id, 'ALLOCATION_ACCEPTANCE')).toMatchObject({ dueOn: ago(106), metOn: ago(100), status: 'MET_LATE', daysOverdue: 6 });
      // No per-service target: the rule's 6 weeks from acceptance.
      expect(await deadline(a.id, 'DELIVERY_START')).toMatchObject({ dueOn: addWeeks(ago(100), 6), status: 'OVERDUE' });
      const s = await post(provider, `/${a.id}/sessions`, { deliveredOn: ago(50), durationMinutes: 90, attended: true }).expect(201);
      expect(s.body.unitsUsed).toBe(1.5);
      expect(await deadline(a.id, 'DELIVERY_START')).toMatchObject({ metOn: ago(50), status: 'MET_LATE', daysOverdue: 8 });
      const res = await get(panel, `/allocations/${a.id}`).expect(200);
      expect(res.body).toMatchObject({ unit: 'HOURS', unitsUsed: 1.5, daysToAcceptance: 20, daysToFirstSession: 70, attendanceRate: 1 });
      // A session recorded late but delivered earlier: the first session and the deadline move back to it.
      await post(provider, `/${a.id}/sessions`, { deliveredOn: ago(55), durationMinutes: 60, attended: true }).expect(201);
      expect(await deadline(a.id, 'DELIVERY_START')).toMatchObject({ metOn: ago(55), status: 'MET_LATE', daysOverdue: 3 });
      expect((await get(panel, `/allocations/${a.id}`).expect(200)).body).toMatchObject({ unitsUsed: 2.5, firstSessionOn: ago(55), daysToFirstSession: 65 });
    });

    it('an unanswered offer past its due date shows OVERDUE in the worklist due-date filter', async () => {
      const a = await offer({ offeredOn: ago(20) });
      const res = await get(provider, `/allocations?status=OFFERED&acceptanceDueBefore=${ago(1)}&limit=500`).expect(200);
      expect(res.body.data.map((r: { id: string }) => r.id)).toContain(a.id);
      expect(await deadline(a.id, 'ALLOCATION_ACCEPTANCE')).toMatchObject({ status: 'OVERDUE' });
    });

    it('completing before any session cancels DELIVERY_START (not late)', async () => {
      const a = await offer({ offeredOn: ago(20) });
      await post(provider, `/${a.id}/accept`, { acceptedOn: ago(10) }).expect(200);
      await post(provider, `/${a.id}/complete`, { outcome: 'REFERRED_ON', summary: 'Referred to CAMHS', completedOn: ago(5) }).expect(200);
      expect(await deadline(a.id, 'DELIVERY_START')).toMatchObject({ cancelledOn: ago(5), status: 'CANCELLED' });
    });
  });

  describe('decline', () => {
    it('returns every unit to the pool and puts the request back before the panel with the reason and a new REQUEST_DECISION', async () => {
      const a = await offer({ units: 8, capacity: 20, offeredOn: ago(10) });
      expect(await pool(a.poolId)).toBe(8);
      const res = await post(provider, `/${a.id}/decline`, { reason: 'No therapist in this district until spring', declinedOn: ago(3) }).expect(200);
      expect(res.body).toMatchObject({ status: 'DECLINED', declinedOn: ago(3), declineReason: 'No therapist in this district until spring', units: 8 });
      expect(await pool(a.poolId)).toBe(0);
      expect(await deadline(a.id, 'ALLOCATION_ACCEPTANCE')).toMatchObject({ metOn: ago(3), status: 'MET_ON_TIME' });
      const request = await get(panel, `/support-requests/${a.requestId}`).expect(200);
      expect(request.body).toMatchObject({ status: 'SUBMITTED', needsReallocation: true, reallocationReason: 'No therapist in this district until spring' });
      const decision = await t.dataSource.query(
        `SELECT starts_on, due_on, met_on, cancelled_on, locality_id FROM deadline WHERE subject_id = $1 AND kind = 'REQUEST_DECISION'`,
        [a.requestId],
      );
      expect(decision).toEqual([{ starts_on: ago(3), due_on: addWeeks(ago(3), 4), met_on: null, cancelled_on: null, locality_id: localityId }]);
      // The panel sees the reason on the allocation too; the reason is never audited.
      expect((await get(panel, `/allocations/${a.id}`).expect(200)).body.declineReason).toBe('No therapist in this district until spring');
      expect(JSON.stringify(await t.dataSource.query(`SELECT * FROM audit_event`))).not.toContain('No therapist');
      // Sessions on a declined allocation: 409.
      const before = await snapshot(a);
      const s = await post(provider, `/${a.id}/sessions`, { deliveredOn: ago(1), durationMinutes: 30, attended: true }).expect(409);
      expect(s.body).toMatchObject({ type: '/problems/invalid-transition', currentStatus: 'DECLINED' });
      expect(await snapshot(a)).toEqual(before);
    });

    it('a decline needs a reason; a blank or missing one is 400, nothing written', async () => {
      const a = await offer();
      const before = await snapshot(a);
      expect(fields((await post(provider, `/${a.id}/decline`, {}).expect(400)).body)).toEqual(['reason']);
      expect(fields((await post(provider, `/${a.id}/decline`, { reason: '   ' }).expect(400)).body)).toEqual(['reason']);
      expect(fields((await post(provider, `/${a.id}/decline`, { reason: 'x', declinedOn: addDays(today, 1) }).expect(400)).body)).toEqual(['declinedOn']);
      expect(fields((await post(provider, `/${a.id}/decline`, { reason: 'x', declinedOn: ago(41) }).expect(400)).body)).toEqual(['declinedOn']);
      expect(await snapshot(a)).toEqual(before);
    });
  });

  describe('bad input: clear problems, nothing written', () => {
    let a: AllocationFixture & { pupilId: string };
    beforeAll(async () => {
      a = await offer({ units: 2, offeredOn: ago(30) });
    });

    it('a session on an OFFERED allocation is 409', async () => {
      const before = await snapshot(a);
      const res = await post(provider, `/${a.id}/sessions`, { deliveredOn: ago(1), durationMinutes: 30, attended: true }).expect(409);
      expect(res.body).toMatchObject({ type: '/problems/invalid-transition', currentStatus: 'OFFERED' });
      await post(provider, `/${a.id}/complete`, { outcome: 'NEED_MET', summary: 'Done' }).expect(409);
      expect(await snapshot(a)).toEqual(before);
    });

    it('accepting in the future or before the offer is 400', async () => {
      const before = await snapshot(a);
      expect(fields((await post(provider, `/${a.id}/accept`, { acceptedOn: addDays(today, 1) }).expect(400)).body)).toEqual(['acceptedOn']);
      expect(fields((await post(provider, `/${a.id}/accept`, { acceptedOn: ago(31) }).expect(400)).body)).toEqual(['acceptedOn']);
      expect(fields((await post(provider, `/${a.id}/accept`, { acceptedOn: '2026-02-30' }).expect(400)).body)).toEqual(['acceptedOn']);
      expect(await snapshot(a)).toEqual(before);
    });

    it('a provider of another organisation gets 404 for every route; other roles 403 on the provider’s actions', async () => {
      const before = await snapshot(a);
      await get(otherProvider, `/allocations/${a.id}`).expect(404);
      await get(otherProvider, `/allocations/${a.id}/sessions`).expect(404);
      for (const [path, body] of [
        ['accept', {}],
        ['decline', { reason: 'x' }],
        ['complete', { outcome: 'NEED_MET', summary: 'x' }],
        ['sessions', { deliveredOn: ago(1), durationMinutes: 30, attended: true }],
      ] as const) {
        const res = await post(otherProvider, `/${a.id}/${path}`, body).expect(404);
        expect(res.body.type).toBe('/problems/not-found');
        await post(senco, `/${a.id}/${path}`, body).expect(403);
        await post(panel, `/${a.id}/${path}`, body).expect(403);
      }
      expect(await snapshot(a)).toEqual(before);
    });

    it('sessions: future, before acceptance, zero or negative or too long duration, missing absence reason, units for SESSIONS: 400', async () => {
      await post(provider, `/${a.id}/accept`, { acceptedOn: ago(20) }).expect(200);
      const before = await snapshot(a);
      const cases: [object, string[]][] = [
        [{ deliveredOn: addDays(today, 1), durationMinutes: 30, attended: true }, ['deliveredOn']],
        [{ deliveredOn: ago(21), durationMinutes: 30, attended: true }, ['deliveredOn']],
        [{ deliveredOn: ago(35), durationMinutes: 30, attended: true }, ['deliveredOn']],
        [{ deliveredOn: ago(1), durationMinutes: 0, attended: true }, ['durationMinutes']],
        [{ deliveredOn: ago(1), durationMinutes: -30, attended: true }, ['durationMinutes']],
        [{ deliveredOn: ago(1), durationMinutes: 601, attended: true }, ['durationMinutes']],
        [{ deliveredOn: ago(1), durationMinutes: 30.5, attended: true }, ['durationMinutes']],
        [{ deliveredOn: ago(1), durationMinutes: 30, attended: false }, ['absenceReason']],
        [{ deliveredOn: ago(1), durationMinutes: 30, attended: true, absenceReason: 'DID_NOT_ATTEND' }, ['absenceReason']],
        [{ deliveredOn: ago(1), durationMinutes: 30, attended: false, absenceReason: 'ILL' }, ['absenceReason']],
        [{ deliveredOn: ago(1), durationMinutes: 30, attended: true, unitsUsed: 1 }, ['unitsUsed']],
        [{ deliveredOn: ago(1), durationMinutes: 30, attended: 'yes' }, ['attended']],
        [{ deliveredOn: ago(1), durationMinutes: 30, attended: true, note: 'x'.repeat(501) }, ['note']],
        [{}, ['attended', 'deliveredOn', 'durationMinutes']],
      ];
      for (const [body, expected] of cases) {
        const res = await post(provider, `/${a.id}/sessions`, body);
        expect({ body, status: res.status, fields: fields(res.body) }).toEqual({ body, status: 400, fields: expected });
      }
      expect(await snapshot(a)).toEqual(before);
    });

    it('over-delivery is 409 capacity-exhausted with the units left, nothing written', async () => {
      await post(provider, `/${a.id}/sessions`, { deliveredOn: ago(10), durationMinutes: 30, attended: true }).expect(201);
      await post(provider, `/${a.id}/sessions`, { deliveredOn: ago(9), durationMinutes: 30, attended: false, absenceReason: 'CANCELLED_BY_SCHOOL' }).expect(201);
      const before = await snapshot(a);
      const res = await post(provider, `/${a.id}/sessions`, { deliveredOn: ago(8), durationMinutes: 30, attended: true }).expect(409);
      expect(res.body).toMatchObject({ type: '/problems/capacity-exhausted', remainingUnits: 0 });
      expect(await snapshot(a)).toEqual(before);
      // A provider-cancelled session uses nothing, so it can still be recorded.
      await post(provider, `/${a.id}/sessions`, { deliveredOn: ago(8), durationMinutes: 30, attended: false, absenceReason: 'CANCELLED_BY_PROVIDER' }).expect(201);
      expect(Number((await row(a.id)).units_used)).toBe(2);
    });

    it('HOURS sessions are whole quarter hours; GBP takes unitsUsed, whole pounds', async () => {
      const hours = await offer({ serviceCode: 'DL-TIME', units: 3, offeredOn: ago(10) });
      await post(provider, `/${hours.id}/accept`, {}).expect(200);
      const before = await snapshot(hours);
      expect(fields((await post(provider, `/${hours.id}/sessions`, { deliveredOn: today, durationMinutes: 50, attended: true }).expect(400)).body)).toEqual(['durationMinutes']);
      expect((await post(provider, `/${hours.id}/sessions`, { deliveredOn: today, durationMinutes: 240, attended: true }).expect(409)).body.remainingUnits).toBe(3);
      expect(await snapshot(hours)).toEqual(before);
      expect((await post(provider, `/${hours.id}/sessions`, { deliveredOn: today, durationMinutes: 180, attended: true }).expect(201)).body.unitsUsed).toBe(3);

      const money = await offer({ serviceCode: 'DL-HNF', units: 1000, offeredOn: ago(10) });
      await post(provider, `/${money.id}/accept`, {}).expect(200);
      expect(fields((await post(provider, `/${money.id}/sessions`, { deliveredOn: today, durationMinutes: 60, attended: true }).expect(400)).body)).toEqual(['unitsUsed']);
      expect(fields((await post(provider, `/${money.id}/sessions`, { deliveredOn: today, durationMinutes: 60, attended: true, unitsUsed: 10.5 }).expect(400)).body)).toEqual(['unitsUsed']);
      expect((await post(provider, `/${money.id}/sessions`, { deliveredOn: today, durationMinutes: 60, attended: true, unitsUsed: 400 }).expect(201)).body.unitsUsed).toBe(400);
    });

    it('completion: outcome from the list, a summary, not before the last session', async () => {
      const before = await snapshot(a);
      expect(fields((await post(provider, `/${a.id}/complete`, { outcome: 'GREAT', summary: 'x' }).expect(400)).body)).toEqual(['outcome']);
      expect(fields((await post(provider, `/${a.id}/complete`, { outcome: 'NEED_MET' }).expect(400)).body)).toEqual(['summary']);
      expect(fields((await post(provider, `/${a.id}/complete`, { outcome: 'NEED_MET', summary: 'x', completedOn: ago(9) }).expect(400)).body)).toEqual(['completedOn']);
      expect(fields((await post(provider, `/${a.id}/complete`, { outcome: 'NEED_MET', summary: 'x', completedOn: addDays(today, 1) }).expect(400)).body)).toEqual(['completedOn']);
      expect(await snapshot(a)).toEqual(before);
    });

    it('a malformed id is 400, an unknown one 404', async () => {
      await get(provider, '/allocations/not-a-uuid').expect(400);
      await get(provider, '/allocations/00000000-0000-4000-8000-000000000000').expect(404);
      await post(provider, '/00000000-0000-4000-8000-000000000000/accept', {}).expect(404);
    });
  });

  describe('worklist', () => {
    it('scopes by organisation, school and locality; filters and sorts with keyset pages; answers CSV', async () => {
      const mine = await offer({ offeredOn: ago(5) });
      const theirs = await offer({ org: otherOrgId, serviceCode: 'DL-OTHER', school: otherSchoolId, offeredOn: ago(4) });
      const ids = async (user: TestUser, query = '') =>
        (await get(user, `/allocations?limit=500${query}`).expect(200)).body.data.map((r: { id: string }) => r.id) as string[];
      expect(await ids(provider)).toContain(mine.id);
      expect(await ids(provider)).not.toContain(theirs.id);
      expect(await ids(otherProvider)).toEqual([theirs.id]);
      expect(await ids(senco)).toContain(mine.id);
      expect(await ids(senco)).not.toContain(theirs.id);
      expect(await ids(otherSenco)).toEqual([theirs.id]);
      expect(await ids(otherPanel)).toEqual([theirs.id]);
      expect(await ids(caseworker)).not.toContain(theirs.id);
      expect(await get(admin, '/allocations').expect(403));
      // A provider asking for another organisation's allocations gets none.
      expect(await ids(provider, `&organisationId=${otherOrgId}`)).toEqual([]);

      expect(await ids(provider, `&pupilId=${mine.pupilId}`)).toEqual([mine.id]);
      expect(await ids(provider, `&status=OFFERED&serviceCode=DL-SALT&schoolId=${schoolId}&localityId=${localityId}`)).toContain(mine.id);
      expect(await ids(provider, '&status=DECLINED')).not.toContain(mine.id);
      expect(await ids(provider, `&acceptanceDueBefore=${addWeeks(ago(5), 2)}`)).toContain(mine.id);
      expect(await ids(provider, `&acceptanceDueBefore=${addDays(addWeeks(ago(5), 2), -1)}`)).not.toContain(mine.id);
      const withStart = await ids(provider, `&deliveryStartDueBefore=${addDays(today, 365)}`);
      expect(withStart.length).toBeGreaterThan(0);
      expect(withStart).not.toContain(mine.id);

      // Every sort, both ways, paged 2 at a time: the pages join up to the full sorted list.
      const all = (await get(provider, '/allocations?limit=500').expect(200)).body.data as Record<string, string | null>[];
      for (const field of ['offeredOn', 'acceptanceDueOn', 'deliveryStartDueOn', 'createdAt']) {
        for (const sort of [field, `-${field}`]) {
          const seen: Record<string, string | null>[] = [];
          let cursor: string | null = null;
          do {
            const page: { body: { data: Record<string, string | null>[]; nextCursor: string | null } } = await get(
              provider,
              `/allocations?limit=2&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`,
            ).expect(200);
            seen.push(...page.body.data);
            cursor = page.body.nextCursor;
          } while (cursor);
          expect(seen.map((r) => r.id).sort()).toEqual(all.map((r) => r.id).sort());
          if (field !== 'createdAt') {
            const keys = seen.map((r) => r[field] ?? '9999-12-31');
            const sorted = [...keys].sort();
            expect(keys).toEqual(sort.startsWith('-') ? sorted.reverse() : sorted);
          }
        }
      }
      const bad = await get(provider, '/allocations?sort=units').expect(400);
      expect(fields(bad.body)).toEqual(['sort']);
      expect(fields((await get(provider, '/allocations?status=LOST&acceptanceDueBefore=soon').expect(400)).body)).toEqual(['acceptanceDueBefore', 'status']);

      const csv = await get(provider, '/allocations?format=csv&limit=500').expect(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      expect(csv.text.split('\n')[0]).toMatch(/^id,requestId,pupilId,poolId,organisationId,serviceCode,unit,units,unitsUsed,status,offeredOn,acceptanceDueOn/);
      expect(csv.text).toContain(mine.id);
    });
  });

  describe('the provider’s minimal pupil view', () => {
    const ABSENT = ['senStatus', 'leftOn', 'leaveReason', 'version', 'localityId', 'history', 'notes', 'plans', 'supportPlans', 'audit'];
    const MINIMAL = ['dateOfBirth', 'firstName', 'id', 'lastName', 'primaryNeed', 'schoolId', 'schoolName', 'secondaryNeed', 'upn', 'yearGroup'];

    it('GET /pupils/:id gives the provider only the minimal fields of a pupil they hold work for, and writes an access row', async () => {
      const a = await offer();
      const res = await get(provider, `/pupils/${a.pupilId}`).expect(200);
      expect(Object.keys(res.body).sort()).toEqual(MINIMAL);
      for (const field of ABSENT) expect(res.body).not.toHaveProperty(field);
      expect(res.body).toMatchObject({ id: a.pupilId, schoolId, schoolName: 'School 128901', primaryNeed: 'SLCN', secondaryNeed: 'SEMH' });
      expect(await auditCount(t, `action = 'pupil.read' AND entity_id = $1 AND actor_id = $2`, [a.pupilId, provider.id])).toBe(1);
      // Their pupil list holds their caseload only, minimal too.
      const list = await get(provider, '/pupils?limit=500').expect(200);
      expect(list.body.data.map((p: { id: string }) => p.id)).toContain(a.pupilId);
      for (const p of list.body.data) expect(Object.keys(p).sort()).toEqual(MINIMAL);
      // Not another organisation's pupil, nor the support plans of their own.
      await get(otherProvider, `/pupils/${a.pupilId}`).expect(404);
      await get(provider, `/pupils/${a.pupilId}/support-plans`).expect(403);
      await get(provider, `/pupils/${a.pupilId}/access-log`).expect(403);
    });

    it('the allocation carries the minimal pupil view and the request’s reason and units, for the provider only', async () => {
      const a = await offer({ units: 6 });
      const res = await get(provider, `/allocations/${a.id}`).expect(200);
      expect(Object.keys(res.body.pupil).sort()).toEqual(MINIMAL);
      expect(res.body.request).toEqual({ reason: 'Needs specialist support beyond the school’s offer', unitsRequested: 6, urgency: 'ROUTINE' });
      const school = await get(senco, `/allocations/${a.id}`).expect(200);
      expect(school.body).not.toHaveProperty('pupil');
      expect(school.body).not.toHaveProperty('request');
    });

    it('a declined allocation gives no access', async () => {
      const a = await offer();
      await post(provider, `/${a.id}/decline`, { reason: 'Not our service' }).expect(200);
      await get(provider, `/pupils/${a.pupilId}`).expect(404);
      expect((await get(provider, `/allocations/${a.id}`).expect(200)).body).toMatchObject({ pupil: null, request: null });
    });

    it('access ends 30 days after the work completes (the clock moved on)', async () => {
      const a = await offer({ offeredOn: ago(20) });
      await post(provider, `/${a.id}/accept`, { acceptedOn: ago(15) }).expect(200);
      await post(provider, `/${a.id}/complete`, { outcome: 'NEED_MET', summary: 'Targets met', completedOn: today }).expect(200);
      const clock = t.app.get(Clock);
      const realNow = clock.now.bind(clock);
      const at = (days: number) => {
        // Noon in London on today + days.
        clock.now = () => new Date(`${addDays(today, days)}T12:00:00Z`);
      };
      try {
        at(30);
        await get(provider, `/pupils/${a.pupilId}`).expect(200);
        expect((await get(provider, `/allocations/${a.id}`).expect(200)).body.pupil.id).toBe(a.pupilId);
        at(31);
        await get(provider, `/pupils/${a.pupilId}`).expect(404);
        expect((await get(provider, '/pupils?limit=500').expect(200)).body.data.map((p: { id: string }) => p.id)).not.toContain(a.pupilId);
        // The allocation stays on their record, without the child.
        expect((await get(provider, `/allocations/${a.id}`).expect(200)).body).toMatchObject({ status: 'COMPLETED', pupil: null, request: null });
      } finally {
        clock.now = realNow;
      }
      await get(provider, `/pupils/${a.pupilId}`).expect(200);
    });
  });
});
