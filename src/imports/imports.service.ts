import type { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../access/caller';
import type { ScopeFilter } from '../access/scope-filter';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock/clock';
import { ProblemException } from '../common/problem/problem.exception';
import { csvRecords, HeaderProblem, type ColumnSpec, type CsvRecord } from './csv-records';
import { ImportErrors, type ImportError } from './import-errors';
import { checkPupilRow, PUPIL_COLUMNS, type StagedPupil } from './pupil-row';
import { checkSchoolRow, SCHOOL_COLUMNS, type StagedSchool } from './school-row';
import { checkEhcRow, EHC_COLUMNS } from './ehc-row';
import { EHC_STAGING, ehcBatchInserter, loadRules, makeImportedPlansStatusE, writeEhcSlice } from './ehc-writer';

/** Rows per multi-row INSERT into the staging table (arrays through unnest: one statement per batch). */
export const BATCH_ROWS = 1000;
/** Lines of the file written per INSERT ... SELECT from the staging table. */
export const WRITE_SLICE_LINES = 2_500;

export interface PupilImportResult {
  imported: number;
  errors: ImportError[];
}

export interface SchoolImportResult extends PupilImportResult {
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
}

/** The column lists of the staging tables, in the order of the unnest arrays. */
/** The file's UPNs by line, so that a UPN twice in the file is found across batches (and named by its first line). */
const PUPIL_STAGING = `CREATE TEMP TABLE import_pupil (line integer NOT NULL, upn text NOT NULL) ON COMMIT DROP`;
const SCHOOL_STAGING = `
  CREATE TEMP TABLE import_school (
    line integer NOT NULL, urn text, name text, phase text, kind text, locality_code text
  ) ON COMMIT DROP`;

/**
 * Bulk imports of CSV files (API.md "Imports"): all or nothing per file. The file is read as a
 * stream, each row checked by the same pure rules as the single-record routes, and sent to the
 * database in batches (one batch in the database while the next is read). Pupils: each batch is
 * checked against the database (schools, scope, duplicates in the file and on the register) and,
 * while no row of the file is bad, written at once (rows, history, audit) by the same statement.
 * Schools and EHC cases: staged in a temporary table, checked by one set-based query, then written
 * by a few INSERT ... SELECT statements. Everything happens in one transaction: any bad row rolls
 * it back and the answer lists every bad row by line and field.
 */
@Injectable()
export class ImportsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async importPupils(caller: Caller, scope: ScopeFilter, source: Readable): Promise<PupilImportResult> {
    const today = this.clock.today();
    return this.dataSource.transaction(async (manager) => {
      await manager.query(PUPIL_STAGING);
      await manager.query('CREATE INDEX ON import_pupil (upn, line)');
      const errors = new ImportErrors();
      const scopeSql = scopeCondition(scope, PUPIL_BATCH_PARAMS + 1);
      const actor = [today, caller.userId, caller.email, caller.role, caller.requestId ?? null, caller.ip ?? null];
      // The last line written: every line up to it is on the register now, so its UPN is no longer "already on the register".
      let writtenTo = 0;
      const staged = await this.stage(manager, source, PUPIL_COLUMNS, errors, (record) => {
        const { row, errors: rowErrors } = checkPupilRow(record.line, record.values, today);
        errors.addAll(record.line, rowErrors);
        return row;
      }, async (batchManager, rows) => {
        // Write the batch only while the file is clean so far (once a row is bad the batch is only checked: the import rolls back).
        const write = errors.total === 0;
        const found = (await batchManager.query(
          pupilBatchSql(scopeSql.sql),
          [...pupilBatchColumns(rows), write, writtenTo, ...actor, ...scopeSql.params],
        )) as { line: number; field: string; message: string }[];
        if (write && found.length === 0) writtenTo = rows[rows.length - 1].line;
        return found;
      });
      this.failOnErrors(errors, []);

      await this.audit.record(manager, caller, {
        action: 'import.pupils',
        entityType: 'import',
        changedFields: [],
        place: { schoolId: scope.schoolId ?? null },
      });
      return { imported: staged.rows, errors: [] };
    });
  }

  /**
   * EHC needs assessments with their past steps (issue 7): each row checked by the live steps'
   * rules (ehc-row.ts), then the pupil (by UPN, in the caller's scope), a case already open for the
   * pupil and two open cases in the file, set-based; then the cases, exceptions, plans, deadlines
   * and audit rows are written set-based (ehc-writer.ts). All or nothing.
   */
  async importEhcAssessments(caller: Caller, scope: ScopeFilter, source: Readable): Promise<PupilImportResult> {
    const today = this.clock.today();
    return this.dataSource.transaction(async (manager) => {
      await manager.query(EHC_STAGING);
      const rule = await loadRules(manager);
      const errors = new ImportErrors();
      const staged = await this.stage(manager, source, EHC_COLUMNS, errors, (record) => {
        const { row, errors: rowErrors } = checkEhcRow(record.line, record.values, today);
        errors.addAll(record.line, rowErrors);
        return row;
      }, ehcBatchInserter(rule));

      const scopeSql = scopeCondition(scope, 1);
      await manager.query('CREATE INDEX ON import_ehc (line)');
      await manager.query('ANALYZE import_ehc');
      const open = `('REQUESTED', 'ASSESSING', 'DRAFT_ISSUED')`;
      const found = (await manager.query(
        `SELECT line, field, message, count(*) OVER () AS total FROM (
           SELECT i.line, 'upn' AS field, 'unknown pupil: no pupil you may see has this UPN' AS message
             FROM import_ehc i WHERE i.upn IS NOT NULL AND NOT EXISTS (
               SELECT 1 FROM pupil p JOIN school s ON s.id = p.school_id JOIN locality l ON l.id = s.locality_id
                WHERE p.upn = i.upn AND ${scopeSql.sql})
           UNION ALL
           SELECT i.line, 'upn', 'the pupil already has an open EHC needs assessment (one open case per pupil)'
             FROM import_ehc i JOIN pupil p ON p.upn = i.upn
            WHERE i.stage IN ${open} AND EXISTS (SELECT 1 FROM ehc_assessment e WHERE e.pupil_id = p.id AND e.stage IN ${open})
           UNION ALL
           SELECT d.line, 'upn', 'a second open case for this pupil in the file (first on line ' || d.first_line || '); one open case per pupil'
             FROM (SELECT line, min(line) OVER (PARTITION BY upn) AS first_line FROM import_ehc WHERE stage IN ${open}) d
            WHERE d.line > d.first_line
           UNION ALL
           SELECT i.line, 'finalPlanIssuedOn', 'an EHC plan names the child''s assessed needs: the pupil has no primary need (other than NSA) recorded'
             FROM import_ehc i JOIN pupil p ON p.upn = i.upn
            WHERE i.final_plan_issued_on IS NOT NULL AND (p.primary_need IS NULL OR p.primary_need = 'NSA')
         ) e ORDER BY line, field LIMIT ${errors.cap}`,
        scopeSql.params,
      )) as { line: number; field: string; message: string; total: string }[];
      this.failOnErrors(errors, found);

      for (let from = 0; from < staged.lastLine; from += WRITE_SLICE_LINES) {
        await writeEhcSlice(manager, caller, from, from + WRITE_SLICE_LINES);
      }
      await makeImportedPlansStatusE(manager, caller);
      await this.audit.record(manager, caller, {
        action: 'import.ehc-assessments',
        entityType: 'import',
        changedFields: [],
        place: { localityId: scope.localityId ?? null, area: scope.area ?? null },
      });
      return { imported: staged.rows, errors: [] };
    });
  }

  /**
   * Schools from a GIAS extract: a URN not yet known is created, a known one updated (name,
   * phase, kind, locality) when anything differs: re-importing the monthly extract is the
   * normal way to keep the register of schools current. Schools missing from the file stay.
   */
  async importSchools(caller: Caller, source: Readable): Promise<SchoolImportResult> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(SCHOOL_STAGING);
      const errors = new ImportErrors();
      let skipped = 0;
      const staged = await this.stage(manager, source, SCHOOL_COLUMNS, errors, (record) => {
        const result = checkSchoolRow(record.line, record.values);
        if (result.skip) {
          skipped += 1;
          return undefined;
        }
        errors.addAll(record.line, result.errors);
        return result.row;
      }, insertSchoolBatch);

      await manager.query('ANALYZE import_school');
      const found = (await manager.query(
        `SELECT line, field, message, count(*) OVER () AS total FROM (
           SELECT i.line, 'localityCode' AS field, 'unknown locality: no locality has this code' AS message
             FROM import_school i WHERE i.locality_code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM locality l WHERE l.code = i.locality_code)
           UNION ALL
           SELECT d.line, 'URN', 'appears more than once in the file (first on line ' || d.first_line || ')'
             FROM (SELECT line, min(line) OVER (PARTITION BY urn) AS first_line FROM import_school WHERE urn IS NOT NULL) d
            WHERE d.line > d.first_line
         ) e ORDER BY line, field LIMIT ${errors.cap}`,
      )) as { line: number; field: string; message: string; total: string }[];
      this.failOnErrors(errors, found, { skipped });

      const [counts] = (await manager.query(
        `SELECT count(*) FILTER (WHERE s.id IS NULL)::int AS created,
                count(*) FILTER (WHERE s.id IS NOT NULL AND (s.name, s.phase, s.kind, s.locality_id) IS DISTINCT FROM (i.name, i.phase, i.kind, l.id))::int AS updated
           FROM import_school i JOIN locality l ON l.code = i.locality_code LEFT JOIN school s ON s.urn = i.urn`,
      )) as { created: number; updated: number }[];
      const actor = [caller.userId, caller.email, caller.role, caller.requestId ?? null, caller.ip ?? null];
      // The audit rows of the changed schools first: they name the fields that differ before the update.
      await manager.query(
        `INSERT INTO audit_event (actor_id, actor_email, actor_role, action, entity_type, entity_id, changed_fields, outcome,
                                  request_id, ip, school_id, locality_id, area)
         SELECT $1::uuid, $2, $3, 'school.update', 'school', s.id,
                array_remove(ARRAY[CASE WHEN s.kind <> i.kind THEN 'kind' END, CASE WHEN s.locality_id <> l.id THEN 'localityId' END,
                                   CASE WHEN s.name <> i.name THEN 'name' END, CASE WHEN s.phase <> i.phase THEN 'phase' END], NULL),
                'SUCCESS', $4, $5, s.id, l.id, l.area
           FROM import_school i JOIN locality l ON l.code = i.locality_code JOIN school s ON s.urn = i.urn
          WHERE (s.name, s.phase, s.kind, s.locality_id) IS DISTINCT FROM (i.name, i.phase, i.kind, l.id)`,
        actor,
      );
      await manager.query(
        `UPDATE school s SET name = i.name, phase = i.phase, kind = i.kind, locality_id = l.id, version = s.version + 1, updated_at = now()
           FROM import_school i JOIN locality l ON l.code = i.locality_code
          WHERE s.urn = i.urn AND (s.name, s.phase, s.kind, s.locality_id) IS DISTINCT FROM (i.name, i.phase, i.kind, l.id)`,
      );
      await manager.query(
        `WITH created AS (
           INSERT INTO school (urn, name, phase, kind, locality_id)
           SELECT i.urn, i.name, i.phase, i.kind, l.id
             FROM import_school i JOIN locality l ON l.code = i.locality_code
            WHERE NOT EXISTS (SELECT 1 FROM school s WHERE s.urn = i.urn)
           RETURNING id, locality_id
         )
         INSERT INTO audit_event (actor_id, actor_email, actor_role, action, entity_type, entity_id, changed_fields, outcome,
                                  request_id, ip, school_id, locality_id, area)
         SELECT $1::uuid, $2, $3, 'school.create', 'school', c.id, ARRAY['kind', 'localityId', 'name', 'phase', 'urn'],
                'SUCCESS', $4, $5, c.id, c.locality_id, l.area
           FROM created c JOIN locality l ON l.id = c.locality_id`,
        actor,
      );
      await this.audit.record(manager, caller, { action: 'import.schools', entityType: 'import', changedFields: [] });
      return {
        imported: staged.rows,
        created: counts.created,
        updated: counts.updated,
        unchanged: staged.rows - counts.created - counts.updated,
        skipped,
        errors: [],
      };
    });
  }

  /**
   * Reads the file row by row, checks each row (`check` records its errors and returns the row
   * to stage, or undefined to skip it) and hands the rows to `writeBatch` in batches, which may
   * answer the batch's bad rows found in the database. One batch is in the database while the
   * next is read and checked (app and database work side by side; the stream is read no faster
   * than that). Returns the number of rows staged and the last line read.
   */
  private async stage<T>(
    manager: EntityManager,
    source: Readable,
    columns: readonly ColumnSpec[],
    errors: ImportErrors,
    check: (record: CsvRecord) => T | undefined,
    writeBatch: (manager: EntityManager, rows: T[]) => Promise<ImportError[] | void>,
  ): Promise<{ rows: number; lastLine: number }> {
    let batch: T[] = [];
    let inFlight: Promise<void> | undefined;
    // Waits for the batch in the database and adds the bad rows it found.
    const settle = async () => {
      const pending = inFlight;
      inFlight = undefined;
      if (pending) await pending;
    };
    const send = async () => {
      await settle();
      const rows = batch;
      batch = [];
      inFlight = writeBatch(manager, rows).then((found) => {
        if (found?.length) errors.merge(found.map(({ line, field, message }) => ({ line: Number(line), field, message })), found.length);
      });
      // Awaited by the next settle(); this only keeps a failure from counting as unhandled meanwhile.
      inFlight.catch(() => undefined);
    };
    let staged = 0;
    let rows = 0;
    let lastLine = 0;
    try {
      for await (const record of csvRecords(source, columns, errors)) {
        rows += 1;
        lastLine = record.line;
        const row = check(record);
        if (row === undefined) continue;
        batch.push(row);
        staged += 1;
        if (batch.length >= BATCH_ROWS) await send();
      }
      if (batch.length) await send();
      await settle();
    } catch (error) {
      // The transaction's connection must be free before the rollback.
      await settle().catch(() => undefined);
      if (error instanceof HeaderProblem) throw importProblem(error.errors, error.errors.length, 'the header row of the file is not right');
      throw error;
    }
    if (rows === 0 && errors.total === 0) {
      throw importProblem([{ line: 2, field: 'file', message: 'has a header row but no rows to import' }], 1, 'the file has no rows');
    }
    return { rows: staged, lastLine };
  }

  /** Any bad row found by the row checks or the database checks: nothing is written (the transaction rolls back). */
  private failOnErrors(errors: ImportErrors, found: { line: number; field: string; message: string; total: string }[], extra = {}): void {
    errors.merge(
      found.map(({ line, field, message }) => ({ line: Number(line), field, message })),
      found.length ? Number(found[0].total) : 0,
    );
    if (errors.total === 0) return;
    throw importProblem(errors.listed, errors.total, undefined, { ...extra, truncated: errors.truncated });
  }
}

/**
 * The 400 answer of a refused file: a /problems/validation problem carrying API.md's import
 * result, `imported: 0` and `errors: [{line, field, message}]`, plus `errorCount` (every bad
 * row is counted; the first MAX_LISTED_ERRORS by line are listed, with `truncated: true` if more).
 */
export function importProblem(errors: ImportError[], total: number, detail?: string, extensions: Record<string, unknown> = {}): ProblemException {
  const summary =
    detail ?? `${total} ${total === 1 ? 'problem' : 'problems'} in the file (first on line ${errors[0]?.line}); nothing was imported`;
  return new ProblemException('validation', summary, errors, { imported: 0, errorCount: total, ...extensions });
}

/** The caller's scope over `school s JOIN locality l`, as SQL with numbered parameters from `first`. */
function scopeCondition(scope: ScopeFilter, first: number): { sql: string; params: unknown[] } {
  if (scope.nothing || scope.caseload || scope.organisationId || scope.userId) return { sql: 'false', params: [] };
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (column: string, value: string | undefined) => {
    if (value === undefined) return;
    params.push(value);
    parts.push(`${column} = $${first + params.length - 1}`);
  };
  add('s.id', scope.schoolId);
  add('s.locality_id', scope.localityId);
  add('l.area', scope.area);
  return { sql: parts.length ? parts.join(' AND ') : 'true', params };
}

/** The parameters of a pupil batch before the scope's: 12 column arrays, write, writtenTo, and the actor's 6. */
const PUPIL_BATCH_PARAMS = 20;

function pupilBatchColumns(rows: StagedPupil[]): unknown[][] {
  const column = <K extends keyof StagedPupil>(key: K) => rows.map((row) => row[key]);
  return [
    column('line'),
    column('upn'),
    column('firstName'),
    column('lastName'),
    column('firstNameKey'),
    column('lastNameKey'),
    column('dateOfBirth'),
    column('yearOffset'),
    column('schoolUrn'),
    column('senStatus'),
    column('primaryNeed'),
    column('secondaryNeed'),
  ];
}

/**
 * One statement per batch of pupil rows: stages the batch's UPNs, finds the batch's rows that are
 * bad against the database (school unknown or out of scope, UPN twice in the file, UPN already on
 * the register) and, when asked to write ($13) and none is, writes the batch's pupils, their
 * first history rows and pupil.create audit rows (as POST /pupils does). Answers the bad rows.
 * $14: the last line already written (those UPNs are this file's, not the register's).
 * Statements see the database as it was when they began, so the checks never see this batch's own writes.
 */
function pupilBatchSql(scope: string): string {
  return `
    WITH input AS (
      SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[], $8::smallint[],
                           $9::text[], $10::text[], $11::text[], $12::text[])
        AS i(line, upn, first_name, last_name, first_name_key, last_name_key, date_of_birth, year_offset, school_urn, sen_status,
             primary_need, secondary_need)
    ), staged AS (
      INSERT INTO import_pupil (line, upn) SELECT line, upn FROM input WHERE upn IS NOT NULL
    ), bad AS (
      SELECT i.line, 'schoolUrn' AS field, 'unknown school: no school has this URN' AS message
        FROM input i WHERE i.school_urn IS NOT NULL AND NOT EXISTS (SELECT 1 FROM school s WHERE s.urn = i.school_urn)
      UNION ALL
      SELECT i.line, 'schoolUrn', 'is not a school you may import pupils for (a SENCO imports pupils of their own school only)'
        FROM input i JOIN school s ON s.urn = i.school_urn JOIN locality l ON l.id = s.locality_id
       WHERE NOT (${scope})
      UNION ALL
      SELECT d.line, 'upn', 'appears more than once in the file (first on line ' || d.first_line || ')'
        FROM (SELECT i.line, least(min(i.line) OVER (PARTITION BY i.upn),
                                   (SELECT min(e.line) FROM import_pupil e WHERE e.upn = i.upn)) AS first_line
                FROM input i WHERE i.upn IS NOT NULL) d
       WHERE d.line > d.first_line
      UNION ALL
      SELECT i.line, 'upn', 'is already on the register (a pupil with this UPN exists)'
        FROM input i
       WHERE i.upn IS NOT NULL AND EXISTS (SELECT 1 FROM pupil p WHERE p.upn = i.upn)
         AND NOT EXISTS (SELECT 1 FROM import_pupil e WHERE e.upn = i.upn AND e.line <= $14)
    ), created AS (
      INSERT INTO pupil (upn, first_name, last_name, first_name_key, last_name_key, date_of_birth, school_id, year_offset,
                         sen_status, primary_need, secondary_need)
      SELECT i.upn, i.first_name, i.last_name, i.first_name_key, i.last_name_key, i.date_of_birth, s.id, i.year_offset,
             i.sen_status, i.primary_need, i.secondary_need
        FROM input i JOIN school s ON s.urn = i.school_urn
       WHERE $13::boolean AND NOT EXISTS (SELECT 1 FROM bad)
      RETURNING id, school_id, year_offset, sen_status, primary_need, secondary_need
    ), history AS (
      -- The register's first entries, as POST /pupils writes them: status, needs and school as from today.
      INSERT INTO pupil_history (pupil_id, field, from_value, to_value, effective_on, changed_by)
      SELECT c.id, h.field, NULL, h.to_value, $15::date, $16::uuid
        FROM created c
       CROSS JOIN LATERAL (VALUES (1, 'senStatus', c.sen_status), (2, 'primaryNeed', c.primary_need),
                                  (3, 'secondaryNeed', c.secondary_need), (4, 'schoolId', c.school_id::text)) AS h(n, field, to_value)
       WHERE h.to_value IS NOT NULL
    ), audited AS (
      INSERT INTO audit_event (actor_id, actor_email, actor_role, action, entity_type, entity_id, changed_fields, outcome,
                               request_id, ip, school_id, locality_id, area, pupil_id)
      SELECT $16::uuid, $17, $18, 'pupil.create', 'pupil', c.id,
             -- The fields set, sorted, as POST /pupils records them.
             array_remove(ARRAY['dateOfBirth', 'firstName', 'lastName',
                                CASE WHEN c.primary_need IS NOT NULL THEN 'primaryNeed' END, 'schoolId',
                                CASE WHEN c.secondary_need IS NOT NULL THEN 'secondaryNeed' END, 'senStatus', 'upn',
                                CASE WHEN c.year_offset <> 0 THEN 'yearGroup' END], NULL),
             'SUCCESS', $19, $20, c.school_id, s.locality_id, l.area, c.id
        FROM created c JOIN school s ON s.id = c.school_id JOIN locality l ON l.id = s.locality_id
    )
    SELECT line, field, message FROM bad ORDER BY line, field, message`;
}

async function insertSchoolBatch(manager: EntityManager, rows: StagedSchool[]): Promise<void> {
  const column = <K extends keyof StagedSchool>(key: K) => rows.map((row) => row[key]);
  await manager.query(
    `INSERT INTO import_school SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])`,
    [column('line'), column('urn'), column('name'), column('phase'), column('kind'), column('localityCode')],
  );
}
