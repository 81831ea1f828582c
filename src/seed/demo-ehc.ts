import type { EntityManager } from 'typeorm';
import { addWeeks, type CalendarDate } from '../common/dates/calendar-date';
import type { DeadlineKind } from '../timeliness/deadline-kind';
import { type DeadlineSubject, TimelinessService } from '../timeliness/timeliness.service';

/**
 * Demo EHC needs assessments (issue 7), relative to today and deterministic:
 * - every demo pupil already on an EHC plan (status E) gets the case that led to it, issued over
 *   the last two years, a third of them within 20 weeks (Kent 2024: 33.3%), one in six late with
 *   a Reg 10(4) exception, each plan with its ANNUAL_REVIEW_MEETING (some now overdue);
 * - every fourth pupil on the register (by UPN) on SEN support gets a case at another stage:
 *   requested (on track and overdue), not assessed, assessing with advice from the NHS trust (on
 *   track and overdue) and educational psychology, draft issued, not issued, withdrawn.
 * Idempotent: a pupil that has a case gets no other. Deadlines go through TimelinessService.
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
  const timeliness = new TimelinessService();
  const users = await rows<{ id: string; email: string }>(manager, `SELECT id, email FROM app_user WHERE email = ANY($1)`, [Object.values(CASEWORKERS)]);
  const orgs = await rows<{ id: string; name: string }>(manager, `SELECT id, name FROM organisation WHERE name = ANY($1)`, [[DEMO_EHC_NHS, DEMO_EHC_EP]]);
  const county = users.find((u) => u.email === CASEWORKERS.county)?.id;
  const north = users.find((u) => u.email === CASEWORKERS.north)?.id;
  const orgId = { NHS: orgs.find((o) => o.name === DEMO_EHC_NHS)?.id, EP: orgs.find((o) => o.name === DEMO_EHC_EP)?.id };
  if (!county || !north || !orgId.NHS || !orgId.EP) return 0;

  // Every pupil on an EHC plan, and every fourth pupil of the register (by UPN) on SEN support.
  const pupils = await rows<PupilRow>(
    manager,
    `SELECT p.id, p.school_id AS "schoolId", s.locality_id AS "localityId", l.area, p.sen_status AS "senStatus",
            p.primary_need AS "primaryNeed", p.secondary_need AS "secondaryNeed"
     FROM (SELECT *, row_number() OVER (ORDER BY upn) AS rn FROM pupil) p
     JOIN school s ON s.id = p.school_id JOIN locality l ON l.id = s.locality_id
     WHERE p.left_on IS NULL AND p.primary_need IS NOT NULL AND p.primary_need <> 'NSA'
       AND (p.sen_status = 'E' OR (p.sen_status = 'K' AND p.rn % 4 = 0))
       AND NOT EXISTS (SELECT 1 FROM ehc_assessment e WHERE e.pupil_id = p.id)
     ORDER BY p.upn`,
    [],
  );
  let plans = 0;
  let others = 0;
  for (const pupil of pupils) {
    const profile = pupil.senStatus === 'E' ? planProfile(plans++) : openProfile(others++);
    const caseworker = pupil.area === 'North' && (plans + others) % 2 === 0 ? north : county;
    const received = addWeeks(today, -profile.weeksAgo);
    const on = (week: number) => addWeeks(received, week);
    const place = { pupilId: pupil.id, schoolId: pupil.schoolId, localityId: pupil.localityId };
    const [ehc] = await rows<{ id: string }>(
      manager,
      `INSERT INTO ehc_assessment (pupil_id, request_received_on, requested_by, caseworker_id, stage,
         decision_to_assess, decision_to_assess_on, decision_to_assess_by, issue_decision, issue_decision_on, issue_decision_by,
         final_plan_issued_on, final_plan_by, withdrawn_on, withdraw_reason, withdrawn_by, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $7::date IS NOT NULL THEN $8::uuid END, $9, $10, CASE WHEN $10::date IS NOT NULL THEN $8::uuid END,
               $11, CASE WHEN $11::date IS NOT NULL THEN $8::uuid END, $12, $13, CASE WHEN $12::date IS NOT NULL THEN $8::uuid END, $4) RETURNING id`,
      [
        pupil.id,
        received,
        ['PARENT', 'SCHOOL', 'PARENT', 'YOUNG_PERSON', 'OTHER'][(plans + others) % 5],
        caseworker,
        stageOf(profile),
        profile.decision ? profile.decision.assess : null,
        profile.decision ? on(profile.decision.week) : null,
        caseworker,
        profile.issue ? profile.issue.issue : null,
        profile.issue ? on(profile.issue.week) : null,
        profile.planWeek !== undefined ? on(profile.planWeek) : null,
        profile.withdrawWeek !== undefined ? on(profile.withdrawWeek) : null,
        profile.withdrawWeek !== undefined ? 'Family chose a specialist independent placement' : null,
      ],
    );
    const subject: DeadlineSubject = { subjectType: 'EHC_ASSESSMENT', subjectId: ehc.id };
    for (const kind of ['EHC_DECISION_TO_ASSESS', 'EHC_ISSUE_DECISION', 'EHC_FINAL_PLAN'] as DeadlineKind[]) {
      await timeliness.open(manager, { kind, ...subject, startsOn: received, ...place });
    }
    if (profile.decision) {
      await timeliness.meet(manager, subject, 'EHC_DECISION_TO_ASSESS', on(profile.decision.week));
      if (!profile.decision.assess) await timeliness.cancel(manager, subject, on(profile.decision.week));
    }
    const closedOn = profile.issue ? on(profile.issue.week) : profile.withdrawWeek !== undefined ? on(profile.withdrawWeek) : undefined;
    for (const advice of profile.advice ?? []) {
      const cancelled = advice.receivedWeek === undefined && closedOn !== undefined;
      const [request] = await rows<{ id: string }>(
        manager,
        `INSERT INTO advice_request (assessment_id, pupil_id, advice_type, organisation_id, requested_on, requested_by, received_on, received_by, cancelled_on)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [
          ehc.id,
          pupil.id,
          advice.type,
          orgId[advice.org],
          on(advice.requestedWeek),
          caseworker,
          advice.receivedWeek !== undefined ? on(advice.receivedWeek) : null,
          advice.receivedWeek !== undefined ? caseworker : null,
          cancelled ? closedOn : null,
        ],
      );
      const adviceSubject: DeadlineSubject = { subjectType: 'ADVICE_REQUEST', subjectId: request.id };
      await timeliness.open(manager, { kind: 'EHC_ADVICE', ...adviceSubject, startsOn: on(advice.requestedWeek), ...place, organisationId: orgId[advice.org] });
      if (advice.receivedWeek !== undefined) await timeliness.meet(manager, adviceSubject, 'EHC_ADVICE', on(advice.receivedWeek));
      else if (cancelled) await timeliness.cancel(manager, adviceSubject, closedOn);
    }
    if (profile.issue) {
      await timeliness.meet(manager, subject, 'EHC_ISSUE_DECISION', on(profile.issue.week));
      if (!profile.issue.issue) await timeliness.cancel(manager, subject, on(profile.issue.week));
    }
    if (profile.withdrawWeek !== undefined) await timeliness.cancel(manager, subject, on(profile.withdrawWeek));
    if (profile.exception) {
      await manager.query(
        `INSERT INTO ehc_exception (assessment_id, reason, from_on, to_on, recorded_by) VALUES ($1, 'ABSENT_FROM_AREA', $2, $3, $4)`,
        [ehc.id, on(8), on(13), caseworker],
      );
      await timeliness.markException(manager, subject, ['EHC_FINAL_PLAN'], 'ABSENT_FROM_AREA');
    }
    if (profile.planWeek !== undefined) {
      await timeliness.meet(manager, subject, 'EHC_FINAL_PLAN', on(profile.planWeek));
      const [plan] = await rows<{ id: string }>(
        manager,
        `INSERT INTO ehc_plan (pupil_id, assessment_id, issued_on, setting_school_id, primary_need, secondary_need, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [pupil.id, ehc.id, on(profile.planWeek), pupil.schoolId, pupil.primaryNeed, pupil.secondaryNeed, caseworker],
      );
      await timeliness.open(manager, { kind: 'ANNUAL_REVIEW_MEETING', subjectType: 'EHC_PLAN', subjectId: plan.id, startsOn: on(profile.planWeek), ...place });
    }
  }
  return pupils.length;
}
