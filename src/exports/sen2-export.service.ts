import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { applyScope, type ScopeFilter } from '../access/scope-filter';
import { toCsv } from '../common/csv/csv';
import { readOnReplica } from '../database/read-replica';
import { SEN2_COLUMNS, type Sen2Module } from './dto/sen2-export.dto';

/** Kent's local authority number in DfE returns. */
export const LA_NUMBER = '886';

const PERSON = `'${LA_NUMBER}' AS "LEA", pupil.last_name AS "Surname", pupil.first_name AS "Forename", pupil.date_of_birth AS "PersonBirthDate",
  pupil.upn AS "UPN"`;
/** SEN2 flags are XML booleans: 1 yes, 0 no. */
const FLAG = (condition: string) => `CASE WHEN ${condition} THEN '1' ELSE '0' END`;
/**
 * Mediation / tribunal flags: a request's (decision not to assess), an assessment's (decision not
 * to issue), and "other" (any other reason, e.g. the plan's content: our appeals at stage PLAN).
 */
const appealed = (kind: 'MEDIATION' | 'TRIBUNAL', stage: 'REQUEST' | 'ASSESSMENT' | 'PLAN', assessment: string) =>
  FLAG(`EXISTS (SELECT 1 FROM ehc_appeal ap WHERE ap.assessment_id = ${assessment} AND ap.kind = '${kind}' AND ap.stage = '${stage}')`);
/** Plans maintained at some point in the year. */
const ACTIVE = 'p.issued_on <= :yearEnd::date AND (p.ceased_on IS NULL OR p.ceased_on >= :yearStart::date)';

/**
 * One module of the SEN2 person-level return for a calendar year, as CSV in the module's column
 * order (README "SEN2 export" gives the columns and the codes we derive). Rows are the caller's
 * scope (the pupil's current school). The year's rows are read once and written out; at county
 * scale a module is tens of thousands of short rows. Read on a replica when there is one.
 */
@Injectable()
export class Sen2ExportService {
  constructor(private readonly dataSource: DataSource) {}

  csv(scope: ScopeFilter, year: number, module: Sen2Module): Promise<string> {
    return readOnReplica(this.dataSource, (db) => this.csvOn(db, scope, year, module));
  }

  private async csvOn(db: EntityManager, scope: ScopeFilter, year: number, module: Sen2Module): Promise<string> {
    const qb = db.createQueryBuilder();
    const select = (sql: string) => qb.select(`${PERSON}, ${sql}`);
    switch (module) {
      case 'requests':
        select(`a.request_received_on AS "ReceivedDate",
          CASE a.requested_by WHEN 'PARENT' THEN '1' WHEN 'YOUNG_PERSON' THEN '1' WHEN 'SCHOOL' THEN '2' ELSE '5' END AS "RequestSource",
          coalesce(a.decision_to_assess_on, a.withdrawn_on) AS "RequestOutcomeDate",
          CASE WHEN a.decision_to_assess THEN 'A' WHEN a.decision_to_assess = false THEN 'N' WHEN a.withdrawn_on IS NOT NULL THEN 'W' END AS "RequestOutcome",
          ${appealed('MEDIATION', 'REQUEST', 'a.id')} AS "RequestMediation", ${appealed('TRIBUNAL', 'REQUEST', 'a.id')} AS "RequestTribunal"`)
          .from('ehc_assessment', 'a')
          .where('a.request_received_on BETWEEN :yearStart::date AND :yearEnd::date')
          .orderBy('a.request_received_on');
        break;
      case 'assessments':
        // The outcome is the final plan (Y, dated its issue: DfE measures the 20 weeks from the
        // request to this date) or the notice not to issue (N); a draft alone is still pending.
        select(`a.request_received_on AS "ReceivedDate",
          CASE WHEN a.final_plan_issued_on IS NOT NULL THEN 'Y' WHEN a.issue_decision = false THEN 'N' END AS "AssessmentOutcome",
          CASE WHEN a.final_plan_issued_on IS NOT NULL THEN a.final_plan_issued_on WHEN a.issue_decision = false THEN a.issue_decision_on END AS "AssessmentOutcomeDate",
          ${appealed('MEDIATION', 'ASSESSMENT', 'a.id')} AS "AssessmentMediation", ${appealed('TRIBUNAL', 'ASSESSMENT', 'a.id')} AS "AssessmentTribunal",
          ${appealed('MEDIATION', 'PLAN', 'a.id')} AS "OtherMediation", ${appealed('TRIBUNAL', 'PLAN', 'a.id')} AS "OtherTribunal",
          ${FLAG(`EXISTS (SELECT 1 FROM ehc_exception e WHERE e.assessment_id = a.id)
            OR EXISTS (SELECT 1 FROM deadline d WHERE d.subject_type = 'EHC_ASSESSMENT' AND d.subject_id = a.id AND d.kind = 'EHC_FINAL_PLAN' AND d.excepted)`)} AS "Week20"`)
          .from('ehc_assessment', 'a')
          // Assessments under way at some point in the year: agreed by its end, not concluded before its start.
          .where('a.decision_to_assess AND a.decision_to_assess_on <= :yearEnd::date')
          .andWhere('coalesce(a.final_plan_issued_on, a.issue_decision_on, a.withdrawn_on) IS NULL OR coalesce(a.final_plan_issued_on, a.issue_decision_on, a.withdrawn_on) >= :yearStart::date')
          .orderBy('a.request_received_on');
        break;
      case 'named-plans':
        select(`p.issued_on AS "StartDate", p.ceased_on AS "CeaseDate", p.cease_reason AS "CeaseReason"`)
          .from('ehc_plan', 'p')
          .where('(p.issued_on BETWEEN :yearStart::date AND :yearEnd::date OR p.ceased_on BETWEEN :yearStart::date AND :yearEnd::date)')
          .orderBy('p.issued_on');
        break;
      case 'active-plans':
        select(`p.issued_on AS "StartDate", p.review_meeting_on AS "ReviewMeeting",
          CASE p.review_decision WHEN 'MAINTAIN' THEN '1' WHEN 'AMEND' THEN '2' WHEN 'CEASE' THEN '3' END AS "ReviewOutcome",
          p.review_draft_on AS "ReviewDraft", p.phase_transfer_due_on AS "PhaseTransferDueDate", p.phase_transfer_met_on AS "PhaseTransferFinalDate",
          p.review_decided_on AS "LastReview"`)
          // Each plan's latest review of the year and latest phase transfer due in it, read per plan
          // (LATERAL: one index range each). As a join on `id = (subquery)` PostgreSQL hashed every
          // deadline of the county to find them (3M rows at N = 5, bench/EXPLAIN-N5.md).
          .from(
            `(SELECT p.*, ar.meeting_on AS review_meeting_on, ar.decision AS review_decision, ar.amendments_sent_on AS review_draft_on,
                     ar.decided_on AS review_decided_on, pt.due_on AS phase_transfer_due_on, pt.met_on AS phase_transfer_met_on
                FROM ehc_plan p
                LEFT JOIN LATERAL (SELECT r.meeting_on, r.decision, r.amendments_sent_on, r.decided_on FROM annual_review r
                  WHERE r.plan_id = p.id AND r.meeting_on BETWEEN :yearStart::date AND :yearEnd::date
                  ORDER BY r.meeting_on DESC, r.id LIMIT 1) ar ON true
                LEFT JOIN LATERAL (SELECT d.due_on, d.met_on FROM deadline d
                  WHERE d.subject_type = 'EHC_PLAN' AND d.subject_id = p.id AND d.kind = 'PHASE_TRANSFER'
                    AND d.cancelled_on IS NULL AND d.due_on BETWEEN :yearStart::date AND :yearEnd::date
                  ORDER BY d.due_on DESC, d.id LIMIT 1) pt ON true)`,
            'p',
          )
          .where(ACTIVE)
          .orderBy('p.issued_on');
        break;
      case 'placements':
        select(`setting.urn AS "URN", 1 AS "PlacementRank"`)
          .from('ehc_plan', 'p')
          .innerJoin('school', 'setting', 'setting.id = p.setting_school_id')
          .where(ACTIVE)
          .orderBy('p.issued_on');
        break;
      case 'needs':
        // One row per need the plan names: the primary need rank 1, the secondary rank 2.
        select(`p.need AS "SENtype", p.rank AS "SENtypeRank"`)
          .from(
            `(SELECT id, pupil_id, issued_on, ceased_on, primary_need AS need, 1 AS rank FROM ehc_plan
              UNION ALL SELECT id, pupil_id, issued_on, ceased_on, secondary_need, 2 FROM ehc_plan WHERE secondary_need IS NOT NULL)`,
            'p',
          )
          .where(ACTIVE)
          .orderBy('p.issued_on');
        break;
    }
    const alias = module === 'requests' || module === 'assessments' ? 'a' : 'p';
    qb.innerJoin('pupil', 'pupil', `pupil.id = ${alias}.pupil_id`)
      .innerJoin('school', 'school', 'school.id = pupil.school_id')
      .innerJoin('locality', 'locality', 'locality.id = school.locality_id')
      .addOrderBy('pupil.upn')
      .addOrderBy(`${alias}.id`)
      .addOrderBy(module === 'needs' ? 'p.rank' : `${alias}.id`)
      .setParameters({ yearStart: `${year}-01-01`, yearEnd: `${year}-12-31` });
    applyScope(qb, scope, { schoolId: 'pupil.school_id', localityId: 'school.locality_id', area: 'locality.area' });
    const rows: Record<string, unknown>[] = await qb.getRawMany();
    return toCsv(SEN2_COLUMNS[module] as string[], rows);
  }
}
