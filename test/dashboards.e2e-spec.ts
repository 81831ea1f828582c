import { randomUUID } from 'node:crypto';
import { todayInLondon } from '../src/common/dates/calendar-date';
import { TIMELINESS_CSV_COLUMNS, TIMELINESS_GROUP_BY } from '../src/dashboards/dto/timeliness-dashboard.dto';
import { WORKLIST_CSV_COLUMNS } from '../src/dashboards/dto/overdue-worklist.dto';
import { TimelinessService } from '../src/timeliness/timeliness.service';
import { createUser, type TestUser } from './support/auth';
import { rate } from './support/dashboard-figures';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * Dashboards over the deadline table (issue 8): every figure of GET /dashboards/timeliness and
 * every row of GET /dashboards/overdue checked against hand-worked numbers on a small dataset with
 * known dates, then against an independent calculation in this file on a generated one.
 */

type Kind = 'REQUEST_DECISION' | 'SUPPORT_PLAN_REVIEW' | 'ALLOCATION_ACCEPTANCE' | 'EHC_FINAL_PLAN';
const SUBJECT: Record<Kind, string> = {
  REQUEST_DECISION: 'SUPPORT_REQUEST',
  SUPPORT_PLAN_REVIEW: 'SUPPORT_PLAN',
  ALLOCATION_ACCEPTANCE: 'ALLOCATION',
  EHC_FINAL_PLAN: 'EHC_ASSESSMENT',
};
const DESCRIPTION: Record<Kind, string> = {
  REQUEST_DECISION: 'Panel decision on a support request',
  SUPPORT_PLAN_REVIEW: 'Review an SEN support cycle on its agreed date',
  ALLOCATION_ACCEPTANCE: 'Provider accepts or declines an allocation',
  EHC_FINAL_PLAN: 'Issue the final EHC plan',
};

interface Spec {
  kind: Kind;
  schoolId: string;
  localityId: string;
  organisationId?: string | null;
  startsOn: string;
  dueOn: string;
  metOn?: string | null;
  cancelledOn?: string | null;
  excepted?: boolean;
}
interface Row extends Required<Spec> {
  id: string;
  subjectId: string;
}

let t: TestApp;

/** Writes deadlines straight to the table (the dates are the point), in one statement. */
async function insert(specs: Spec[]): Promise<Row[]> {
  const rows: Row[] = specs.map((s) => ({
    id: randomUUID(),
    subjectId: randomUUID(),
    organisationId: null,
    metOn: null,
    cancelledOn: null,
    excepted: false,
    ...s,
  }));
  await t.dataSource.query(
    `INSERT INTO deadline (id, kind, subject_type, subject_id, school_id, locality_id, organisation_id, starts_on, due_on, met_on, cancelled_on, excepted, exception_reason)
     SELECT r.id, r.kind, r."subjectType", r."subjectId", r."schoolId", r."localityId", r."organisationId", r."startsOn", r."dueOn", r."metOn",
            r."cancelledOn", r.excepted, CASE WHEN r.excepted THEN 'SCHOOL_CLOSURE' END
     FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, kind text, "subjectType" text, "subjectId" uuid, "schoolId" uuid, "localityId" uuid,
       "organisationId" uuid, "startsOn" date, "dueOn" date, "metOn" date, "cancelledOn" date, excepted boolean)`,
    [JSON.stringify(rows.map((r) => ({ ...r, subjectType: SUBJECT[r.kind] })))],
  );
  return rows;
}

async function place(code: string, name: string, area: string, schools: string[]) {
  const [locality] = await t.dataSource.query(`INSERT INTO locality (code, name, area, district) VALUES ($1, $2, $3, 'D') RETURNING id`, [code, name, area]);
  const ids: string[] = [];
  for (const school of schools) {
    const [row] = await t.dataSource.query(
      `INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ($1, $2, 'PRIMARY', 'MAINSTREAM', $3) RETURNING id`,
      [String(700000 + Math.floor(Math.random() * 299999)), school, locality.id],
    );
    ids.push(row.id);
  }
  return { localityId: locality.id as string, schoolIds: ids };
}

async function organisation(name: string): Promise<string> {
  const [row] = await t.dataSource.query(`INSERT INTO organisation (name, kind) VALUES ($1, 'NHS') RETURNING id`, [name]);
  return row.id;
}

/** A row of the timeliness dashboard, in field order. */
function fig(
  groupId: string | null,
  groupName: string | null,
  met: number,
  metOnTime: number,
  onTimeRate: number | null,
  open: number,
  overdue: number,
  dueSoon: number,
  medianDaysToMeet: number | null,
  p90DaysToMeet: number | null,
  metExcludingExceptions: number,
  metOnTimeExcludingExceptions: number,
) {
  return {
    groupId, groupName, met, metOnTime, onTimeRate, open, overdue, dueSoon,
    medianDaysToMeet, p90DaysToMeet, metExcludingExceptions, metOnTimeExcludingExceptions,
  };
}

describe('dashboards: timeliness and the overdue worklist', () => {
  let county: TestUser;
  const A = { localityId: '', a1: '', a2: '' };
  const B = { localityId: '', b1: '' };
  let o1 = '';
  let o2 = '';
  /** The hand-worked dataset, d[1]..d[14] as numbered in the comments. */
  const d: Row[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    county = await createUser(t, 'MANAGER');
    const a = await place('DASH-A', 'Alpha Vale', 'North', ['Alpha One Primary', 'Alpha Two Primary']);
    const b = await place('DASH-B', 'Beta Downs', 'South', ['Beta One Primary']);
    Object.assign(A, { localityId: a.localityId, a1: a.schoolIds[0], a2: a.schoolIds[1] });
    Object.assign(B, { localityId: b.localityId, b1: b.schoolIds[0] });
    o1 = await organisation('Org One');
    o2 = await organisation('Org Two');
    const inA1 = { schoolId: A.a1, localityId: A.localityId };
    const inA2 = { schoolId: A.a2, localityId: A.localityId };
    const inB1 = { schoolId: B.b1, localityId: B.localityId };
    const RD = 'REQUEST_DECISION' as const;
    const SPR = 'SUPPORT_PLAN_REVIEW' as const;
    const AA = 'ALLOCATION_ACCEPTANCE' as const;
    // Status as of 2026-03-01 (due soon = within 14 days: up to 2026-03-15) and days to meet.
    const rows = await insert([
      { kind: RD, ...inA1, startsOn: '2026-01-05', dueOn: '2026-02-02', metOn: '2026-01-20' }, // 1 met on time, 15 days
      { kind: RD, ...inA1, startsOn: '2026-01-06', dueOn: '2026-02-03', metOn: '2026-02-10' }, // 2 met late, 35 days
      { kind: RD, ...inA2, startsOn: '2026-01-10', dueOn: '2026-02-07', metOn: '2026-02-07', excepted: true }, // 3 on time (on the due date), 28, exception
      { kind: RD, ...inA2, startsOn: '2026-01-12', dueOn: '2026-02-09' }, // 4 overdue
      { kind: RD, ...inA1, startsOn: '2026-02-02', dueOn: '2026-03-02', metOn: '2026-03-05' }, // 5 due soon (met only later, 31 days)
      { kind: SPR, ...inA1, startsOn: '2026-01-01', dueOn: '2026-03-20' }, // 6 on track
      { kind: SPR, ...inA2, startsOn: '2026-01-01', dueOn: '2026-02-15', cancelledOn: '2026-02-10' }, // 7 cancelled
      { kind: AA, ...inA1, organisationId: o1, startsOn: '2026-02-01', dueOn: '2026-02-15', metOn: '2026-02-14' }, // 8 on time, 13 days
      { kind: AA, ...inA1, organisationId: o1, startsOn: '2026-02-01', dueOn: '2026-02-15', cancelledOn: '2026-03-05' }, // 9 overdue (cancelled only later)
      { kind: RD, ...inA1, startsOn: '2026-03-05', dueOn: '2026-04-02' }, // 10 not started yet
      { kind: RD, ...inA2, startsOn: '2025-06-01', dueOn: '2025-06-29', metOn: '2025-06-20' }, // 11 before the window
      { kind: RD, ...inB1, organisationId: o2, startsOn: '2026-01-05', dueOn: '2026-02-02', metOn: '2026-02-20', excepted: true }, // 12 late, 46, exception
      { kind: AA, ...inB1, organisationId: o2, startsOn: '2026-02-10', dueOn: '2026-02-24' }, // 13 overdue
      { kind: RD, ...inB1, startsOn: '2026-02-20', dueOn: '2026-03-20' }, // 14 on track
    ]);
    d.push(undefined as unknown as Row, ...rows);
  });
  afterAll(async () => {
    await t?.close();
  });

  const WINDOW = 'from=2026-01-01&to=2026-12-31';
  async function dashboard(user: TestUser, query: string) {
    const res = await t.http().get(`/api/v1/dashboards/timeliness?${query}`).set('Authorization', user.bearer);
    expect({ query, status: res.status }).toEqual({ query, status: 200 });
    return res.body;
  }
  const figures = async (user: TestUser, query: string): Promise<ReturnType<typeof fig>[]> => (await dashboard(user, query)).data;

  describe('GET /dashboards/timeliness', () => {
    it('groupBy=locality as of 2026-03-01: every figure, with the window echoed', async () => {
      const body = await dashboard(county, `groupBy=locality&${WINDOW}&asOf=2026-03-01`);
      expect(body).toEqual({
        groupBy: 'locality',
        from: '2026-01-01',
        to: '2026-12-31',
        asOf: '2026-03-01',
        data: [
          // met 1,2,3,8; on time 1,3,8; open 4,5,6,9 (overdue 4,9; due soon 5); days 13,15,28,35
          fig(A.localityId, 'Alpha Vale', 4, 3, 0.75, 4, 2, 1, 21.5, 32.9, 3, 2),
          // met 12 (late, excepted); open 13 (overdue), 14 (on track)
          fig(B.localityId, 'Beta Downs', 1, 0, 0, 2, 1, 0, 46, 46, 0, 0),
        ],
      });
    });

    it('groupBy=school', async () => {
      expect(await figures(county, `groupBy=school&${WINDOW}&asOf=2026-03-01`)).toEqual([
        fig(A.a1, 'Alpha One Primary', 3, 2, rate(2, 3), 3, 1, 1, 15, 31, 3, 2),
        fig(A.a2, 'Alpha Two Primary', 1, 1, 1, 1, 1, 0, 28, 28, 0, 0),
        fig(B.b1, 'Beta One Primary', 1, 0, 0, 2, 1, 0, 46, 46, 0, 0),
      ]);
    });

    it('groupBy=kind: onTimeRate and percentiles are null when nothing was met', async () => {
      expect(await figures(county, `groupBy=kind&${WINDOW}&asOf=2026-03-01`)).toEqual([
        fig('ALLOCATION_ACCEPTANCE', DESCRIPTION.ALLOCATION_ACCEPTANCE, 1, 1, 1, 2, 2, 0, 13, 13, 1, 1),
        // met 1,2,3,12 (days 15,28,35,46); open 4,5,14
        fig('REQUEST_DECISION', DESCRIPTION.REQUEST_DECISION, 4, 2, 0.5, 3, 1, 1, 31.5, 42.7, 2, 1),
        fig('SUPPORT_PLAN_REVIEW', DESCRIPTION.SUPPORT_PLAN_REVIEW, 0, 0, null, 1, 0, 0, null, null, 0, 0),
      ]);
    });

    it('groupBy=organisation: deadlines no provider holds form the null group, last', async () => {
      expect(await figures(county, `groupBy=organisation&${WINDOW}&asOf=2026-03-01`)).toEqual([
        fig(o1, 'Org One', 1, 1, 1, 1, 1, 0, 13, 13, 1, 1),
        fig(o2, 'Org Two', 1, 0, 0, 1, 1, 0, 46, 46, 0, 0),
        fig(null, null, 3, 2, rate(2, 3), 4, 1, 1, 28, 33.6, 2, 1),
      ]);
    });

    it('groupBy=month of the due date', async () => {
      expect(await figures(county, `groupBy=month&${WINDOW}&asOf=2026-03-01`)).toEqual([
        // due in February: met 1,2,3,8,12 (days 13,15,28,35,46); open 4,9,13, all overdue
        fig('2026-02', '2026-02', 5, 3, 0.6, 3, 3, 0, 28, 41.6, 3, 2),
        // due in March: 5 (due soon), 6 and 14 (on track); 10 had not started
        fig('2026-03', '2026-03', 0, 0, null, 3, 0, 1, null, null, 0, 0),
      ]);
    });

    it('as of a past date: what was met or cancelled later was still open then; what started later did not exist', async () => {
      // 2026-02-05: 2 and 12 (met later) overdue; 3, 4, 7 (cancelled later), 8 (met later), 9 due soon; 13, 14 not started.
      expect(await figures(county, `groupBy=locality&${WINDOW}&asOf=2026-02-05`)).toEqual([
        fig(A.localityId, 'Alpha Vale', 1, 1, 1, 8, 1, 5, 15, 15, 1, 1),
        fig(B.localityId, 'Beta Downs', 0, 0, null, 1, 1, 0, null, null, 0, 0),
      ]);
      // 2026-03-10: 5 met late (31 days), 9 cancelled, 10 started (on track), 6 now due soon.
      expect(await figures(county, `groupBy=locality&${WINDOW}&asOf=2026-03-10&localityId=${A.localityId}`)).toEqual([
        fig(A.localityId, 'Alpha Vale', 5, 3, 0.6, 3, 1, 1, 28, 33.4, 4, 2),
      ]);
    });

    it('selects by dueOn in [from, to], both ends included', async () => {
      // due 2026-02-02..2026-02-07: 1, 2, 3 and 12; 4 (due 02-09) is outside.
      expect(await figures(county, 'groupBy=locality&from=2026-02-02&to=2026-02-07&asOf=2026-03-01')).toEqual([
        fig(A.localityId, 'Alpha Vale', 3, 2, rate(2, 3), 0, 0, 0, 28, 33.6, 2, 1),
        fig(B.localityId, 'Beta Downs', 1, 0, 0, 0, 0, 0, 46, 46, 0, 0),
      ]);
      expect(await figures(county, 'groupBy=school&from=2025-06-29&to=2025-06-29&asOf=2026-03-01')).toEqual([
        fig(A.a2, 'Alpha Two Primary', 1, 1, 1, 0, 0, 0, 19, 19, 1, 1),
      ]);
      expect(await figures(county, 'groupBy=school&from=2025-06-30&to=2025-12-31&asOf=2026-03-01')).toEqual([]);
    });

    it('filters by kind, school and organisation; groupBy defaults to locality', async () => {
      expect(await figures(county, `kind=ALLOCATION_ACCEPTANCE&${WINDOW}&asOf=2026-03-01`)).toEqual([
        fig(A.localityId, 'Alpha Vale', 1, 1, 1, 1, 1, 0, 13, 13, 1, 1),
        fig(B.localityId, 'Beta Downs', 0, 0, null, 1, 1, 0, null, null, 0, 0),
      ]);
      expect(await figures(county, `groupBy=kind&schoolId=${A.a2}&${WINDOW}&asOf=2026-03-01`)).toEqual([
        fig('REQUEST_DECISION', DESCRIPTION.REQUEST_DECISION, 1, 1, 1, 1, 1, 0, 28, 28, 0, 0),
        fig('SUPPORT_PLAN_REVIEW', DESCRIPTION.SUPPORT_PLAN_REVIEW, 0, 0, null, 0, 0, 0, null, null, 0, 0),
      ]);
      expect(await figures(county, `groupBy=school&organisationId=${o2}&${WINDOW}&asOf=2026-03-01`)).toEqual([
        fig(B.b1, 'Beta One Primary', 1, 0, 0, 1, 1, 0, 46, 46, 0, 0),
      ]);
    });

    it('defaults: asOf today, the window a year either side of it', async () => {
      const body = await dashboard(county, '');
      const today = todayInLondon();
      expect(body.asOf).toBe(today);
      expect(body.groupBy).toBe('locality');
      expect(body.from).toBe(`${Number(today.slice(0, 4)) - 1}${today.slice(4)}`.replace(/-02-29$/, '-02-28'));
      const explicit = await dashboard(county, `asOf=${today}&from=${body.from}&to=${body.to}`);
      expect(body.data).toEqual(explicit.data);
    });

    it('answers CSV with a header row of the JSON field names', async () => {
      const res = await t
        .http()
        .get(`/api/v1/dashboards/timeliness?groupBy=kind&${WINDOW}&asOf=2026-03-01`)
        .set('Authorization', county.bearer)
        .set('Accept', 'text/csv')
        .expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      expect(res.headers['x-dashboard-asof']).toBe('2026-03-01');
      const lines = res.text.split('\r\n');
      expect(lines[0]).toBe(TIMELINESS_CSV_COLUMNS.join(','));
      expect(lines[0]).toBe(Object.keys(fig(null, null, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)).join(','));
      expect(lines.slice(1)).toEqual([
        'ALLOCATION_ACCEPTANCE,Provider accepts or declines an allocation,1,1,1,2,2,0,13,13,1,1',
        'REQUEST_DECISION,Panel decision on a support request,4,2,0.5,3,1,1,31.5,42.7,2,1',
        'SUPPORT_PLAN_REVIEW,Review an SEN support cycle on its agreed date,0,0,,1,0,0,,,0,0',
        '',
      ]);
      const viaFormat = await t.http().get(`/api/v1/dashboards/timeliness?groupBy=kind&${WINDOW}&asOf=2026-03-01&format=csv`).set('Authorization', county.bearer);
      expect(viaFormat.text).toBe(res.text);
    });

    it('a locality manager sees only their locality; another locality, or a school of it, is a 404', async () => {
      const manager = await createUser(t, 'MANAGER', { localityId: A.localityId });
      expect((await figures(manager, `groupBy=school&${WINDOW}&asOf=2026-03-01`)).map((r) => r.groupId)).toEqual([A.a1, A.a2]);
      expect((await figures(manager, `groupBy=organisation&${WINDOW}&asOf=2026-03-01`)).map((r) => r.groupId)).toEqual([o1, null]);
      // Narrowing to a provider holding no work in their locality is allowed, and empty.
      expect(await figures(manager, `organisationId=${o2}&${WINDOW}&asOf=2026-03-01`)).toEqual([]);
      for (const query of [`localityId=${B.localityId}`, `schoolId=${B.b1}`, `localityId=${randomUUID()}`, `organisationId=${randomUUID()}`]) {
        const res = await t.http().get(`/api/v1/dashboards/timeliness?${query}`).set('Authorization', manager.bearer);
        expect({ query, status: res.status, type: res.body.type }).toEqual({ query, status: 404, type: '/problems/not-found' });
        expect(JSON.stringify({ ...res.body, instance: undefined })).not.toContain(query.split('=')[1]);
      }
    });

    it('scopes every role that has dashboards: area, panel locality, county', async () => {
      const ids = async (user: TestUser) => (await figures(user, `${WINDOW}&asOf=2026-03-01`)).map((r) => r.groupId);
      expect(await ids(await createUser(t, 'CASEWORKER', { area: 'South' }))).toEqual([B.localityId]);
      expect(await ids(await createUser(t, 'MANAGER', { area: 'North' }))).toEqual([A.localityId]);
      expect(await ids(await createUser(t, 'PANEL', { localityId: B.localityId }))).toEqual([B.localityId]);
      expect(await ids(await createUser(t, 'CASEWORKER'))).toEqual([A.localityId, B.localityId]);
      const southManager = await createUser(t, 'MANAGER', { area: 'South' });
      await t.http().get(`/api/v1/dashboards/timeliness?schoolId=${A.a1}`).set('Authorization', southManager.bearer).expect(404);
      await t.http().get(`/api/v1/dashboards/timeliness?schoolId=${B.b1}`).set('Authorization', southManager.bearer).expect(200);
      for (const role of ['SENCO', 'PROVIDER', 'ADMIN'] as const) {
        const user = await createUser(t, role, role === 'SENCO' ? { schoolId: A.a1 } : role === 'PROVIDER' ? { organisationId: o1 } : {});
        await t.http().get('/api/v1/dashboards/timeliness').set('Authorization', user.bearer).expect(403);
      }
    });

    it('rejects bad input with a 400 naming the field', async () => {
      for (const [query, field] of [
        ['groupBy=district', 'groupBy'],
        ['groupBy=service', 'groupBy'],
        ['kind=NOPE', 'kind'],
        ['from=2026-02-01&to=2026-01-31', 'from'],
        ['from=2026-02-30', 'from'],
        ['to=31/01/2026', 'to'],
        ['asOf=2026-13-01', 'asOf'],
        ['from=2010-01-01&to=2026-01-01', 'to'],
        ['localityId=abc', 'localityId'],
        ['schoolId=1', 'schoolId'],
        ['organisationId=', 'organisationId'],
        ['format=xlsx', 'format'],
        ['colour=red', 'colour'],
      ]) {
        const res = await t.http().get(`/api/v1/dashboards/timeliness?${query}`).set('Authorization', county.bearer);
        expect({ query, status: res.status, type: res.body.type, field: res.body.errors?.[0]?.field }).toEqual({
          query,
          status: 400,
          type: '/problems/validation',
          field,
        });
      }
    });

    it('counts a deadline opened and met through TimelinessService, as a workflow would', async () => {
      const subjectId = randomUUID();
      const subject = { subjectType: 'SUPPORT_REQUEST' as const, subjectId };
      const [c] = await t.dataSource.query(`INSERT INTO locality (code, name, area, district) VALUES ('DASH-C', 'Gamma', 'East', 'D') RETURNING id`);
      await t.dataSource.transaction(async (m) => {
        const timeliness = t.app.get(TimelinessService);
        await timeliness.open(m, { kind: 'REQUEST_DECISION', ...subject, startsOn: '2026-04-06', localityId: c.id });
        await timeliness.meet(m, subject, 'REQUEST_DECISION', '2026-05-11'); // due 2026-05-04: late by a week, 35 days
      });
      expect(await figures(county, `localityId=${c.id}&asOf=2026-05-11&from=2026-05-04&to=2026-05-04`)).toEqual([
        fig(c.id, 'Gamma', 1, 0, 0, 0, 0, 0, 35, 35, 1, 0),
      ]);
    });
  });

  describe('GET /dashboards/overdue', () => {
    async function worklist(user: TestUser, query: string) {
      const res = await t.http().get(`/api/v1/dashboards/overdue?${query}`).set('Authorization', user.bearer);
      expect({ query, status: res.status }).toEqual({ query, status: 200 });
      return res.body as { data: Record<string, unknown>[]; nextCursor: string | null };
    }
    const ids = async (user: TestUser, query: string) => (await worklist(user, query)).data.map((r) => r.deadlineId);
    const n = (...numbers: number[]) => numbers.map((i) => d[i].id);
    const byId = (...numbers: number[]) => n(...numbers).sort();

    it('lists overdue then due-soon deadlines of every kind, longest overdue first, with the case’s ids and place names', async () => {
      const body = await worklist(county, 'asOf=2026-03-01');
      expect(body.nextCursor).toBeNull();
      expect(body.data.map((r) => r.deadlineId)).toEqual(n(4, 9, 13, 5));
      expect(body.data[0]).toEqual({
        deadlineId: d[4].id,
        kind: 'REQUEST_DECISION',
        subjectType: 'SUPPORT_REQUEST',
        subjectId: d[4].subjectId,
        pupilId: null,
        schoolId: A.a2,
        schoolName: 'Alpha Two Primary',
        localityId: A.localityId,
        localityName: 'Alpha Vale',
        organisationId: null,
        organisationName: null,
        startsOn: '2026-01-12',
        dueOn: '2026-02-09',
        daysOverdue: 20,
        daysUntilDue: 0,
        status: 'OVERDUE',
        excepted: false,
      });
      expect(body.data.map((r) => [r.status, r.daysOverdue, r.daysUntilDue, r.organisationName])).toEqual([
        ['OVERDUE', 20, 0, null],
        ['OVERDUE', 14, 0, 'Org One'],
        ['OVERDUE', 5, 0, 'Org Two'],
        ['DUE_SOON', 0, 1, null],
      ]);
    });

    it('filters by status and kind; sorts by daysOverdue or dueOn either way', async () => {
      expect(await ids(county, 'asOf=2026-03-01&status=OVERDUE')).toEqual(n(4, 9, 13));
      expect(await ids(county, 'asOf=2026-03-01&status=DUE_SOON')).toEqual(n(5));
      expect(await ids(county, 'asOf=2026-03-01&kind=ALLOCATION_ACCEPTANCE')).toEqual(n(9, 13));
      expect(await ids(county, 'asOf=2026-03-01&sort=dueOn')).toEqual(n(4, 9, 13, 5));
      expect(await ids(county, 'asOf=2026-03-01&sort=-dueOn')).toEqual(n(5, 13, 9, 4));
      expect(await ids(county, 'asOf=2026-03-01&sort=daysOverdue')).toEqual(n(5, 13, 9, 4));
    });

    it('as of a past date: met or cancelled later still counts; not yet started does not', async () => {
      const body = await worklist(county, 'asOf=2026-02-05');
      // overdue 12 (3 days), 2 (2 days); due soon 3 (02-07), 4 (02-09), then 7, 8, 9 (all 02-15, by id)
      expect(body.data.map((r) => r.deadlineId)).toEqual([...n(12, 2, 3, 4), ...byId(7, 8, 9)]);
      expect(body.data.map((r) => [r.status, r.daysOverdue, r.daysUntilDue])).toEqual([
        ['OVERDUE', 3, 0], ['OVERDUE', 2, 0], ['DUE_SOON', 0, 2], ['DUE_SOON', 0, 4], ['DUE_SOON', 0, 10], ['DUE_SOON', 0, 10], ['DUE_SOON', 0, 10],
      ]);
      expect(await ids(county, 'asOf=2026-03-10')).toEqual([...n(4, 13), ...byId(6, 14)]);
    });

    it('pages by keyset cursor through every sort, in JSON and CSV', async () => {
      for (const sort of ['-daysOverdue', 'daysOverdue', 'dueOn', '-dueOn']) {
        const all = await ids(county, `asOf=2026-02-05&sort=${sort}`);
        expect(all).toHaveLength(7);
        const seen: unknown[] = [];
        let cursor: string | null = null;
        do {
          const page: { data: Record<string, unknown>[]; nextCursor: string | null } = await worklist(
            county,
            `asOf=2026-02-05&sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          );
          seen.push(...page.data.map((r) => r.deadlineId));
          cursor = page.nextCursor;
        } while (cursor);
        expect({ sort, seen }).toEqual({ sort, seen: all });
      }
      const first = await worklist(county, 'asOf=2026-02-05&limit=3');
      const csv = await t
        .http()
        .get(`/api/v1/dashboards/overdue?asOf=2026-02-05&limit=3&cursor=${first.nextCursor}&format=csv`)
        .set('Authorization', county.bearer)
        .expect(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const lines = csv.text.split('\r\n');
      expect(lines[0]).toBe(WORKLIST_CSV_COLUMNS.join(','));
      expect(lines[0].split(',')).toEqual(Object.keys(first.data[0]));
      expect(lines.slice(1, -1).map((line) => line.split(',')[0])).toEqual([d[4].id, ...byId(7, 8, 9).slice(0, 2)]);
      expect(csv.headers['x-next-cursor']).toEqual(expect.any(String));
      // A cursor made for another sort is refused.
      const res = await t.http().get(`/api/v1/dashboards/overdue?sort=dueOn&cursor=${first.nextCursor}`).set('Authorization', county.bearer);
      expect({ status: res.status, field: res.body.errors?.[0]?.field }).toEqual({ status: 400, field: 'cursor' });
    });

    it('a locality manager sees only their locality; place filters outside it are 404', async () => {
      const manager = await createUser(t, 'MANAGER', { localityId: A.localityId });
      expect(await ids(manager, 'asOf=2026-03-01')).toEqual(n(4, 9, 5));
      expect(await ids(manager, `asOf=2026-03-01&schoolId=${A.a2}`)).toEqual(n(4));
      expect(await ids(manager, `asOf=2026-03-01&organisationId=${o1}`)).toEqual(n(9));
      expect(await ids(manager, `asOf=2026-03-01&organisationId=${o2}`)).toEqual([]);
      for (const query of [`localityId=${B.localityId}`, `schoolId=${B.b1}`]) {
        const res = await t.http().get(`/api/v1/dashboards/overdue?${query}`).set('Authorization', manager.bearer);
        expect({ query, status: res.status }).toEqual({ query, status: 404 });
      }
      const panel = await createUser(t, 'PANEL', { localityId: B.localityId });
      expect(await ids(panel, 'asOf=2026-03-01')).toEqual(n(13));
    });

    it('rejects bad input with a 400 naming the field', async () => {
      for (const [query, field] of [
        ['status=MET_LATE', 'status'],
        ['status=ON_TRACK', 'status'],
        ['kind=NOPE', 'kind'],
        ['asOf=2026-02-30', 'asOf'],
        ['sort=kind', 'sort'],
        ['sort=-startsOn', 'sort'],
        ['limit=0', 'limit'],
        ['cursor=garbage', 'cursor'],
        ['localityId=abc', 'localityId'],
        ['format=xml', 'format'],
      ]) {
        const res = await t.http().get(`/api/v1/dashboards/overdue?${query}`).set('Authorization', county.bearer);
        expect({ query, status: res.status, field: res.body.errors?.[0]?.field }).toEqual({ query, status: 400, field });
      }
    });
  });

  describe('against an independent calculation on generated deadlines', () => {
    const KINDS: Kind[] = ['REQUEST_DECISION', 'SUPPORT_PLAN_REVIEW', 'ALLOCATION_ACCEPTANCE', 'EHC_FINAL_PLAN'];
    const rows: Row[] = [];
    const names = new Map<string | null, string | null>();
    const epoch = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
    const date = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

    beforeAll(async () => {
      // A small deterministic generator (mulberry32), so a failure replays.
      let state = 20260315;
      const random = () => {
        state = (state + 0x6d2b79f5) | 0;
        let x = Math.imul(state ^ (state >>> 15), 1 | state);
        x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
        return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
      };
      const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
      const places = [];
      for (const [code, area] of [['GEN-1', 'West'], ['GEN-2', 'West'], ['GEN-3', 'East']]) {
        const p = await place(code, `Generated ${code}`, area, [`${code} school 1`, `${code} school 2`]);
        names.set(p.localityId, `Generated ${code}`);
        p.schoolIds.forEach((id, i) => names.set(id, `${code} school ${i + 1}`));
        places.push(p);
      }
      const orgs = [null, await organisation('Generated org 1'), await organisation('Generated org 2')];
      names.set(orgs[1], 'Generated org 1').set(orgs[2], 'Generated org 2').set(null, null);
      const specs: Spec[] = [];
      for (let i = 0; i < 400; i++) {
        const p = places[int(0, 2)];
        const startsOn = date(epoch('2030-01-01') + int(0, 540));
        const dueOn = date(epoch(startsOn) + int(0, 60));
        const fate = random();
        const eventOn = date(epoch(startsOn) + int(0, 100));
        specs.push({
          kind: KINDS[int(0, 3)],
          schoolId: p.schoolIds[int(0, 1)],
          localityId: p.localityId,
          organisationId: orgs[int(0, 2)],
          startsOn,
          dueOn,
          metOn: fate < 0.6 ? eventOn : null,
          cancelledOn: fate >= 0.6 && fate < 0.75 ? eventOn : null,
          excepted: random() < 0.15,
        });
      }
      rows.push(...(await insert(specs)));
    });

    /** The status rule as API.md words it, written out again here. */
    function statusOf(r: Row, asOf: string): string {
      if (r.cancelledOn && r.cancelledOn <= asOf) return 'CANCELLED';
      if (r.metOn && r.metOn <= asOf) return r.metOn <= r.dueOn ? 'MET_ON_TIME' : 'MET_LATE';
      if (r.dueOn < asOf) return 'OVERDUE';
      return epoch(r.dueOn) - epoch(asOf) <= 14 ? 'DUE_SOON' : 'ON_TRACK';
    }
    /** percentile_cont over whole days, worked in tenths (p = 0.5 or 0.9), so it is exact to the dashboard's 1 decimal. */
    function percentile(sorted: number[], p: number): number | null {
      if (sorted.length === 0) return null;
      const tenths = Math.round(p * 10) * (sorted.length - 1);
      const lo = Math.floor(tenths / 10);
      const hi = Math.ceil(tenths / 10);
      return (sorted[lo] * 10 + (tenths % 10) * (sorted[hi] - sorted[lo])) / 10;
    }
    function expected(groupBy: string, from: string, to: string, asOf: string) {
      const groups = new Map<string | null, Row[]>();
      for (const r of rows) {
        if (r.startsOn > asOf || r.dueOn < from || r.dueOn > to) continue;
        const key = { locality: r.localityId, school: r.schoolId, organisation: r.organisationId, kind: r.kind, month: r.dueOn.slice(0, 7) }[groupBy]!;
        groups.set(key, [...(groups.get(key) ?? []), r]);
      }
      return [...groups].map(([key, members]) => {
        const status = members.map((r) => statusOf(r, asOf));
        const count = (test: (s: string, r: Row) => boolean) => members.filter((r, i) => test(status[i], r)).length;
        const isMet = (s: string) => s === 'MET_ON_TIME' || s === 'MET_LATE';
        const met = count(isMet);
        const metOnTime = count((s) => s === 'MET_ON_TIME');
        const days = members.filter((_, i) => isMet(status[i])).map((r) => epoch(r.metOn!) - epoch(r.startsOn)).sort((a, b) => a - b);
        const name = groupBy === 'kind' ? DESCRIPTION[key as Kind] : groupBy === 'month' ? key : names.get(key)!;
        return fig(
          key, name, met, metOnTime, rate(metOnTime, met),
          count((s) => ['ON_TRACK', 'DUE_SOON', 'OVERDUE'].includes(s)), count((s) => s === 'OVERDUE'), count((s) => s === 'DUE_SOON'),
          percentile(days, 0.5), percentile(days, 0.9),
          count((s, r) => isMet(s) && !r.excepted), count((s, r) => s === 'MET_ON_TIME' && !r.excepted),
        );
      });
    }
    const byGroup = <T extends { groupId: string | null }>(list: T[]) => [...list].sort((a, b) => String(a.groupId).localeCompare(String(b.groupId)));

    it.each(TIMELINESS_GROUP_BY.flatMap((groupBy) => ['2030-03-01', '2030-11-15', '2031-05-31', '2032-01-01'].map((asOf) => [groupBy, asOf])))(
      'groupBy=%s as of %s matches, every figure',
      async (groupBy, asOf) => {
        for (const [from, to] of [['2030-01-01', '2031-12-31'], ['2030-06-01', '2030-09-30']]) {
          const actual = await figures(county, `groupBy=${groupBy}&from=${from}&to=${to}&asOf=${asOf}`);
          expect({ from, to, rows: byGroup(actual) }).toEqual({ from, to, rows: byGroup(expected(groupBy, from, to, asOf)) });
        }
      },
    );

    it('the worklist of a locality, paged, matches', async () => {
      const localityId = rows[0].localityId;
      for (const asOf of ['2030-06-15', '2031-02-01']) {
        const want = rows
          .filter((r) => r.localityId === localityId && r.startsOn <= asOf && ['OVERDUE', 'DUE_SOON'].includes(statusOf(r, asOf)))
          .sort((a, b) => a.dueOn.localeCompare(b.dueOn) || a.id.localeCompare(b.id));
        expect(want.length).toBeGreaterThan(5);
        const seen: { deadlineId: string; daysOverdue: number; status: string }[] = [];
        let cursor: string | null = null;
        do {
          const res: { body: { data: typeof seen; nextCursor: string | null } } = await t
            .http()
            .get(`/api/v1/dashboards/overdue?localityId=${localityId}&asOf=${asOf}&limit=4${cursor ? `&cursor=${cursor}` : ''}`)
            .set('Authorization', county.bearer)
            .expect(200);
          seen.push(...res.body.data);
          cursor = res.body.nextCursor;
        } while (cursor);
        expect(seen.map((r) => [r.deadlineId, r.status, r.daysOverdue])).toEqual(
          want.map((r) => [r.id, statusOf(r, asOf), Math.max(0, epoch(asOf) - epoch(r.dueOn))]),
        );
      }
    });
  });
});
