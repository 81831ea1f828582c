import type { EntityManager } from 'typeorm';
import type { Caller } from '../access/caller';
import type { CalendarDate } from '../common/dates/calendar-date';
import type { DeadlineKind } from '../timeliness/deadline-kind';
import { dueDate, type DurationRule } from '../timeliness/deadline-rules';
import { caseDeadlineEnds, type StagedEhc } from './ehc-row';

/** The staging table of the EHC import: the case as checked, its deadlines' dates already worked out by the one dueDate rule. */
export const EHC_STAGING = `
  CREATE TEMP TABLE import_ehc (
    line integer NOT NULL, upn text, request_received_on date, requested_by text, decision_to_assess boolean,
    decision_to_assess_on date, issue_decision boolean, issue_decision_on date, final_plan_issued_on date, withdrawn_on date,
    stage text, exception_reason text, exception_from_on date, exception_to_on date,
    dta_due date, dta_met date, dta_cancelled date, issue_due date, issue_met date, issue_cancelled date,
    final_due date, final_met date, final_cancelled date, review_due date,
    case_id uuid NOT NULL DEFAULT gen_random_uuid(), plan_id uuid NOT NULL DEFAULT gen_random_uuid()
  ) ON COMMIT DROP`;

/** The SLA rules as they are now (sla_rule), for the due dates of the staged cases. */
export async function loadRules(manager: EntityManager): Promise<(kind: DeadlineKind) => DurationRule> {
  const rules = (await manager.query(
    `SELECT kind, duration_unit AS "durationUnit", duration_value AS "durationValue" FROM sla_rule`,
  )) as DurationRule[];
  return (kind) => {
    const rule = rules.find((r) => r.kind === kind);
    if (!rule) throw new Error(`no SLA rule for ${kind}`);
    return rule;
  };
}

/** Stages a batch of rows (unnest arrays: one statement), each good case with its deadlines' due, met and cancelled dates. */
export function ehcBatchInserter(rule: (kind: DeadlineKind) => DurationRule) {
  return async (manager: EntityManager, rows: StagedEhc[]): Promise<void> => {
    const cols: unknown[][] = Array.from({ length: 24 }, () => []);
    for (const row of rows) {
      const c = row.case;
      const ends = c ? caseDeadlineEnds(c) : null;
      const due = (kind: DeadlineKind, from: CalendarDate | null | undefined) => (from ? dueDate(rule(kind), from) : null);
      const values = [
        row.line,
        row.upn,
        c?.requestReceivedOn ?? null,
        c?.requestedBy ?? null,
        c?.decisionToAssess ?? null,
        c?.decisionToAssessOn ?? null,
        c?.issueDecision ?? null,
        c?.issueDecisionOn ?? null,
        c?.finalPlanIssuedOn ?? null,
        c?.withdrawnOn ?? null,
        c?.stage ?? null,
        c?.exception?.reason ?? null,
        c?.exception?.fromOn ?? null,
        c?.exception?.toOn ?? null,
        due('EHC_DECISION_TO_ASSESS', c?.requestReceivedOn),
        ends?.EHC_DECISION_TO_ASSESS.metOn ?? null,
        ends?.EHC_DECISION_TO_ASSESS.cancelledOn ?? null,
        due('EHC_ISSUE_DECISION', c?.requestReceivedOn),
        ends?.EHC_ISSUE_DECISION.metOn ?? null,
        ends?.EHC_ISSUE_DECISION.cancelledOn ?? null,
        due('EHC_FINAL_PLAN', c?.requestReceivedOn),
        ends?.EHC_FINAL_PLAN.metOn ?? null,
        ends?.EHC_FINAL_PLAN.cancelledOn ?? null,
        due('ANNUAL_REVIEW_MEETING', c?.finalPlanIssuedOn),
      ];
      values.forEach((value, i) => cols[i].push(value));
    }
    const types = [
      'int', 'text', 'date', 'text', 'boolean', 'date', 'boolean', 'date', 'date', 'date', 'text', 'text', 'date', 'date',
      'date', 'date', 'date', 'date', 'date', 'date', 'date', 'date', 'date', 'date',
    ];
    await manager.query(
      `INSERT INTO import_ehc (line, upn, request_received_on, requested_by, decision_to_assess, decision_to_assess_on, issue_decision,
         issue_decision_on, final_plan_issued_on, withdrawn_on, stage, exception_reason, exception_from_on, exception_to_on,
         dta_due, dta_met, dta_cancelled, issue_due, issue_met, issue_cancelled, final_due, final_met, final_cancelled, review_due)
       SELECT * FROM unnest(${types.map((type, i) => `$${i + 1}::${type}[]`).join(', ')})`,
      cols,
    );
  };
}

/** The staged pupils joined to the register (every row is good by now: the checks found nothing). */
const CASES = `import_ehc i JOIN pupil p ON p.upn = i.upn JOIN school s ON s.id = p.school_id JOIN locality l ON l.id = s.locality_id`;

/**
 * Writes the lines (from, to] of the checked staging table, set-based: the cases (stage derived),
 * their exceptions, the plans of issued cases, every deadline the live workflow would have left
 * (three per case, the plan's ANNUAL_REVIEW_MEETING), and an audit row per case and per plan.
 * The importer is the recorder of every step; a CASEWORKER importing is the cases' caseworker.
 */
export async function writeEhcSlice(manager: EntityManager, caller: Caller, from: number, to: number): Promise<void> {
  const by = caller.userId;
  const caseworker = caller.role === 'CASEWORKER' ? caller.userId : null;
  const slice = `i.line > $1 AND i.line <= $2`;
  await manager.query(
    `INSERT INTO ehc_assessment (id, pupil_id, request_received_on, requested_by, caseworker_id, stage, decision_to_assess,
       decision_to_assess_on, decision_to_assess_by, issue_decision, issue_decision_on, issue_decision_by, final_plan_issued_on,
       final_plan_by, withdrawn_on, withdrawn_by, created_by)
     SELECT i.case_id, p.id, i.request_received_on, i.requested_by, $4::uuid, i.stage, i.decision_to_assess,
       i.decision_to_assess_on, CASE WHEN i.decision_to_assess_on IS NOT NULL THEN $3::uuid END, i.issue_decision, i.issue_decision_on,
       CASE WHEN i.issue_decision_on IS NOT NULL THEN $3::uuid END, i.final_plan_issued_on,
       CASE WHEN i.final_plan_issued_on IS NOT NULL THEN $3::uuid END, i.withdrawn_on,
       CASE WHEN i.withdrawn_on IS NOT NULL THEN $3::uuid END, $3::uuid
     FROM import_ehc i JOIN pupil p ON p.upn = i.upn WHERE ${slice}`,
    [from, to, by, caseworker],
  );
  await manager.query(
    `INSERT INTO ehc_exception (assessment_id, reason, from_on, to_on, recorded_by)
     SELECT i.case_id, i.exception_reason, i.exception_from_on, i.exception_to_on, $3::uuid
     FROM import_ehc i WHERE ${slice} AND i.exception_reason IS NOT NULL`,
    [from, to, by],
  );
  await manager.query(
    `INSERT INTO ehc_plan (id, pupil_id, assessment_id, issued_on, setting_school_id, primary_need, secondary_need, created_by)
     SELECT i.plan_id, p.id, i.case_id, i.final_plan_issued_on, NULL, p.primary_need, p.secondary_need, $3::uuid
     FROM import_ehc i JOIN pupil p ON p.upn = i.upn WHERE ${slice} AND i.final_plan_issued_on IS NOT NULL`,
    [from, to, by],
  );
  await manager.query(
    `INSERT INTO deadline (kind, subject_type, subject_id, pupil_id, school_id, locality_id, organisation_id, starts_on, due_on, met_on,
       cancelled_on, excepted, exception_reason)
     SELECT d.kind, d.subject_type, d.subject_id, p.id, s.id, s.locality_id, NULL, d.starts_on, d.due_on, d.met_on, d.cancelled_on,
            d.excepted, d.exception_reason
     FROM ${CASES}
     CROSS JOIN LATERAL (VALUES
       ('EHC_DECISION_TO_ASSESS', 'EHC_ASSESSMENT', i.case_id, i.request_received_on, i.dta_due, i.dta_met, i.dta_cancelled, false, NULL::text),
       ('EHC_ISSUE_DECISION', 'EHC_ASSESSMENT', i.case_id, i.request_received_on, i.issue_due, i.issue_met, i.issue_cancelled, false, NULL),
       ('EHC_FINAL_PLAN', 'EHC_ASSESSMENT', i.case_id, i.request_received_on, i.final_due, i.final_met, i.final_cancelled,
         i.exception_reason IS NOT NULL, i.exception_reason),
       ('ANNUAL_REVIEW_MEETING', 'EHC_PLAN', i.plan_id, i.final_plan_issued_on, i.review_due, NULL::date, NULL::date, false, NULL)
     ) AS d(kind, subject_type, subject_id, starts_on, due_on, met_on, cancelled_on, excepted, exception_reason)
     WHERE ${slice} AND d.starts_on IS NOT NULL`,
    [from, to],
  );
  await manager.query(
    `INSERT INTO audit_event (actor_id, actor_email, actor_role, action, entity_type, entity_id, changed_fields, outcome,
                              request_id, ip, school_id, locality_id, area, pupil_id)
     SELECT $3::uuid, $4, $5, a.action, a.entity_type, a.entity_id, a.fields, 'SUCCESS', $6, $7, s.id, s.locality_id, l.area, p.id
     FROM ${CASES}
     CROSS JOIN LATERAL (VALUES
       ('ehc-assessment.create', 'ehc-assessment', i.case_id,
        array_remove(ARRAY[CASE WHEN i.decision_to_assess IS NOT NULL THEN 'decisionToAssess' END,
                           CASE WHEN i.decision_to_assess_on IS NOT NULL THEN 'decisionToAssessOn' END,
                           CASE WHEN i.exception_reason IS NOT NULL THEN 'exception' END,
                           CASE WHEN i.final_plan_issued_on IS NOT NULL THEN 'finalPlanIssuedOn' END,
                           CASE WHEN i.issue_decision IS NOT NULL THEN 'issueDecision' END,
                           CASE WHEN i.issue_decision_on IS NOT NULL THEN 'issueDecisionOn' END,
                           'requestReceivedOn', 'requestedBy', 'stage',
                           CASE WHEN i.withdrawn_on IS NOT NULL THEN 'withdrawnOn' END], NULL)),
       ('ehc-plan.create', 'ehc-plan', CASE WHEN i.final_plan_issued_on IS NOT NULL THEN i.plan_id END, ARRAY['issuedOn'])
     ) AS a(action, entity_type, entity_id, fields)
     WHERE ${slice} AND a.entity_id IS NOT NULL`,
    [from, to, by, caller.email, caller.role, caller.requestId ?? null, caller.ip ?? null],
  );
}

/**
 * Pupils given a plan by the file now have SEN status E, as the final-plan step leaves them: a
 * dated history row (the latest imported plan's issue date, or the pupil's last status change if
 * later, so history stays in date order) and a pupil.update audit row.
 */
export async function makeImportedPlansStatusE(manager: EntityManager, caller: Caller): Promise<void> {
  await manager.query(
    `WITH changed AS (
       SELECT p.id, p.sen_status, s.id AS school_id, s.locality_id, l.area,
              greatest(max(i.final_plan_issued_on), (SELECT max(h.effective_on) FROM pupil_history h WHERE h.pupil_id = p.id)) AS effective_on
       FROM ${CASES}
       WHERE i.final_plan_issued_on IS NOT NULL AND p.sen_status <> 'E'
       GROUP BY p.id, p.sen_status, s.id, s.locality_id, l.area
     ), history AS (
       INSERT INTO pupil_history (pupil_id, field, from_value, to_value, effective_on, changed_by)
       SELECT c.id, 'senStatus', c.sen_status, 'E', c.effective_on, $1::uuid FROM changed c
     ), updated AS (
       UPDATE pupil p SET sen_status = 'E', version = p.version + 1, updated_at = now() FROM changed c WHERE p.id = c.id
     )
     INSERT INTO audit_event (actor_id, actor_email, actor_role, action, entity_type, entity_id, changed_fields, outcome,
                              request_id, ip, school_id, locality_id, area, pupil_id)
     SELECT $1::uuid, $2, $3, 'pupil.update', 'pupil', c.id, ARRAY['senStatus'], 'SUCCESS', $4, $5, c.school_id, c.locality_id, c.area, c.id
     FROM changed c`,
    [caller.userId, caller.email, caller.role, caller.requestId ?? null, caller.ip ?? null],
  );
}
