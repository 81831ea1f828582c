import { addDays, todayInLondon } from '../src/common/dates/calendar-date';
import { createUser, type TestUser } from './support/auth';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * Where the register and the deadline mechanism meet: a review deadline follows a pupil who
 * moves school and closes as cancelled when they leave; the access log shows every read and
 * change of records about the child.
 */
describe('pupil journeys across the register, support plans and deadlines', () => {
  let t: TestApp;
  let from: { schoolId: string; localityId: string };
  let to: { schoolId: string; localityId: string };
  let sencoFrom: TestUser;
  let sencoTo: TestUser;
  const today = todayInLondon();

  beforeAll(async () => {
    t = await createTestApp();
    const place = async (code: string, urn: string) => {
      const [locality] = await t.dataSource.query(`INSERT INTO locality (code, name, area, district) VALUES ($1, $1, 'East', 'Thanet') RETURNING id`, [code]);
      const [school] = await t.dataSource.query(
        `INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ($1, 'S', 'PRIMARY', 'MAINSTREAM', $2) RETURNING id`,
        [urn, locality.id],
      );
      return { schoolId: school.id as string, localityId: locality.id as string };
    };
    from = await place('PJ-A', '700001');
    to = await place('PJ-B', '700002');
    sencoFrom = await createUser(t, 'SENCO', { schoolId: from.schoolId });
    sencoTo = await createUser(t, 'SENCO', { schoolId: to.schoolId });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function pupilWithOpenCycle(upn: string): Promise<{ pupilId: string; planId: string }> {
    const pupil = await t
      .http()
      .post('/api/v1/pupils')
      .set('Authorization', sencoFrom.bearer)
      .send({ upn, firstName: 'Ruby', lastName: 'Journey', dateOfBirth: '2018-02-02', schoolId: from.schoolId, senStatus: 'K', primaryNeed: 'SLCN' })
      .expect(201);
    const plan = await t
      .http()
      .post(`/api/v1/pupils/${pupil.body.id}/support-plans`)
      .set('Authorization', sencoFrom.bearer)
      .send({
        outcomes: [{ description: 'Uses 3-word sentences' }],
        provision: [{ description: 'Language group', frequency: 'twice weekly', by: 'TA' }],
        startOn: today,
        reviewOn: addDays(today, 42),
      })
      .expect(201);
    return { pupilId: pupil.body.id, planId: plan.body.id };
  }

  const deadlineOf = async (planId: string) =>
    (await t.dataSource.query(`SELECT school_id, locality_id, met_on, cancelled_on FROM deadline WHERE subject_id = $1`, [planId]))[0];

  it('a transfer moves the open review deadline to the receiving school, which then sees it', async () => {
    const { pupilId, planId } = await pupilWithOpenCycle('B801200005001');
    expect(await deadlineOf(planId)).toMatchObject({ school_id: from.schoolId, locality_id: from.localityId });
    await t.http().post(`/api/v1/pupils/${pupilId}/transfer`).set('Authorization', sencoTo.bearer).send({ schoolId: to.schoolId, movedOn: today }).expect(200);
    expect(await deadlineOf(planId)).toMatchObject({ school_id: to.schoolId, locality_id: to.localityId, met_on: null, cancelled_on: null });
    const seen = await t.http().get(`/api/v1/deadlines?pupilId=${pupilId}`).set('Authorization', sencoTo.bearer).expect(200);
    expect(seen.body.data.map((d: { subjectId: string }) => d.subjectId)).toEqual([planId]);
    const gone = await t.http().get(`/api/v1/deadlines?pupilId=${pupilId}`).set('Authorization', sencoFrom.bearer).expect(200);
    expect(gone.body.data).toEqual([]);
  });

  it('leaving closes the open review deadline as cancelled on the leaving date, not late', async () => {
    const { pupilId, planId } = await pupilWithOpenCycle('P207000016049');
    await t.http().post(`/api/v1/pupils/${pupilId}/leave`).set('Authorization', sencoFrom.bearer).send({ leftOn: today, reason: 'MOVED_OUT_OF_AREA' }).expect(200);
    expect(await deadlineOf(planId)).toMatchObject({ cancelled_on: today, met_on: null });
    const [{ status }] = await t.dataSource.query(
      `SELECT deadline_status(met_on, cancelled_on, due_on, $2::date, 14) AS status FROM deadline WHERE subject_id = $1`,
      [planId, addDays(today, 100)],
    );
    expect(status).toBe('CANCELLED');
  });

  it('the access log lists reads and changes of the pupil and of their support plans, with who did them', async () => {
    const { pupilId, planId } = await pupilWithOpenCycle('Q801200005002');
    await t.http().get(`/api/v1/pupils/${pupilId}`).set('Authorization', sencoFrom.bearer).expect(200);
    await t.http().get(`/api/v1/support-plans/${planId}`).set('Authorization', sencoFrom.bearer).expect(200);
    const manager = await createUser(t, 'MANAGER');
    const log = await t.http().get(`/api/v1/pupils/${pupilId}/access-log`).set('Authorization', manager.bearer).expect(200);
    const actions = log.body.data.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['pupil.create', 'support-plan.create', 'pupil.read', 'support-plan.read']));
    expect(log.body.data.every((e: { actorEmail: string }) => e.actorEmail === sencoFrom.email)).toBe(true);
    expect(Object.keys(log.body.data[0]).sort()).toEqual(['action', 'actorEmail', 'actorId', 'actorRole', 'at']);
  });
});
