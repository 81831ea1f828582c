import { randomUUID } from 'node:crypto';
import { academicYearStart, addDays, addYears, todayInLondon } from '../src/common/dates/calendar-date';
import { upnCheckLetter } from '../src/pupils/upn';
import { createUser, type TestUser } from './support/auth';
import { flushAccessLog } from './support/audit-log';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * The SEN register (API.md "SEN register"; DOMAIN.md UPN, needs and year groups): pupils in
 * scope, UPN check letters, year groups from the date of birth, status and needs rules, dated
 * history, transfers, leaving, access rows on each read of one pupil, and the access log.
 */
describe('pupils', () => {
  let t: TestApp;
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  const PUPIL_FIELDS = [
    'id',
    'upn',
    'firstName',
    'lastName',
    'dateOfBirth',
    'schoolId',
    'schoolName',
    'localityId',
    'yearGroup',
    'senStatus',
    'primaryNeed',
    'secondaryNeed',
    'leftOn',
    'leaveReason',
    'version',
  ];

  // Dates relative to the real today (the app runs on the system clock here).
  const today = todayInLondon();
  const academicYear = Number(academicYearStart(today).slice(0, 4));
  /** A date of birth in the middle of the cohort that is in `yearGroup` this academic year. */
  const dobFor = (yearGroup: number) => `${academicYear - 4 - yearGroup}-01-15`;

  /** Valid UPNs: LA 886, establishment 2001, then a 5-digit serial; the check letter computed. */
  let serial = 0;
  const nextUpn = () => {
    const body = `8862001${String((serial += 1)).padStart(5, '0')}`;
    return `${upnCheckLetter(body)}${body}`;
  };

  type Res = { status: number; headers: Record<string, string>; body: any; text: string };
  const as = (user: TestUser) => ({
    get: (path: string) => t.http().get(`/api/v1${path}`).set('Authorization', user.bearer),
    post: (path: string, body?: object) => t.http().post(`/api/v1${path}`).set('Authorization', user.bearer).send(body),
    patch: (path: string, body: object) => t.http().patch(`/api/v1${path}`).set('Authorization', user.bearer).send(body),
  });

  function expectProblem(res: Res, status: number, type: string) {
    expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { type: `/problems/${type}`, status } });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  }
  const fieldsOf = (res: Res) => [...new Set((res.body.errors as { field: string }[]).map((e) => e.field))].sort();

  // Access rows of reads are written in batches (AccessLogWriter): flushed first, so every count sees them.
  const count = async (sql: string, params: unknown[] = []) => {
    await flushAccessLog(t);
    return Number((await t.dataSource.query(sql, params))[0].n);
  };
  const pupilCount = () => count('SELECT count(*)::int AS n FROM pupil');
  const auditCount = () => count('SELECT count(*)::int AS n FROM audit_event');
  const historyCount = () => count('SELECT count(*)::int AS n FROM pupil_history');
  const readsOf = (id: string) => count(`SELECT count(*)::int AS n FROM audit_event WHERE action = 'pupil.read' AND entity_id = $1`, [id]);
  const historyOf = (id: string) =>
    t.dataSource.query(
      `SELECT field, from_value, to_value, effective_on, changed_by FROM pupil_history WHERE pupil_id = $1 ORDER BY effective_on, field COLLATE "C"`,
      [id],
    );

  // Places: two localities in East (Canterbury, Thanet), one in North (Dartford).
  let canterbury: string;
  let thanet: string;
  let dartford: string;
  let oak: string; // Canterbury
  let elm: string; // Canterbury
  let bay: string; // Thanet
  let dart: string; // Dartford
  let organisationId: string;

  let sencoOak: TestUser;
  let sencoElm: TestUser;
  let sencoBay: TestUser;
  let sencoDart: TestUser;
  let caseworkerCanterbury: TestUser;
  let caseworkerEast: TestUser;
  let managerCanterbury: TestUser;
  let managerNorth: TestUser;
  let managerCounty: TestUser;
  let panel: TestUser;
  let provider: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    const localities: { id: string; code: string }[] = await t.dataSource.query(
      `INSERT INTO locality (code, name, area, district) VALUES
         ('PUP-CAN', 'Canterbury Schools', 'East', 'Canterbury'),
         ('PUP-THA', 'Thanet Schools', 'East', 'Thanet'),
         ('PUP-DAR', 'Dartford Schools', 'North', 'Dartford')
       RETURNING id, code`,
    );
    const locality = (code: string) => localities.find((l) => l.code === code)!.id;
    [canterbury, thanet, dartford] = [locality('PUP-CAN'), locality('PUP-THA'), locality('PUP-DAR')];
    const schools: { id: string; urn: string }[] = await t.dataSource.query(
      `INSERT INTO school (urn, name, phase, kind, locality_id) VALUES
         ('118001', 'Oakfield Primary School', 'PRIMARY', 'MAINSTREAM', $1),
         ('118002', 'Elm Tree Primary School', 'PRIMARY', 'MAINSTREAM', $1),
         ('118003', 'Bayview Academy', 'ALL_THROUGH', 'MAINSTREAM', $2),
         ('118004', 'Dartside Primary School', 'PRIMARY', 'MAINSTREAM', $3)
       RETURNING id, urn`,
      [canterbury, thanet, dartford],
    );
    const school = (urn: string) => schools.find((s) => s.urn === urn)!.id;
    [oak, elm, bay, dart] = [school('118001'), school('118002'), school('118003'), school('118004')];
    [{ id: organisationId }] = await t.dataSource.query(`INSERT INTO organisation (name, kind) VALUES ('STLS East', 'KCC_SERVICE') RETURNING id`);

    sencoOak = await createUser(t, 'SENCO', { schoolId: oak });
    sencoElm = await createUser(t, 'SENCO', { schoolId: elm });
    sencoBay = await createUser(t, 'SENCO', { schoolId: bay });
    sencoDart = await createUser(t, 'SENCO', { schoolId: dart });
    caseworkerCanterbury = await createUser(t, 'CASEWORKER', { localityId: canterbury });
    caseworkerEast = await createUser(t, 'CASEWORKER', { area: 'East' });
    managerCanterbury = await createUser(t, 'MANAGER', { localityId: canterbury });
    managerNorth = await createUser(t, 'MANAGER', { area: 'North' });
    managerCounty = await createUser(t, 'MANAGER');
    panel = await createUser(t, 'PANEL', { localityId: canterbury });
    provider = await createUser(t, 'PROVIDER', { organisationId });
    admin = await createUser(t, 'ADMIN');
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Creates a pupil through the API as `senco` (of `schoolId`); returns the view. */
  async function createPupil(senco: TestUser, schoolId: string, extra: Record<string, unknown> = {}) {
    const res = await as(senco).post('/pupils', {
      upn: nextUpn(),
      firstName: 'Sam',
      lastName: `Pupil${serial}`,
      dateOfBirth: dobFor(3),
      schoolId,
      senStatus: 'K',
      primaryNeed: 'MLD',
      ...extra,
    });
    if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; upn: string; version: number; [key: string]: unknown };
  }

  const idsOf = (res: Res) => (res.body.data as { id: string }[]).map((p) => p.id);

  describe('the SENCO journey', () => {
    let zoe: { id: string; upn: string; version: number; [key: string]: unknown };

    it('creates a pupil with a valid UPN: 201 with exactly the PupilView, first history rows and one audit row', async () => {
      const res = await as(sencoOak).post('/pupils', {
        upn: 'B801200005001',
        firstName: 'Zoë',
        lastName: 'Okafor',
        dateOfBirth: dobFor(4),
        schoolId: oak,
        senStatus: 'K',
        primaryNeed: 'SLCN',
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        upn: 'B801200005001',
        firstName: 'Zoë',
        lastName: 'Okafor',
        dateOfBirth: dobFor(4),
        schoolId: oak,
        schoolName: 'Oakfield Primary School',
        localityId: canterbury,
        yearGroup: 4,
        senStatus: 'K',
        primaryNeed: 'SLCN',
        secondaryNeed: null,
        leftOn: null,
        leaveReason: null,
        version: 1,
      });
      expect(Object.keys(res.body)).toEqual(PUPIL_FIELDS);
      zoe = res.body;

      const [row] = await t.dataSource.query(
        `SELECT upn, first_name, last_name, first_name_key, last_name_key, year_offset, sen_status FROM pupil WHERE id = $1`,
        [zoe.id],
      );
      expect(row).toEqual({
        upn: 'B801200005001',
        first_name: 'Zoë',
        last_name: 'Okafor',
        first_name_key: 'zoe',
        last_name_key: 'okafor',
        year_offset: 0,
        sen_status: 'K',
      });
      expect(await historyOf(zoe.id)).toEqual([
        { field: 'primaryNeed', from_value: null, to_value: 'SLCN', effective_on: today, changed_by: sencoOak.id },
        { field: 'schoolId', from_value: null, to_value: oak, effective_on: today, changed_by: sencoOak.id },
        { field: 'senStatus', from_value: null, to_value: 'K', effective_on: today, changed_by: sencoOak.id },
      ]);
      const audit = await t.dataSource.query(
        `SELECT action, entity_type, changed_fields, actor_id, school_id, locality_id, area FROM audit_event WHERE entity_id = $1`,
        [zoe.id],
      );
      expect(audit).toEqual([
        {
          action: 'pupil.create',
          entity_type: 'pupil',
          changed_fields: ['dateOfBirth', 'firstName', 'lastName', 'primaryNeed', 'schoolId', 'senStatus', 'upn'],
          actor_id: sencoOak.id,
          school_id: oak,
          locality_id: canterbury,
          area: 'East',
        },
      ]);
      // Field names only, never the child's details.
      expect(JSON.stringify(audit)).not.toMatch(/Zo|Okafor|B801200005001|SLCN/);
    });

    it('GET by id answers the same view and writes one pupil.read access row; a list writes none', async () => {
      const before = await readsOf(zoe.id);
      const res = await as(sencoOak).get(`/pupils/${zoe.id}`).expect(200);
      expect(res.body).toEqual(zoe);
      expect(await readsOf(zoe.id)).toBe(before + 1);
      const [access] = await t.dataSource.query(
        `SELECT actor_id, actor_email, actor_role, entity_type, school_id, changed_fields FROM audit_event
          WHERE action = 'pupil.read' AND entity_id = $1 ORDER BY at DESC LIMIT 1`,
        [zoe.id],
      );
      expect(access).toEqual({
        actor_id: sencoOak.id,
        actor_email: sencoOak.email,
        actor_role: 'SENCO',
        entity_type: 'pupil',
        school_id: oak,
        changed_fields: [],
      });

      const audits = await auditCount();
      const list = await as(sencoOak).get('/pupils').expect(200);
      expect(idsOf(list)).toContain(zoe.id);
      expect(list.body.nextCursor).toBeNull();
      expect(await auditCount()).toBe(audits);
    });

    it('finds the pupil by UPN exactly (any case), and by accent- and case-insensitive name prefixes', async () => {
      await createPupil(sencoOak, oak, { firstName: 'Zola', lastName: 'Adeyemi' });
      await createPupil(sencoOak, oak, { firstName: 'Bartholomew', lastName: 'Zoeller' });
      for (const q of ['B801200005001', 'b801200005001', ' B801200005001 ']) {
        const res = await as(sencoOak).get(`/pupils?q=${encodeURIComponent(q)}`).expect(200);
        expect({ q, ids: idsOf(res) }).toEqual({ q, ids: [zoe.id] });
      }
      // A UPN that is not on the register finds nothing (it is never treated as a name).
      expect(idsOf(await as(sencoOak).get('/pupils?q=P207000016049').expect(200))).toEqual([]);

      const names = async (q: string) =>
        ((await as(sencoOak).get(`/pupils?q=${encodeURIComponent(q)}`).expect(200)).body.data as { firstName: string; lastName: string }[]).map(
          (p) => `${p.firstName} ${p.lastName}`,
        );
      expect(await names('zoe')).toEqual(['Zoë Okafor', 'Bartholomew Zoeller']);
      expect(await names('ZOË')).toEqual(['Zoë Okafor', 'Bartholomew Zoeller']);
      expect(await names('zo')).toEqual(['Zola Adeyemi', 'Zoë Okafor', 'Bartholomew Zoeller']);
      expect(await names('oka')).toEqual(['Zoë Okafor']);
      expect(await names('zoe oka')).toEqual(['Zoë Okafor']);
      expect(await names('okafor zo')).toEqual(['Zoë Okafor']);
      expect(await names('kafor')).toEqual([]);
      expect(await names('%')).toEqual([]);
    });

    it('filters by year group, need (primary or secondary) and status', async () => {
      const year6 = await createPupil(sencoOak, oak, { dateOfBirth: dobFor(6), senStatus: 'E', primaryNeed: 'ASD', secondaryNeed: 'SLCN' });
      const noSen = await createPupil(sencoOak, oak, { dateOfBirth: dobFor(6), senStatus: 'N', primaryNeed: null });
      const list = async (query: string) => idsOf(await as(sencoOak).get(`/pupils?${query}`).expect(200));

      expect(await list('yearGroup=4')).toEqual([zoe.id]);
      expect((await list('yearGroup=6')).sort()).toEqual([year6.id, noSen.id].sort());
      expect(await list('yearGroup=9')).toEqual([]);
      expect((await list('need=SLCN')).sort()).toEqual([zoe.id, year6.id].sort());
      expect(await list('need=ASD')).toEqual([year6.id]);
      expect(await list('senStatus=E')).toEqual([year6.id]);
      expect(await list('senStatus=N')).toEqual([noSen.id]);
      expect(await list('senStatus=K&need=SLCN&yearGroup=4')).toEqual([zoe.id]);
      expect(await list(`schoolId=${oak}&q=zoe`)).toContain(zoe.id);
      expect(await list(`schoolId=${elm}`)).toEqual([]);

      for (const bad of ['yearGroup=x', 'yearGroup=13', 'need=ADHD', 'senStatus=S', 'includeLeft=maybe', 'sort=firstName', 'schoolId=oak']) {
        const res = await as(sencoOak).get(`/pupils?${bad}`);
        expectProblem(res, 400, 'validation');
        expect(fieldsOf(res)).toEqual([bad.split('=')[0]]);
      }
    });

    it('pages with a keyset cursor in name order, and sorts by UPN and date of birth', async () => {
      const all = await as(sencoOak).get('/pupils').expect(200);
      const names = (all.body.data as { lastName: string }[]).map((p) => p.lastName.toLowerCase());
      expect(names).toEqual([...names].sort());
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: Res = await as(sencoOak).get(`/pupils?limit=2${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
        expect(res.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...idsOf(res));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(idsOf(all));

      const byUpn = (await as(sencoOak).get('/pupils?sort=-upn').expect(200)).body.data.map((p: { upn: string }) => p.upn);
      expect(byUpn).toEqual([...byUpn].sort().reverse());
      const byDob = await as(sencoOak).get('/pupils?sort=dateOfBirth&limit=1').expect(200);
      const next = await as(sencoOak).get(`/pupils?sort=dateOfBirth&limit=1&cursor=${byDob.body.nextCursor}`).expect(200);
      expect(next.body.data[0].dateOfBirth >= byDob.body.data[0].dateOfBirth).toBe(true);
    });

    it('answers CSV for Accept: text/csv (and format=csv) with a header row of the JSON field names', async () => {
      for (const req of [
        as(sencoOak).get('/pupils?q=zoe').set('Accept', 'text/csv'),
        as(sencoOak).get('/pupils?q=zoe&format=csv'),
      ]) {
        const res = await req.expect(200);
        expect(res.headers['content-type']).toMatch(/^text\/csv/);
        const lines = res.text.split('\r\n');
        expect(lines[0]).toBe(PUPIL_FIELDS.join(','));
        expect(lines[1]).toBe(
          [zoe.id, 'B801200005001', 'Zoë', 'Okafor', dobFor(4), oak, 'Oakfield Primary School', canterbury, 4, 'K', 'SLCN', '', '', '', 1].join(','),
        );
      }
    });
  });

  describe('bad input: a 400 naming the field, and nothing written', () => {
    const valid = () => ({
      upn: nextUpn(),
      firstName: 'Ada',
      lastName: 'Refused',
      dateOfBirth: dobFor(2),
      schoolId: oak,
      senStatus: 'K',
      primaryNeed: 'SPLD',
    });
    const cases: [string, () => Record<string, unknown>, string, RegExp][] = [
      ['a wrong check letter', () => ({ upn: 'A801200005001' }), 'upn', /check letter/],
      ['the census slip Q207000016049', () => ({ upn: 'Q207000016049' }), 'upn', /check letter/],
      ['a 12-character UPN', () => ({ upn: 'B80120000500' }), 'upn', /13 characters/],
      ['a UPN starting with I', () => ({ upn: 'I801200005001' }), 'upn', /except I, O and S/],
      ['a UPN ending in O', () => ({ upn: 'B80120000500O' }), 'upn', /other than I, O and S/],
      ['a date of birth in the future', () => ({ dateOfBirth: addDays(today, 1) }), 'dateOfBirth', /future/],
      ['a 3-year-old', () => ({ dateOfBirth: addYears(today, -3) }), 'dateOfBirth', /Reception to Year 11 age/],
      ['a 17-year-old', () => ({ dateOfBirth: addYears(today, -17) }), 'dateOfBirth', /Reception to Year 11 age/],
      ['a date that does not exist', () => ({ dateOfBirth: '2017-02-30' }), 'dateOfBirth', /real date/],
      ['a year group two away', () => ({ dateOfBirth: dobFor(2), yearGroup: 4 }), 'yearGroup', /within one year of Year 2/],
      ['a year group two below', () => ({ dateOfBirth: dobFor(2), yearGroup: 0 }), 'yearGroup', /within one year/],
      ['a year group of 12', () => ({ yearGroup: 12 }), 'yearGroup', /11/],
      ['an unknown need', () => ({ primaryNeed: 'ADHD' }), 'primaryNeed', /one of SPLD/],
      ['NSA with an EHC plan', () => ({ senStatus: 'E', primaryNeed: 'NSA' }), 'primaryNeed', /NSA is only for SEN support/],
      ['primary = secondary', () => ({ primaryNeed: 'SEMH', secondaryNeed: 'SEMH' }), 'secondaryNeed', /differ/],
      ['K without a primary need', () => ({ primaryNeed: undefined }), 'primaryNeed', /required when senStatus is K/],
      ['N with a need', () => ({ senStatus: 'N' }), 'primaryNeed', /empty/],
      ['an unknown status', () => ({ senStatus: 'X' }), 'senStatus', /one of N, K, E/],
      ['another school', () => ({ schoolId: elm }), 'schoolId', /^unknown school$/],
      ['a school that does not exist', () => ({ schoolId: randomUUID() }), 'schoolId', /^unknown school$/],
      ['an empty first name', () => ({ firstName: '  ' }), 'firstName', /empty/],
      ['an unknown field', () => ({ nickname: 'Ace' }), 'nickname', /not a known field/],
    ];

    it.each(cases)('%s', async (_, change, field, message) => {
      const [pupils, audits, history] = [await pupilCount(), await auditCount(), await historyCount()];
      const res = await as(sencoOak).post('/pupils', { ...valid(), ...change() });
      expectProblem(res, 400, 'validation');
      expect(fieldsOf(res)).toEqual([field]);
      expect(res.body.errors[0].message).toMatch(message);
      expect([await pupilCount(), await auditCount(), await historyCount()]).toEqual([pupils, audits, history]);
    });

    it('a duplicate UPN is 409 /problems/duplicate naming upn, and nothing is written', async () => {
      const first = await createPupil(sencoOak, oak);
      const [pupils, audits] = [await pupilCount(), await auditCount()];
      // Typed in lower case by another school's SENCO: still the same UPN.
      const res = await as(sencoElm).post('/pupils', { ...valid(), upn: first.upn.toLowerCase(), schoolId: elm });
      expectProblem(res, 409, 'duplicate');
      expect(res.body.errors).toEqual([{ field: 'upn', message: 'is already in use' }]);
      expect([await pupilCount(), await auditCount()]).toEqual([pupils, audits]);
    });

    it('the database refuses a wrong check letter even when the API is bypassed', async () => {
      const refused = await t.dataSource
        .query(
          `INSERT INTO pupil (upn, first_name, last_name, first_name_key, last_name_key, date_of_birth, school_id, sen_status)
           VALUES ('A801200005001', 'X', 'Y', 'x', 'y', '2017-01-01', $1, 'N')`,
          [oak],
        )
        .then(
          () => 'inserted',
          (e: { driverError?: { code?: string; constraint?: string } }) => `${e.driverError?.code} ${e.driverError?.constraint}`,
        );
      expect(refused).toBe('23514 pupil_upn_check_letter');
    });
  });

  describe('accepted variants', () => {
    it('normalises a lower-case UPN, accepts a temporary UPN, and keeps a year group one away as an offset', async () => {
      const lower = await createPupil(sencoOak, oak, { upn: 'p207000016049' });
      expect(lower.upn).toBe('P207000016049');
      const temporary = await createPupil(sencoOak, oak, { upn: 'M80120000500A' });
      expect(temporary.upn).toBe('M80120000500A');
      const above = await createPupil(sencoOak, oak, { dateOfBirth: dobFor(5), yearGroup: 6 });
      expect(above.yearGroup).toBe(6);
      expect(await t.dataSource.query('SELECT year_offset FROM pupil WHERE id = $1', [above.id])).toEqual([{ year_offset: 1 }]);
      // Held back a year from Year 1 into Reception, and found under Reception.
      const heldBack = await createPupil(sencoOak, oak, { dateOfBirth: dobFor(1), yearGroup: 0, firstName: 'Heldback' });
      expect(heldBack.yearGroup).toBe(0);
      const reception = idsOf(await as(sencoOak).get('/pupils?yearGroup=0').expect(200));
      expect(reception).toContain(heldBack.id);
      expect(idsOf(await as(sencoOak).get('/pupils?yearGroup=6').expect(200))).toContain(above.id);
    });
  });

  describe('scope', () => {
    let oakPupil: { id: string; version: number };
    let bayPupil: { id: string; version: number };
    let dartPupil: { id: string; version: number };

    beforeAll(async () => {
      oakPupil = await createPupil(sencoOak, oak, { lastName: 'Scopeoak' });
      bayPupil = await createPupil(sencoBay, bay, { lastName: 'Scopebay' });
      dartPupil = await createPupil(sencoDart, dart, { lastName: 'Scopedart' });
    });

    it('another school’s SENCO gets 404 on GET, PATCH and leave, and does not see the pupil in lists', async () => {
      expectProblem(await as(sencoElm).get(`/pupils/${oakPupil.id}`), 404, 'not-found');
      const audits = await auditCount();
      expectProblem(await as(sencoElm).patch(`/pupils/${oakPupil.id}`, { firstName: 'Hacked', version: oakPupil.version }), 404, 'not-found');
      expectProblem(await as(sencoElm).post(`/pupils/${oakPupil.id}/leave`, { leftOn: today, reason: 'OTHER' }), 404, 'not-found');
      expect(await auditCount()).toBe(audits);
      expect(idsOf(await as(sencoElm).get('/pupils?includeLeft=true').expect(200))).not.toContain(oakPupil.id);
      // Naming another school in the filter does not widen the scope.
      expect(idsOf(await as(sencoElm).get(`/pupils?schoolId=${oak}`).expect(200))).toEqual([]);
      // A pupil id that does not exist at all answers the same.
      expectProblem(await as(sencoElm).get(`/pupils/${randomUUID()}`), 404, 'not-found');
      expectProblem(await as(sencoElm).get('/pupils/not-a-uuid'), 400, 'validation');
    });

    it.each([
      ['a Canterbury caseworker', () => caseworkerCanterbury, ['oak'], ['bay', 'dart']],
      ['an East caseworker', () => caseworkerEast, ['oak', 'bay'], ['dart']],
      ['a Canterbury manager', () => managerCanterbury, ['oak'], ['bay', 'dart']],
      ['a North manager', () => managerNorth, ['dart'], ['oak', 'bay']],
      ['a county manager', () => managerCounty, ['oak', 'bay', 'dart'], []],
    ])('%s sees pupils of their locality, area or county only', async (_, user, inside, outside) => {
      const pupilOf = { oak: oakPupil.id, bay: bayPupil.id, dart: dartPupil.id } as Record<string, string>;
      const listed = idsOf(await as(user()).get('/pupils?limit=500').expect(200));
      for (const place of inside) {
        expect({ place, listed: listed.includes(pupilOf[place]) }).toEqual({ place, listed: true });
        await as(user()).get(`/pupils/${pupilOf[place]}`).expect(200);
      }
      for (const place of outside) {
        expect({ place, listed: listed.includes(pupilOf[place]) }).toEqual({ place, listed: false });
        expectProblem(await as(user()).get(`/pupils/${pupilOf[place]}`), 404, 'not-found');
      }
    });

    it('filters by locality within the scope', async () => {
      const east = idsOf(await as(caseworkerEast).get(`/pupils?localityId=${thanet}&limit=500`).expect(200));
      expect(east).toEqual([bayPupil.id]);
      expect(idsOf(await as(caseworkerCanterbury).get(`/pupils?localityId=${thanet}`).expect(200))).toEqual([]);
    });

    it('PANEL and PROVIDER see no pupils yet (their caseloads come with requests and allocations)', async () => {
      for (const user of [panel, provider]) {
        const res = await as(user).get('/pupils?includeLeft=true').expect(200);
        expect(res.body).toEqual({ data: [], nextCursor: null });
        expectProblem(await as(user).get(`/pupils/${oakPupil.id}`), 404, 'not-found');
      }
    });

    it('roles without the action get 403: writes by managers and caseworkers, reads by ADMIN', async () => {
      expectProblem(await as(managerCounty).patch(`/pupils/${oakPupil.id}`, { firstName: 'X', version: 1 }), 403, 'forbidden');
      expectProblem(await as(caseworkerCanterbury).post('/pupils', {}), 403, 'forbidden');
      expectProblem(await as(managerCounty).post(`/pupils/${oakPupil.id}/leave`, { leftOn: today, reason: 'OTHER' }), 403, 'forbidden');
      expectProblem(await as(admin).get('/pupils'), 403, 'forbidden');
      expectProblem(await as(admin).get(`/pupils/${oakPupil.id}`), 403, 'forbidden');
    });
  });

  describe('changes', () => {
    it('a PATCH changes status and needs with dated history and an audit row naming the fields', async () => {
      const pupil = await createPupil(sencoOak, oak, { senStatus: 'K', primaryNeed: 'MLD' });
      const res = await as(sencoOak).patch(`/pupils/${pupil.id}`, { senStatus: 'E', primaryNeed: 'ASD', secondaryNeed: 'MLD', version: 1 }).expect(200);
      expect(res.body).toMatchObject({ senStatus: 'E', primaryNeed: 'ASD', secondaryNeed: 'MLD', version: 2 });
      const history = await t.dataSource.query(`SELECT field, from_value, to_value, effective_on FROM pupil_history WHERE pupil_id = $1`, [pupil.id]);
      // Three rows from the creation (status, primary need, school), three from this change.
      expect(history).toHaveLength(6);
      expect(history).toEqual(
        expect.arrayContaining([
          { field: 'primaryNeed', from_value: 'MLD', to_value: 'ASD', effective_on: today },
          { field: 'secondaryNeed', from_value: null, to_value: 'MLD', effective_on: today },
          { field: 'senStatus', from_value: 'K', to_value: 'E', effective_on: today },
        ]),
      );
      const [audit] = await t.dataSource.query(`SELECT changed_fields FROM audit_event WHERE entity_id = $1 AND action = 'pupil.update'`, [pupil.id]);
      expect(audit.changed_fields).toEqual(['primaryNeed', 'secondaryNeed', 'senStatus']);

      // Back to no SEN: the needs must be cleared explicitly.
      const refused = await as(sencoOak).patch(`/pupils/${pupil.id}`, { senStatus: 'N', version: 2 });
      expectProblem(refused, 400, 'validation');
      expect(fieldsOf(refused)).toEqual(['primaryNeed', 'secondaryNeed']);
      const cleared = await as(sencoOak)
        .patch(`/pupils/${pupil.id}`, { senStatus: 'N', primaryNeed: null, secondaryNeed: null, version: 2 })
        .expect(200);
      expect(cleared.body).toMatchObject({ senStatus: 'N', primaryNeed: null, secondaryNeed: null, version: 3 });
    });

    it('names, date of birth and year group: keys kept in step, the offset re-derived, no-op PATCHes write nothing', async () => {
      const pupil = await createPupil(sencoOak, oak, { dateOfBirth: dobFor(3) });
      const renamed = await as(sencoOak)
        .patch(`/pupils/${pupil.id}`, { firstName: 'Chloé', lastName: 'Ångström' })
        .set('If-Match', '"1"')
        .expect(200);
      expect(renamed.body).toMatchObject({ firstName: 'Chloé', lastName: 'Ångström', version: 2 });
      expect(idsOf(await as(sencoOak).get('/pupils?q=chloe angs').expect(200))).toEqual([pupil.id]);

      const moved = await as(sencoOak).patch(`/pupils/${pupil.id}`, { yearGroup: 4, version: 2 }).expect(200);
      expect(moved.body).toMatchObject({ yearGroup: 4, version: 3 });
      const tooFar = await as(sencoOak).patch(`/pupils/${pupil.id}`, { yearGroup: 5, version: 3 });
      expectProblem(tooFar, 400, 'validation');
      expect(fieldsOf(tooFar)).toEqual(['yearGroup']);
      const future = await as(sencoOak).patch(`/pupils/${pupil.id}`, { dateOfBirth: addDays(today, 3), version: 3 });
      expect(fieldsOf(future)).toEqual(['dateOfBirth']);

      const audits = await auditCount();
      const same = await as(sencoOak).patch(`/pupils/${pupil.id}`, { firstName: 'Chloé', yearGroup: 4, version: 3 }).expect(200);
      expect(same.body.version).toBe(3);
      expect(await auditCount()).toBe(audits);
    });

    it('the version is required, a stale one is 409, and an unknown field or a UPN change is refused', async () => {
      const pupil = await createPupil(sencoOak, oak);
      const missing = await as(sencoOak).patch(`/pupils/${pupil.id}`, { firstName: 'New' });
      expectProblem(missing, 400, 'validation');
      expect(fieldsOf(missing)).toEqual(['version']);
      expectProblem(await as(sencoOak).patch(`/pupils/${pupil.id}`, { firstName: 'New', version: 7 }), 409, 'stale-version');
      const upn = await as(sencoOak).patch(`/pupils/${pupil.id}`, { upn: nextUpn(), version: 1 });
      expect(fieldsOf(upn)).toEqual(['upn']);
    });

    it('two PATCHes with the same version: one 200, one 409 stale-version, one change', async () => {
      const pupil = await createPupil(sencoOak, oak);
      const results = await Promise.all(
        ['First', 'Second'].map((firstName) => as(sencoOak).patch(`/pupils/${pupil.id}`, { firstName, version: 1 })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      expectProblem(results.find((r) => r.status === 409)!, 409, 'stale-version');
      const winner = results.find((r) => r.status === 200)!.body;
      const [row] = await t.dataSource.query('SELECT first_name, version FROM pupil WHERE id = $1', [pupil.id]);
      expect(row).toEqual({ first_name: winner.firstName, version: 2 });
      expect(await count(`SELECT count(*)::int AS n FROM audit_event WHERE entity_id = $1 AND action = 'pupil.update'`, [pupil.id])).toBe(1);
    });
  });

  describe('transfer', () => {
    it('the SENCO of the receiving school brings the pupil over: dated history, audit, and the old school loses sight', async () => {
      const pupil = await createPupil(sencoOak, oak, { lastName: 'Mover' });
      const res = await as(sencoBay).post(`/pupils/${pupil.id}/transfer`, { schoolId: bay, movedOn: today }).expect(200);
      expect(res.body).toMatchObject({ id: pupil.id, schoolId: bay, schoolName: 'Bayview Academy', localityId: thanet, version: 2 });
      const history = await t.dataSource.query(
        `SELECT from_value, to_value, effective_on, changed_by FROM pupil_history WHERE pupil_id = $1 AND field = 'schoolId' ORDER BY changed_at`,
        [pupil.id],
      );
      expect(history).toEqual([
        { from_value: null, to_value: oak, effective_on: today, changed_by: sencoOak.id },
        { from_value: oak, to_value: bay, effective_on: today, changed_by: sencoBay.id },
      ]);
      const [audit] = await t.dataSource.query(
        `SELECT changed_fields, actor_id, school_id FROM audit_event WHERE entity_id = $1 AND action = 'pupil.transfer'`,
        [pupil.id],
      );
      expect(audit).toEqual({ changed_fields: ['schoolId'], actor_id: sencoBay.id, school_id: bay });
      expectProblem(await as(sencoOak).get(`/pupils/${pupil.id}`), 404, 'not-found');
      await as(sencoBay).get(`/pupils/${pupil.id}`).expect(200);

      // Already there: nothing to move.
      expectProblem(await as(sencoBay).post(`/pupils/${pupil.id}/transfer`, { schoolId: bay, movedOn: today }), 409, 'invalid-transition');
    });

    it('refuses a SENCO moving a pupil into another school, bad dates, a stale version and unknown pupils', async () => {
      const pupil = await createPupil(sencoOak, oak);
      const [audits, history] = [await auditCount(), await historyCount()];
      const elsewhere = await as(sencoBay).post(`/pupils/${pupil.id}/transfer`, { schoolId: elm, movedOn: today });
      expectProblem(elsewhere, 400, 'validation');
      expect(elsewhere.body.errors).toEqual([{ field: 'schoolId', message: 'unknown school' }]);
      const future = await as(sencoBay).post(`/pupils/${pupil.id}/transfer`, { schoolId: bay, movedOn: addDays(today, 1) });
      expect(fieldsOf(future)).toEqual(['movedOn']);
      const early = await as(sencoBay).post(`/pupils/${pupil.id}/transfer`, { schoolId: bay, movedOn: addDays(today, -1) });
      expectProblem(early, 400, 'validation');
      expect(early.body.errors).toEqual([{ field: 'movedOn', message: expect.stringContaining(`must not be before ${today}`) }]);
      expectProblem(await as(sencoBay).post(`/pupils/${pupil.id}/transfer`, { schoolId: bay, movedOn: today, version: 9 }), 409, 'stale-version');
      expectProblem(await as(sencoBay).post(`/pupils/${randomUUID()}/transfer`, { schoolId: bay, movedOn: today }), 404, 'not-found');
      expect([await auditCount(), await historyCount()]).toEqual([audits, history]);
    });

    it('a caseworker moves pupils between schools of their scope only', async () => {
      const pupil = await createPupil(sencoOak, oak);
      const res = await as(caseworkerCanterbury).post(`/pupils/${pupil.id}/transfer`, { schoolId: elm, movedOn: today }).expect(200);
      expect(res.body.schoolId).toBe(elm);
      const outside = await as(caseworkerCanterbury).post(`/pupils/${pupil.id}/transfer`, { schoolId: bay, movedOn: today });
      expect(outside.body.errors).toEqual([{ field: 'schoolId', message: 'unknown school' }]);
      const bayPupil = await createPupil(sencoBay, bay);
      expectProblem(await as(caseworkerCanterbury).post(`/pupils/${bayPupil.id}/transfer`, { schoolId: oak, movedOn: today }), 404, 'not-found');
      // An East caseworker may move the Thanet pupil into Canterbury.
      await as(caseworkerEast).post(`/pupils/${bayPupil.id}/transfer`, { schoolId: oak, movedOn: today }).expect(200);
    });
  });

  describe('leaving', () => {
    it('drops out of lists unless includeLeft=true, stays readable by id, and cannot leave twice', async () => {
      const pupil = await createPupil(sencoOak, oak, { lastName: 'Leaver' });
      const res = await as(sencoOak).post(`/pupils/${pupil.id}/leave`, { leftOn: today, reason: 'MOVED_OUT_OF_AREA' }).expect(200);
      expect(res.body).toMatchObject({ leftOn: today, leaveReason: 'MOVED_OUT_OF_AREA', version: 2 });

      expect(idsOf(await as(sencoOak).get('/pupils?q=leaver').expect(200))).toEqual([]);
      expect(idsOf(await as(sencoOak).get('/pupils?q=leaver&includeLeft=true').expect(200))).toEqual([pupil.id]);
      expect((await as(sencoOak).get(`/pupils/${pupil.id}`).expect(200)).body.leftOn).toBe(today);
      expect(await t.dataSource.query(`SELECT from_value, to_value, effective_on FROM pupil_history WHERE pupil_id = $1 AND field = 'leftOn'`, [pupil.id])).toEqual([
        { from_value: null, to_value: today, effective_on: today },
      ]);
      const [audit] = await t.dataSource.query(`SELECT changed_fields FROM audit_event WHERE entity_id = $1 AND action = 'pupil.leave'`, [pupil.id]);
      expect(audit.changed_fields).toEqual(['leaveReason', 'leftOn']);

      const again = await as(sencoOak).post(`/pupils/${pupil.id}/leave`, { leftOn: today, reason: 'OTHER' });
      expectProblem(again, 409, 'invalid-transition');
      expect(again.body.detail).toContain(`left on ${today}`);
      expect(again.body).toMatchObject({ currentStatus: 'LEFT', leftOn: today, leaveReason: 'MOVED_OUT_OF_AREA' });
      expectProblem(await as(sencoBay).post(`/pupils/${pupil.id}/transfer`, { schoolId: bay, movedOn: today }), 409, 'invalid-transition');
    });

    it('refuses a future date, a date before the last change and an unknown reason', async () => {
      const pupil = await createPupil(sencoOak, oak);
      const future = await as(sencoOak).post(`/pupils/${pupil.id}/leave`, { leftOn: addDays(today, 1), reason: 'OTHER' });
      expect(fieldsOf(future)).toEqual(['leftOn']);
      const early = await as(sencoOak).post(`/pupils/${pupil.id}/leave`, { leftOn: addDays(today, -1), reason: 'OTHER' });
      expect(fieldsOf(early)).toEqual(['leftOn']);
      const reason = await as(sencoOak).post(`/pupils/${pupil.id}/leave`, { leftOn: today, reason: 'EXPELLED' });
      expect(fieldsOf(reason)).toEqual(['reason']);
      expect((await as(sencoOak).get(`/pupils/${pupil.id}`).expect(200)).body.leftOn).toBeNull();
    });
  });

  describe('access log', () => {
    let pupil: { id: string };

    beforeAll(async () => {
      pupil = await createPupil(sencoOak, oak, { lastName: 'Logged' });
      await as(sencoOak).get(`/pupils/${pupil.id}`).expect(200);
      await as(caseworkerEast).get(`/pupils/${pupil.id}`).expect(200);
    });

    it.each([
      ['a manager in scope', () => managerCanterbury],
      ['an ADMIN (county-wide)', () => admin],
    ])('%s sees who read or changed the record, newest first, with emails', async (_, user) => {
      const res = await as(user()).get(`/pupils/${pupil.id}/access-log`).expect(200);
      expect(res.body.nextCursor).toBeNull();
      expect(res.body.data).toEqual([
        { at: expect.any(String), actorId: caseworkerEast.id, actorEmail: caseworkerEast.email, actorRole: 'CASEWORKER', action: 'pupil.read' },
        { at: expect.any(String), actorId: sencoOak.id, actorEmail: sencoOak.email, actorRole: 'SENCO', action: 'pupil.read' },
        { at: expect.any(String), actorId: sencoOak.id, actorEmail: sencoOak.email, actorRole: 'SENCO', action: 'pupil.create' },
      ]);
      expect(res.body.data[0].at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      // Reading the log is not a read of the record.
      expect(await readsOf(pupil.id)).toBe(2);
    });

    it('pages and answers CSV', async () => {
      const first = await as(managerCounty).get(`/pupils/${pupil.id}/access-log?limit=2`).expect(200);
      expect(first.body.data).toHaveLength(2);
      const second = await as(managerCounty).get(`/pupils/${pupil.id}/access-log?limit=2&cursor=${first.body.nextCursor}`).expect(200);
      expect(second.body.data.map((e: { action: string }) => e.action)).toEqual(['pupil.create']);
      const csv = await as(admin).get(`/pupils/${pupil.id}/access-log`).set('Accept', 'text/csv').expect(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      expect(csv.text.split('\r\n')[0]).toBe('at,actorId,actorEmail,actorRole,action');
    });

    it('is 404 for a manager out of scope, and 403 for SENCO, CASEWORKER, PANEL and PROVIDER', async () => {
      expectProblem(await as(managerNorth).get(`/pupils/${pupil.id}/access-log`), 404, 'not-found');
      expectProblem(await as(admin).get(`/pupils/${randomUUID()}/access-log`), 404, 'not-found');
      for (const user of [sencoOak, caseworkerEast, panel, provider]) {
        expectProblem(await as(user).get(`/pupils/${pupil.id}/access-log`), 403, 'forbidden');
      }
    });
  });
});
