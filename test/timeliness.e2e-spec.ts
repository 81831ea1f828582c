import { DEADLINE_STATUSES } from '../src/timeliness/deadline-kind';
import { deadlineStatus } from '../src/timeliness/deadline-rules';
import { TimelinessService } from '../src/timeliness/timeliness.service';
import { createUser, type TestUser } from './support/auth';
import { createTestApp, type TestApp } from './support/test-app';

/** The one deadline mechanism: status as of a date, scope, SLA rules (ARCHITECTURE.md idea 1). */
describe('timeliness: deadlines and SLA rules', () => {
  let t: TestApp;
  let admin: TestUser;
  const place = { own: {} as Record<string, string>, other: {} as Record<string, string> };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await createUser(t, 'ADMIN');
    for (const [key, area, urn] of [['own', 'North', '811111'], ['other', 'South', '822222']] as const) {
      const [locality] = await t.dataSource.query(
        `INSERT INTO locality (code, name, area, district) VALUES ($1, $1, $2, 'D') RETURNING id`,
        [`TL-${key.toUpperCase()}`, area],
      );
      const [school] = await t.dataSource.query(
        `INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ($1, 'S', 'PRIMARY', 'MAINSTREAM', $2) RETURNING id`,
        [urn, locality.id],
      );
      const [organisation] = await t.dataSource.query(`INSERT INTO organisation (name, kind) VALUES ($1, 'NHS') RETURNING id`, [`Org ${key}`]);
      place[key] = { localityId: locality.id, schoolId: school.id, organisationId: organisation.id };
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Opens a REQUEST_DECISION deadline (4 weeks) through the service, as a feature would. */
  async function open(where: Record<string, string>, startsOn: string, subjectId = crypto.randomUUID()) {
    return t.dataSource.transaction((m) =>
      t.app.get(TimelinessService).open(m, { kind: 'REQUEST_DECISION', subjectType: 'SUPPORT_REQUEST', subjectId, startsOn, ...where }),
    );
  }

  it('the SQL status function and the TypeScript rule agree on every case', async () => {
    const dues = ['2026-03-10'];
    const asOfs = ['2026-02-23', '2026-02-24', '2026-03-10', '2026-03-11', '2026-04-01'];
    const events = [null, '2026-03-01', '2026-03-10', '2026-03-11', '2026-03-20'];
    let checked = 0;
    for (const dueOn of dues)
      for (const asOf of asOfs)
        for (const metOn of events)
          for (const cancelledOn of events) {
            if (metOn && cancelledOn) continue;
            const [{ status }] = await t.dataSource.query(`SELECT deadline_status($1::date, $2::date, $3::date, $4::date, 14) AS status`, [
              metOn,
              cancelledOn,
              dueOn,
              asOf,
            ]);
            expect({ metOn, cancelledOn, asOf, status }).toEqual({
              metOn,
              cancelledOn,
              asOf,
              status: deadlineStatus({ dueOn, metOn, cancelledOn }, asOf, 14),
            });
            checked += 1;
          }
    expect(checked).toBe(45);
  });

  it('opens with the rule’s due date, dates stay dates, and lists with status as of a date', async () => {
    const d = await open(place.own, '2026-01-05');
    expect(d.dueOn).toBe('2026-02-02');
    const senco = await createUser(t, 'SENCO', { schoolId: place.own.schoolId });
    const list = async (query: string) =>
      (await t.http().get(`/api/v1/deadlines?${query}`).set('Authorization', senco.bearer).expect(200)).body.data;
    expect(await list('asOf=2026-01-10')).toEqual([
      {
        id: d.id,
        kind: 'REQUEST_DECISION',
        subjectType: 'SUPPORT_REQUEST',
        subjectId: d.subjectId,
        pupilId: null,
        schoolId: place.own.schoolId,
        localityId: place.own.localityId,
        organisationId: place.own.organisationId,
        startsOn: '2026-01-05',
        dueOn: '2026-02-02',
        metOn: null,
        cancelledOn: null,
        excepted: false,
        status: 'ON_TRACK',
        daysOverdue: 0,
      },
    ]);
    expect((await list('asOf=2026-01-20'))[0].status).toBe('DUE_SOON');
    expect((await list('asOf=2026-02-12&status=OVERDUE'))[0]).toMatchObject({ status: 'OVERDUE', daysOverdue: 10 });
    expect(await list('asOf=2026-01-04')).toEqual([]); // not opened yet then
    // Met late on 2026-02-09: before that date it was overdue; after, MET_LATE by 7 days.
    await t.dataSource.transaction((m) =>
      t.app.get(TimelinessService).meet(m, { subjectType: 'SUPPORT_REQUEST', subjectId: d.subjectId }, 'REQUEST_DECISION', '2026-02-09'),
    );
    expect((await list('asOf=2026-02-05'))[0]).toMatchObject({ status: 'OVERDUE', metOn: null, daysOverdue: 3 });
    // A status filter reads the deadlines open on asOf: those open now and those met since.
    expect((await list('asOf=2026-02-05&status=OVERDUE')).map((r: { id: string }) => r.id)).toEqual([d.id]);
    expect((await list('asOf=2026-01-20&status=DUE_SOON')).map((r: { id: string }) => r.id)).toEqual([d.id]);
    expect((await list('asOf=2026-01-10&status=ON_TRACK')).map((r: { id: string }) => r.id)).toEqual([d.id]);
    expect(await list('asOf=2026-01-20&status=OVERDUE')).toEqual([]);
    expect(await list('asOf=2026-03-01&status=OVERDUE')).toEqual([]);
    expect((await list('asOf=2026-03-01'))[0]).toMatchObject({ status: 'MET_LATE', metOn: '2026-02-09', daysOverdue: 7 });
    const csv = await t.http().get('/api/v1/deadlines?asOf=2026-03-01&format=csv').set('Authorization', senco.bearer).expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.text.split('\r\n')[0]).toBe(
      'id,kind,subjectType,subjectId,pupilId,schoolId,localityId,organisationId,startsOn,dueOn,metOn,cancelledOn,excepted,status,daysOverdue',
    );
    expect(csv.text).toContain(`${d.id},REQUEST_DECISION`);
  });

  it('cancels as cancelled, not late', async () => {
    const d = await open(place.own, '2026-01-05');
    await t.dataSource.transaction((m) =>
      t.app.get(TimelinessService).cancel(m, { subjectType: 'SUPPORT_REQUEST', subjectId: d.subjectId }, '2026-03-01'),
    );
    const [row] = await t.dataSource.query(`SELECT deadline_status(met_on, cancelled_on, due_on, '2026-03-02', 14) AS s FROM deadline WHERE id = $1`, [d.id]);
    expect(row.s).toBe('CANCELLED');
  });

  it('scopes deadlines: own school, locality, area, organisation; other scopes see none of them', async () => {
    const theirs = await open(place.other, '2026-01-05');
    const mine = await open(place.own, '2026-01-06');
    const ids = async (user: TestUser) =>
      (await t.http().get('/api/v1/deadlines?limit=500').set('Authorization', user.bearer).expect(200)).body.data.map((r: { id: string }) => r.id);
    const cases: [TestUser, boolean][] = [
      [await createUser(t, 'SENCO', { schoolId: place.own.schoolId }), false],
      [await createUser(t, 'PANEL', { localityId: place.own.localityId }), false],
      [await createUser(t, 'PROVIDER', { organisationId: place.own.organisationId }), false],
      [await createUser(t, 'CASEWORKER', { area: 'North' }), false],
      [await createUser(t, 'MANAGER', { localityId: place.own.localityId }), false],
      [await createUser(t, 'MANAGER'), true],
    ];
    for (const [user, seesOther] of cases) {
      const seen = await ids(user);
      expect({ role: user.role, mine: seen.includes(mine.id), theirs: seen.includes(theirs.id) }).toEqual({
        role: user.role,
        mine: true,
        theirs: seesOther,
      });
    }
    await t.http().get('/api/v1/deadlines').set('Authorization', admin.bearer).expect(403);
  });

  it('rejects bad filters with 400 naming them', async () => {
    const user = await createUser(t, 'MANAGER');
    for (const [query, field] of [
      ['status=LATE', 'status'],
      ['kind=NOPE', 'kind'],
      ['asOf=2025-02-30', 'asOf'],
      ['pupilId=abc', 'pupilId'],
      ['sort=kind', 'sort'],
      ['format=xml', 'format'],
    ]) {
      const res = await t.http().get(`/api/v1/deadlines?${query}`).set('Authorization', user.bearer);
      expect({ query, status: res.status, field: res.body.errors?.[0]?.field }).toEqual({ query, status: 400, field });
    }
    expect(DEADLINE_STATUSES).toHaveLength(6);
  });

  describe('SLA rules', () => {
    it('lists every kind with its basis; everyone signed in may read them', async () => {
      const senco = await createUser(t, 'SENCO', { schoolId: place.own.schoolId });
      const res = await t.http().get('/api/v1/sla-rules').set('Authorization', senco.bearer).expect(200);
      expect(res.body.data).toHaveLength(13);
      expect(res.body.data.find((r: { kind: string }) => r.kind === 'EHC_FINAL_PLAN')).toMatchObject({
        basis: 'STATUTORY',
        durationUnit: 'WEEKS',
        durationValue: 20,
      });
    });

    it('ADMIN changes a local target; it applies to deadlines opened afterwards only', async () => {
      const before = await open(place.own, '2026-05-04');
      const [{ version }] = await t.dataSource.query(`SELECT version FROM sla_rule WHERE kind = 'REQUEST_DECISION'`);
      const res = await t
        .http()
        .patch('/api/v1/sla-rules/REQUEST_DECISION')
        .set('Authorization', admin.bearer)
        .send({ durationValue: 3, version })
        .expect(200);
      expect(res.body).toMatchObject({ kind: 'REQUEST_DECISION', durationValue: 3, durationUnit: 'WEEKS', version: version + 1 });
      const after = await open(place.own, '2026-05-04');
      expect(after.dueOn).toBe('2026-05-25');
      const [kept] = await t.dataSource.query(`SELECT due_on FROM deadline WHERE id = $1`, [before.id]);
      expect(kept.due_on).toBe('2026-06-01');
      const [audit] = await t.dataSource.query(`SELECT changed_fields FROM audit_event WHERE action = 'sla-rule.update'`);
      expect(audit.changed_fields).toEqual(['durationValue']);
      // stale version
      await t.http().patch('/api/v1/sla-rules/REQUEST_DECISION').set('Authorization', admin.bearer).send({ durationValue: 5, version }).expect(409);
    });

    it('statutory timescales cannot be changed; non-admins may not change any; bad values are 400', async () => {
      const res = await t.http().patch('/api/v1/sla-rules/EHC_FINAL_PLAN').set('Authorization', admin.bearer).send({ durationValue: 30, version: 1 });
      expect(res.status).toBe(409);
      expect(res.body.type).toBe('/problems/invalid-transition');
      const [rule] = await t.dataSource.query(`SELECT duration_value FROM sla_rule WHERE kind = 'EHC_FINAL_PLAN'`);
      expect(rule.duration_value).toBe(20);
      const manager = await createUser(t, 'MANAGER');
      await t.http().patch('/api/v1/sla-rules/ALLOCATION_ACCEPTANCE').set('Authorization', manager.bearer).send({ durationValue: 1, version: 1 }).expect(403);
      await t.http().patch('/api/v1/sla-rules/NO_SUCH_KIND').set('Authorization', admin.bearer).send({ durationValue: 1, version: 1 }).expect(404);
      for (const body of [{ durationValue: 0, version: 1 }, { durationValue: 'x', version: 1 }, { durationValue: 2, durationUnit: 'YEARS', version: 1 }, { durationValue: 2 }]) {
        const bad = await t.http().patch('/api/v1/sla-rules/ALLOCATION_ACCEPTANCE').set('Authorization', admin.bearer).send(body);
        expect({ body, status: bad.status }).toEqual({ body, status: 400 });
      }
    });
  });
});
