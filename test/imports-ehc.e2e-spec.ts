import { addDays, addMonths, compareDates, todayInLondon, type CalendarDate } from '../src/common/dates/calendar-date';
import { upnCheckLetter } from '../src/pupils/upn';
import { createUser, type TestUser } from './support/auth';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * POST /imports/ehc-assessments (issue 7, part 5): a legacy system's history of EHC needs
 * assessments, all or nothing per file, with every deadline the live workflow would have left, so
 * that the figures are right from day one.
 */
describe('imports: EHC needs assessments', () => {
  let t: TestApp;
  let admin: TestUser;
  let caseworker: TestUser;
  let localityA: string;
  let schoolA: string;
  let schoolB: string;
  const today = todayInLondon();
  const HEADER =
    'upn,requestReceivedOn,requestedBy,decisionToAssess,decisionToAssessOn,issueDecision,issueDecisionOn,finalPlanIssuedOn,withdrawnOn,exceptionReason,exceptionFromOn,exceptionToOn';

  let serial = 0;
  const nextUpn = () => {
    const body = `8864002${String((serial += 1)).padStart(5, '0')}`;
    return `${upnCheckLetter(body)}${body}`;
  };
  /** Pupils on SEN support, written straight to the table in one statement. */
  const makePupils = async (n: number, schoolId: string, primaryNeed: string | null = 'ASD'): Promise<string[]> => {
    const upns = Array.from({ length: n }, nextUpn);
    await t.dataSource.query(
      `INSERT INTO pupil (upn, first_name, last_name, first_name_key, last_name_key, date_of_birth, school_id, sen_status, primary_need)
       SELECT u, 'Sam', 'Import', 'sam', 'import', '2015-03-14', $2, 'K', $3 FROM unnest($1::text[]) AS u`,
      [upns, schoolId, primaryNeed],
    );
    return upns;
  };
  const count = async (sql: string, params: unknown[] = []) => Number((await t.dataSource.query(sql, params))[0].n);
  const counts = async () => ({
    cases: await count(`SELECT count(*)::int AS n FROM ehc_assessment`),
    plans: await count(`SELECT count(*)::int AS n FROM ehc_plan`),
    exceptions: await count(`SELECT count(*)::int AS n FROM ehc_exception`),
    deadlines: await count(`SELECT count(*)::int AS n FROM deadline`),
    audit: await count(`SELECT count(*)::int AS n FROM audit_event`),
    history: await count(`SELECT count(*)::int AS n FROM pupil_history`),
    statusE: await count(`SELECT count(*)::int AS n FROM pupil WHERE sen_status = 'E'`),
  });
  const post = (user: TestUser, csv: string) =>
    t.http().post('/api/v1/imports/ehc-assessments').set('Authorization', user.bearer).set('Content-Type', 'text/csv').send(csv);

  beforeAll(async () => {
    t = await createTestApp();
    const locality = async (code: string, area: string) =>
      (await t.dataSource.query(`INSERT INTO locality (code, name, area, district) VALUES ($1, $1, $2, 'Dartford') RETURNING id`, [code, area]))[0].id;
    localityA = await locality('EHCI-A', 'North');
    const localityB = await locality('EHCI-B', 'South');
    const school = async (urn: string, localityId: string) =>
      (await t.dataSource.query(`INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ($1, $1, 'PRIMARY', 'MAINSTREAM', $2) RETURNING id`, [urn, localityId]))[0].id;
    schoolA = await school('710001', localityA);
    schoolB = await school('710002', localityB);
    admin = await createUser(t, 'ADMIN');
    caseworker = await createUser(t, 'CASEWORKER', { localityId: localityA });
    // Booting the app on a fresh embedded database takes long on a loaded machine.
  }, 180_000);

  afterAll(async () => {
    await t?.close();
  });

  it('refuses a file with bad rows: every bad row listed by line and field, nothing written', async () => {
    const [ok, open, nsa] = await makePupils(3, schoolA);
    await t.dataSource.query(`UPDATE pupil SET primary_need = NULL, sen_status = 'N' WHERE upn = $1`, [nsa]);
    const [other] = await makePupils(1, schoolB);
    const before = await counts();
    const csv = [
      HEADER,
      `${ok},2025-01-06,PARENT,Y,2025-02-10,Y,2025-04-28,2025-05-19,,,,`, // 2: good
      `${ok},2025-01-06,PARENT,,,Y,2025-04-28,,,,,`, // 3: issue decision without a decision to assess
      `${ok},2025-01-06,PARENT,Y,2025-01-01,,,,,,,`, // 4: decision before the request
      `${ok},2025-01-06,PARENT,Y,,,,,,,,`, // 5: decision without its date
      `${ok},2025-01-06,PARENT,Y,2025-02-10,Y,2025-04-28,${addDays(today, 1)},,,,`, // 6: plan in the future
      `${ok},2025-01-06,PARENT,Y,2025-02-10,Y,2025-04-28,2025-05-19,,HOLIDAY,2025-02-01,2025-03-31`, // 7: a fifth exception reason
      `${nextUpn()},2025-01-06,PARENT,,,,,,,,,`, // 8: unknown UPN
      `${open},2025-01-06,SCHOOL,,,,,,,,,`, // 9: open
      `${open},2025-03-06,SCHOOL,Y,2025-04-01,,,,,,,`, // 10: a second open case for the same pupil
      `${nsa},2025-01-06,PARENT,Y,2025-02-10,Y,2025-04-28,2025-05-19,,,,`, // 11: a plan for a pupil with no primary need
    ].join('\n');
    const res = await post(admin, csv);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ type: expect.stringContaining('validation'), imported: 0, errorCount: 8 });
    expect(res.body.errors.map((e: { line: number; field: string }) => [e.line, e.field])).toEqual([
      [3, 'issueDecisionOn'],
      [4, 'decisionToAssessOn'],
      [5, 'decisionToAssessOn'],
      [6, 'finalPlanIssuedOn'],
      [7, 'exceptionReason'],
      [8, 'upn'],
      [10, 'upn'],
      [11, 'finalPlanIssuedOn'],
    ]);
    expect(await counts()).toEqual(before);

    // A pupil outside a CASEWORKER's locality is unknown to them, and a pupil with an open case cannot get another.
    await t.dataSource.query(
      `INSERT INTO ehc_assessment (pupil_id, request_received_on, requested_by) SELECT id, '2025-01-06', 'PARENT' FROM pupil WHERE upn = $1`,
      [open],
    );
    const before2 = await counts();
    const scoped = await post(caseworker, [HEADER, `${other},2025-01-06,PARENT,,,,,,,,,`, `${open},2025-02-06,PARENT,,,,,,,,,`].join('\n'));
    expect(scoped.status).toBe(400);
    expect(scoped.body.errors).toEqual([
      { line: 2, field: 'upn', message: expect.stringMatching(/unknown pupil/) },
      { line: 3, field: 'upn', message: expect.stringMatching(/already has an open/) },
    ]);
    expect(await counts()).toEqual(before2);
  });

  it('imports a good file: cases with their stages, exception, plan (status E, dated history) and the deadlines the steps left', async () => {
    const [planned, refused, withdrawn, open] = await makePupils(4, schoolA);
    const before = await counts();
    const csv = [
      HEADER,
      `${planned},2025-01-06,PARENT,Y,2025-02-10,Y,2025-04-28,2025-06-30,,PERSONAL_CIRCUMSTANCES,2025-03-01,2025-03-10`,
      `${refused},2025-01-06,school,N,2025-02-24,,,,,,,`,
      `${withdrawn},2025-01-06,YOUNG_PERSON,Y,2025-02-10,,,,2025-03-03,,,`,
      `${open},${addDays(today, -10)},OTHER,,,,,,,,,`,
    ].join('\r\n');
    const res = await post(caseworker, csv);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ imported: 4, errors: [] });

    const cases = await t.dataSource.query(
      `SELECT p.upn, a.id, a.stage, a.caseworker_id, a.created_by, a.requested_by FROM ehc_assessment a JOIN pupil p ON p.id = a.pupil_id
        WHERE p.upn = ANY($1) ORDER BY p.upn`,
      [[planned, refused, withdrawn, open]],
    );
    const byUpn = Object.fromEntries(cases.map((c: { upn: string }) => [c.upn, c]));
    expect(byUpn[planned]).toMatchObject({ stage: 'PLAN_ISSUED', caseworker_id: caseworker.id, created_by: caseworker.id, requested_by: 'PARENT' });
    expect(byUpn[refused]).toMatchObject({ stage: 'NOT_ASSESSED', requested_by: 'SCHOOL' });
    expect(byUpn[withdrawn].stage).toBe('WITHDRAWN');
    expect(byUpn[open].stage).toBe('REQUESTED');

    const deadlines = async (caseId: string) =>
      t.dataSource.query(
        `SELECT kind, starts_on, due_on, met_on, cancelled_on, excepted, exception_reason FROM deadline WHERE subject_id = $1 ORDER BY kind`,
        [caseId],
      );
    expect(await deadlines(byUpn[planned].id)).toEqual([
      { kind: 'EHC_DECISION_TO_ASSESS', starts_on: '2025-01-06', due_on: '2025-02-17', met_on: '2025-02-10', cancelled_on: null, excepted: false, exception_reason: null },
      { kind: 'EHC_FINAL_PLAN', starts_on: '2025-01-06', due_on: '2025-05-26', met_on: '2025-06-30', cancelled_on: null, excepted: true, exception_reason: 'PERSONAL_CIRCUMSTANCES' },
      { kind: 'EHC_ISSUE_DECISION', starts_on: '2025-01-06', due_on: '2025-04-28', met_on: '2025-04-28', cancelled_on: null, excepted: false, exception_reason: null },
    ]);
    expect(await deadlines(byUpn[refused].id)).toEqual([
      expect.objectContaining({ kind: 'EHC_DECISION_TO_ASSESS', met_on: '2025-02-24', cancelled_on: null }),
      expect.objectContaining({ kind: 'EHC_FINAL_PLAN', met_on: null, cancelled_on: '2025-02-24' }),
      expect.objectContaining({ kind: 'EHC_ISSUE_DECISION', met_on: null, cancelled_on: '2025-02-24' }),
    ]);
    expect(await deadlines(byUpn[withdrawn].id)).toEqual([
      expect.objectContaining({ kind: 'EHC_DECISION_TO_ASSESS', met_on: '2025-02-10' }),
      expect.objectContaining({ kind: 'EHC_FINAL_PLAN', cancelled_on: '2025-03-03' }),
      expect.objectContaining({ kind: 'EHC_ISSUE_DECISION', cancelled_on: '2025-03-03' }),
    ]);
    expect((await deadlines(byUpn[open].id)).map((d: { met_on: unknown; cancelled_on: unknown }) => [d.met_on, d.cancelled_on])).toEqual([
      [null, null],
      [null, null],
      [null, null],
    ]);

    const [plan] = await t.dataSource.query(`SELECT id, issued_on, primary_need FROM ehc_plan WHERE assessment_id = $1`, [byUpn[planned].id]);
    expect(plan).toMatchObject({ issued_on: '2025-06-30', primary_need: 'ASD' });
    expect(await deadlines(plan.id)).toEqual([
      expect.objectContaining({ kind: 'ANNUAL_REVIEW_MEETING', starts_on: '2025-06-30', due_on: '2026-06-30', met_on: null }),
    ]);
    const [exception] = await t.dataSource.query(`SELECT reason, from_on, to_on FROM ehc_exception WHERE assessment_id = $1`, [byUpn[planned].id]);
    expect(exception).toEqual({ reason: 'PERSONAL_CIRCUMSTANCES', from_on: '2025-03-01', to_on: '2025-03-10' });
    const [pupil] = await t.dataSource.query(`SELECT id, sen_status FROM pupil WHERE upn = $1`, [planned]);
    expect(pupil.sen_status).toBe('E');
    expect(await t.dataSource.query(`SELECT from_value, to_value, effective_on FROM pupil_history WHERE pupil_id = $1 AND field = 'senStatus'`, [pupil.id])).toEqual([
      { from_value: 'K', to_value: 'E', effective_on: '2025-06-30' },
    ]);
    const audit = await t.dataSource.query(
      `SELECT action, count(*)::int AS n FROM audit_event WHERE actor_id = $1 GROUP BY action ORDER BY action`,
      [caseworker.id],
    );
    expect(audit).toEqual([
      { action: 'ehc-assessment.create', n: 4 },
      { action: 'ehc-plan.create', n: 1 },
      { action: 'import.ehc-assessments', n: 1 },
      { action: 'pupil.update', n: 1 },
    ]);
    const after = await counts();
    expect(after.cases - before.cases).toBe(4);
    expect(after.deadlines - before.deadlines).toBe(13);
    expect(after.statusE - before.statusE).toBe(1);
  });

  it('an imported history of 1,200 cases gives exactly the on-time counts computed from the same rows', async () => {
    const N = 1200;
    const upns = await makePupils(N, schoolB, 'SLCN');
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
    const past = (d: CalendarDate) => compareDates(d, today) <= 0;
    interface Row {
      received: CalendarDate;
      dta?: { yes: boolean; on: CalendarDate };
      issue?: { yes: boolean; on: CalendarDate };
      plan?: CalendarDate;
      withdrawn?: CalendarDate;
      exception?: boolean;
    }
    const rows: Row[] = upns.map(() => {
      const row: Row = { received: addDays(today, -between(20, 1400)) };
      const dtaOn = addDays(row.received, between(14, 70));
      if (!past(dtaOn) || random() < 0.05) return row;
      row.dta = { yes: random() > 0.15, on: dtaOn };
      if (row.dta.yes) {
        const issueOn = addDays(dtaOn, between(30, 110));
        if (past(issueOn) && random() > 0.05) {
          row.issue = { yes: random() > 0.1, on: issueOn };
          const planOn = addDays(issueOn, between(5, 70));
          if (row.issue.yes && past(planOn) && random() > 0.05) row.plan = planOn;
        }
        const last = row.issue?.on ?? dtaOn;
        const withdrawOn = addDays(last, 10);
        if (!row.plan && (!row.issue || row.issue.yes) && past(withdrawOn) && random() < 0.3) row.withdrawn = withdrawOn;
      }
      row.exception = (row.dta?.yes ?? false) && row.issue?.yes !== false && !row.withdrawn && random() < 0.15;
      return row;
    });
    const yn = (b: boolean | undefined) => (b === undefined ? '' : b ? 'Y' : 'N');
    const csv = [
      HEADER,
      ...rows.map((r, i) =>
        [
          upns[i],
          r.received,
          'PARENT',
          yn(r.dta?.yes),
          r.dta?.on ?? '',
          yn(r.issue?.yes),
          r.issue?.on ?? '',
          r.plan ?? '',
          r.withdrawn ?? '',
          r.exception ? 'PERSONAL_CIRCUMSTANCES' : '',
          r.exception ? addDays(r.received, 20) : '',
          r.exception ? addDays(r.received, 30) : '',
        ].join(','),
      ),
    ].join('\n');

    const manager = await createUser(t, 'MANAGER');
    const res = await post(admin, csv);
    expect({ status: res.status, errors: res.body.errors.slice(0, 5) }).toEqual({ status: 200, errors: [] });
    expect(res.body.imported).toBe(N);

    // Independently, from the rows: statutory 6, 16 and 20 weeks from the request (42, 112, 140 days).
    const within = (on: CalendarDate | undefined, r: Row, days: number) => on !== undefined && compareDates(on, addDays(r.received, days)) <= 0;
    const expected = {
      EHC_DECISION_TO_ASSESS: {
        met: rows.filter((r) => r.dta).length,
        metOnTime: rows.filter((r) => within(r.dta?.on, r, 42)).length,
      },
      EHC_ISSUE_DECISION: {
        met: rows.filter((r) => r.issue).length,
        metOnTime: rows.filter((r) => within(r.issue?.on, r, 112)).length,
      },
      EHC_FINAL_PLAN: {
        met: rows.filter((r) => r.plan).length,
        metOnTime: rows.filter((r) => within(r.plan, r, 140)).length,
        metExcludingExceptions: rows.filter((r) => r.plan && !r.exception).length,
        metOnTimeExcludingExceptions: rows.filter((r) => within(r.plan, r, 140) && !r.exception).length,
      },
      ANNUAL_REVIEW_MEETING: { met: 0, open: rows.filter((r) => r.plan).length },
    };
    expect(expected.EHC_FINAL_PLAN.met).toBeGreaterThan(300);
    expect(expected.EHC_FINAL_PLAN.metOnTime).toBeGreaterThan(0);
    expect(expected.EHC_FINAL_PLAN.metOnTime).toBeLessThan(expected.EHC_FINAL_PLAN.met);

    // Every deadline of these pupils falls due within the window (requests at most 1,400 days ago, reviews 12 months after a plan).
    const window = { groupBy: 'kind', schoolId: schoolB, from: addDays(today, -1500), to: addMonths(today, 13) };
    const dash = await t.http().get('/api/v1/dashboards/timeliness').query(window).set('Authorization', manager.bearer);
    expect(dash.status).toBe(200);
    const byKind = Object.fromEntries(dash.body.data.map((g: { groupId: string }) => [g.groupId, g]));
    for (const kind of ['EHC_DECISION_TO_ASSESS', 'EHC_ISSUE_DECISION', 'EHC_FINAL_PLAN'] as const) {
      expect({ kind, met: byKind[kind].met, metOnTime: byKind[kind].metOnTime }).toEqual({ kind, met: expected[kind].met, metOnTime: expected[kind].metOnTime });
    }
    expect(byKind.EHC_FINAL_PLAN.metExcludingExceptions).toBe(expected.EHC_FINAL_PLAN.metExcludingExceptions);
    expect(byKind.EHC_FINAL_PLAN.metOnTimeExcludingExceptions).toBe(expected.EHC_FINAL_PLAN.metOnTimeExcludingExceptions);
    // Reviews: one per plan, none met; those due before today are overdue.
    const reviewsOverdue = rows.filter((r) => r.plan && compareDates(addMonths(r.plan, 12), today) < 0).length;
    expect(byKind.ANNUAL_REVIEW_MEETING).toMatchObject({ met: 0, open: expected.ANNUAL_REVIEW_MEETING.open, overdue: reviewsOverdue });

    // The same figures through the deadline list: late final plans.
    const late = await count(
      `SELECT count(*)::int AS n FROM deadline WHERE school_id = $1 AND kind = 'EHC_FINAL_PLAN' AND met_on > due_on`,
      [schoolB],
    );
    expect(late).toBe(expected.EHC_FINAL_PLAN.met - expected.EHC_FINAL_PLAN.metOnTime);
    const list = await t.http().get('/api/v1/deadlines').query({ schoolId: schoolB, kind: 'EHC_FINAL_PLAN', status: 'MET_LATE', limit: 1 }).set('Authorization', manager.bearer);
    expect(list.status).toBe(200);
    expect(list.body.data[0]).toMatchObject({ kind: 'EHC_FINAL_PLAN', status: 'MET_LATE' });
    expect(await count(`SELECT count(*)::int AS n FROM pupil p WHERE p.school_id = $1 AND p.sen_status = 'E'`, [schoolB])).toBe(expected.EHC_FINAL_PLAN.met);
  }, 120_000);
});
