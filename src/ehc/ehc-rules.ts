import { compareDates, toEpochDay, type CalendarDate } from '../common/dates/calendar-date';
import type { FieldError } from '../common/problem/problem-type';

/** API.md `stage` of an EHC needs assessment. */
export const EHC_STAGES = ['REQUESTED', 'ASSESSING', 'DRAFT_ISSUED', 'PLAN_ISSUED', 'NOT_ASSESSED', 'NOT_ISSUED', 'WITHDRAWN'] as const;
export type EhcStage = (typeof EHC_STAGES)[number];

/** Stages in which the case is still open (one per pupil; the partial unique index). */
export const OPEN_STAGES: readonly EhcStage[] = ['REQUESTED', 'ASSESSING', 'DRAFT_ISSUED'];

export const REQUESTED_BY = ['PARENT', 'YOUNG_PERSON', 'SCHOOL', 'OTHER'] as const;
export type RequestedBy = (typeof REQUESTED_BY)[number];

export const ADVICE_TYPES = ['EDUCATIONAL_PSYCHOLOGY', 'HEALTH', 'SOCIAL_CARE', 'SCHOOL', 'OTHER'] as const;
export type AdviceType = (typeof ADVICE_TYPES)[number];

/** Reg 10(4): the four statutory exceptions to the 20 weeks. */
export const EXCEPTION_REASONS = ['SCHOOL_CLOSURE', 'EARLY_YEARS_CLOSURE', 'PERSONAL_CIRCUMSTANCES', 'ABSENT_FROM_AREA'] as const;
export type ExceptionReason = (typeof EXCEPTION_REASONS)[number];

/** Reasons that count only when they last 4 or more continuous weeks (Reg 10(4)(a), (b), (d)). */
export const FOUR_WEEK_REASONS: readonly ExceptionReason[] = ['SCHOOL_CLOSURE', 'EARLY_YEARS_CLOSURE', 'ABSENT_FROM_AREA'];
export const MIN_EXCEPTION_DAYS = 28;

export const APPEAL_KINDS = ['MEDIATION', 'TRIBUNAL'] as const;
export type AppealKind = (typeof APPEAL_KINDS)[number];
export const APPEAL_STAGES = ['REQUEST', 'ASSESSMENT', 'PLAN'] as const;
export type AppealStage = (typeof APPEAL_STAGES)[number];

/** What a caseworker (or provider) does to a case. */
export const EHC_STEPS = ['decision-to-assess', 'issue-decision', 'final-plan', 'withdraw', 'advice-request', 'exception', 'appeal'] as const;
export type EhcStep = (typeof EHC_STEPS)[number];

/**
 * THE state machine of a case: the stage after a step, or null when the step is not allowed in
 * that stage (409 invalid-transition). `decision` is the boolean of the two decisions.
 * - REQUESTED: decide to assess (yes -> ASSESSING, no -> NOT_ASSESSED), or withdraw;
 * - ASSESSING: ask for advice, decide to issue (yes = draft sent -> DRAFT_ISSUED, no -> NOT_ISSUED), or withdraw;
 * - DRAFT_ISSUED: issue the final plan (-> PLAN_ISSUED), or withdraw;
 * - an exception may be recorded while the 20 weeks still matter: open stages and PLAN_ISSUED
 *   (recorded afterwards, for honest figures), never on a case closed without a plan;
 * - an appeal (mediation, tribunal) may be recorded at any stage: most follow a refusal.
 */
export function nextStage(stage: EhcStage, step: EhcStep, decision?: boolean): EhcStage | null {
  switch (step) {
    case 'decision-to-assess':
      return stage === 'REQUESTED' ? (decision ? 'ASSESSING' : 'NOT_ASSESSED') : null;
    case 'issue-decision':
      return stage === 'ASSESSING' ? (decision ? 'DRAFT_ISSUED' : 'NOT_ISSUED') : null;
    case 'final-plan':
      return stage === 'DRAFT_ISSUED' ? 'PLAN_ISSUED' : null;
    case 'withdraw':
      return OPEN_STAGES.includes(stage) ? 'WITHDRAWN' : null;
    case 'advice-request':
      return stage === 'ASSESSING' ? stage : null;
    case 'exception':
      return OPEN_STAGES.includes(stage) || stage === 'PLAN_ISSUED' ? stage : null;
    case 'appeal':
      return stage;
  }
}

/** The stages a step may be taken from (for the 409's detail). */
export function stagesAllowing(step: EhcStep): EhcStage[] {
  return EHC_STAGES.filter((stage) => nextStage(stage, step, true) !== null);
}

/** The dated steps of a case, as the step-order rule needs them. */
export interface CaseDates {
  requestReceivedOn: CalendarDate;
  decisionToAssessOn: CalendarDate | null;
  issueDecisionOn: CalendarDate | null;
  finalPlanIssuedOn: CalendarDate | null;
}

/** The previous step a new step's date may not precede: its field name and date. */
export function previousStep(step: EhcStep, c: CaseDates): { field: string; date: CalendarDate } {
  const request = { field: 'requestReceivedOn', date: c.requestReceivedOn };
  switch (step) {
    case 'decision-to-assess':
    case 'exception':
    case 'appeal':
      return request;
    case 'advice-request':
    case 'issue-decision':
      return c.decisionToAssessOn ? { field: 'decisionToAssessOn', date: c.decisionToAssessOn } : request;
    case 'final-plan':
      return c.issueDecisionOn ? { field: 'issueDecisionOn', date: c.issueDecisionOn } : request;
    case 'withdraw': {
      const steps = [
        { field: 'requestReceivedOn', date: c.requestReceivedOn },
        { field: 'decisionToAssessOn', date: c.decisionToAssessOn },
        { field: 'issueDecisionOn', date: c.issueDecisionOn },
        { field: 'finalPlanIssuedOn', date: c.finalPlanIssuedOn },
      ].filter((s): s is { field: string; date: CalendarDate } => s.date !== null);
      return steps.reduce((latest, s) => (compareDates(s.date, latest.date) >= 0 ? s : latest));
    }
  }
}

/**
 * Why a step's date is not acceptable (undefined when it is): a step may not precede the
 * previous step's date, nor lie in the future.
 */
export function stepDateProblem(date: CalendarDate, previous: { field: string; date: CalendarDate }, today: CalendarDate): string | undefined {
  if (compareDates(date, today) > 0) return `must not be in the future (today is ${today})`;
  if (compareDates(date, previous.date) < 0) return `must not be before ${previous.field} (${previous.date})`;
  return undefined;
}

/** Days from one date to another, both counted (a week from a Monday ends on a Sunday: 7). */
export function inclusiveDays(fromOn: CalendarDate, toOn: CalendarDate): number {
  return toEpochDay(toOn) - toEpochDay(fromOn) + 1;
}

/**
 * An exception's period (DOMAIN.md "Exceptions"): toOn not before fromOn; closures and absence
 * from the area count only when they last 4 or more continuous weeks (28 days, both ends counted);
 * it cannot start before the request was received nor in the future.
 */
export function exceptionProblems(
  reason: ExceptionReason,
  fromOn: CalendarDate,
  toOn: CalendarDate,
  requestReceivedOn: CalendarDate,
  today: CalendarDate,
): FieldError[] {
  const errors: FieldError[] = [];
  if (compareDates(fromOn, today) > 0) errors.push({ field: 'fromOn', message: `must not be in the future (today is ${today})` });
  else if (compareDates(fromOn, requestReceivedOn) < 0) {
    // The period may have begun before the request; what matters is that it covers the 20 weeks.
    if (compareDates(toOn, requestReceivedOn) < 0) errors.push({ field: 'toOn', message: `must not be before requestReceivedOn (${requestReceivedOn})` });
  }
  if (compareDates(toOn, fromOn) < 0) {
    errors.push({ field: 'toOn', message: 'must not be before fromOn' });
  } else if (FOUR_WEEK_REASONS.includes(reason) && inclusiveDays(fromOn, toOn) < MIN_EXCEPTION_DAYS) {
    errors.push({
      field: 'toOn',
      message: `${reason} counts only for 4 or more continuous weeks (${MIN_EXCEPTION_DAYS} days from fromOn, both counted); this period is ${inclusiveDays(fromOn, toOn)} days`,
    });
  }
  return errors;
}

// --- annual reviews ------------------------------------------------------------------------------

export const REVIEW_STAGES = ['MEETING_HELD', 'REPORT_SENT', 'MAINTAINED', 'AMENDING', 'AMENDMENTS_SENT', 'AMENDED', 'CEASED'] as const;
export type ReviewStage = (typeof REVIEW_STAGES)[number];
export const REVIEW_DECISIONS = ['MAINTAIN', 'AMEND', 'CEASE'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];
export const REVIEW_STEPS = ['report-sent', 'decision', 'amendments-sent', 'amended-plan'] as const;
export type ReviewStep = (typeof REVIEW_STEPS)[number];

/** SEN2 reasons an EHC plan ceased, 1..9. */
export const CEASE_REASONS = [1, 2, 3, 4, 5, 6, 7, 8, 9] as const;

/**
 * THE state machine of an annual review: meeting held -> report sent -> decision (maintain,
 * amend, cease); an amendment then goes: proposed amendments sent -> final amended plan.
 * null = not allowed from that stage (409 invalid-transition).
 */
export function nextReviewStage(stage: ReviewStage, step: ReviewStep, decision?: ReviewDecision): ReviewStage | null {
  switch (step) {
    case 'report-sent':
      return stage === 'MEETING_HELD' ? 'REPORT_SENT' : null;
    case 'decision':
      if (stage !== 'REPORT_SENT') return null;
      return decision === 'MAINTAIN' ? 'MAINTAINED' : decision === 'AMEND' ? 'AMENDING' : decision === 'CEASE' ? 'CEASED' : null;
    case 'amendments-sent':
      return stage === 'AMENDING' ? 'AMENDMENTS_SENT' : null;
    case 'amended-plan':
      return stage === 'AMENDMENTS_SENT' ? 'AMENDED' : null;
  }
}

export function reviewStagesAllowing(step: ReviewStep): ReviewStage[] {
  return REVIEW_STAGES.filter((stage) => REVIEW_DECISIONS.some((d) => nextReviewStage(stage, step, d) !== null));
}

/** The previous dated step of a review (its field and date) for a new step's date. */
export function previousReviewStep(
  step: ReviewStep,
  r: { meetingOn: CalendarDate; reportSentOn: CalendarDate | null; decidedOn: CalendarDate | null; amendmentsSentOn: CalendarDate | null },
): { field: string; date: CalendarDate } {
  switch (step) {
    case 'report-sent':
      return { field: 'meetingOn', date: r.meetingOn };
    case 'decision':
      return r.reportSentOn ? { field: 'reportSentOn', date: r.reportSentOn } : { field: 'meetingOn', date: r.meetingOn };
    case 'amendments-sent':
      return r.decidedOn ? { field: 'decidedOn', date: r.decidedOn } : { field: 'meetingOn', date: r.meetingOn };
    case 'amended-plan':
      return r.amendmentsSentOn ? { field: 'amendmentsSentOn', date: r.amendmentsSentOn } : { field: 'meetingOn', date: r.meetingOn };
  }
}
