import { addDays } from '../src/common/dates/calendar-date';
import { ANNUAL_REVIEWS_CSV_COLUMNS, EHC_20_WEEK_CSV_COLUMNS, EHC_REQUESTS_CSV_COLUMNS } from '../src/dashboards/dto/ehc-dashboards.dto';
import { LOCALITY_MODEL_CSV_COLUMNS } from '../src/dashboards/dto/locality-model.dto';
import { WORKLIST_CSV_COLUMNS } from '../src/dashboards/dto/overdue-worklist.dto';
import { TIMELINESS_CSV_COLUMNS } from '../src/dashboards/dto/timeliness-dashboard.dto';
import { SEN2_COLUMNS, SEN2_MODULES } from '../src/exports/dto/sen2-export.dto';
import { upnCheckLetter } from '../src/pupils/upn';
import { createUser, type TestUser } from './support/auth';
import { oneDecimal, rate } from './support/dashboard-figures';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * The statutory EHC dashboards (ehc-20-week, ehc-requests, annual-reviews) and the SEN2 export
 * (issue 8), on cases written straight to the tables with known dates: every figure hand-worked
 * in the comments, including the 20- and 52-week boundaries, exceptions, calendar-year edges,
 * asOf, null rates and scope.
 */

let t: TestApp;
let serial = 0;

interface Case {
  school: string;
  received: string;
  /** Decision to assess: true/false with its date. */
  dta?: [boolean, string];
  issue?: [boolean, string];
  /** Final plan issued on (also writes the ehc_plan). */
  finalOn?: string;
  withdrawnOn?: string;
  exceptionFrom?: string;
  deadlineExcepted?: boolean;
  secondaryNeed?: string;
  requestedBy?: 'PARENT' | 'YOUNG_PERSON' | 'SCHOOL' | 'OTHER';
}

async function pupil(school: string, secondaryNeed: string | null = null): Promise<{ id: string; upn: string }> {
  serial += 1;
  const body = `886${String(4000 + serial)}26${String(serial).padStart(3, '0')}`;
  const upn = `${upnCheckLetter(body)}${body}`;
  const [row] = await t.dataSource.query(
    `INSERT INTO pupil (upn, first_name, last_name, first_name_key, last_name_key, date_of_birth, school_id, sen_status, primary_need, secondary_need)
     VALUES ($1, 'Ada', $2, 'ada', $3, '2016-05-04', $4, 'E', 'ASD', $5) RETURNING id`,
    [upn, `Pupil${serial}`, `pupil${serial}`, school, secondaryNeed],
  );
  return { id: row.id, upn };
}

/** Writes one EHC case (and its plan) with the dates given; returns the ids. */
async function ehcCase(c: Case): Promise<{ caseId: string; planId?: string; pupilId: string; upn: string }> {
  const p = await pupil(c.school, c.secondaryNeed ?? null);
  const stage = c.withdrawnOn
    ? 'WITHDRAWN'
    : c.finalOn
      ? 'PLAN_ISSUED'
      : c.issue
        ? c.issue[0] ? 'DRAFT_ISSUED' : 'NOT_ISSUED'
        : c.dta
          ? c.dta[0] ? 'ASSESSING' : 'NOT_ASSESSED'
          : 'REQUESTED';
  const [row] = await t.dataSource.query(
    `INSERT INTO ehc_assessment (pupil_id, request_received_on, requested_by, stage, decision_to_assess, decision_to_assess_on, issue_decision,
       issue_decision_on, final_plan_issued_on, withdrawn_on, withdraw_reason)
     VALUES ($1, $2, $11, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
    [p.id, c.received, stage, c.dta?.[0] ?? null, c.dta?.[1] ?? null, c.issue?.[0] ?? null, c.issue?.[1] ?? null, c.finalOn ?? null,
      c.withdrawnOn ?? null, c.withdrawnOn ? 'moved away' : null, c.requestedBy ?? 'PARENT'],
  );
  let planId: string | undefined;
  if (c.finalOn) {
    const [plan] = await t.dataSource.query(
      `INSERT INTO ehc_plan (pupil_id, assessment_id, issued_on, setting_school_id, primary_need, secondary_need) VALUES ($1, $2, $3, $4, 'ASD', $5) RETURNING id`,
      [p.id, row.id, c.finalOn, c.school, c.secondaryNeed ?? null],
    );
    planId = plan.id;
  }
  if (c.exceptionFrom) {
    await t.dataSource.query(`INSERT INTO ehc_exception (assessment_id, reason, from_on, to_on) VALUES ($1, 'SCHOOL_CLOSURE', $2, $3)`, [
      row.id, c.exceptionFrom, addDays(c.exceptionFrom, 35),
    ]);
  }
  if (c.deadlineExcepted !== undefined) {
    await t.dataSource.query(
      `INSERT INTO deadline (kind, subject_type, subject_id, pupil_id, school_id, locality_id, starts_on, due_on, met_on, excepted, exception_reason)
       SELECT 'EHC_FINAL_PLAN', 'EHC_ASSESSMENT', $1, $2, s.id, s.locality_id, $3, $4, $5, $6, CASE WHEN $6 THEN 'PERSONAL_CIRCUMSTANCES' END
         FROM school s WHERE s.id = $7`,
      [row.id, p.id, c.received, addDays(c.received, 140), c.finalOn ?? null, c.deadlineExcepted, c.school],
    );
  }
  return { caseId: row.id, planId, pupilId: p.id, upn: p.upn };
}

async function place(code: string, name: string, area: string, schools: string[]) {
  const [locality] = await t.dataSource.query(`INSERT INTO locality (code, name, area, district) VALUES ($1, $2, $3, 'D') RETURNING id`, [code, name, area]);
  const ids: string[] = [];
  for (const [i, school] of schools.entries()) {
    const [row] = await t.dataSource.query(
      `INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ($1, $2, 'PRIMARY', 'MAINSTREAM', $3) RETURNING id`,
      [`${code === 'EHC-A' ? 61 : 62}000${i}`, school, locality.id],
    );
    ids.push(row.id);
  }
  return { localityId: locality.id as string, schoolIds: ids };
}


describe('dashboards: EHC 20 weeks, EHC requests, annual reviews; SEN2 export', () => {
  let county: TestUser;
  let managerB: TestUser;
  let caseworker: TestUser;
  let panelA: TestUser;
  const A = { localityId: '', a1: '', a2: '' };
  const B = { localityId: '', b1: '' };
  const plans: Record<string, Awaited<ReturnType<typeof ehcCase>>> = {};

  beforeAll(async () => {
    t = await createTestApp();
    const a = await place('EHC-A', 'Alder Vale', 'North', ['Alder One Primary', 'Alder Two Primary']);
    const b = await place('EHC-B', 'Birch Downs', 'South', ['Birch One Primary']);
    Object.assign(A, { localityId: a.localityId, a1: a.schoolIds[0], a2: a.schoolIds[1] });
    Object.assign(B, { localityId: b.localityId, b1: b.schoolIds[0] });
    county = await createUser(t, 'MANAGER');
    managerB = await createUser(t, 'MANAGER', { localityId: B.localityId });
    caseworker = await createUser(t, 'CASEWORKER', { area: 'South' });
    panelA = await createUser(t, 'PANEL', { localityId: A.localityId });

    // New plans (the 20-week set, calendar year 2026). Days from received to issue in the comments.
    const plan = (key: string, school: string, received: string, days: number, extra: Partial<Case> = {}) => {
      const finalOn = addDays(received, days);
      return ehcCase({ school, received, dta: [true, addDays(received, 30)], issue: [true, addDays(received, 90 > days ? days : 90)], finalOn, ...extra }).then(
        (c) => (plans[key] = c),
      );
    };
    await plan('p1', A.a1, '2026-01-05', 140, { deadlineExcepted: false, secondaryNeed: 'SLCN' }); // 2026-05-25: within (day 140)
    await plan('p2', A.a1, '2026-01-06', 141); // 2026-05-27: 20-52 (day 141)
    await plan('p3', A.a2, '2025-06-01', 364); // 2026-05-31: 20-52 (day 364)
    await plan('p4', A.a2, '2025-06-01', 365); // 2026-06-01: over 52 (day 365)
    await plan('p5', A.a1, '2026-02-01', 100, { exceptionFrom: '2026-03-01' }); // 2026-05-12: within, exception
    await plan('p6', A.a1, '2026-02-01', 200, { deadlineExcepted: true }); // 2026-08-20: 20-52, excepted deadline
    await plan('p7', B.b1, '2026-09-01', 121); // 2026-12-31: within (the window's last day)
    await plan('p8', B.b1, '2025-09-01', 121); // 2025-12-31: before the window
    await plan('p9', B.b1, '2026-09-01', 122); // 2027-01-01: after the window
    await ehcCase({ school: A.a1, received: '2026-03-01', dta: [true, '2026-03-20'] }); // assessing: no plan

    // Requests received in 2024 (the ehc-requests set).
    await ehcCase({ school: A.a1, received: '2024-03-01', dta: [true, '2024-04-12'] }); // r1: decided day 42, assess
    await ehcCase({ school: A.a1, received: '2024-03-01', dta: [false, '2024-04-13'] }); // r2: day 43, refused
    await ehcCase({ school: A.a2, received: '2024-03-04', dta: [false, '2024-03-14'] }); // r3: day 10, refused
    await ehcCase({ school: A.a2, received: '2024-12-31' }); // r4: pending (the window's last day)
    await ehcCase({ school: A.a1, received: '2024-05-01', withdrawnOn: '2024-05-20' }); // r5: withdrawn
    await ehcCase({ school: A.a1, received: '2023-12-31', dta: [true, '2024-01-10'] }); // r6: before the window
    await ehcCase({ school: B.b1, received: '2024-01-01' }); // r7: B, pending

    // Annual reviews with meetings in 2027 (the annual-reviews set).
    const review = (planKey: string, meetingOn: string, decision?: [string, number]) =>
      t.dataSource.query(
        `INSERT INTO annual_review (plan_id, pupil_id, stage, meeting_on, decision, decided_on, cease_reason)
         SELECT p.id, p.pupil_id, $2, $3::date, $4::text, $3::date + $5::int, CASE WHEN $4 = 'CEASE' THEN 1 END FROM ehc_plan p WHERE p.id = $1`,
        [plans[planKey].planId, decision ? { MAINTAIN: 'MAINTAINED', AMEND: 'AMENDING', CEASE: 'CEASED' }[decision[0]] : 'MEETING_HELD', meetingOn,
          decision?.[0] ?? null, decision?.[1] ?? null],
      );
    await review('p1', '2027-02-01', ['MAINTAIN', 28]); // v1: within (day 28)
    await review('p2', '2027-02-01', ['AMEND', 29]); // v2: day 29, late
    await review('p3', '2027-03-01', ['CEASE', 5]); // v3: within
    await review('p4', '2027-12-31'); // v4: pending (the window's last day)
    await review('p5', '2026-12-31', ['MAINTAIN', 3]); // v5: before the window
    await review('p7', '2027-06-01'); // v6: B, pending

    // The SEN2 codes, on 2028 cases (a year no dashboard above reads).
    const appeal = (caseId: string, kind: string, stage: string, on: string) =>
      t.dataSource.query(`INSERT INTO ehc_appeal (assessment_id, kind, stage, started_on) VALUES ($1, $2, $3, $4)`, [caseId, kind, stage, on]);
    plans.s1 = await ehcCase({ school: A.a1, received: '2028-01-10', requestedBy: 'SCHOOL', dta: [false, '2028-02-01'] });
    await appeal(plans.s1.caseId, 'MEDIATION', 'REQUEST', '2028-02-20');
    plans.s2 = await ehcCase({ school: A.a1, received: '2028-01-12', requestedBy: 'OTHER', dta: [true, '2028-02-10'], issue: [false, '2028-05-01'] });
    await appeal(plans.s2.caseId, 'TRIBUNAL', 'ASSESSMENT', '2028-06-01');
    plans.s3 = await ehcCase({ school: A.a1, received: '2028-01-15', requestedBy: 'YOUNG_PERSON', dta: [true, '2028-02-01'], issue: [true, '2028-04-20'] });
    await appeal(plans.s3.caseId, 'MEDIATION', 'PLAN', '2028-05-10');
    plans.s4 = await ehcCase({ school: A.a1, received: '2027-01-04', dta: [true, '2027-02-01'], issue: [true, '2027-04-01'], finalOn: '2027-05-01' });
    await t.dataSource.query(`UPDATE ehc_plan SET ceased_on = '2028-03-31', cease_reason = 5 WHERE id = $1`, [plans.s4.planId]);

    // Mediation and tribunal against the 20 weeks, on 2029 plans.
    const q1 = await plan('q1', A.a1, '2029-01-01', 100); // 2029-04-11
    await appeal(q1.caseId, 'TRIBUNAL', 'ASSESSMENT', '2029-03-01');
    await plan('q2', A.a1, '2029-01-01', 200); // 2029-07-20
    const q3 = await plan('q3', A.a2, '2029-02-01', 120); // 2029-06-01
    await appeal(q3.caseId, 'MEDIATION', 'PLAN', '2029-07-01');
  }, 180000); // boots the app and writes the dataset: slow on the embedded database of a busy machine
  afterAll(async () => {
    await t?.close();
  });

  async function get(user: TestUser, path: string, status = 200) {
    const res = await t.http().get(`/api/v1/${path}`).set('Authorization', user.bearer);
    expect({ path, status: res.status, body: res.status === status ? undefined : res.body }).toEqual({ path, status, body: undefined });
    return res;
  }

  describe('GET /dashboards/ehc-20-week', () => {
    const W = 'from=2026-01-01&to=2026-12-31&asOf=2027-01-31';
    /** f = [issued, within, 20-52, over 52, issued ex., within ex., with mediation or tribunal (default 0)]. */
    const row = (groupId: string, groupName: string, f: number[], mean: number | null, rate: number | null, rateEx: number | null) => ({
      groupId, groupName, issued: f[0], within20Weeks: f[1], within20To52Weeks: f[2], over52Weeks: f[3], meanWeeksToIssue: mean, rate,
      issuedExcludingExceptions: f[4], within20WeeksExcludingExceptions: f[5], rateExcludingExceptions: rateEx, issuedWithMediationOrTribunal: f[6] ?? 0,
    });

    it('by locality: the 140-day and 364-day boundaries, exceptions excluded, the calendar-year edges', async () => {
      const body = (await get(county, `dashboards/ehc-20-week?groupBy=locality&${W}`)).body;
      expect(body).toEqual({
        groupBy: 'locality', from: '2026-01-01', to: '2026-12-31', asOf: '2027-01-31',
        data: [
          // p1..p6: within p1 (140), p5 (100); 20-52 p2 (141), p3 (364), p6 (200); over p4 (365). Mean (140+141+364+365+100+200)/6/7.
          // Excluding p5 (exception) and p6 (excepted deadline): p1..p4, within p1.
          row(A.localityId, 'Alder Vale', [6, 2, 3, 1, 4, 1], oneDecimal(1310, 42), rate(2, 6), rate(1, 4)),
          // p7 issued on 31 December; p8 (31 Dec 2025) and p9 (1 Jan 2027) outside.
          row(B.localityId, 'Birch Downs', [1, 1, 0, 0, 1, 1], oneDecimal(121, 7), 1, 1),
        ],
      });
    });

    it('by month and by school', async () => {
      expect((await get(county, `dashboards/ehc-20-week?groupBy=month&${W}`)).body.data).toEqual([
        row('2026-05', '2026-05', [4, 2, 2, 0, 3, 1], oneDecimal(140 + 141 + 364 + 100, 28), 0.5, rate(1, 3)), // p1, p2, p3, p5
        row('2026-06', '2026-06', [1, 0, 0, 1, 1, 0], oneDecimal(365, 7), 0, 0), // p4
        row('2026-08', '2026-08', [1, 0, 1, 0, 0, 0], oneDecimal(200, 7), 0, null), // p6: only an excepted plan
        row('2026-12', '2026-12', [1, 1, 0, 0, 1, 1], oneDecimal(121, 7), 1, 1), // p7
      ]);
      expect((await get(county, `dashboards/ehc-20-week?groupBy=school&${W}`)).body.data).toEqual([
        row(A.a1, 'Alder One Primary', [4, 2, 2, 0, 2, 1], oneDecimal(140 + 141 + 100 + 200, 28), 0.5, 0.5),
        row(A.a2, 'Alder Two Primary', [2, 0, 1, 1, 2, 0], oneDecimal(364 + 365, 14), 0, 0),
        row(B.b1, 'Birch One Primary', [1, 1, 0, 0, 1, 1], oneDecimal(121, 7), 1, 1),
      ]);
    });

    it('asOf: only plans issued by then, exceptions recorded by then', async () => {
      // asOf 2026-05-30: p5 (05-12), p1 (05-25), p2 (05-27); p5's exception (from 03-01) counts.
      expect((await get(county, 'dashboards/ehc-20-week?from=2026-01-01&to=2026-12-31&asOf=2026-05-30')).body.data).toEqual([
        row(A.localityId, 'Alder Vale', [3, 2, 1, 0, 2, 1], oneDecimal(100 + 140 + 141, 21), rate(2, 3), 0.5),
      ]);
      // asOf 2026-02-28 nothing was issued: no rows.
      expect((await get(county, 'dashboards/ehc-20-week?from=2026-01-01&to=2026-12-31&asOf=2026-02-28')).body.data).toEqual([]);
    });

    it('defaults to the calendar year of asOf', async () => {
      const body = (await get(county, 'dashboards/ehc-20-week?asOf=2026-07-01')).body;
      expect([body.from, body.to, body.asOf]).toEqual(['2026-01-01', '2026-12-31', '2026-07-01']);
      expect(body.data.map((r: { issued: number }) => r.issued)).toEqual([5]); // issued by 1 July: p1..p5
      const only = (await get(county, 'dashboards/ehc-20-week?from=2025-01-01&asOf=2027-01-31')).body;
      expect([only.from, only.to]).toEqual(['2025-01-01', '2025-12-31']);
      expect(only.data.map((r: { groupId: string; issued: number }) => [r.groupId, r.issued])).toEqual([[B.localityId, 1]]); // p8
    });

    it('like DfE, leaves out plans whose request or assessment went to mediation or tribunal (by asOf), counted apart', async () => {
      // 2029: q1 (day 100, tribunal on the assessment) left out; q2 (day 200); q3 (day 120, mediation about the plan only: counted).
      expect((await get(county, 'dashboards/ehc-20-week?from=2029-01-01&to=2029-12-31&asOf=2029-12-31')).body.data).toEqual([
        row(A.localityId, 'Alder Vale', [2, 1, 1, 0, 2, 1, 1], oneDecimal(200 + 120, 14), 0.5, 0.5),
      ]);
      // As of 2029-05-01 only q1 was issued, and its tribunal (from 2029-03-01) had started: nothing to time.
      expect((await get(county, 'dashboards/ehc-20-week?from=2029-01-01&to=2029-12-31&asOf=2029-05-01')).body.data).toEqual([
        row(A.localityId, 'Alder Vale', [0, 0, 0, 0, 0, 0, 1], null, null, null),
      ]);
    });

    it('scope: a locality manager sees only their locality; another locality is 404; a school filter narrows', async () => {
      expect((await get(managerB, `dashboards/ehc-20-week?${W}`)).body.data.map((r: { groupId: string }) => r.groupId)).toEqual([B.localityId]);
      const res = await get(managerB, `dashboards/ehc-20-week?${W}&localityId=${A.localityId}`, 404);
      expect(res.body.type).toMatch(/not-found/);
      await get(panelA, `dashboards/ehc-20-week?${W}&schoolId=${B.b1}`, 404);
      expect((await get(panelA, `dashboards/ehc-20-week?${W}&schoolId=${A.a2}&groupBy=school`)).body.data.map((r: { issued: number }) => r.issued)).toEqual([2]);
    });

    it('CSV: header = the JSON fields, one line per group', async () => {
      const res = await get(county, `dashboards/ehc-20-week?${W}&format=csv`);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      const lines = res.text.trim().split('\r\n');
      expect(lines[0]).toBe(EHC_20_WEEK_CSV_COLUMNS.join(','));
      expect(lines[0].split(',')).toEqual(Object.keys((await get(county, `dashboards/ehc-20-week?${W}`)).body.data[0]));
      expect(lines[2]).toBe(`${B.localityId},Birch Downs,1,1,0,0,17.3,1,1,1,1,0`); // 121 / 7 = 17.29 weeks, to 1 decimal
    });

    it('bad input: 400 naming each field, nothing else answered', async () => {
      const res = await get(county, 'dashboards/ehc-20-week?groupBy=kind&from=2026-13-01', 400);
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['from', 'groupBy']);
      expect((await get(county, 'dashboards/ehc-20-week?from=2026-02-01&to=2026-01-31', 400)).body.errors).toEqual([
        { field: 'from', message: 'must not be after to (2026-01-31)' },
      ]);
      expect((await get(county, 'dashboards/ehc-20-week?from=2010-01-01&to=2026-01-31', 400)).body.errors[0].field).toBe('to');
    });
  });

  describe('GET /dashboards/ehc-requests', () => {
    const row = (groupId: string, groupName: string, f: number[], within: number | null, refusal: number | null) => ({
      groupId, groupName, received: f[0], decided: f[1], decidedWithin6Weeks: f[2], within6WeeksRate: within, refused: f[3], refusalRate: refusal,
      withdrawn: f[4], pending: f[5],
    });

    it('requests received in the year: decided, within 6 weeks (day 42 in, day 43 out), refused, withdrawn, pending; null rates', async () => {
      const body = (await get(county, 'dashboards/ehc-requests?from=2024-01-01&to=2024-12-31&asOf=2025-06-30')).body;
      expect(body.data).toEqual([
        row(A.localityId, 'Alder Vale', [5, 3, 2, 2, 1, 1], rate(2, 3), rate(2, 3)), // r1..r5: 0.6667
        row(B.localityId, 'Birch Downs', [1, 0, 0, 0, 0, 1], null, null), // r7
      ]);
    });

    it('asOf 2024-04-12: r4 and r5 not yet received, r2 not yet decided', async () => {
      expect((await get(county, 'dashboards/ehc-requests?from=2024-01-01&to=2024-12-31&asOf=2024-04-12')).body.data).toEqual([
        row(A.localityId, 'Alder Vale', [3, 2, 2, 1, 0, 1], 1, 0.5),
        row(B.localityId, 'Birch Downs', [1, 0, 0, 0, 0, 1], null, null),
      ]);
    });

    it('CSV header = JSON fields; scope 404', async () => {
      const res = await get(county, 'dashboards/ehc-requests?from=2024-01-01&to=2024-12-31&asOf=2025-06-30&groupBy=school&format=csv');
      const lines = res.text.trim().split('\r\n');
      expect(lines[0]).toBe(EHC_REQUESTS_CSV_COLUMNS.join(','));
      expect(lines.slice(1)).toEqual([`${A.a1},Alder One Primary,3,2,1,0.5,1,0.5,1,0`, `${A.a2},Alder Two Primary,2,1,1,1,1,1,0,1`, `${B.b1},Birch One Primary,1,0,0,,0,,0,1`]);
      await get(managerB, `dashboards/ehc-requests?schoolId=${A.a1}`, 404);
    });
  });

  describe('GET /dashboards/annual-reviews', () => {
    const row = (groupId: string, groupName: string, f: number[], rate: number | null) => ({
      groupId, groupName, meetings: f[0], decided: f[1], decidedWithin4Weeks: f[2], rate, maintained: f[3], amended: f[4], ceased: f[5], pending: f[6],
    });

    it('meetings in the year: decisions within 4 weeks (day 28 in, day 29 out); null rate with no decision', async () => {
      expect((await get(county, 'dashboards/annual-reviews?from=2027-01-01&to=2027-12-31&asOf=2028-01-31')).body.data).toEqual([
        row(A.localityId, 'Alder Vale', [4, 3, 2, 1, 1, 1, 1], rate(2, 3)),
        row(B.localityId, 'Birch Downs', [1, 0, 0, 0, 0, 0, 1], null),
      ]);
      // As of 2027-03-01: v1 decided that day, v2 (03-02) and v3 (03-06) not yet; v4 and v6 not held yet.
      expect((await get(county, 'dashboards/annual-reviews?from=2027-01-01&to=2027-12-31&asOf=2027-03-01')).body.data).toEqual([
        row(A.localityId, 'Alder Vale', [3, 1, 1, 1, 0, 0, 2], 1),
      ]);
    });

    it('CSV header = JSON fields; the caseworker of another area sees only theirs', async () => {
      const res = await get(county, 'dashboards/annual-reviews?from=2027-01-01&to=2027-12-31&asOf=2028-01-31&groupBy=month&format=csv');
      expect(res.text.split('\r\n')[0]).toBe(ANNUAL_REVIEWS_CSV_COLUMNS.join(','));
      expect(res.text.split('\r\n')[1]).toBe('2027-02,2027-02,2,2,1,0.5,1,1,0,0');
      expect((await get(caseworker, 'dashboards/annual-reviews?from=2027-01-01&to=2027-12-31&asOf=2028-01-31')).body.data.map((r: { groupId: string }) => r.groupId)).toEqual([
        B.localityId,
      ]);
    });
  });

  describe('every dashboard (issue 8: asOf, JSON and CSV, OpenAPI, bad input)', () => {
    /** path, its CSV columns, its row schema, and whether it takes a from..to window and groupBy. */
    const DASHBOARDS: [string, readonly string[], string, boolean][] = [
      ['timeliness', TIMELINESS_CSV_COLUMNS, 'TimelinessRow', true],
      ['overdue', WORKLIST_CSV_COLUMNS, 'WorklistRow', false],
      ['ehc-20-week', EHC_20_WEEK_CSV_COLUMNS, 'Ehc20WeekRow', true],
      ['ehc-requests', EHC_REQUESTS_CSV_COLUMNS, 'EhcRequestsRow', true],
      ['annual-reviews', ANNUAL_REVIEWS_CSV_COLUMNS, 'AnnualReviewsRow', true],
      ['locality-model', LOCALITY_MODEL_CSV_COLUMNS, 'LocalityModelRow', true],
    ];

    it.each(DASHBOARDS)('%s: asOf taken; JSON fields = CSV header, by Accept: text/csv and by ?format=csv alike', async (path, columns, _, windowed) => {
      const query = `asOf=2026-12-31${windowed ? '&from=2026-01-01&to=2026-12-31' : ''}`;
      const json = (await get(county, `dashboards/${path}?${query}`)).body;
      if (windowed) expect([json.from, json.to, json.asOf]).toEqual(['2026-01-01', '2026-12-31', '2026-12-31']);
      for (const row of json.data) expect(Object.keys(row)).toEqual([...columns]);
      const byAccept = await t.http().get(`/api/v1/dashboards/${path}?${query}`).set('Authorization', county.bearer).set('Accept', 'text/csv');
      const byFormat = await get(county, `dashboards/${path}?${query}&format=csv`);
      for (const res of [byAccept, byFormat]) {
        expect([res.status, res.headers['content-type']]).toEqual([200, expect.stringMatching(/^text\/csv/)]);
        expect(res.text.split('\r\n')[0]).toBe(columns.join(','));
        expect(res.text.trim().split('\r\n')).toHaveLength(json.data.length + 1);
      }
      expect(byAccept.text).toBe(byFormat.text);
    });

    it.each(DASHBOARDS)('%s: bad input is a 400 naming the field', async (path, _c, _s, windowed) => {
      const cases: [string, string][] = [
        ['asOf=2026-02-30', 'asOf'], ['asOf=yesterday', 'asOf'], ['localityId=abc', 'localityId'], ['schoolId=1', 'schoolId'],
        ['organisationId=', 'organisationId'], ['format=xlsx', 'format'], ['colour=red', 'colour'],
        ...(windowed
          ? ([
              ['groupBy=nope', 'groupBy'], ['from=2026-13-01', 'from'], ['to=31/12/2026', 'to'], ['from=2026-02-01&to=2026-01-31', 'from'],
              ['from=2016-01-01&to=2026-01-02', 'to'],
            ] as [string, string][])
          : ([['kind=NOPE', 'kind'], ['status=MET_LATE', 'status'], ['from=2026-01-01', 'from']] as [string, string][])),
        // Only from given: timeliness and locality-model default to to asOf + 1 year, so over 10 years names from.
        ...(path === 'timeliness' || path === 'locality-model' ? ([['from=2017-01-01&asOf=2026-06-30', 'from']] as [string, string][]) : []),
        ...(path === 'timeliness' ? ([['kind=NOPE', 'kind']] as [string, string][]) : []),
      ];
      for (const [query, field] of cases) {
        const res = await t.http().get(`/api/v1/dashboards/${path}?${query}`).set('Authorization', county.bearer);
        expect({ query, status: res.status, type: res.body.type, field: res.body.errors?.[0]?.field }).toEqual({ query, status: 400, type: '/problems/validation', field });
      }
    });

    it('OpenAPI: every dashboard answers JSON and CSV, documents 400 and 404, and has an example for every row field', async () => {
      const doc = (await t.http().get('/docs-json').expect(200)).body;
      for (const [path, columns, schema] of DASHBOARDS) {
        const op = doc.paths[`/api/v1/dashboards/${path}`].get;
        expect({ path, produces: Object.keys(op.responses['200'].content).sort(), problems: ['400', '404'].filter((s) => op.responses[s]) }).toEqual({
          path, produces: ['application/json', 'text/csv'], problems: ['400', '404'],
        });
        const properties = doc.components.schemas[schema].properties;
        expect(Object.keys(properties)).toEqual([...columns]);
        expect({ schema, withoutExample: columns.filter((c) => !('example' in properties[c]) && !properties[c].allOf && !properties[c].$ref) }).toEqual({ schema, withoutExample: [] });
      }
    });
  });

  describe('GET /exports/sen2', () => {
    const csv = async (user: TestUser, query: string, status = 200) => (await get(user, `exports/sen2?${query}`, status)).text;
    const rows = async (year: number, module: string, upn: string) =>
      (await csv(county, `year=${year}&module=${module}`)).split('\r\n').filter((l) => l.includes(upn));
    /** The person columns: LEA, Surname (Pupil<serial>, the UPN's last 3 digits), Forename, PersonBirthDate, UPN. */
    const person = (key: string) => `886,Pupil${Number(plans[key].upn.slice(-3))},Ada,2016-05-04,${plans[key].upn}`;

    it('every module: a header row of the SEN2 items in the guide’s order', async () => {
      for (const module of SEN2_MODULES) {
        const text = await csv(county, `year=2026&module=${module}`);
        expect(text.split('\r\n')[0]).toBe(SEN2_COLUMNS[module].join(','));
      }
      const P = ['LEA', 'Surname', 'Forename', 'PersonBirthDate', 'UPN'];
      expect(SEN2_COLUMNS).toEqual({
        requests: [...P, 'ReceivedDate', 'RequestSource', 'RequestOutcomeDate', 'RequestOutcome', 'RequestMediation', 'RequestTribunal'],
        assessments: [...P, 'ReceivedDate', 'AssessmentOutcome', 'AssessmentOutcomeDate', 'AssessmentMediation', 'AssessmentTribunal', 'OtherMediation', 'OtherTribunal', 'Week20'],
        'named-plans': [...P, 'StartDate', 'CeaseDate', 'CeaseReason'],
        'active-plans': [...P, 'StartDate', 'ReviewMeeting', 'ReviewOutcome', 'ReviewDraft', 'PhaseTransferDueDate', 'PhaseTransferFinalDate', 'LastReview'],
        placements: [...P, 'URN', 'PlacementRank'],
        needs: [...P, 'SENtype', 'SENtypeRank'],
      });
    });

    it('requests: one known row, and the year selects by date received', async () => {
      const lines = (await csv(county, 'year=2026&module=requests')).trim().split('\r\n');
      expect(lines.filter((l) => l.includes(plans.p1.upn))).toEqual([`${person('p1')},2026-01-05,1,2026-02-04,A,0,0`]);
      // received in 2026: p1, p2, p5, p6, p7, p9 and the assessing case.
      expect(lines.length - 1).toBe(7);
    });

    it('requests: RequestSource (1 parent or young person, 2 school, 5 other), outcome date then outcome, 1/0 flags', async () => {
      expect(await rows(2028, 'requests', plans.s1.upn)).toEqual([`${person('s1')},2028-01-10,2,2028-02-01,N,1,0`]);
      expect(await rows(2028, 'requests', plans.s2.upn)).toEqual([`${person('s2')},2028-01-12,5,2028-02-10,A,0,0`]);
      expect(await rows(2028, 'requests', plans.s3.upn)).toEqual([`${person('s3')},2028-01-15,1,2028-02-01,A,0,0`]);
    });

    it('assessments: outcome Y dated the final plan, N dated the notice, pending with a draft only; appeals and Week20 as 1/0', async () => {
      // p6: final plan 2026-08-20 (its draft went on 2026-05-02), EHC_FINAL_PLAN excepted: Week20 1.
      expect(await rows(2026, 'assessments', plans.p6.upn)).toEqual([`${person('p6')},2026-02-01,Y,2026-08-20,0,0,0,0,1`]);
      expect(await rows(2028, 'assessments', plans.s2.upn)).toEqual([`${person('s2')},2028-01-12,N,2028-05-01,0,1,0,0,0`]);
      expect(await rows(2028, 'assessments', plans.s3.upn)).toEqual([`${person('s3')},2028-01-15,,,0,0,1,0,0`]); // mediation about the plan: Other
      expect(await rows(2028, 'assessments', plans.s4.upn)).toEqual([]); // concluded in 2027
    });

    it('named plans, active plans, placements, needs: known values', async () => {
      expect(await rows(2026, 'named-plans', plans.p4.upn)).toEqual([`${person('p4')},2026-06-01,,`]);
      expect(await rows(2028, 'named-plans', plans.s4.upn)).toEqual([`${person('s4')},2027-05-01,2028-03-31,5`]); // 5: transferred to another LA
      // p5: review met 2026-12-31, maintained (1), decided 2027-01-03; no draft, no phase transfer.
      expect(await rows(2026, 'active-plans', plans.p5.upn)).toEqual([`${person('p5')},2026-05-12,2026-12-31,1,,,,2027-01-03`]);
      expect(await rows(2026, 'placements', plans.p7.upn)).toEqual([`${person('p7')},620000,1`]);
      expect(await rows(2026, 'needs', plans.p1.upn)).toEqual([`${person('p1')},ASD,1`, `${person('p1')},SLCN,2`]);
    });

    it('scope, roles and bad input', async () => {
      const text = await csv(caseworker, 'year=2026&module=requests');
      expect(text.trim().split('\r\n').length - 1).toBe(2); // p7, p9 (Birch, South)
      await get(panelA, 'exports/sen2?year=2026&module=requests', 403);
      const res = await get(county, 'exports/sen2?year=26x&module=plans', 400);
      expect([...new Set(res.body.errors.map((e: { field: string }) => e.field))].sort()).toEqual(['module', 'year']);
    });
  });
});
