import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { addDays, addWeeks, type CalendarDate, daysBetween, maxDate } from '../common/dates/calendar-date';
import { academicYearOf, phaseTransferOfPlan, transferYearStart } from '../ehc/phase-transfer';
import type { SchoolPhase } from '../localities/school.entity';
import type { DeadlineKind, SubjectType } from '../timeliness/deadline-kind';
import { dueDate, type DurationRule } from '../timeliness/deadline-rules';

/**
 * Demo EHC needs assessments (issue 7), relative to today and deterministic:
 * - every demo pupil already on an EHC plan (status E) gets the case that led to it, issued over
 *   the last two years, a third of them within 20 weeks (Kent 2024: 33.3%), one in six late with
 *   a Reg 10(4) exception, each plan with its ANNUAL_REVIEW_MEETING (some now overdue);
 * - every fourth pupil on the register (by UPN) on SEN support gets a case at another stage:
 *   requested (on track and overdue), not assessed, assessing with advice from the NHS trust (on
 *   track and overdue) and educational psychology, draft issued, not issued, withdrawn;
 * - PHASE_TRANSFER deadlines for plans whose pupil is in a transfer year: this year's open, last
 *   year's (pupils now in Year 7) met on time but one late.
 * Idempotent: a pupil that has a case gets no other. Due dates come from the SLA rules through the one
 * dueDate rule; rows are written in one statement per table (boot time on the embedded database).
 */
export const DEMO_EHC_NHS = 'Kent Community Health NHS Foundation Trust';
export const DEMO_EHC_EP = 'KCC Educational Psychology Service';
const CASEWORKERS = { county: 'caseworker@example.org', north: 'caseworker.north@example.org' };

interface PupilRow {
  id: string;
  schoolId: string;
  localityId: string;
  area: string;
  senStatus: string;
  primaryNeed: string;
  secondaryNeed: string | null;
  dateOfBirth: CalendarDate;
  yearOffset: number;
  phase: SchoolPhase;
}

interface Advice {
  org: 'NHS' | 'EP';
  type: 'HEALTH' | 'EDUCATIONAL_PSYCHOLOGY';
  requestedWeek: number;
  receivedWeek?: number;
}

/** A case's steps as weeks after the request was received. */
interface Profile {
  weeksAgo: number;
  decision?: { week: number; assess: boolean };
  advice?: Advice[];
  issue?: { week: number; issue: boolean };
  planWeek?: number;
  exception?: boolean;
  withdrawWeek?: number;
}

/** Cases that led to an existing plan: two in six on time, the rest late (one excepted). */
function planProfile(j: number): Profile {
  const planWeek = [19, 20, 26, 30, 45, 60][j % 6];
  const weeksAgo = Math.min(104, Math.max(planWeek + 1, 20 + ((j * 13) % 84)));
  const decisionWeek = j % 4 === 3 ? 8 : 6;
  return {
    weeksAgo,
    decision: { week: decisionWeek, assess: true },
    advice: [
      { org: 'EP', type: 'EDUCATIONAL_PSYCHOLOGY', requestedWeek: decisionWeek, receivedWeek: decisionWeek + (j % 2 === 0 ? 5 : 8) },
      ...(j % 2 === 0 ? [{ org: 'NHS', type: 'HEALTH', requestedWeek: decisionWeek, receivedWeek: decisionWeek + 6 } as Advice] : []),
    ],
    issue: { week: Math.min(planWeek - 1, planWeek <= 20 ? 16 : planWeek - 4), issue: true },
    planWeek,
    exception: j % 6 === 2,
  };
}

/**
 * A pupil who moved up to secondary school this September (demo-data.ts
 * DEMO_PHASE_TRANSFER_PUPILS): the plan issued in Year 6, a week or so before last year's phase
 * transfer was due; two within 20 weeks, one a week late. Not a planProfile draw, so the drawn
 * plans' mix stays as it was.
 */
function movedUpProfile(k: number, transferDueOn: CalendarDate, today: CalendarDate): Profile {
  const planWeek = [19, 20, 21][k % 3];
  const received = addWeeks(addDays(transferDueOn, -8), -planWeek);
  return {
    weeksAgo: Math.floor(daysBetween(received, today) / 7),
    decision: { week: 6, assess: true },
    advice: [{ org: 'EP', type: 'EDUCATIONAL_PSYCHOLOGY', requestedWeek: 6, receivedWeek: 11 }],
    issue: { week: 16, issue: true },
    planWeek,
  };
}

/** Cases at every other stage, for pupils on SEN support. */
function openProfile(i: number): Profile {
  switch (i % 8) {
    case 0:
      return { weeksAgo: 1 + (i % 4) };
    case 1:
      return { weeksAgo: 7 + (i % 3) };
    case 2:
      return { weeksAgo: 10 + ((i * 7) % 80), decision: { week: 5, assess: false } };
    case 3:
      return { weeksAgo: 8, decision: { week: 5, assess: true }, advice: [{ org: 'NHS', type: 'HEALTH', requestedWeek: 5 }] };
    case 4:
      return {
        weeksAgo: 14,
        decision: { week: 6, assess: true },
        advice: [
          { org: 'NHS', type: 'HEALTH', requestedWeek: 6 },
          { org: 'EP', type: 'EDUCATIONAL_PSYCHOLOGY', requestedWeek: 6, receivedWeek: 10 },
        ],
      };
    case 5:
      return {
        weeksAgo: 18,
        decision: { week: 6, assess: true },
        advice: [
          { org: 'EP', type: 'EDUCATIONAL_PSYCHOLOGY', requestedWeek: 6, receivedWeek: 11 },
          { org: 'NHS', type: 'HEALTH', requestedWeek: 6, receivedWeek: 13 },
        ],
        issue: { week: 16, issue: true },
      };
    case 6:
      return {
        weeksAgo: 20 + ((i * 11) % 70),
        decision: { week: 6, assess: true },
        advice: [{ org: 'EP', type: 'EDUCATIONAL_PSYCHOLOGY', requestedWeek: 6, receivedWeek: 12 }],
        issue: { week: 15, issue: false },
      };
    default:
      return { weeksAgo: 12 + ((i * 5) % 60), decision: { week: 6, assess: true }, advice: [{ org: 'NHS', type: 'HEALTH', requestedWeek: 6 }], withdrawWeek: 9 };
  }
}

function stageOf(p: Profile): string {
  if (p.withdrawWeek !== undefined) return 'WITHDRAWN';
  if (p.planWeek !== undefined) return 'PLAN_ISSUED';
  if (p.issue) return p.issue.issue ? 'DRAFT_ISSUED' : 'NOT_ISSUED';
  if (p.decision) return p.decision.assess ? 'ASSESSING' : 'NOT_ASSESSED';
  return 'REQUESTED';
}

async function rows<T>(manager: EntityManager, sql: string, parameters: unknown[]): Promise<T[]> {
  const result: unknown = await manager.query(sql, parameters);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return Array.isArray(result) ? (result as T[]) : [];
}

/** Adds the demo EHC cases missing; returns how many were added. */
export async function seedDemoEhc(manager: EntityManager, today: CalendarDate): Promise<number> {
  const users = await rows<{ id: string; email: string }>(manager, `SELECT id, email FROM app_user WHERE email = ANY($1)`, [Object.values(CASEWORKERS)]);
  const orgs = await rows<{ id: string; name: string }>(manager, `SELECT id, name FROM organisation WHERE name = ANY($1)`, [[DEMO_EHC_NHS, DEMO_EHC_EP]]);
  const rules = await rows<DurationRule>(manager, `SELECT kind, duration_unit AS "durationUnit", duration_value AS "durationValue" FROM sla_rule`, []);
  const county = users.find((u) => u.email === CASEWORKERS.county)?.id;
  const north = users.find((u) => u.email === CASEWORKERS.north)?.id;
  const orgId = { NHS: orgs.find((o) => o.name === DEMO_EHC_NHS)?.id, EP: orgs.find((o) => o.name === DEMO_EHC_EP)?.id };
  if (!county || !north || !orgId.NHS || !orgId.EP) return 0;
  const rule = (kind: DeadlineKind) => rules.find((r) => r.kind === kind) as DurationRule;

  // Every pupil on an EHC plan, and every fourth pupil of the register (by UPN) on SEN support.
  const pupils = await rows<PupilRow>(
    manager,
    `SELECT p.id, p.school_id AS "schoolId", s.locality_id AS "localityId", l.area, p.sen_status AS "senStatus",
            p.primary_need AS "primaryNeed", p.secondary_need AS "secondaryNeed",
            p.date_of_birth::text AS "dateOfBirth", p.year_offset AS "yearOffset", s.phase
     FROM (SELECT *, row_number() OVER (ORDER BY upn) AS rn FROM pupil) p
     JOIN school s ON s.id = p.school_id JOIN locality l ON l.id = s.locality_id
     WHERE p.left_on IS NULL AND p.primary_need IS NOT NULL AND p.primary_need <> 'NSA'
       AND (p.sen_status = 'E' OR (p.sen_status = 'K' AND p.rn % 4 = 0))
       AND NOT EXISTS (SELECT 1 FROM ehc_assessment e WHERE e.pupil_id = p.id)
     ORDER BY p.upn`,
    [],
  );
  if (pupils.length === 0) return 0;

  const cases: Record<string, unknown>[] = [];
  const advice: Record<string, unknown>[] = [];
  const exceptions: Record<string, unknown>[] = [];
  const plans: Record<string, unknown>[] = [];
  const deadlines: Record<string, unknown>[] = [];
  const deadline = (
    kind: DeadlineKind,
    subjectType: SubjectType,
    subjectId: string,
    place: { pupilId: string; schoolId: string; localityId: string; organisationId?: string },
    startsOn: CalendarDate,
    end: { metOn?: CalendarDate; cancelledOn?: CalendarDate; exceptionReason?: string; dueOn?: CalendarDate } = {},
  ) =>
    deadlines.push({
      kind,
      subjectType,
      subjectId,
      ...place,
      organisationId: place.organisationId ?? null,
      startsOn,
      dueOn: dueDate(rule(kind), startsOn, { dueOn: end.dueOn }),
      metOn: end.metOn ?? null,
      cancelledOn: end.cancelledOn ?? null,
      excepted: end.exceptionReason !== undefined,
      exceptionReason: end.exceptionReason ?? null,
    });

  let planCount = 0;
  let otherCount = 0;
  const year = academicYearOf(today);
  let movedUpCount = 0;
  let lastYearTransfers = 0;
  for (const pupil of pupils) {
    const movedUp =
      pupil.senStatus === 'E' && pupil.phase === 'SECONDARY'
        ? phaseTransferOfPlan({ dateOfBirth: pupil.dateOfBirth, yearOffset: Number(pupil.yearOffset), schoolPhase: 'PRIMARY', issuedOn: `${year - 1}-09-01` }, year - 1)
        : null;
    const profile = movedUp ? movedUpProfile(movedUpCount++, movedUp.dueOn, today) : pupil.senStatus === 'E' ? planProfile(planCount++) : openProfile(otherCount++);
    const n = planCount + otherCount;
    const caseworker = pupil.area === 'North' && n % 2 === 0 ? north : county;
    const received = addWeeks(today, -profile.weeksAgo);
    const on = (week: number) => addWeeks(received, week);
    const place = { pupilId: pupil.id, schoolId: pupil.schoolId, localityId: pupil.localityId };
    const id = randomUUID();
    const decidedOn = profile.decision ? on(profile.decision.week) : null;
    const issuedOn = profile.issue ? on(profile.issue.week) : null;
    const planOn = profile.planWeek !== undefined ? on(profile.planWeek) : null;
    const withdrawnOn = profile.withdrawWeek !== undefined ? on(profile.withdrawWeek) : null;
    cases.push({
      id,
      pupilId: pupil.id,
      requestReceivedOn: received,
      requestedBy: ['PARENT', 'SCHOOL', 'PARENT', 'YOUNG_PERSON', 'OTHER'][n % 5],
      caseworkerId: caseworker,
      stage: stageOf(profile),
      decisionToAssess: profile.decision ? profile.decision.assess : null,
      decisionToAssessOn: decidedOn,
      decisionToAssessBy: decidedOn ? caseworker : null,
      issueDecision: profile.issue ? profile.issue.issue : null,
      issueDecisionOn: issuedOn,
      issueDecisionBy: issuedOn ? caseworker : null,
      finalPlanIssuedOn: planOn,
      finalPlanBy: planOn ? caseworker : null,
      withdrawnOn,
      withdrawReason: withdrawnOn ? 'Family chose a specialist independent placement' : null,
      withdrawnBy: withdrawnOn ? caseworker : null,
    });
    // Later deadlines close as cancelled on a "no" or a withdrawal, never late.
    const closedOn = (profile.decision && !profile.decision.assess ? decidedOn : null) ?? (profile.issue && !profile.issue.issue ? issuedOn : null) ?? withdrawnOn;
    const subject = (metOn: CalendarDate | null) => (metOn ? { metOn } : closedOn ? { cancelledOn: closedOn } : {});
    deadline('EHC_DECISION_TO_ASSESS', 'EHC_ASSESSMENT', id, place, received, subject(decidedOn));
    deadline('EHC_ISSUE_DECISION', 'EHC_ASSESSMENT', id, place, received, subject(issuedOn));
    deadline('EHC_FINAL_PLAN', 'EHC_ASSESSMENT', id, place, received, {
      ...subject(planOn),
      ...(profile.exception ? { exceptionReason: 'ABSENT_FROM_AREA' } : {}),
    });
    // Advice still awaited when the issue decision or withdrawal came is no longer awaited.
    const adviceClosedOn = issuedOn ?? withdrawnOn;
    for (const a of profile.advice ?? []) {
      const adviceId = randomUUID();
      const receivedOn = a.receivedWeek !== undefined ? on(a.receivedWeek) : null;
      const cancelledOn = receivedOn ? null : adviceClosedOn;
      advice.push({
        id: adviceId,
        assessmentId: id,
        pupilId: pupil.id,
        adviceType: a.type,
        organisationId: orgId[a.org],
        requestedOn: on(a.requestedWeek),
        requestedBy: caseworker,
        receivedOn,
        receivedBy: receivedOn ? caseworker : null,
        cancelledOn,
      });
      deadline('EHC_ADVICE', 'ADVICE_REQUEST', adviceId, { ...place, organisationId: orgId[a.org] }, on(a.requestedWeek), receivedOn ? { metOn: receivedOn } : cancelledOn ? { cancelledOn } : {});
    }
    if (profile.exception) exceptions.push({ assessmentId: id, fromOn: on(8), toOn: on(13), recordedBy: caseworker });
    if (planOn) {
      const planId = randomUUID();
      plans.push({
        id: planId,
        pupilId: pupil.id,
        assessmentId: id,
        issuedOn: planOn,
        settingSchoolId: pupil.schoolId,
        primaryNeed: pupil.primaryNeed,
        secondaryNeed: pupil.secondaryNeed,
        createdBy: caseworker,
      });
      deadline('ANNUAL_REVIEW_MEETING', 'EHC_PLAN', planId, place, planOn);
      // Phase transfers (Reg 18), by the same rule as the routes: this year's still open (Year 6 at
      // a primary, Year 11); last year's, for pupils who moved up from a primary this September,
      // met by the amended plan naming their secondary school (the plan's setting): on time, but one.
      const onRegister = { dateOfBirth: pupil.dateOfBirth, yearOffset: Number(pupil.yearOffset), issuedOn: planOn };
      const thisYear = phaseTransferOfPlan({ ...onRegister, schoolPhase: pupil.phase }, year);
      if (thisYear) deadline('PHASE_TRANSFER', 'EHC_PLAN', planId, place, transferYearStart(year), { dueOn: thisYear.dueOn });
      const lastYear = pupil.phase === 'SECONDARY' ? phaseTransferOfPlan({ ...onRegister, schoolPhase: 'PRIMARY' }, year - 1) : null;
      if (lastYear) {
        const k = lastYearTransfers++;
        const metOn = k === 0 ? addDays(lastYear.dueOn, 23) : maxDate(planOn, addDays(lastYear.dueOn, -(7 + (k % 5) * 9)));
        deadline('PHASE_TRANSFER', 'EHC_PLAN', planId, place, transferYearStart(year - 1), { dueOn: lastYear.dueOn, metOn });
      }
    }
  }

  await manager.query(
    `INSERT INTO ehc_assessment (id, pupil_id, request_received_on, requested_by, caseworker_id, stage, decision_to_assess,
       decision_to_assess_on, decision_to_assess_by, issue_decision, issue_decision_on, issue_decision_by, final_plan_issued_on,
       final_plan_by, withdrawn_on, withdraw_reason, withdrawn_by, created_by)
     SELECT id, "pupilId", "requestReceivedOn", "requestedBy", "caseworkerId", stage, "decisionToAssess", "decisionToAssessOn",
       "decisionToAssessBy", "issueDecision", "issueDecisionOn", "issueDecisionBy", "finalPlanIssuedOn", "finalPlanBy", "withdrawnOn",
       "withdrawReason", "withdrawnBy", "caseworkerId"
     FROM jsonb_to_recordset($1::jsonb) AS c(id uuid, "pupilId" uuid, "requestReceivedOn" date, "requestedBy" text, "caseworkerId" uuid,
       stage text, "decisionToAssess" boolean, "decisionToAssessOn" date, "decisionToAssessBy" uuid, "issueDecision" boolean,
       "issueDecisionOn" date, "issueDecisionBy" uuid, "finalPlanIssuedOn" date, "finalPlanBy" uuid, "withdrawnOn" date,
       "withdrawReason" text, "withdrawnBy" uuid)`,
    [JSON.stringify(cases)],
  );
  if (advice.length) {
    await manager.query(
      `INSERT INTO advice_request (id, assessment_id, pupil_id, advice_type, organisation_id, requested_on, requested_by, received_on, received_by, cancelled_on)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS a(id uuid, "assessmentId" uuid, "pupilId" uuid, "adviceType" text, "organisationId" uuid,
         "requestedOn" date, "requestedBy" uuid, "receivedOn" date, "receivedBy" uuid, "cancelledOn" date)`,
      [JSON.stringify(advice)],
    );
  }
  if (exceptions.length) {
    await manager.query(
      `INSERT INTO ehc_exception (assessment_id, reason, from_on, to_on, recorded_by)
       SELECT "assessmentId", 'ABSENT_FROM_AREA', "fromOn", "toOn", "recordedBy"
       FROM jsonb_to_recordset($1::jsonb) AS e("assessmentId" uuid, "fromOn" date, "toOn" date, "recordedBy" uuid)`,
      [JSON.stringify(exceptions)],
    );
  }
  if (plans.length) {
    await manager.query(
      `INSERT INTO ehc_plan (id, pupil_id, assessment_id, issued_on, setting_school_id, primary_need, secondary_need, created_by)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS p(id uuid, "pupilId" uuid, "assessmentId" uuid, "issuedOn" date, "settingSchoolId" uuid,
         "primaryNeed" text, "secondaryNeed" text, "createdBy" uuid)`,
      [JSON.stringify(plans)],
    );
  }
  await manager.query(
    `INSERT INTO deadline (kind, subject_type, subject_id, pupil_id, school_id, locality_id, organisation_id, starts_on, due_on, met_on,
       cancelled_on, excepted, exception_reason)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS d(kind text, "subjectType" text, "subjectId" uuid, "pupilId" uuid, "schoolId" uuid,
       "localityId" uuid, "organisationId" uuid, "startsOn" date, "dueOn" date, "metOn" date, "cancelledOn" date, excepted boolean,
       "exceptionReason" text)`,
    [JSON.stringify(deadlines)],
  );
  return pupils.length;
}
