import { randomUUID } from 'node:crypto';
import { upnCheckLetter } from '../src/pupils/upn';
import { createUser, type TestUser } from './support/auth';
import { auditCount, auditRows, flushAccessLog } from './support/audit-log';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * SEN support cycles (API.md "SEN register"; issue 4 item 3): the SENCO journey of opening a
 * cycle, reviewing it late and seeing the MET_LATE deadline; one open cycle per pupil; bad bodies
 * that name their fields and write nothing; scope by the pupil's school; and the review note kept
 * from readers who may not write plans and from the audit trail.
 */
describe('support plans', () => {
  let t: TestApp;
  let localityId: string;
  let otherLocalityId: string;
  let schoolId: string;
  let otherSchoolId: string;
  let senco: TestUser;
  let otherSenco: TestUser;
  let caseworker: TestUser;
  let otherCaseworker: TestUser;
  let manager: TestUser;
  let panel: TestUser;
  let provider: TestUser;
  let admin: TestUser;
  let serial = 0;

  const NOTE = 'Mum reports sleep problems since the family moved; keep this between us';

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
    ({ localityId, schoolId } = await place('SP-NORTH', 'North', '118801'));
    ({ localityId: otherLocalityId, schoolId: otherSchoolId } = await place('SP-EAST', 'East', '118802'));
    const [organisation] = await t.dataSource.query(`INSERT INTO organisation (name, kind) VALUES ('SP Trust', 'NHS') RETURNING id`);
    senco = await createUser(t, 'SENCO', { schoolId });
    otherSenco = await createUser(t, 'SENCO', { schoolId: otherSchoolId });
    caseworker = await createUser(t, 'CASEWORKER', { localityId });
    otherCaseworker = await createUser(t, 'CASEWORKER', { localityId: otherLocalityId });
    manager = await createUser(t, 'MANAGER', { area: 'North' });
    panel = await createUser(t, 'PANEL', { localityId });
    provider = await createUser(t, 'PROVIDER', { organisationId: organisation.id });
    admin = await createUser(t, 'ADMIN');
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A pupil written straight to the table (the pupils API has its own suite), with a valid UPN. */
  async function makePupil(school = schoolId, leftOn: string | null = null): Promise<string> {
    const body = `8860001${String(26).padStart(2, '0')}${String(serial++).padStart(3, '0')}`;
    const upn = `${upnCheckLetter(body)}${body}`;
    const [pupil] = await t.dataSource.query(
      `INSERT INTO pupil (upn, first_name, last_name, first_name_key, last_name_key, date_of_birth, school_id, sen_status, primary_need,
         left_on, leave_reason)
       VALUES ($1, 'Amara', 'Okafor', 'amara', 'okafor', '2018-05-14', $2, 'K', 'SLCN', $3, $4) RETURNING id`,
      [upn, school, leftOn, leftOn ? 'MOVED_OUT_OF_AREA' : null],
    );
    return pupil.id;
  }

  const plan = (overrides: Record<string, unknown> = {}) => ({
    outcomes: [{ description: 'Reads a Year 2 book aloud with 95% accuracy' }, { description: 'Writes three sentences independently' }],
    provision: [
      { description: 'Precision teaching of high-frequency words', frequency: '3 x 15 minutes a week', by: 'Teaching assistant' },
      { description: 'Speech and language programme', frequency: 'Daily, 10 minutes', by: 'Class teacher' },
    ],
    startOn: '2026-09-01',
    reviewOn: '2026-10-01',
    ...overrides,
  });
  const review = (overrides: Record<string, unknown> = {}) => ({
    reviewedOn: '2026-10-20',
    outcomes: [
      { outcomeIndex: 1, progress: 'PARTLY' },
      { outcomeIndex: 0, progress: 'ACHIEVED' },
    ],
    nextStep: 'REQUEST_LOCALITY_SUPPORT',
    ...overrides,
  });

  const openPlan = (as: TestUser, pupilId: string, body: object = plan()) =>
    t.http().post(`/api/v1/pupils/${pupilId}/support-plans`).set('Authorization', as.bearer).send(body);
  const reviewPlan = (as: TestUser, planId: string, body: object = review()) =>
    t.http().post(`/api/v1/support-plans/${planId}/reviews`).set('Authorization', as.bearer).send(body);
  const readPlan = (as: TestUser, planId: string) => t.http().get(`/api/v1/support-plans/${planId}`).set('Authorization', as.bearer);
  const listPlans = (as: TestUser, pupilId: string, query = '') =>
    t.http().get(`/api/v1/pupils/${pupilId}/support-plans${query}`).set('Authorization', as.bearer);

  /** Rows in every table a support-plan write touches, to show a refusal wrote nothing. */
  const footprint = async () =>
    (
      await auditRows(t, `
        SELECT (SELECT count(*)::int FROM support_plan) AS plans,
               (SELECT count(*)::int FROM support_plan WHERE status = 'OPEN') AS open,
               (SELECT count(*)::int FROM support_plan_review) AS reviews,
               (SELECT count(*)::int FROM deadline) AS deadlines,
               (SELECT count(*)::int FROM deadline WHERE met_on IS NOT NULL) AS met,
               (SELECT count(*)::int FROM audit_event WHERE entity_type = 'support-plan' AND action <> 'support-plan.read') AS audits,
               (SELECT coalesce(sum(version), 0)::int FROM support_plan) AS versions`)
    )[0];

  function expectProblem(res: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, status: number, type: string) {
    expect({ status: res.status, type: res.body.type }).toEqual({ status, type: `/problems/${type}` });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  }
  const fieldsOf = (res: { body: { errors?: { field: string }[] } }) => [...new Set((res.body.errors ?? []).map((e) => e.field))].sort();

  describe('the SENCO journey: open a cycle, review it late, see the MET_LATE deadline', () => {
    let pupilId: string;
    let planId: string;

    beforeAll(async () => {
      pupilId = await makePupil();
    });

    it('opens a cycle: 201 with the contract fields, an OVERDUE review deadline as of today, and the deadline row', async () => {
      const res = await openPlan(senco, pupilId).expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        pupilId,
        schoolId,
        localitySupport: [],
        outcomes: plan().outcomes,
        provision: plan().provision,
        startOn: '2026-09-01',
        reviewOn: '2026-10-01',
        status: 'OPEN',
        review: null,
        // Today is after 1 October 2026 whenever this runs.
        reviewDeadline: { dueOn: '2026-10-01', metOn: null, status: 'OVERDUE' },
        version: 1,
      });
      planId = res.body.id;

      const deadlines = await t.dataSource.query(
        `SELECT kind, subject_type, subject_id, pupil_id, school_id, locality_id, organisation_id, starts_on, due_on, met_on, cancelled_on
           FROM deadline WHERE subject_id = $1`,
        [planId],
      );
      expect(deadlines).toEqual([
        {
          kind: 'SUPPORT_PLAN_REVIEW',
          subject_type: 'SUPPORT_PLAN',
          subject_id: planId,
          pupil_id: pupilId,
          school_id: schoolId,
          locality_id: localityId,
          organisation_id: null,
          starts_on: '2026-09-01',
          due_on: '2026-10-01',
          met_on: null,
          cancelled_on: null,
        },
      ]);
      const [row] = await t.dataSource.query(`SELECT status, reviewed_on, created_by, version FROM support_plan WHERE id = $1`, [planId]);
      expect(row).toEqual({ status: 'OPEN', reviewed_on: null, created_by: senco.id, version: 1 });
    });

    it('lists the overdue review in GET /deadlines?status=OVERDUE', async () => {
      const res = await t
        .http()
        .get(`/api/v1/deadlines?pupilId=${pupilId}&status=OVERDUE`)
        .set('Authorization', senco.bearer)
        .expect(200);
      expect(res.body.data).toEqual([expect.objectContaining({ subjectType: 'SUPPORT_PLAN', subjectId: planId, kind: 'SUPPORT_PLAN_REVIEW', status: 'OVERDUE' })]);
    });

    it('refuses a second open cycle with 409 invalid-transition naming the open one, and writes nothing', async () => {
      const before = await footprint();
      const res = await openPlan(senco, pupilId, plan({ startOn: '2026-09-15', reviewOn: '2026-12-15' }));
      expectProblem(res, 409, 'invalid-transition');
      expect(res.body.detail).toContain(planId);
      expect(res.body.openSupportPlanId).toBe(planId);
      expect(await footprint()).toEqual(before);
    });

    it.each<[string, Record<string, unknown>, string[]]>([
      ['a review before the cycle started', { reviewedOn: '2026-08-31' }, ['reviewedOn']],
      ['a review in the future', { reviewedOn: '2999-01-01' }, ['reviewedOn']],
      ['an outcomeIndex out of range', { outcomes: [{ outcomeIndex: 0, progress: 'ACHIEVED' }, { outcomeIndex: 2, progress: 'PARTLY' }] }, ['outcomes', 'outcomes.1.outcomeIndex']],
      ['a negative outcomeIndex', { outcomes: [{ outcomeIndex: -1, progress: 'ACHIEVED' }, { outcomeIndex: 1, progress: 'PARTLY' }] }, ['outcomes.0.outcomeIndex']],
      ['an outcome left out', { outcomes: [{ outcomeIndex: 0, progress: 'ACHIEVED' }] }, ['outcomes']],
      [
        'an outcome reviewed twice',
        { outcomes: [{ outcomeIndex: 0, progress: 'ACHIEVED' }, { outcomeIndex: 1, progress: 'PARTLY' }, { outcomeIndex: 0, progress: 'PARTLY' }] },
        ['outcomes.2.outcomeIndex'],
      ],
      ['an unknown progress', { outcomes: [{ outcomeIndex: 0, progress: 'GREAT' }, { outcomeIndex: 1, progress: 'PARTLY' }] }, ['outcomes.0.progress']],
      ['an unknown nextStep', { nextStep: 'PANIC' }, ['nextStep']],
      ['no outcomes', { outcomes: [] }, ['outcomes']],
      ['a missing reviewedOn', { reviewedOn: undefined }, ['reviewedOn']],
      ['an impossible date', { reviewedOn: '2026-09-31' }, ['reviewedOn']],
      ['a note that is not text', { note: 42 }, ['note']],
      ['an unknown field', { score: 7 }, ['score']],
    ])('refuses %s with 400 naming the fields, and writes nothing', async (_, overrides, fields) => {
      const before = await footprint();
      const res = await reviewPlan(senco, planId, review(overrides));
      expectProblem(res, 400, 'validation');
      expect(fieldsOf(res)).toEqual(fields);
      expect(await footprint()).toEqual(before);
    });

    it('reviews the cycle late: 201, REVIEWED, the deadline MET_LATE, the note shown to the SENCO', async () => {
      const res = await reviewPlan(senco, planId, review({ note: NOTE })).expect(201);
      expect(res.body).toMatchObject({
        id: planId,
        status: 'REVIEWED',
        review: {
          reviewedOn: '2026-10-20',
          outcomes: [
            { outcomeIndex: 0, progress: 'ACHIEVED' },
            { outcomeIndex: 1, progress: 'PARTLY' },
          ],
          nextStep: 'REQUEST_LOCALITY_SUPPORT',
          note: NOTE,
        },
        reviewDeadline: { dueOn: '2026-10-01', metOn: '2026-10-20', status: 'MET_LATE' },
        version: 2,
      });
      const [row] = await t.dataSource.query(
        `SELECT due_on, met_on, deadline_status(met_on, cancelled_on, due_on, '2026-11-01', 14) AS status,
                deadline_status(met_on, cancelled_on, due_on, '2026-10-15', 14) AS status_before_review
           FROM deadline WHERE subject_id = $1`,
        [planId],
      );
      expect(row).toEqual({ due_on: '2026-10-01', met_on: '2026-10-20', status: 'MET_LATE', status_before_review: 'OVERDUE' });
      const [plan] = await t.dataSource.query(`SELECT status, reviewed_on FROM support_plan WHERE id = $1`, [planId]);
      expect(plan).toEqual({ status: 'REVIEWED', reviewed_on: '2026-10-20' });
    });

    it('shows the MET_LATE review in GET /deadlines?pupilId=&status=MET_LATE', async () => {
      const res = await t
        .http()
        .get(`/api/v1/deadlines?pupilId=${pupilId}&status=MET_LATE`)
        .set('Authorization', senco.bearer)
        .expect(200);
      expect(res.body.data).toEqual([
        expect.objectContaining({
          kind: 'SUPPORT_PLAN_REVIEW',
          subjectType: 'SUPPORT_PLAN',
          subjectId: planId,
          pupilId,
          schoolId,
          localityId,
          startsOn: '2026-09-01',
          dueOn: '2026-10-01',
          metOn: '2026-10-20',
          status: 'MET_LATE',
          daysOverdue: 19,
        }),
      ]);
    });

    it('refuses a second review of the same cycle with 409 invalid-transition, and writes nothing', async () => {
      const before = await footprint();
      const res = await reviewPlan(senco, planId, review({ reviewedOn: '2026-10-21' }));
      expectProblem(res, 409, 'invalid-transition');
      expect(res.body.currentStatus).toBe('REVIEWED');
      expect(await footprint()).toEqual(before);
    });

    it('opens the next cycle once the last is reviewed, and lists the cycles newest first', async () => {
      const next = await openPlan(senco, pupilId, plan({ startOn: '2026-10-20', reviewOn: '2027-01-19' })).expect(201);
      expect(next.body).toMatchObject({ status: 'OPEN', review: null, reviewDeadline: { dueOn: '2027-01-19', metOn: null } });
      expect(['ON_TRACK', 'DUE_SOON', 'OVERDUE']).toContain(next.body.reviewDeadline.status);

      const list = await listPlans(senco, pupilId).expect(200);
      expect(list.body.nextCursor).toBeNull();
      expect(list.body.data.map((p: { id: string }) => p.id)).toEqual([next.body.id, planId]);
      expect(list.body.data[1]).toEqual((await readPlan(senco, planId).expect(200)).body);

      // Keyset pages: one at a time, same order.
      const first = await listPlans(senco, pupilId, '?limit=1').expect(200);
      expect(first.body.data.map((p: { id: string }) => p.id)).toEqual([next.body.id]);
      const second = await listPlans(senco, pupilId, `?limit=1&cursor=${first.body.nextCursor}`).expect(200);
      expect(second.body.data.map((p: { id: string }) => p.id)).toEqual([planId]);
      expect(second.body.nextCursor).toBeNull();
      const oldestFirst = await listPlans(senco, pupilId, '?sort=startOn').expect(200);
      expect(oldestFirst.body.data.map((p: { id: string }) => p.id)).toEqual([planId, next.body.id]);
      expectProblem(await listPlans(senco, pupilId, '?sort=colour'), 400, 'validation');
    });

    it('writes one audit row per change, with field names and never the note', async () => {
      const rows = await auditRows(
        t,
        `SELECT action, entity_type, entity_id, changed_fields, actor_id, school_id, locality_id, area
           FROM audit_event WHERE entity_type = 'support-plan' AND entity_id = $1 AND action <> 'support-plan.read' ORDER BY at, id`,
        [planId],
      );
      expect(rows).toEqual([
        {
          action: 'support-plan.create',
          entity_type: 'support-plan',
          entity_id: planId,
          changed_fields: ['outcomes', 'provision', 'reviewOn', 'startOn'],
          actor_id: senco.id,
          school_id: schoolId,
          locality_id: localityId,
          area: 'North',
        },
        {
          action: 'support-plan.review',
          entity_type: 'support-plan',
          entity_id: planId,
          changed_fields: ['nextStep', 'note', 'outcomes', 'reviewedOn', 'status'],
          actor_id: senco.id,
          school_id: schoolId,
          locality_id: localityId,
          area: 'North',
        },
      ]);
      const everything = JSON.stringify(await auditRows(t, `SELECT * FROM audit_event`));
      expect(everything).not.toContain('sleep problems');
    });

    it('writes an access row for reading one cycle, none for the list', async () => {
      const reads = () => auditCount(t, `action = 'support-plan.read' AND entity_id = $1 AND actor_id = $2`, [planId, caseworker.id]);
      const before = await reads();
      await listPlans(caseworker, pupilId).expect(200);
      expect(await reads()).toBe(before);
      await readPlan(caseworker, planId).expect(200);
      expect(await reads()).toBe(before + 1);
      await flushAccessLog(t);
      const [row] = await t.dataSource.query(
        `SELECT entity_type, changed_fields, school_id, locality_id FROM audit_event WHERE action = 'support-plan.read' AND actor_id = $1`,
        [caseworker.id],
      );
      expect(row).toEqual({ entity_type: 'support-plan', changed_fields: [], school_id: schoolId, locality_id: localityId });
    });

    describe('who reads it', () => {
      it('a CASEWORKER of the locality and a MANAGER of the area read the cycles, without the note', async () => {
        for (const reader of [caseworker, manager]) {
          const one = await readPlan(reader, planId).expect(200);
          expect(one.body.review).toEqual({
            reviewedOn: '2026-10-20',
            outcomes: [
              { outcomeIndex: 0, progress: 'ACHIEVED' },
              { outcomeIndex: 1, progress: 'PARTLY' },
            ],
            nextStep: 'REQUEST_LOCALITY_SUPPORT',
          });
          expect(JSON.stringify(one.body)).not.toContain('sleep problems');
          const list = await listPlans(reader, pupilId).expect(200);
          expect(list.body.data).toHaveLength(2);
          expect(JSON.stringify(list.body)).not.toContain('sleep problems');
        }
      });

      it('the SENCO reads the note, in the list and one by one', async () => {
        expect((await readPlan(senco, planId).expect(200)).body.review.note).toBe(NOTE);
        const list = await listPlans(senco, pupilId).expect(200);
        expect(list.body.data[1].review.note).toBe(NOTE);
        expect(list.body.data[0].review).toBeNull();
      });

      it.each<[string, () => TestUser]>([
        ['another school’s SENCO', () => otherSenco],
        ['another locality’s CASEWORKER', () => otherCaseworker],
        ['a PANEL member of the locality (no support request, so not in the caseload)', () => panel],
      ])('%s gets 404 for the list and the cycle, never the record', async (_, who) => {
        for (const res of [await listPlans(who(), pupilId), await readPlan(who(), planId)]) {
          expectProblem(res, 404, 'not-found');
          const { instance: _path, ...rest } = res.body;
          expect(JSON.stringify(rest)).not.toContain(pupilId);
          expect(JSON.stringify(rest)).not.toContain(planId);
        }
      });

      it.each<[string, () => TestUser]>([
        ['PROVIDER', () => provider],
        ['ADMIN', () => admin],
      ])('%s may never read support plans: 403', async (_, who) => {
        expectProblem(await listPlans(who(), pupilId), 403, 'forbidden');
        expectProblem(await readPlan(who(), planId), 403, 'forbidden');
      });
    });

    describe('who writes it', () => {
      it('another school’s SENCO gets 404 opening or reviewing a cycle of this pupil, and nothing is written', async () => {
        const open = (await listPlans(senco, pupilId)).body.data[0].id as string;
        const before = await footprint();
        expectProblem(await openPlan(otherSenco, pupilId, plan({ startOn: '2026-11-01', reviewOn: '2027-02-01' })), 404, 'not-found');
        expectProblem(await reviewPlan(otherSenco, open, review({ reviewedOn: '2026-11-01' })), 404, 'not-found');
        expect(await footprint()).toEqual(before);
      });

      it.each<[string, () => TestUser]>([
        ['CASEWORKER', () => caseworker],
        ['MANAGER', () => manager],
        ['PANEL', () => panel],
        ['PROVIDER', () => provider],
        ['ADMIN', () => admin],
      ])('%s may never write support plans: 403, nothing written', async (_, who) => {
        const open = (await listPlans(senco, pupilId)).body.data[0].id as string;
        const before = await footprint();
        expectProblem(await openPlan(who(), pupilId), 403, 'forbidden');
        expectProblem(await reviewPlan(who(), open, review({ reviewedOn: '2026-11-01' })), 403, 'forbidden');
        expect(await footprint()).toEqual(before);
      });
    });
  });

  describe('opening a cycle: bad bodies and states', () => {
    let pupilId: string;

    beforeAll(async () => {
      pupilId = await makePupil();
    });

    it.each<[string, Record<string, unknown>, string[]]>([
      ['missing outcomes', { outcomes: undefined }, ['outcomes']],
      ['no outcomes', { outcomes: [] }, ['outcomes']],
      ['21 outcomes', { outcomes: Array.from({ length: 21 }, (_, i) => ({ description: `Outcome ${i}` })) }, ['outcomes']],
      ['an outcome without a description', { outcomes: [{ description: 'Reads aloud' }, {}] }, ['outcomes.1.description']],
      ['a blank outcome', { outcomes: [{ description: '   ' }] }, ['outcomes.0.description']],
      ['an outcome that is not an object', { outcomes: ['Reads aloud'] }, ['outcomes.0']],
      ['outcomes that are not a list', { outcomes: { description: 'Reads aloud' } }, ['outcomes']],
      ['an unknown field in an outcome', { outcomes: [{ description: 'Reads aloud', rating: 5 }] }, ['outcomes.0.rating']],
      ['provision without who delivers it', { provision: [{ description: 'Phonics', frequency: 'Daily' }] }, ['provision.0.by']],
      ['missing provision', { provision: undefined }, ['provision']],
      ['a review date before the start', { startOn: '2026-09-01', reviewOn: '2026-08-01' }, ['reviewOn']],
      ['a review date on the start date', { startOn: '2026-09-01', reviewOn: '2026-09-01' }, ['reviewOn']],
      ['a start in the future', { startOn: '2999-09-01', reviewOn: '2999-12-01' }, ['startOn']],
      ['an impossible date', { reviewOn: '2026-02-30' }, ['reviewOn']],
      ['a date with a time', { startOn: '2026-09-01T00:00:00Z' }, ['startOn']],
      ['an unknown field', { status: 'REVIEWED' }, ['status']],
    ])('refuses %s with 400 naming the fields, and writes nothing', async (_, overrides, fields) => {
      const before = await footprint();
      const res = await openPlan(senco, pupilId, plan(overrides));
      expectProblem(res, 400, 'validation');
      expect(fieldsOf(res)).toEqual(fields);
      expect(await footprint()).toEqual(before);
    });

    it('answers 404 for an unknown pupil and 400 for a malformed id', async () => {
      expectProblem(await openPlan(senco, randomUUID()), 404, 'not-found');
      expectProblem(await listPlans(senco, randomUUID()), 404, 'not-found');
      expectProblem(await readPlan(senco, randomUUID()), 404, 'not-found');
      expectProblem(await reviewPlan(senco, randomUUID()), 404, 'not-found');
      const malformed = await readPlan(senco, 'not-a-uuid');
      expectProblem(malformed, 400, 'validation');
      expect(malformed.body.errors).toEqual([{ field: 'id', message: 'must be a UUID' }]);
    });

    it('refuses a cycle for a pupil who has left with 409 invalid-transition', async () => {
      const left = await makePupil(schoolId, '2026-07-20');
      const before = await footprint();
      const res = await openPlan(senco, left);
      expectProblem(res, 409, 'invalid-transition');
      expect(res.body.detail).toContain('2026-07-20');
      expect(await footprint()).toEqual(before);
    });

    it('two cycles opened at once for one pupil: one 201, one 409, one open row and one deadline', async () => {
      const results = await Promise.all([
        openPlan(senco, pupilId, plan({ reviewOn: '2026-12-01' })),
        openPlan(senco, pupilId, plan({ reviewOn: '2026-12-02' })),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
      const created = results.find((r) => r.status === 201)!;
      expect(results.find((r) => r.status === 409)!.body.openSupportPlanId).toBe(created.body.id);
      const rows = await t.dataSource.query(
        `SELECT (SELECT count(*)::int FROM support_plan WHERE pupil_id = $1) AS plans,
                (SELECT count(*)::int FROM deadline WHERE pupil_id = $1) AS deadlines`,
        [pupilId],
      );
      expect(rows).toEqual([{ plans: 1, deadlines: 1 }]);
    });

    it('the partial unique index refuses a second OPEN row even past the service', async () => {
      const [open] = await t.dataSource.query(`SELECT school_id FROM support_plan WHERE pupil_id = $1 AND status = 'OPEN'`, [pupilId]);
      await expect(
        t.dataSource.query(
          `INSERT INTO support_plan (pupil_id, school_id, outcomes, provision, start_on, review_on, status)
           VALUES ($1, $2, '[{"description": "x"}]', '[{"description": "x", "frequency": "x", "by": "x"}]', '2026-09-01', '2026-12-01', 'OPEN')`,
          [pupilId, open.school_id],
        ),
      ).rejects.toMatchObject({ driverError: expect.objectContaining({ code: '23505', constraint: 'support_plan_one_open_per_pupil' }) });
    });
  });

  it('shows the locality support requested from a cycle and the provider’s outcome, drafts only to the school’s SENCO', async () => {
    const pupilId = await makePupil();
    const planId = (await openPlan(senco, pupilId, plan()).expect(201)).body.id;
    expect((await readPlan(senco, planId).expect(200)).body.localitySupport).toEqual([]);
    const [organisation] = await t.dataSource.query(`SELECT id FROM organisation WHERE name = 'SP Trust'`);
    const [service] = await t.dataSource.query(
      `INSERT INTO service (code, name, organisation_id, unit) VALUES ('SP-SALT', 'Speech and language therapy', $1, 'SESSIONS') RETURNING code`,
      [organisation.id],
    );
    const request = (status: string) =>
      t.dataSource.query(
        `INSERT INTO support_request (pupil_id, school_id, locality_id, service_code, support_plan_id, reason, urgency, units_requested, status, submitted_on)
         VALUES ($1, $2, $3, $4, $5, 'Needs more than the school offers', 'ROUTINE', 6, $6, CASE WHEN $6 = 'DRAFT' THEN NULL ELSE DATE '2026-09-10' END)
         RETURNING id`,
        [pupilId, schoolId, localityId, service.code, planId, status],
      );
    const [approved] = await request('APPROVED');
    const [draft] = await request('DRAFT');
    const [pool] = await t.dataSource.query(
      `INSERT INTO resource_pool (locality_id, service_code, period_start, period_end, capacity_units, allocated_units)
       VALUES ($1, $2, '2026-09-01', '2027-08-31', 20, 6) RETURNING id`,
      [localityId, service.code],
    );
    const [allocation] = await t.dataSource.query(
      `INSERT INTO allocation (request_id, pupil_id, school_id, locality_id, pool_id, organisation_id, service_code, units, units_used, status,
         offered_on, accepted_on, completed_on, outcome, outcome_summary)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 6, 5, 'COMPLETED', '2026-09-20', '2026-09-22', '2026-11-20', 'PARTLY_MET', 'Progress in turn-taking')
       RETURNING id`,
      [approved.id, pupilId, schoolId, localityId, pool.id, organisation.id, service.code],
    );
    const seen = (await readPlan(senco, planId).expect(200)).body.localitySupport;
    expect(seen).toEqual([
      {
        requestId: approved.id, serviceCode: service.code, requestStatus: 'APPROVED', allocationId: allocation.id, allocationStatus: 'COMPLETED',
        units: 6, unitsUsed: 5, outcome: 'PARTLY_MET', completedOn: '2026-11-20',
      },
      { requestId: draft.id, serviceCode: service.code, requestStatus: 'DRAFT', allocationId: null, allocationStatus: null, units: null, unitsUsed: null, outcome: null, completedOn: null },
    ]);
    // The panel (the pupil is in its caseload through the submitted request) sees the outcome, not the school's draft.
    const forPanel = (await readPlan(panel, planId).expect(200)).body.localitySupport;
    expect(forPanel.map((s: { requestId: string }) => s.requestId)).toEqual([approved.id]);
  });

  it('documents the routes in OpenAPI with their bodies and problems', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    const statuses = (path: string, method: string) => Object.keys(doc.paths[path][method].responses).sort();
    expect(statuses('/api/v1/pupils/{id}/support-plans', 'get')).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404']));
    expect(statuses('/api/v1/pupils/{id}/support-plans', 'post')).toEqual(expect.arrayContaining(['201', '400', '401', '403', '404', '409']));
    expect(statuses('/api/v1/support-plans/{id}', 'get')).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404']));
    expect(statuses('/api/v1/support-plans/{id}/reviews', 'post')).toEqual(expect.arrayContaining(['201', '400', '401', '403', '404', '409']));
    expect(doc.components.schemas.SupportPlanNextStep.enum).toEqual(['CONTINUE', 'NEW_CYCLE', 'REQUEST_LOCALITY_SUPPORT', 'REQUEST_EHC_ASSESSMENT']);
    expect(doc.components.schemas.OutcomeProgress.enum).toEqual(['ACHIEVED', 'PARTLY', 'NOT_ACHIEVED']);
    expect(doc.components.schemas.SupportPlanView.required).toEqual(
      expect.arrayContaining(['id', 'pupilId', 'schoolId', 'outcomes', 'provision', 'startOn', 'reviewOn', 'status', 'review', 'reviewDeadline', 'version']),
    );
  });
});
