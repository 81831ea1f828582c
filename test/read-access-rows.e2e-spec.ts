import { addDays, todayInLondon } from '../src/common/dates/calendar-date';
import { upnCheckLetter } from '../src/pupils/upn';
import { createAllocation } from './support/allocation-factory';
import { auditRows, flushAccessLog } from './support/audit-log';
import { createUser, type TestUser } from './support/auth';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * Reads of a child's record other than GET /pupils/:id (a support cycle, an EHC case, an EHC plan,
 * a provider's allocation) write their access row through the batched AccessLogWriter, not in a
 * transaction of the request: with a flush interval of a minute the row is not there when the
 * response comes, and is there, with the same action and fields as before, once the writer flushes.
 */
describe('Access rows of reads, batched', () => {
  let t: TestApp;
  let localityId: string;
  let schoolId: string;
  let orgId: string;
  let caseworker: TestUser;
  let senco: TestUser;
  let provider: TestUser;
  let serial = 0;
  const today = todayInLondon();

  beforeAll(async () => {
    t = await createTestApp({ accessLogFlushMs: 60_000 });
    [{ id: localityId }] = await t.dataSource.query(`INSERT INTO locality (code, name, area, district) VALUES ('RA-N', 'RA-N', 'North', 'Dartford') RETURNING id`);
    [{ id: schoolId }] = await t.dataSource.query(
      `INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ('148901', 'School 148901', 'PRIMARY', 'MAINSTREAM', $1) RETURNING id`,
      [localityId],
    );
    [{ id: orgId }] = await t.dataSource.query(`INSERT INTO organisation (name, kind) VALUES ('RA Community Health', 'NHS') RETURNING id`);
    await t.dataSource.query(`INSERT INTO service (code, name, organisation_id, unit) VALUES ('RA-SALT', 'RA-SALT', $1, 'SESSIONS')`, [orgId]);
    caseworker = await createUser(t, 'CASEWORKER', { localityId });
    senco = await createUser(t, 'SENCO', { schoolId });
    provider = await createUser(t, 'PROVIDER', { organisationId: orgId });
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = (as: TestUser, path: string) => t.http().get(`/api/v1${path}`).set('Authorization', as.bearer);

  async function makePupil(): Promise<string> {
    const body = `8870004${String(26).padStart(2, '0')}${String(serial++).padStart(3, '0')}`;
    const [pupil] = await t.dataSource.query(
      `INSERT INTO pupil (upn, first_name, last_name, first_name_key, last_name_key, date_of_birth, school_id, sen_status, primary_need)
       VALUES ($1, 'Tomasz', 'Nowak', 'tomasz', 'nowak', '2017-05-04', $2, 'K', 'SLCN') RETURNING id`,
      [`${upnCheckLetter(body)}${body}`, schoolId],
    );
    return pupil.id;
  }

  const rowsOf = (sql: string, entityId: string) =>
    t.dataSource.query(
      `SELECT action, entity_type, entity_id, actor_id, actor_role, changed_fields, outcome, school_id, locality_id, area, organisation_id, pupil_id,
              request_id IS NOT NULL AS has_request_id, ip IS NOT NULL AS has_ip
         FROM audit_event WHERE ${sql} ORDER BY at, id`,
      [entityId],
    );

  /** Reads `path` as `reader`: no row until the writer flushes, then exactly `expected`. */
  async function expectBatchedRead(reader: TestUser, path: string, where: string, entityId: string, expected: Record<string, unknown>) {
    await flushAccessLog(t);
    await get(reader, path).expect(200);
    expect(await rowsOf(where, entityId)).toEqual([]);
    await flushAccessLog(t);
    expect(await rowsOf(where, entityId)).toEqual([{ actor_id: reader.id, actor_role: reader.role, changed_fields: [], outcome: 'SUCCESS', area: 'North', organisation_id: null, has_request_id: true, has_ip: true, ...expected }]);
  }

  /** A record of a fresh pupil, the path that reads it, who reads it, and the access row's action and type. */
  const RECORD_READS: [string, () => TestUser, (pupilId: string) => Promise<string>, string][] = [
    [
      'support-plans',
      () => caseworker,
      async (pupilId) =>
        (
          await t.dataSource.query(
            `INSERT INTO support_plan (pupil_id, school_id, outcomes, provision, start_on, review_on)
             VALUES ($1, $2, '[{"description":"Reads 40 words a minute"}]', '[{"description":"Phonics","frequency":"daily","by":"TA"}]', $3, $4) RETURNING id`,
            [pupilId, schoolId, addDays(today, -30), addDays(today, 60)],
          )
        )[0].id,
      'support-plan',
    ],
    [
      'ehc-assessments',
      () => senco,
      async (pupilId) =>
        (
          await t.dataSource.query(
            `INSERT INTO ehc_assessment (pupil_id, request_received_on, requested_by, stage) VALUES ($1, $2, 'PARENT', 'REQUESTED') RETURNING id`,
            [pupilId, addDays(today, -14)],
          )
        )[0].id,
      'ehc-assessment',
    ],
    [
      'ehc-plans',
      () => caseworker,
      async (pupilId) =>
        (await t.dataSource.query(`INSERT INTO ehc_plan (pupil_id, issued_on, primary_need) VALUES ($1, $2, 'SLCN') RETURNING id`, [pupilId, addDays(today, -200)]))[0].id,
      'ehc-plan',
    ],
  ];

  it.each(RECORD_READS)('GET /%s/:id: one access row, after the flush', async (segment, reader, make, entityType) => {
    const pupilId = await makePupil();
    const id = await make(pupilId);
    await expectBatchedRead(reader(), `/${segment}/${id}`, `entity_id = $1`, id, {
      action: `${entityType}.read`,
      entity_type: entityType,
      entity_id: id,
      school_id: schoolId,
      locality_id: localityId,
      pupil_id: pupilId,
    });
  });

  it('GET /allocations/:id by the provider: one pupil.read row, after the flush; the school reading it writes none', async () => {
    const pupilId = await makePupil();
    const allocation = await createAllocation(t, { pupilId, schoolId, localityId, organisationId: orgId, serviceCode: 'RA-SALT', units: 4, offeredOn: today });
    await expectBatchedRead(provider, `/allocations/${allocation.id}`, `action = 'pupil.read' AND entity_id = $1`, pupilId, {
      action: 'pupil.read',
      entity_type: 'pupil',
      entity_id: pupilId,
      school_id: schoolId,
      locality_id: localityId,
      organisation_id: orgId,
      pupil_id: pupilId,
    });
    await get(senco, `/allocations/${allocation.id}`).expect(200);
    await flushAccessLog(t);
    expect(await auditRows(t, `SELECT actor_id FROM audit_event WHERE action = 'pupil.read' AND entity_id = $1`, [pupilId])).toEqual([{ actor_id: provider.id }]);
  });

  it('a read refused (404 out of scope) writes no row', async () => {
    const otherSchool = (
      await t.dataSource.query(`INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ('148902', 'School 148902', 'PRIMARY', 'MAINSTREAM', $1) RETURNING id`, [localityId])
    )[0].id as string;
    const otherSenco = await createUser(t, 'SENCO', { schoolId: otherSchool });
    const pupilId = await makePupil();
    const [{ id }] = await t.dataSource.query(`INSERT INTO ehc_plan (pupil_id, issued_on, primary_need) VALUES ($1, $2, 'SLCN') RETURNING id`, [pupilId, addDays(today, -100)]);
    await get(otherSenco, `/ehc-plans/${id}`).expect(404);
    await flushAccessLog(t);
    expect(await rowsOf(`entity_id = $1`, id)).toEqual([]);
  });
});
