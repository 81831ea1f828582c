import { randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../access/caller';
import type { ScopeFilter } from '../access/scope-filter';
import { AccessLogWriter } from '../audit/access-log-writer';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock/clock';
import { ProblemException } from '../common/problem/problem.exception';
import { upnCheckLetter } from '../pupils/upn';
import type { ErasureDto, ErasureResult, SubjectAccessExport } from './dto/erasure.dto';

/** What replaces free text and names on erasure. */
export const ERASED = 'ERASED';

/**
 * Every table holding something about one pupil, and how to select its rows (`$1` = pupil id).
 * A new table about pupils belongs here (and, if it has free text, in ERASABLE_TEXT below).
 */
export const EXPORT_SECTIONS: readonly { key: string; from: string; where: string; order: string }[] = [
  { key: 'history', from: 'pupil_history t', where: 't.pupil_id = $1', order: 't.changed_at, t.id' },
  { key: 'supportPlans', from: 'support_plan t', where: 't.pupil_id = $1', order: 't.created_at, t.id' },
  {
    key: 'supportPlanReviews',
    from: 'support_plan_review t JOIN support_plan p ON p.id = t.support_plan_id',
    where: 'p.pupil_id = $1',
    order: 't.created_at, t.id',
  },
  { key: 'supportRequests', from: 'support_request t', where: 't.pupil_id = $1', order: 't.created_at, t.id' },
  {
    key: 'decisions',
    from: 'support_request_decision t JOIN support_request r ON r.id = t.request_id',
    where: 'r.pupil_id = $1',
    order: 't.created_at, t.id',
  },
  { key: 'allocations', from: 'allocation t', where: 't.pupil_id = $1', order: 't.created_at, t.id' },
  {
    key: 'sessions',
    from: 'allocation_session t JOIN allocation a ON a.id = t.allocation_id',
    where: 'a.pupil_id = $1',
    order: 't.delivered_on, t.created_at, t.id',
  },
  { key: 'ehcAssessments', from: 'ehc_assessment t', where: 't.pupil_id = $1', order: 't.created_at, t.id' },
  { key: 'adviceRequests', from: 'advice_request t', where: 't.pupil_id = $1', order: 't.created_at, t.id' },
  { key: 'ehcPlans', from: 'ehc_plan t', where: 't.pupil_id = $1', order: 't.created_at, t.id' },
  {
    key: 'ehcExceptions',
    from: 'ehc_exception t JOIN ehc_assessment e ON e.id = t.assessment_id',
    where: 'e.pupil_id = $1',
    order: 't.created_at, t.id',
  },
  {
    key: 'ehcAppeals',
    from: 'ehc_appeal t JOIN ehc_assessment e ON e.id = t.assessment_id',
    where: 'e.pupil_id = $1',
    order: 't.created_at, t.id',
  },
  { key: 'annualReviews', from: 'annual_review t', where: 't.pupil_id = $1', order: 't.created_at, t.id' },
  { key: 'deadlines', from: 'deadline t', where: 't.pupil_id = $1', order: 't.due_on, t.id' },
];

/** Nullable free-text columns that could identify the child: replaced by ERASED where set. */
const ERASABLE_TEXT: readonly { table: string; columns: string[]; where: string; versioned: boolean }[] = [
  { table: 'support_plan_review', columns: ['note'], where: 'support_plan_id IN (SELECT id FROM support_plan WHERE pupil_id = $1)', versioned: false },
  { table: 'support_request', columns: ['reason', 'withdraw_reason', 'reallocation_reason'], where: 'pupil_id = $1', versioned: true },
  { table: 'support_request_decision', columns: ['reason'], where: 'request_id IN (SELECT id FROM support_request WHERE pupil_id = $1)', versioned: false },
  { table: 'allocation', columns: ['decline_reason', 'outcome_summary', 'cancel_reason'], where: 'pupil_id = $1', versioned: true },
  { table: 'allocation_session', columns: ['note'], where: 'allocation_id IN (SELECT id FROM allocation WHERE pupil_id = $1)', versioned: false },
  { table: 'ehc_assessment', columns: ['withdraw_reason'], where: 'pupil_id = $1', versioned: true },
  { table: 'ehc_exception', columns: ['note'], where: 'assessment_id IN (SELECT id FROM ehc_assessment WHERE pupil_id = $1)', versioned: false },
];

/** snake_case row keys -> camelCase, as everywhere else in the API. */
function camelRow(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()), value]));
}

/**
 * Data protection for one pupil (UK GDPR articles 15 and 17): the subject access export (all we
 * hold, as one JSON document) and erasure (anonymisation that keeps the statutory counts). ADMIN
 * only; both audited; the export is also a read of the record (an access row).
 */
@Injectable()
export class DataProtectionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly accessLog: AccessLogWriter,
  ) {}

  async subjectAccessExport(caller: Caller, scope: ScopeFilter, id: string): Promise<SubjectAccessExport> {
    // Buffered access rows of reads first (outside the transaction), so the export's access log is whole.
    await this.accessLog.flush();
    return this.dataSource.transaction(async (manager) => {
      const pupil = await this.pupilRow(manager, scope, id, false);
      const place = { schoolId: pupil.school_id as string, pupilId: id };
      // Reading the export is reading the record (access row), and the export itself is audited;
      // both are written first, so the access log in the export shows this export too.
      await this.audit.record(manager, caller, { action: 'pupil.read', entityType: 'pupil', entityId: id, place });
      await this.audit.record(manager, caller, { action: 'pupil.subject-access-export', entityType: 'pupil', entityId: id, place });
      const records: Record<string, Record<string, unknown>[]> = {};
      for (const section of EXPORT_SECTIONS) {
        const [row] = await manager.query(
          `SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY ${section.order}), '[]'::jsonb) AS rows FROM ${section.from} WHERE ${section.where}`,
          [id],
        );
        records[section.key] = (row.rows as Record<string, unknown>[]).map(camelRow);
      }
      const accessLog = await manager.query(
        `SELECT at, actor_id, actor_email, actor_role, action, entity_type, entity_id, changed_fields, outcome
         FROM audit_event WHERE pupil_id = $1 ORDER BY at, id`,
        [id],
      );
      records.accessLog = accessLog.map((event: Record<string, unknown>) =>
        camelRow({ ...event, at: event.at instanceof Date ? event.at.toISOString() : event.at }),
      );
      return { exportedAt: this.clock.now().toISOString(), pupil: camelRow(pupil), records };
    });
  }

  async erase(caller: Caller, scope: ScopeFilter, id: string, dto: ErasureDto): Promise<ErasureResult> {
    return this.dataSource.transaction(async (manager) => {
      const pupil = await this.pupilRow(manager, scope, id, true);
      if (pupil.erased_on !== null) {
        throw new ProblemException('invalid-transition', `this pupil's record was already erased on ${String(pupil.erased_on)}`);
      }
      const today = this.clock.today();
      const upn = await this.placeholderUpn(manager);
      const rowsChanged: Record<string, number> = {};
      // Kept: school, SEN status, needs, year group offset, leaving date and reason, every date and
      // deadline (the SEN2 and dashboard counts); the date of birth only to its month (same
      // academic cohort, so the same year group and age band).
      await manager.query(
        `UPDATE pupil SET first_name = $2, last_name = $2, first_name_key = lower($2), last_name_key = lower($2), upn = $3,
           date_of_birth = date_trunc('month', date_of_birth)::date, erased_on = $4, erasure_reason = $5,
           version = version + 1, updated_at = now()
         WHERE id = $1`,
        [id, ERASED, upn, today, dto.reason],
      );
      rowsChanged.pupil = 1;
      // Support plans: each outcome's and provision line's text.
      const [, plans] = await manager.query(
        `UPDATE support_plan SET
           outcomes = (SELECT jsonb_agg(o || jsonb_build_object('description', $2::text)) FROM jsonb_array_elements(outcomes) o),
           provision = (SELECT jsonb_agg(p || jsonb_build_object('description', $2::text, 'frequency', $2::text, 'by', $2::text))
                        FROM jsonb_array_elements(provision) p),
           version = version + 1, updated_at = now()
         WHERE pupil_id = $1`,
        [id, ERASED],
      );
      rowsChanged.support_plan = plans;
      for (const target of ERASABLE_TEXT) {
        const sets = target.columns.map((column) => `${column} = CASE WHEN ${column} IS NULL THEN NULL ELSE $2 END`);
        if (target.versioned) sets.push('version = version + 1', 'updated_at = now()');
        const [, count] = await manager.query(
          `UPDATE ${target.table} SET ${sets.join(', ')} WHERE ${target.where} AND (${target.columns.map((c) => `${c} IS NOT NULL`).join(' OR ')})`,
          [id, ERASED],
        );
        rowsChanged[target.table] = count;
      }
      // No personal data in the audit row: the field names only.
      await this.audit.record(manager, caller, {
        action: 'pupil.erasure',
        entityType: 'pupil',
        entityId: id,
        changedFields: ['dateOfBirth', 'firstName', 'lastName', 'upn'],
        place: { schoolId: pupil.school_id as string, pupilId: id },
      });
      return { pupilId: id, erasedOn: today, reason: dto.reason, upn, rowsChanged };
    });
  }

  /** The pupil row (every column); ADMIN's scope is the county, any narrower scope sees nothing. */
  private async pupilRow(manager: EntityManager, scope: ScopeFilter, id: string, lock: boolean): Promise<Record<string, unknown>> {
    if (scope.nothing) throw ProblemException.notFound('pupil');
    const [pupil] = await manager.query(`SELECT * FROM pupil WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    if (!pupil) throw ProblemException.notFound('pupil');
    return pupil;
  }

  /**
   * A unique UPN in the temporary form for LA 999 (no such authority): check letter, '999', eight
   * random digits, then 'Z'. It passes the pupil_upn CHECKs, so nothing about the schema relaxes,
   * and can never be a real child's UPN.
   */
  private async placeholderUpn(manager: EntityManager): Promise<string> {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const body = `999${String(randomInt(0, 100_000_000)).padStart(8, '0')}Z`;
      const upn = `${upnCheckLetter(body)}${body}`;
      const [taken] = await manager.query(`SELECT 1 FROM pupil WHERE upn = $1`, [upn]);
      if (!taken) return upn;
    }
    throw new ProblemException('duplicate', 'could not find a free placeholder UPN; try again');
  }
}
