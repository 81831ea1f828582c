import { academicYearStart, todayInLondon } from '../src/common/dates/calendar-date';
import { BATCH_ROWS } from '../src/imports/imports.service';
import { upnCheckLetter } from '../src/pupils/upn';
import { createUser, type TestUser } from './support/auth';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * Bulk imports (API.md "Imports"): CSV bodies or multipart uploads, all or nothing per file,
 * every bad row listed by line and field, nothing written on a refused file.
 */
describe('imports', () => {
  let t: TestApp;
  let admin: TestUser;
  let senco: TestUser;
  let localityId: string;
  let schoolA: { id: string; urn: string };
  let schoolB: { id: string; urn: string };
  // Room for the files of several batches (BATCH_ROWS rows each).
  const LIMIT = 400_000;

  const today = todayInLondon();
  const academicYear = Number(academicYearStart(today).slice(0, 4));
  /** A date of birth in the middle of the cohort that is in `yearGroup` this academic year. */
  const dobFor = (yearGroup: number) => `${academicYear - 4 - yearGroup}-01-15`;
  let serial = 0;
  const nextUpn = () => {
    const body = `8863001${String((serial += 1)).padStart(5, '0')}`;
    return `${upnCheckLetter(body)}${body}`;
  };
  const HEADER = 'upn,firstName,lastName,dateOfBirth,yearGroup,schoolUrn,senStatus,primaryNeed,secondaryNeed';

  const count = async (table: string) => Number((await t.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n);
  const counts = async () => ({
    pupil: await count('pupil'),
    history: await count('pupil_history'),
    audit: await count('audit_event'),
    school: await count('school'),
  });
  const postCsv = (user: TestUser, what: 'pupils' | 'schools', csv: string | Buffer, type = 'text/csv') =>
    t.http().post(`/api/v1/imports/${what}`).set('Authorization', user.bearer).set('Content-Type', type).send(csv);

  beforeAll(async () => {
    t = await createTestApp({ importMaxBytes: LIMIT });
    const [locality] = await t.dataSource.query(
      `INSERT INTO locality (code, name, area, district) VALUES ('IMP-1', 'Import locality', 'North', 'Dartford') RETURNING id`,
    );
    localityId = locality.id;
    await t.dataSource.query(`INSERT INTO locality (code, name, area, district) VALUES ('IMP-2', 'Second locality', 'South', 'Ashford')`);
    const school = async (urn: string) =>
      (
        await t.dataSource.query(
          `INSERT INTO school (urn, name, phase, kind, locality_id) VALUES ($1, 'School ' || $1, 'PRIMARY', 'MAINSTREAM', $2) RETURNING id, urn`,
          [urn, localityId],
        )
      )[0];
    schoolA = await school('700001');
    schoolB = await school('700002');
    admin = await createUser(t, 'ADMIN');
    senco = await createUser(t, 'SENCO', { schoolId: schoolA.id });
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('POST /imports/pupils', () => {
    it('imports every row: pupils, their first history rows, an audit row each and one for the import', async () => {
      const before = await counts();
      const upns = [nextUpn(), nextUpn(), nextUpn()];
      const csv = [
        HEADER,
        `${upns[0]},Zoë,Okafor,${dobFor(3)},,${schoolA.urn},K,SLCN,SEMH`,
        `${upns[1].toLowerCase()},"Smith, Jr",O’Brien,${dobFor(5)},6,${schoolB.urn},E,ASD,`,
        `${upns[2]},Sam,Lee,${dobFor(1)},,${schoolA.urn},N,,`,
      ].join('\n');
      const res = await postCsv(admin, 'pupils', csv);
      expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { imported: 3, errors: [] } });

      const rows = await t.dataSource.query(
        `SELECT upn, first_name, last_name, first_name_key, last_name_key, date_of_birth, year_offset, sen_status, primary_need, secondary_need, school_id
           FROM pupil WHERE upn = ANY($1) ORDER BY upn`,
        [upns],
      );
      expect(rows).toHaveLength(3);
      const second = rows.find((r: { upn: string }) => r.upn === upns[1]);
      expect(second).toMatchObject({
        first_name: 'Smith, Jr',
        last_name: 'O’Brien',
        last_name_key: 'obrien',
        year_offset: 1,
        sen_status: 'E',
        primary_need: 'ASD',
        secondary_need: null,
        school_id: schoolB.id,
      });
      const history = await t.dataSource.query(
        `SELECT p.upn, h.field, h.from_value, h.to_value, h.effective_on, h.changed_by FROM pupil_history h JOIN pupil p ON p.id = h.pupil_id
          WHERE p.upn = $1 ORDER BY h.field`,
        [upns[0]],
      );
      expect(history.map((h: { field: string; to_value: string }) => [h.field, h.to_value])).toEqual([
        ['primaryNeed', 'SLCN'],
        ['schoolId', schoolA.id],
        ['secondaryNeed', 'SEMH'],
        ['senStatus', 'K'],
      ]);
      expect(history.every((h: { from_value: null; effective_on: string; changed_by: string }) => h.from_value === null && h.effective_on === today && h.changed_by === admin.id)).toBe(true);
      // N: no need rows (from null to null is not a change).
      const after = await counts();
      expect(after.history - before.history).toBe(4 + 3 + 2);

      const audit = await t.dataSource.query(
        `SELECT a.action, a.changed_fields, a.actor_id, a.school_id, a.locality_id, a.area, a.pupil_id = p.id AS about_pupil
           FROM audit_event a JOIN pupil p ON p.id = a.entity_id WHERE a.action = 'pupil.create' AND p.upn = ANY($1) ORDER BY p.upn`,
        [upns],
      );
      expect(audit).toHaveLength(3);
      const byUpn = Object.fromEntries(
        (await t.dataSource.query(`SELECT id, upn FROM pupil WHERE upn = ANY($1)`, [upns])).map((p: { id: string; upn: string }) => [p.upn, p.id]),
      );
      const fieldsOf = async (upn: string) =>
        (await t.dataSource.query(`SELECT changed_fields FROM audit_event WHERE action = 'pupil.create' AND entity_id = $1`, [byUpn[upn]]))[0].changed_fields;
      expect(await fieldsOf(upns[0])).toEqual(['dateOfBirth', 'firstName', 'lastName', 'primaryNeed', 'schoolId', 'secondaryNeed', 'senStatus', 'upn']);
      expect(await fieldsOf(upns[1])).toEqual(['dateOfBirth', 'firstName', 'lastName', 'primaryNeed', 'schoolId', 'senStatus', 'upn', 'yearGroup']);
      expect(audit.every((a: { actor_id: string; locality_id: string; area: string; about_pupil: boolean }) => a.actor_id === admin.id && a.locality_id === localityId && a.area === 'North' && a.about_pupil)).toBe(true);
      const [importRow] = await t.dataSource.query(`SELECT * FROM audit_event WHERE action = 'import.pupils' ORDER BY at DESC LIMIT 1`);
      expect(importRow).toMatchObject({ entity_type: 'import', entity_id: null, changed_fields: [], actor_id: admin.id, outcome: 'SUCCESS' });
      expect(after.audit - before.audit).toBe(4);

      // The pupil reads back through the API with the year group asked for (an out-of-year offset).
      const list = await t.http().get(`/api/v1/pupils?q=${upns[1]}`).set('Authorization', (await createUser(t, 'CASEWORKER')).bearer);
      expect(list.body.data[0]).toMatchObject({ upn: upns[1], yearGroup: 6, senStatus: 'E' });
    });

    it('lists every bad row by line and field and writes nothing', async () => {
      const existing = nextUpn();
      expect((await postCsv(admin, 'pupils', `${HEADER}\n${existing},Al,Ready,${dobFor(4)},,${schoolA.urn},K,MLD,`)).status).toBe(200);
      const before = await counts();
      const good = nextUpn();
      const dup = nextUpn();
      const valid = nextUpn();
      const wrong = `${valid[0] === 'A' ? 'B' : 'A'}${valid.slice(1)}`;
      const csv = [
        HEADER, //                                                                   line 1
        `${good},Good,Row,${dobFor(2)},,${schoolA.urn},K,SPLD,`, //                  line 2: fine
        `${wrong},Bad,Check,${dobFor(2)},,${schoolA.urn},K,SPLD,`, //                 line 3: upn check letter
        `${nextUpn()},Unknown,School,${dobFor(2)},,999999,K,SPLD,`, //              line 4: schoolUrn
        `${dup},First,Copy,${dobFor(2)},,${schoolA.urn},K,SPLD,`, //                 line 5: fine
        `${dup},Second,Copy,${dobFor(2)},,${schoolA.urn},K,SPLD,`, //                line 6: upn duplicate in file
        `${existing},Already,There,${dobFor(2)},,${schoolA.urn},K,SPLD,`, //         line 7: upn on the register
        `${nextUpn()},Bad,Date,2025-02-30,,${schoolA.urn},K,SPLD,`, //               line 8: dateOfBirth
        `${nextUpn()},Bad,Need,${dobFor(2)},,${schoolA.urn},K,XYZ,`, //              line 9: primaryNeed
        `${nextUpn()},Wrong,Year,${dobFor(2)},7,${schoolA.urn},K,SPLD,`, //          line 10: yearGroup
        `${nextUpn()},Two,Problems,${dobFor(2)},,12345,N,SPLD,`, //                  line 11: schoolUrn and primaryNeed
      ].join('\r\n');
      const res = await postCsv(admin, 'pupils', csv);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ type: '/problems/validation', status: 400, imported: 0, errorCount: 9, truncated: false });
      const listed = res.body.errors.map((e: { line: number; field: string }) => `${e.line}:${e.field}`).sort();
      expect(listed).toEqual(['10:yearGroup', '11:primaryNeed', '11:schoolUrn', '3:upn', '4:schoolUrn', '6:upn', '7:upn', '8:dateOfBirth', '9:primaryNeed'].sort());
      expect(res.body.errors.map((e: { line: number }) => e.line)).toEqual([3, 4, 6, 7, 8, 9, 10, 11, 11]);
      const messages = Object.fromEntries(res.body.errors.map((e: { line: number; field: string; message: string }) => [`${e.line}:${e.field}`, e.message]));
      expect(messages['6:upn']).toMatch(/more than once in the file \(first on line 5\)/);
      expect(messages['7:upn']).toMatch(/already on the register/);
      expect(messages['4:schoolUrn']).toMatch(/unknown school/);
      expect(messages['11:schoolUrn']).toMatch(/6-digit/);
      expect(await counts()).toEqual(before);
      expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM pupil WHERE upn = $1`, [good]))[0].n).toBe(0);
    });

    it('refuses a SENCO\'s row for another school (schoolUrn) and imports nothing; their own school imports', async () => {
      const before = await counts();
      const csv = [HEADER, `${nextUpn()},Own,School,${dobFor(4)},,${schoolA.urn},K,SPLD,`, `${nextUpn()},Other,School,${dobFor(4)},,${schoolB.urn},K,SPLD,`].join('\n');
      const res = await postCsv(senco, 'pupils', csv);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ line: 3, field: 'schoolUrn', message: expect.stringMatching(/their own school/) }]);
      expect(await counts()).toEqual(before);

      const ok = await postCsv(senco, 'pupils', [HEADER, `${nextUpn()},Own,School,${dobFor(4)},,${schoolA.urn},K,SPLD,`].join('\n'));
      expect(ok.body).toEqual({ imported: 1, errors: [] });
      const [row] = await t.dataSource.query(`SELECT actor_role, school_id FROM audit_event WHERE action = 'import.pupils' ORDER BY at DESC LIMIT 1`);
      expect(row).toEqual({ actor_role: 'SENCO', school_id: schoolA.id });
    });

    it('accepts a multipart upload in the field "file", a UTF-8 byte-order mark, CRLF and quoted fields', async () => {
      const upn = nextUpn();
      const csv = `\ufeff${HEADER}\r\n"${upn}","Anne, Marie","O""Neil",${dobFor(6)},,"${schoolA.urn}",K,HI,\r\n`;
      const res = await t
        .http()
        .post('/api/v1/imports/pupils')
        .set('Authorization', admin.bearer)
        .attach('file', Buffer.from(csv, 'utf8'), { filename: 'pupils.csv', contentType: 'text/csv' });
      expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { imported: 1, errors: [] } });
      const [row] = await t.dataSource.query(`SELECT first_name, last_name FROM pupil WHERE upn = $1`, [upn]);
      expect(row).toEqual({ first_name: 'Anne, Marie', last_name: 'O"Neil' });

      const wrongField = await t
        .http()
        .post('/api/v1/imports/pupils')
        .set('Authorization', admin.bearer)
        .attach('upload', Buffer.from(csv, 'utf8'), { filename: 'pupils.csv', contentType: 'text/csv' });
      expect(wrongField.status).toBe(400);
      expect(wrongField.body.errors[0].field).toBe('file');
    });

    describe('a file of several batches (rows are checked, and written while the file is clean, batch by batch)', () => {
      const ROWS = 2 * BATCH_ROWS + 10;
      const LAST = ROWS + 1; // the header is line 1
      /** `ROWS` good rows with fresh UPNs; `change(line, upn)` may give a row's cells instead. */
      const bigFile = (change: (line: number, upn: string) => string | undefined = () => undefined) => {
        const lines = [HEADER];
        for (let line = 2; line <= LAST; line += 1) {
          const upn = nextUpn();
          lines.push(change(line, upn) ?? `${upn},Many,Rows,${dobFor(line % 12)},,${line % 2 ? schoolA.urn : schoolB.urn},K,SPLD,`);
        }
        return lines.join('\n');
      };

      it('writes nothing when only the last line is bad, after earlier batches were written', async () => {
        const before = await counts();
        const res = await postCsv(admin, 'pupils', bigFile((line, upn) => (line === LAST ? `${upn},Last,Row,2025-02-30,,${schoolA.urn},K,SPLD,` : undefined)));
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ imported: 0, errorCount: 1, errors: [{ line: LAST, field: 'dateOfBirth', message: expect.any(String) }] });
        expect(await counts()).toEqual(before);
      });

      it('names a UPN written by an earlier batch of the same file as a duplicate in the file (first line), not as already on the register', async () => {
        const before = await counts();
        let first = '';
        const res = await postCsv(admin, 'pupils', bigFile((line, upn) => {
          if (line === 2) first = upn;
          return line === LAST ? `${first},Second,Copy,${dobFor(3)},,${schoolA.urn},K,SPLD,` : undefined;
        }));
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ errorCount: 1, errors: [{ line: LAST, field: 'upn', message: 'appears more than once in the file (first on line 2)' }] });
        expect(await counts()).toEqual(before);
      });

      it('reports every bad row by exact line once one is bad: duplicates within and across batches, the register, unknown schools', async () => {
        const existing = nextUpn();
        expect((await postCsv(admin, 'pupils', `${HEADER}\n${existing},Al,Ready,${dobFor(4)},,${schoolA.urn},K,MLD,`)).status).toBe(200);
        const before = await counts();
        const mid = BATCH_ROWS + 100; // in the second batch
        const upns: Record<number, string> = {};
        const res = await postCsv(admin, 'pupils', bigFile((line, upn) => {
          upns[line] = upn;
          const row = (u: string, urn = schoolA.urn) => `${u},Some,Row,${dobFor(5)},,${urn},K,SPLD,`;
          if (line === 5) return row(upn, '999999'); //            unknown school (first batch: nothing is written from here on)
          if (line === 7) return row(upns[6]); //                  duplicate within a batch
          if (line === mid) return row(existing); //               on the register
          if (line === mid + 1) return row(existing); //           on the register, and a duplicate in the file
          if (line === LAST - 1) return row(upns[3]); //           duplicate of a line two batches before
          if (line === LAST) return `${upn},Bad,Need,${dobFor(5)},,${schoolA.urn},K,XYZ,`;
          return undefined;
        }));
        expect(res.status).toBe(400);
        expect(res.body.errors).toEqual([
          { line: 5, field: 'schoolUrn', message: 'unknown school: no school has this URN' },
          { line: 7, field: 'upn', message: 'appears more than once in the file (first on line 6)' },
          { line: mid, field: 'upn', message: 'is already on the register (a pupil with this UPN exists)' },
          { line: mid + 1, field: 'upn', message: `appears more than once in the file (first on line ${mid})` },
          { line: mid + 1, field: 'upn', message: 'is already on the register (a pupil with this UPN exists)' },
          { line: LAST - 1, field: 'upn', message: 'appears more than once in the file (first on line 3)' },
          { line: LAST, field: 'primaryNeed', message: expect.any(String) },
        ]);
        expect(res.body.errorCount).toBe(7);
        expect(await counts()).toEqual(before);
      });

      it('imports a clean file of several batches whole', async () => {
        const before = await counts();
        const res = await postCsv(admin, 'pupils', bigFile());
        expect(res.body).toEqual({ imported: ROWS, errors: [] });
        const after = await counts();
        expect({ pupil: after.pupil - before.pupil, history: after.history - before.history, audit: after.audit - before.audit }).toEqual({
          pupil: ROWS,
          history: 3 * ROWS, // status, primary need and school
          audit: ROWS + 1,
        });
      });
    });

    it('reports line numbers counting the lines inside quoted cells (of a column it ignores)', async () => {
      const csv = [
        `${HEADER},note`,
        `${nextUpn()},Two,Lines,${dobFor(2)},,${schoolA.urn},K,SPLD,,"a note\non two lines"`,
        `${nextUpn()},Bad,Need,${dobFor(2)},,${schoolA.urn},K,NOPE,,`,
      ].join('\n');
      const res = await postCsv(admin, 'pupils', csv);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ line: 4, field: 'primaryNeed', message: expect.any(String) }]);
    });

    it('refuses an empty file, a header with no rows, and a missing header naming it', async () => {
      const empty = await postCsv(admin, 'pupils', '');
      expect(empty.status).toBe(400);
      expect(empty.body).toMatchObject({ type: '/problems/validation', imported: 0 });
      const headerOnly = await postCsv(admin, 'pupils', `${HEADER}\r\n`);
      expect(headerOnly.status).toBe(400);
      expect(headerOnly.body.errors).toEqual([{ line: 2, field: 'file', message: expect.stringMatching(/no rows/) }]);
      const missing = await postCsv(admin, 'pupils', `upn,firstName,lastName,yearGroup,schoolUrn,senStatus\n${nextUpn()},A,B,,${schoolA.urn},N\n`);
      expect(missing.status).toBe(400);
      expect(missing.body.errors).toEqual([{ line: 1, field: 'dateOfBirth', message: expect.stringMatching(/required column/) }]);
      const ragged = await postCsv(admin, 'pupils', `${HEADER}\n${nextUpn()},A,B\n`);
      expect(ragged.status).toBe(400);
      expect(ragged.body.errors).toEqual([{ line: 2, field: 'row', message: expect.stringMatching(/3 cells/) }]);
    });

    it('answers 415 to another content type, and keeps JSON-only routes refusing text/csv and multipart', async () => {
      const json = await t.http().post('/api/v1/imports/pupils').set('Authorization', admin.bearer).send({ upn: 'x' });
      expect(json.status).toBe(415);
      expect(json.body.type).toBe('/problems/unsupported-media-type');
      const xml = await postCsv(admin, 'pupils', '<pupils/>', 'application/xml');
      expect(xml.status).toBe(415);
      const csvElsewhere = await postCsv(admin, 'schools', 'x').then(() =>
        t.http().post('/api/v1/localities').set('Authorization', admin.bearer).set('Content-Type', 'text/csv').send('code,name'),
      );
      expect({ status: csvElsewhere.status, type: csvElsewhere.body.type }).toEqual({ status: 415, type: '/problems/unsupported-media-type' });
      const multipartElsewhere = await t
        .http()
        .post('/api/v1/localities')
        .set('Authorization', admin.bearer)
        .attach('file', Buffer.from('code,name\n'), { filename: 'x.csv', contentType: 'text/csv' });
      expect({ status: multipartElsewhere.status, type: multipartElsewhere.body.type }).toEqual({ status: 415, type: '/problems/unsupported-media-type' });
    });

    it('answers 413 beyond IMPORT_MAX_BYTES, as a body or a multipart file, and writes nothing', async () => {
      const before = await counts();
      const row = `${nextUpn()},Big,File,${dobFor(2)},,${schoolA.urn},K,SPLD,`;
      const big = `${HEADER}\n${`${row}\n`.repeat(Math.ceil(LIMIT / row.length) + 10)}`;
      const res = await postCsv(admin, 'pupils', big);
      expect({ status: res.status, type: res.body.type }).toEqual({ status: 413, type: '/problems/payload-too-large' });
      const upload = await t
        .http()
        .post('/api/v1/imports/pupils')
        .set('Authorization', admin.bearer)
        .attach('file', Buffer.from(big), { filename: 'big.csv', contentType: 'text/csv' });
      expect({ status: upload.status, type: upload.body.type }).toEqual({ status: 413, type: '/problems/payload-too-large' });
      expect(await counts()).toEqual(before);
    });
  });

  describe('POST /imports/schools', () => {
    const GIAS = 'URN,LA (code),EstablishmentName,TypeOfEstablishment (name),EstablishmentStatus (name),PhaseOfEducation (name),StatutoryLowAge,StatutoryHighAge,localityCode';

    it('creates new schools and updates known ones from a GIAS extract, skipping those outside the register', async () => {
      const before = await counts();
      const csv = [
        GIAS,
        `800001,886,Oak Primary School,Community school,Open,Primary,4,11,IMP-1`,
        `800002,886,"Hill, The Grammar School",Academy converter,Open,Secondary,11,18,imp-2`,
        `800003,886,Brook Special School,Community special school,Open,Not applicable,3,19,IMP-1`,
        `800004,886,Riverside PRU,Pupil referral unit,Open,Not applicable,11,16,IMP-1`,
        `800005,886,Kent Prep,Other independent school,Open,All-through,3,18,IMP-2`,
        `800006,886,Middle School,Foundation school,Open,Middle deemed secondary,9,13,IMP-1`,
        `800007,886,Little Acorns Nursery,Local authority nursery school,Open,Nursery,2,5,IMP-1`,
        `800008,886,Old School,Community school,Closed,Primary,4,11,IMP-1`,
        `800009,886,Town College,Further education,Open,16 plus,16,99,IMP-1`,
        `${schoolB.urn},886,Renamed School B,Academy converter,Open,Primary,4,11,IMP-2`,
        `${schoolA.urn},886,School ${schoolA.urn},Community school,Open,Primary,4,11,IMP-1`,
      ].join('\r\n');
      const res = await postCsv(admin, 'schools', csv);
      expect({ status: res.status, body: res.body }).toEqual({
        status: 200,
        body: { imported: 8, created: 6, updated: 1, unchanged: 1, skipped: 3, errors: [] },
      });
      const rows = await t.dataSource.query(
        `SELECT s.urn, s.name, s.phase, s.kind, l.code FROM school s JOIN locality l ON l.id = s.locality_id WHERE s.urn LIKE '8%' ORDER BY s.urn`,
      );
      expect(rows.map((r: Record<string, string>) => [r.urn, r.phase, r.kind, r.code])).toEqual([
        ['800001', 'PRIMARY', 'MAINSTREAM', 'IMP-1'],
        ['800002', 'SECONDARY', 'MAINSTREAM', 'IMP-2'],
        ['800003', 'ALL_THROUGH', 'SPECIAL', 'IMP-1'],
        ['800004', 'SECONDARY', 'PRU', 'IMP-1'],
        ['800005', 'ALL_THROUGH', 'INDEPENDENT', 'IMP-2'],
        ['800006', 'MIDDLE', 'MAINSTREAM', 'IMP-1'],
      ]);
      expect(rows[1].name).toBe('Hill, The Grammar School');
      const [b] = await t.dataSource.query(`SELECT s.name, s.version, l.code FROM school s JOIN locality l ON l.id = s.locality_id WHERE s.id = $1`, [schoolB.id]);
      expect(b).toEqual({ name: 'Renamed School B', version: 2, code: 'IMP-2' });
      const [a] = await t.dataSource.query(`SELECT version FROM school WHERE id = $1`, [schoolA.id]);
      expect(a.version).toBe(1);
      const [update] = await t.dataSource.query(`SELECT changed_fields, area FROM audit_event WHERE action = 'school.update' AND entity_id = $1`, [schoolB.id]);
      expect(update).toEqual({ changed_fields: ['localityId', 'name'], area: 'South' });
      const after = await counts();
      expect(after.school - before.school).toBe(6);
      expect(after.audit - before.audit).toBe(6 + 1 + 1);
      expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_event WHERE action = 'import.schools'`))[0].n).toBe(1);

      // Re-importing the same extract changes nothing.
      const again = await postCsv(admin, 'schools', csv);
      expect(again.body).toEqual({ imported: 8, created: 0, updated: 0, unchanged: 8, skipped: 3, errors: [] });
    });

    it('lists every bad row (unknown locality, duplicate URN, unknown phase or type) and writes nothing', async () => {
      const before = await counts();
      const csv = [
        GIAS,
        `810001,886,Fine School,Community school,Open,Primary,4,11,IMP-1`,
        `810002,886,Nowhere School,Community school,Open,Primary,4,11,NOPE-9`,
        `810001,886,Twice School,Community school,Open,Primary,4,11,IMP-1`,
        `810003,886,Odd Phase,Community school,Open,Kindergarten,4,11,IMP-1`,
        `810004,886,Odd Type,Space academy,Open,Primary,4,11,IMP-1`,
        `81000X,886,,Community school,Open,Primary,4,11,IMP-1`,
      ].join('\n');
      const res = await postCsv(admin, 'schools', csv);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { line: number; field: string }) => `${e.line}:${e.field}`)).toEqual([
        '3:localityCode',
        '4:URN',
        '5:PhaseOfEducation (name)',
        '6:TypeOfEstablishment (name)',
        '7:EstablishmentName',
        '7:URN',
      ]);
      expect(await counts()).toEqual(before);
    });

    it('names a missing GIAS header, and is for ADMIN only', async () => {
      const res = await postCsv(admin, 'schools', 'URN,EstablishmentName,localityCode\n810010,X,IMP-1\n');
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['PhaseOfEducation (name)', 'TypeOfEstablishment (name)']);
      const refused = await postCsv(senco, 'schools', `${GIAS}\n810011,886,X,Community school,Open,Primary,4,11,IMP-1\n`);
      expect(refused.status).toBe(403);
    });
  });

  it('documents both routes in OpenAPI: CSV or multipart bodies, the result and the refused-file problem', async () => {
    const doc = (await t.http().get('/docs-json')).body;
    for (const path of ['/api/v1/imports/pupils', '/api/v1/imports/schools']) {
      const op = doc.paths[path].post;
      expect(Object.keys(op.requestBody.content).sort()).toEqual(['multipart/form-data', 'text/csv']);
      expect(op.requestBody.content['text/csv'].schema).toMatchObject({ type: 'string', format: 'binary' });
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '413', '415']));
    }
    expect(doc.components.schemas.ImportProblemDto.properties).toHaveProperty('errorCount');
  });
});
