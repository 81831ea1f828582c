import { isCalendarDate, type CalendarDate } from '../common/dates/calendar-date';
import type { FieldError } from '../common/problem/problem-type';
import {
  EXCEPTION_REASONS,
  exceptionProblems,
  nextStage,
  previousStep,
  REQUESTED_BY,
  stepDateProblem,
  type EhcStage,
  type ExceptionReason,
  type RequestedBy,
} from '../ehc/ehc-rules';
import { normaliseUpn, upnProblem } from '../pupils/upn';
import type { ColumnSpec } from './csv-records';

/** API.md's EHC assessment import columns; every step column may be empty (= the step did not happen). */
export const EHC_COLUMNS: readonly ColumnSpec[] = [
  { name: 'upn', header: 'upn', required: true },
  { name: 'requestReceivedOn', header: 'requestReceivedOn', required: true },
  { name: 'requestedBy', header: 'requestedBy', required: true },
  { name: 'decisionToAssess', header: 'decisionToAssess', required: true },
  { name: 'decisionToAssessOn', header: 'decisionToAssessOn', required: true },
  { name: 'issueDecision', header: 'issueDecision', required: true },
  { name: 'issueDecisionOn', header: 'issueDecisionOn', required: true },
  { name: 'finalPlanIssuedOn', header: 'finalPlanIssuedOn', required: true },
  { name: 'withdrawnOn', header: 'withdrawnOn', required: true },
  { name: 'exceptionReason', header: 'exceptionReason', required: true },
  { name: 'exceptionFromOn', header: 'exceptionFromOn', required: true },
  { name: 'exceptionToOn', header: 'exceptionToOn', required: true },
];

/** A case as checked, ready to stage (null = the step did not happen). */
export interface EhcCase {
  requestReceivedOn: CalendarDate;
  requestedBy: RequestedBy;
  decisionToAssess: boolean | null;
  decisionToAssessOn: CalendarDate | null;
  issueDecision: boolean | null;
  issueDecisionOn: CalendarDate | null;
  finalPlanIssuedOn: CalendarDate | null;
  withdrawnOn: CalendarDate | null;
  exception: { reason: ExceptionReason; fromOn: CalendarDate; toOn: CalendarDate } | null;
  stage: EhcStage;
}

/** The staged row: the UPN is kept whenever well formed (for the database checks), the case only when the row is good. */
export interface StagedEhc {
  line: number;
  upn: string | null;
  case: EhcCase | null;
}

/**
 * One row of the EHC import, by the same rules as the live steps (`src/ehc/ehc-rules.ts`): steps in
 * the state machine's order (no issue decision without a yes to assess, no final plan without a
 * draft, no withdrawal of a closed case), each decision with its date, each date not before the
 * previous step's nor in the future, an exception with one of the four reasons and the 4-week
 * rule. Pure: the pupil (by UPN), scope and open cases are checked after, set-based.
 */
export function checkEhcRow(line: number, cells: Record<string, string>, today: CalendarDate): { row: StagedEhc; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const problem = (field: string, message: string | undefined) => {
    if (message) errors.push({ field, message });
  };
  const date = (field: string): CalendarDate | null | undefined => {
    const value = cells[field];
    if (value === '') return null;
    if (!isCalendarDate(value)) {
      problem(field, 'must be a real date written YYYY-MM-DD, or empty');
      return undefined;
    }
    return value;
  };
  const yesNo = (field: string): boolean | null | undefined => {
    const value = cells[field].toUpperCase();
    if (value === '') return null;
    if (value === 'Y') return true;
    if (value === 'N') return false;
    problem(field, 'must be Y or N, or empty');
    return undefined;
  };

  const upn = normaliseUpn(cells.upn);
  const badUpn = upn === '' ? 'is required' : upnProblem(upn);
  problem('upn', badUpn);

  const requestedBy = cells.requestedBy.toUpperCase();
  if (requestedBy === '') problem('requestedBy', 'is required');
  else if (!(REQUESTED_BY as readonly string[]).includes(requestedBy)) problem('requestedBy', `must be one of ${REQUESTED_BY.join(', ')}`);

  const received = date('requestReceivedOn');
  if (received === null) problem('requestReceivedOn', 'is required');
  const decisionToAssess = yesNo('decisionToAssess');
  const decisionToAssessOn = date('decisionToAssessOn');
  const issueDecision = yesNo('issueDecision');
  const issueDecisionOn = date('issueDecisionOn');
  const finalPlanIssuedOn = date('finalPlanIssuedOn');
  const withdrawnOn = date('withdrawnOn');
  const reasonCell = cells.exceptionReason.toUpperCase();
  const exceptionFromOn = date('exceptionFromOn');
  const exceptionToOn = date('exceptionToOn');

  // A decision and its date go together.
  const pair = (flag: boolean | null | undefined, on: CalendarDate | null | undefined, flagField: string, onField: string) => {
    if (flag !== null && flag !== undefined && on === null) problem(onField, `is required when ${flagField} is given`);
    if (flag === null && on !== null && on !== undefined) problem(flagField, `is required when ${onField} is given (Y or N)`);
  };
  pair(decisionToAssess, decisionToAssessOn, 'decisionToAssess', 'decisionToAssessOn');
  pair(issueDecision, issueDecisionOn, 'issueDecision', 'issueDecisionOn');

  const hasException = reasonCell !== '' || exceptionFromOn !== null || exceptionToOn !== null;
  if (hasException) {
    if (reasonCell === '') problem('exceptionReason', 'is required when an exception period is given');
    else if (!(EXCEPTION_REASONS as readonly string[]).includes(reasonCell)) problem('exceptionReason', `must be one of ${EXCEPTION_REASONS.join(', ')}`);
    if (exceptionFromOn === null) problem('exceptionFromOn', 'is required when an exception is given');
    if (exceptionToOn === null) problem('exceptionToOn', 'is required when an exception is given');
  }

  const row: StagedEhc = { line, upn: badUpn ? null : upn, case: null };
  if (errors.length || !received) return { row, errors };

  // The steps in order through THE state machine, each date checked as the live step checks it.
  const dates = { requestReceivedOn: received, decisionToAssessOn: null as CalendarDate | null, issueDecisionOn: null as CalendarDate | null, finalPlanIssuedOn: null as CalendarDate | null };
  problem('requestReceivedOn', stepDateProblem(received, { field: 'requestReceivedOn', date: received }, today));
  let stage: EhcStage = 'REQUESTED';
  const step = (name: 'decision-to-assess' | 'issue-decision' | 'final-plan' | 'withdraw', field: string, on: CalendarDate, decision?: boolean) => {
    const next = nextStage(stage, name, decision);
    if (next === null) {
      problem(field, stepOrderProblem(name, stage));
      return false;
    }
    const dateProblem = stepDateProblem(on, previousStep(name, dates), today);
    problem(field, dateProblem);
    stage = next;
    return !dateProblem;
  };
  if (decisionToAssessOn) {
    step('decision-to-assess', 'decisionToAssessOn', decisionToAssessOn, decisionToAssess!);
    dates.decisionToAssessOn = decisionToAssessOn;
  }
  if (issueDecisionOn) {
    step('issue-decision', 'issueDecisionOn', issueDecisionOn, issueDecision!);
    dates.issueDecisionOn = issueDecisionOn;
  }
  if (finalPlanIssuedOn) {
    step('final-plan', 'finalPlanIssuedOn', finalPlanIssuedOn);
    dates.finalPlanIssuedOn = finalPlanIssuedOn;
  }
  const beforeWithdrawal = stage;
  if (withdrawnOn) step('withdraw', 'withdrawnOn', withdrawnOn);

  let exception: EhcCase['exception'] = null;
  if (hasException && exceptionFromOn && exceptionToOn) {
    if (nextStage(beforeWithdrawal, 'exception') === null) {
      problem('exceptionReason', `an exception applies only while the 20 weeks matter: not to a case closed as ${beforeWithdrawal}`);
    } else {
      errors.push(
        ...exceptionProblems(reasonCell as ExceptionReason, exceptionFromOn, exceptionToOn, received, today).map((e) => ({
          field: e.field === 'fromOn' ? 'exceptionFromOn' : 'exceptionToOn',
          message: e.message,
        })),
      );
      exception = { reason: reasonCell as ExceptionReason, fromOn: exceptionFromOn, toOn: exceptionToOn };
    }
  }
  if (errors.length) return { row, errors };

  row.case = {
    requestReceivedOn: received,
    requestedBy: requestedBy as RequestedBy,
    decisionToAssess: decisionToAssess ?? null,
    decisionToAssessOn: decisionToAssessOn ?? null,
    issueDecision: issueDecision ?? null,
    issueDecisionOn: issueDecisionOn ?? null,
    finalPlanIssuedOn: finalPlanIssuedOn ?? null,
    withdrawnOn: withdrawnOn ?? null,
    exception,
    stage,
  };
  return { row, errors };
}

function stepOrderProblem(step: string, stage: EhcStage): string {
  switch (step) {
    case 'decision-to-assess':
      return 'steps out of order: a decision to assess follows the request';
    case 'issue-decision':
      return stage === 'REQUESTED'
        ? 'steps out of order: a decision to issue needs a decision to assess (Y) first'
        : 'steps out of order: there is no decision to issue after a decision not to assess';
    case 'final-plan':
      return 'steps out of order: a final plan needs a decision to issue (Y, draft plan sent) first';
    default:
      return `a case closed as ${stage} cannot be withdrawn`;
  }
}

/** The end dates of a case's three deadlines, as the live workflow closes them. */
export interface CaseDeadlineEnd {
  metOn: CalendarDate | null;
  cancelledOn: CalendarDate | null;
}

/**
 * How the live workflow leaves EHC_DECISION_TO_ASSESS, EHC_ISSUE_DECISION and EHC_FINAL_PLAN:
 * each met by its step; a "no" (not to assess, not to issue) or a withdrawal cancels those not met.
 */
export function caseDeadlineEnds(c: EhcCase): Record<'EHC_DECISION_TO_ASSESS' | 'EHC_ISSUE_DECISION' | 'EHC_FINAL_PLAN', CaseDeadlineEnd> {
  const closedOn =
    (c.decisionToAssess === false ? c.decisionToAssessOn : null) ?? (c.issueDecision === false ? c.issueDecisionOn : null) ?? c.withdrawnOn;
  const end = (metOn: CalendarDate | null): CaseDeadlineEnd => (metOn ? { metOn, cancelledOn: null } : { metOn: null, cancelledOn: closedOn });
  return {
    EHC_DECISION_TO_ASSESS: end(c.decisionToAssessOn),
    EHC_ISSUE_DECISION: end(c.issueDecisionOn),
    EHC_FINAL_PLAN: end(c.finalPlanIssuedOn),
  };
}
