import { addDays, addWeeks, type CalendarDate, todayInLondon } from '../src/common/dates/calendar-date';
import { academicYearOf } from '../src/ehc/phase-transfer';
import { upnCheckLetter } from '../src/pupils/upn';
import { createUser, type TestUser } from './support/auth';
import { auditRows } from './support/audit-log';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * Phase transfers (issue 7, DOMAIN.md PHASE_TRANSFER, Reg 18): a pupil with an active EHC plan in
 * the last year group of their school gets one PHASE_TRANSFER deadline for the academic year (from
 * 1 September, due 15 February; 31 March post-16), opened at plan issue or by the yearly run
 * (POST /ehc-plans/phase-transfers, idempotent, in scope), and met by the amended plan that names
 * the new setting. Dates follow today, so the suite holds on any day of the year.
 */
describe('Phase transfers', () => {
  let t: TestApp;
  const today = todayInLondon();
  const year = academicYearOf(today);
  const yearStart = `${year}-09-01`;
  const feb15 = `${year + 1}-02-15`;
  const mar31 = `${year + 1}-03-31`;
  /** A date of birth of a child in year group `yg` this academic year (the 1 September rule). */
  const bornInYear = (yg: number, academicYear = year) => `${academicYear - 5 - yg + 1}-03-10`;
  const minDate = (a: CalendarDate, b: CalendarDate) => (a < b ? a : b);

  let northLocalityId: string;
  let eastLocalityId: string;
  let primaryId: string;
  let secondaryId: string;
  let eastPrimaryId: string;
  const primaryUrn = '138901';
  const secondaryUrn = '138902';
  const eastPrimaryUrn = '138903';
  /** A special school with a sixth form: a post-16 setting on the register. */
  const specialUrn = '138904';
  let specialId: string;
  let caseworker: TestUser;
  let eastCaseworker: TestUser;
  let admin: TestUser;
  let manager: TestUser;
  let senco: TestUser;
  let serial = 0;

  beforeAll(async () => {
    t = await createTestApp();
    const locality = async (code: string, area: string) =>
      (await t.dataSource.query(`INSERT INTO locality (code, name, area, district) VALUES ($1, $1, $2, 'Dartford') RETURNING id`, [code, area]))[0].id as string;
    const school = async (urn: string, phase: string, localityId: string) =>
      (await t.dataSource.query(`INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ($1, $2, $3, 'MAINSTREAM', $4) RETURNING id`, [urn, `School ${urn}`, phase, localityId]))[0]
        .id as string;
    northLocalityId = await locality('PT-N', 'North');
    eastLocalityId = await locality('PT-E', 'East');
    primaryId = await school(primaryUrn, 'PRIMARY', northLocalityId);
    secondaryId = await school(secondaryUrn, 'SECONDARY', northLocalityId);
    eastPrimaryId = await school(eastPrimaryUrn, 'PRIMARY', eastLocalityId);
    specialId = await school(specialUrn, 'ALL_THROUGH', northLocalityId);
    caseworker = await createUser(t, 'CASEWORKER', { localityId: northLocalityId });
    eastCaseworker = await createUser(t, 'CASEWORKER', { localityId: eastLocalityId });
    admin = await createUser(t, 'ADMIN');
    manager = await createUser(t, 'MANAGER', { localityId: northLocalityId });
    senco = await createUser(t, 'SENCO', { schoolId: primaryId });
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = (as: TestUser, path: string, body: object = {}) => t.http().post(`/api/v1${path}`).set('Authorization', as.bearer).send(body);
  const get = (as: TestUser, path: string) => t.http().get(`/api/v1${path}`).set('Authorization', as.bearer);
  const fieldsOf = (res: { body: { errors?: { field: string }[] } }) => [...new Set((res.body.errors ?? []).map((e) => e.field))].sort();

  async function makePupil(schoolId: string, dateOfBirth: string, extra: { leftOn?: string } = {}): Promise<string> {
    const body = `8870003${String(26).padStart(2, '0')}${String(serial++).padStart(3, '0')}`;
    const [pupil] = await t.dataSource.query(
      `INSERT INTO pupil (upn, first_name, last_name, first_name_key, last_name_key, date_of_birth, school_id, sen_status, primary_need, left_on, leave_reason)
       VALUES ($1, 'Tomasz', 'Nowak', 'tomasz', 'nowak', $2, $3, 'E', 'ASD', $4, $5) RETURNING id`,
      [`${upnCheckLetter(body)}${body}`, dateOfBirth, schoolId, extra.leftOn ?? null, extra.leftOn ? 'OTHER' : null],
    );
    return pupil.id;
  }

  /** A plan already on the register (issued a year ago, naming the pupil's school). */
  async function makePlan(schoolId: string, dateOfBirth: string, extra: { ceasedOn?: string; leftOn?: string } = {}): Promise<{ pupilId: string; planId: string }> {
    const pupilId = await makePupil(schoolId, dateOfBirth, extra);
    const [plan] = await t.dataSource.query(
      `INSERT INTO ehc_plan (pupil_id, issued_on, setting_school_id, primary_need, ceased_on, cease_reason) VALUES ($1, $2, $3, 'ASD', $4, $5) RETURNING id`,
      [pupilId, addDays(today, -365), schoolId, extra.ceasedOn ?? null, extra.ceasedOn ? 3 : null],
    );
    return { pupilId, planId: plan.id };
  }

  const phaseTransfersOf = async (planId: string) =>
    (await t.dataSource.query(
      `SELECT starts_on::text AS "startsOn", due_on::text AS "dueOn", met_on::text AS "metOn", school_id AS "schoolId", locality_id AS "localityId"
         FROM deadline WHERE subject_type = 'EHC_PLAN' AND subject_id = $1 AND kind = 'PHASE_TRANSFER' ORDER BY starts_on`,
      [planId],
    )) as { startsOn: string; dueOn: string; metOn: string | null; schoolId: string; localityId: string }[];

  /** Holds a review of the plan and takes it to AMENDMENTS_SENT, every step on `on`. */
  async function reviewToAmendmentsSent(planId: string, on: CalendarDate): Promise<string> {
    const review = (await post(caseworker, `/ehc-plans/${planId}/annual-reviews`, { meetingOn: on }).expect(201)).body.id as string;
    await post(caseworker, `/annual-reviews/${review}/report-sent`, { sentOn: on }).expect(200);
    await post(caseworker, `/annual-reviews/${review}/decision`, { decision: 'AMEND', decidedOn: on }).expect(200);
    await post(caseworker, `/annual-reviews/${review}/amendments-sent`, { sentOn: on }).expect(200);
    return review;
  }

  const footprint = async () =>
    (
      await auditRows(t, `
        SELECT (SELECT count(*)::int FROM deadline) AS deadlines,
               (SELECT count(*)::int FROM deadline WHERE met_on IS NOT NULL) AS met,
               (SELECT count(*)::int FROM audit_event) AS audits,
               (SELECT coalesce(sum(version), 0)::int FROM ehc_plan) AS planVersions,
               (SELECT coalesce(sum(version), 0)::int FROM annual_review) AS reviewVersions,
               (SELECT string_agg(coalesce(setting_school_id::text, '-'), ',' ORDER BY id) FROM ehc_plan) AS settings`)
    )[0];

  describe('opened by the yearly run', () => {
    let year6: { pupilId: string; planId: string };
    let year11: { pupilId: string; planId: string };
    let year5: { pupilId: string; planId: string };
    let year6Ceased: { pupilId: string; planId: string };
    let year6Left: { pupilId: string; planId: string };
    let year6OffsetBelow: { pupilId: string; planId: string };
    let eastYear6: { pupilId: string; planId: string };

    beforeAll(async () => {
      year6 = await makePlan(primaryId, bornInYear(6));
      year11 = await makePlan(secondaryId, bornInYear(11));
      year5 = await makePlan(primaryId, bornInYear(5));
      year6Ceased = await makePlan(primaryId, bornInYear(6), { ceasedOn: addDays(today, -10) });
      year6Left = await makePlan(primaryId, bornInYear(6), { leftOn: addDays(today, -10) });
      year6OffsetBelow = await makePlan(primaryId, bornInYear(6));
      await t.dataSource.query(`UPDATE pupil SET year_offset = -1 WHERE id = $1`, [year6OffsetBelow.pupilId]);
      eastYear6 = await makePlan(eastPrimaryId, bornInYear(6));
    });

    it('a caseworker opens one for each active plan in their locality whose pupil is in the last year of their school', async () => {
      const res = await post(caseworker, '/ehc-plans/phase-transfers', { academicYear: year }).expect(200);
      expect(res.body).toEqual({ academicYear: year, inTransferYear: 2, opened: 2, alreadyOpen: 0 });
      expect(await phaseTransfersOf(year6.planId)).toEqual([{ startsOn: yearStart, dueOn: feb15, metOn: null, schoolId: primaryId, localityId: northLocalityId }]);
      // Year 11 at a secondary: post-16, due 31 March.
      expect(await phaseTransfersOf(year11.planId)).toEqual([{ startsOn: yearStart, dueOn: mar31, metOn: null, schoolId: secondaryId, localityId: northLocalityId }]);
      for (const none of [year5, year6Ceased, year6Left, year6OffsetBelow, eastYear6]) expect(await phaseTransfersOf(none.planId)).toEqual([]);
    });

    it('re-running opens nothing twice', async () => {
      const before = await footprint();
      const res = await post(caseworker, '/ehc-plans/phase-transfers', { academicYear: year }).expect(200);
      expect(res.body).toEqual({ academicYear: year, inTransferYear: 2, opened: 0, alreadyOpen: 2 });
      expect((await footprint()).deadlines).toBe(before.deadlines);
    });

    it('another locality’s caseworker opens only theirs; an admin’s county-wide run finds them all open', async () => {
      expect((await post(eastCaseworker, '/ehc-plans/phase-transfers', { academicYear: year }).expect(200)).body).toEqual({
        academicYear: year,
        inTransferYear: 1,
        opened: 1,
        alreadyOpen: 0,
      });
      expect(await phaseTransfersOf(eastYear6.planId)).toEqual([{ startsOn: yearStart, dueOn: feb15, metOn: null, schoolId: eastPrimaryId, localityId: eastLocalityId }]);
      const county = (await post(admin, '/ehc-plans/phase-transfers', { academicYear: year }).expect(200)).body;
      expect(county).toMatchObject({ academicYear: year, opened: 0 });
      expect(county.alreadyOpen).toBe(county.inTransferYear);
      expect(county.inTransferYear).toBeGreaterThanOrEqual(3);
    });

    it('is refused to a SENCO and a manager (403)', async () => {
      await post(senco, '/ehc-plans/phase-transfers', { academicYear: year }).expect(403);
      await post(manager, '/ehc-plans/phase-transfers', { academicYear: year }).expect(403);
    });

    it('the plan detail shows the deadline next to the annual reviews', async () => {
      const res = await get(caseworker, `/ehc-plans/${year6.planId}`).expect(200);
      expect(res.body.annualReviews).toEqual([]);
      expect(res.body.phaseTransfers).toEqual([
        expect.objectContaining({ kind: 'PHASE_TRANSFER', startsOn: yearStart, dueOn: feb15, metOn: null, status: expect.stringMatching(/^(ON_TRACK|DUE_SOON|OVERDUE)$/) }),
      ]);
    });

    it('an amended plan naming the same setting changes nothing and does not meet it', async () => {
      const on = minDate(today, feb15);
      const review = await reviewToAmendmentsSent(year6.planId, on);
      const res = await post(caseworker, `/annual-reviews/${review}/amended-plan`, { issuedOn: on, namedSettingUrn: primaryUrn }).expect(200);
      expect(res.body).toMatchObject({ stage: 'AMENDED', amendedPlanIssuedOn: on, namedSettingSchoolId: null, replacedSettingSchoolId: null });
      expect(await phaseTransfersOf(year6.planId)).toEqual([expect.objectContaining({ metOn: null })]);
      const [plan] = await t.dataSource.query(`SELECT setting_school_id FROM ehc_plan WHERE id = $1`, [year6.planId]);
      expect(plan.setting_school_id).toBe(primaryId);
    });

    it('an amended plan naming the new setting by the due date meets it on time', async () => {
      const on = minDate(today, mar31);
      const review = await reviewToAmendmentsSent(year11.planId, on);
      const auditsBefore = (await footprint()).audits;
      const res = await post(caseworker, `/annual-reviews/${review}/amended-plan`, { issuedOn: on, namedSettingUrn: specialUrn }).expect(200);
      expect(res.body).toMatchObject({ stage: 'AMENDED', namedSettingSchoolId: specialId, replacedSettingSchoolId: secondaryId });
      expect(await phaseTransfersOf(year11.planId)).toEqual([expect.objectContaining({ dueOn: mar31, metOn: on })]);
      // The review step and the plan's new setting.
      expect((await footprint()).audits - auditsBefore).toBe(2);
      const detail = (await get(caseworker, `/ehc-plans/${year11.planId}`).expect(200)).body;
      expect(detail).toMatchObject({ settingSchoolId: specialId, settingUrn: specialUrn });
      expect(detail.phaseTransfers).toEqual([expect.objectContaining({ dueOn: mar31, metOn: on, status: 'MET_ON_TIME' })]);
      const audits = await t.dataSource.query(`SELECT changed_fields FROM audit_event WHERE action = 'ehc-plan.named-setting' AND entity_id = $1`, [year11.planId]);
      expect(audits).toEqual([{ changed_fields: ['settingSchoolId'] }]);
    });
  });

  describe('opened at plan issue, met late', () => {
    /** A case taken to its final plan through the routes, the plan issued on `issuedOn`. */
    async function issuePlan(pupilId: string, issuedOn: CalendarDate): Promise<string> {
      const received = addWeeks(issuedOn, -18);
      const id = (await post(caseworker, '/ehc-assessments', { pupilId, requestReceivedOn: received, requestedBy: 'PARENT' }).expect(201)).body.id;
      await post(caseworker, `/ehc-assessments/${id}/decision-to-assess`, { decision: true, decidedOn: addWeeks(received, 5) }).expect(200);
      await post(caseworker, `/ehc-assessments/${id}/issue-decision`, { decision: true, decidedOn: addWeeks(received, 15) }).expect(200);
      return (await post(caseworker, `/ehc-assessments/${id}/final-plan`, { issuedOn, settingUrn: primaryUrn }).expect(200)).body.planId;
    }

    it('a final plan issued in the pupil’s transfer year opens it; the yearly run then finds it open', async () => {
      const pupilId = await makePupil(primaryId, bornInYear(6));
      const planId = await issuePlan(pupilId, yearStart);
      expect(await phaseTransfersOf(planId)).toEqual([{ startsOn: yearStart, dueOn: feb15, metOn: null, schoolId: primaryId, localityId: northLocalityId }]);
      const run = (await post(caseworker, '/ehc-plans/phase-transfers', { academicYear: year }).expect(200)).body;
      expect(run.opened).toBe(0);
      expect(await phaseTransfersOf(planId)).toHaveLength(1);
    });

    it('a final plan for a pupil not in a transfer year opens none', async () => {
      const pupilId = await makePupil(primaryId, bornInYear(4));
      const planId = await issuePlan(pupilId, yearStart);
      expect(await phaseTransfersOf(planId)).toEqual([]);
    });

    it('last year’s transfer, never amended: met late by an amended plan naming the secondary school today', async () => {
      // Year 6 at the primary last academic year (still on its roll here); the plan issued that September.
      const lastYearStart = `${year - 1}-09-01`;
      const pupilId = await makePupil(primaryId, bornInYear(6, year - 1));
      const planId = await issuePlan(pupilId, lastYearStart);
      expect(await phaseTransfersOf(planId)).toEqual([expect.objectContaining({ startsOn: lastYearStart, dueOn: `${year}-02-15`, metOn: null })]);
      expect((await get(caseworker, `/ehc-plans/${planId}`).expect(200)).body.phaseTransfers).toEqual([expect.objectContaining({ status: 'OVERDUE' })]);
      const review = await reviewToAmendmentsSent(planId, today);
      await post(caseworker, `/annual-reviews/${review}/amended-plan`, { issuedOn: today, namedSettingUrn: secondaryUrn }).expect(200);
      const detail = (await get(caseworker, `/ehc-plans/${planId}`).expect(200)).body;
      expect(detail).toMatchObject({ settingSchoolId: secondaryId, settingUrn: secondaryUrn });
      expect(detail.phaseTransfers).toEqual([expect.objectContaining({ dueOn: `${year}-02-15`, metOn: today, status: 'MET_LATE' })]);
      // SEN2 active plans for the calendar year of the due date carry the due and final dates.
      const csv = (await get(caseworker, `/exports/sen2?year=${year}&module=active-plans`).expect(200)).text;
      expect(csv).toContain(`${year}-02-15,${today}`);
    });
  });

  describe('bad input: 400 naming the field, nothing written', () => {
    let planId: string;
    let review: string;

    beforeAll(async () => {
      ({ planId } = await makePlan(primaryId, bornInYear(6)));
      await post(caseworker, '/ehc-plans/phase-transfers', { academicYear: year }).expect(200);
      review = await reviewToAmendmentsSent(planId, minDate(today, feb15));
    });

    it.each([
      ['the next academic year', { academicYear: year + 1 }],
      ['the last academic year', { academicYear: year - 1 }],
      ['before 2000', { academicYear: 1999 }],
      ['not an integer', { academicYear: `${year}` }],
      ['missing', {}],
    ])('academicYear %s', async (_name, body) => {
      const before = await footprint();
      const res = await post(admin, '/ehc-plans/phase-transfers', body).expect(400);
      expect(fieldsOf(res)).toEqual(['academicYear']);
      expect(await footprint()).toEqual(before);
    });

    it.each([
      ['an unknown URN', { issuedOn: today, namedSettingUrn: '999999' }, ['namedSettingUrn']],
      ['a malformed URN', { issuedOn: today, namedSettingUrn: '13890' }, ['namedSettingUrn']],
      ['a date in the future', { issuedOn: addDays(today, 1), namedSettingUrn: secondaryUrn }, ['issuedOn']],
      ['both', { issuedOn: addDays(today, 1), namedSettingUrn: '999999' }, ['issuedOn', 'namedSettingUrn']],
    ])('amended plan with %s', async (_name, body, fields) => {
      const before = await footprint();
      const res = await post(caseworker, `/annual-reviews/${review}/amended-plan`, body).expect(400);
      expect(fieldsOf(res)).toEqual(fields);
      expect(await footprint()).toEqual(before);
      expect(await phaseTransfersOf(planId)).toEqual([expect.objectContaining({ metOn: null })]);
    });
  });
});
