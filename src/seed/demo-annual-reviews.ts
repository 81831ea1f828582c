import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { addDays, addWeeks, type CalendarDate, compareDates } from '../common/dates/calendar-date';
import type { DeadlineKind } from '../timeliness/deadline-kind';
import { dueDate, type DurationRule } from '../timeliness/deadline-rules';

/**
 * Demo annual reviews of EHC plans (after src/seed/demo-ehc.ts has issued the plans), relative to
 * today and deterministic, so the annual-reviews dashboard and the review deadlines show plausible
 * figures: every demo plan whose first review meeting is due within 8 weeks has held it (most a
 * little before the due date, some weeks ahead, some late; none in the future), sends the report (mostly within 2 weeks), and, unless the
 * meeting is too recent, decides: about a third within 4 weeks of the meeting (Kent 2024: 33.6%),
 * mostly maintain, some amend (amendments sent, some amended plans issued), a few cease. The
 * deadlines are what the workflow (src/ehc/ehc-plans.service.ts) writes: the plan's
 * ANNUAL_REVIEW_MEETING met, ANNUAL_REVIEW_REPORT and _DECISION per review, AMENDED_PLAN after
 * amendments, the next ANNUAL_REVIEW_MEETING after maintain or amend; cease closes the plan.
 * Idempotent: a plan that has a review gets none. Returns how many reviews were added.
 */

/**
 * Days from the due date to the meeting, by plan (negative = before it: schools often hold the
 * review weeks ahead of the anniversary, so plans due within 8 weeks may have held theirs).
 */
const MEETING_OFFSET = [-14, -3, 9, -49, 0, 30, -35, -7];
const HELD_AHEAD_DAYS = 56;
/** Days from the meeting to the decision (none yet while that is after today); 2 in 6 within 28 days. */
const DECISION_DAYS = [20, 27, 35, 45, 60, 31];
const REPORT_DAYS = [10, 13, 18];

interface PlanRow {
  planId: string;
  pupilId: string;
  schoolId: string;
  localityId: string;
  issuedOn: CalendarDate;
  meetingDeadlineId: string;
  meetingDueOn: CalendarDate;
}

export async function seedDemoAnnualReviews(manager: EntityManager, today: CalendarDate): Promise<number> {
  const rules: DurationRule[] = await manager.query(`SELECT kind, duration_unit AS "durationUnit", duration_value AS "durationValue" FROM sla_rule`);
  const rule = (kind: DeadlineKind) => rules.find((r) => r.kind === kind) as DurationRule;
  const plans: PlanRow[] = await manager.query(
    `SELECT p.id AS "planId", p.pupil_id AS "pupilId", d.school_id AS "schoolId", d.locality_id AS "localityId", p.issued_on::text AS "issuedOn",
            d.id AS "meetingDeadlineId", d.due_on::text AS "meetingDueOn"
     FROM ehc_plan p
     JOIN pupil pu ON pu.id = p.pupil_id
     JOIN deadline d ON d.subject_type = 'EHC_PLAN' AND d.subject_id = p.id AND d.kind = 'ANNUAL_REVIEW_MEETING'
                    AND d.met_on IS NULL AND d.cancelled_on IS NULL
     WHERE p.ceased_on IS NULL AND d.due_on <= $1::date + $2::int
       AND NOT EXISTS (SELECT 1 FROM annual_review r WHERE r.plan_id = p.id)
     ORDER BY pu.upn`,
    [today, HELD_AHEAD_DAYS],
  );
  const reviews: Record<string, unknown>[] = [];
  const deadlines: Record<string, unknown>[] = [];
  const metMeetings: { id: string; metOn: CalendarDate }[] = [];
  const ceased: { id: string; ceasedOn: CalendarDate; reason: number }[] = [];
  const deadline = (kind: DeadlineKind, subjectType: 'ANNUAL_REVIEW' | 'EHC_PLAN', subjectId: string, plan: PlanRow, startsOn: CalendarDate, metOn: CalendarDate | null) =>
    deadlines.push({
      kind, subjectType, subjectId, pupilId: plan.pupilId, schoolId: plan.schoolId, localityId: plan.localityId, startsOn,
      dueOn: dueDate(rule(kind), startsOn), metOn,
    });
  const byToday = (d: CalendarDate) => (compareDates(d, today) <= 0 ? d : null);

  plans.forEach((plan, j) => {
    const meetingOn = byToday(addDays(plan.meetingDueOn, MEETING_OFFSET[j % MEETING_OFFSET.length]));
    if (!meetingOn || compareDates(meetingOn, plan.issuedOn) <= 0) return;
    const decidedOn = byToday(addDays(meetingOn, DECISION_DAYS[j % DECISION_DAYS.length]));
    const reportSentOn = byToday(addDays(meetingOn, REPORT_DAYS[j % REPORT_DAYS.length]));
    const decision = !decidedOn ? null : j % 8 === 3 ? 'CEASE' : j % 4 === 1 ? 'AMEND' : 'MAINTAIN';
    const amendmentsSentOn = decision === 'AMEND' && decidedOn ? byToday(addDays(decidedOn, 7)) : null;
    const amendedPlanIssuedOn = amendmentsSentOn ? byToday(addWeeks(amendmentsSentOn, j % 3 === 0 ? 9 : 6)) : null;
    const stage = decision === 'CEASE' ? 'CEASED' : decision === 'MAINTAIN' ? 'MAINTAINED'
      : decision === 'AMEND' ? (amendedPlanIssuedOn ? 'AMENDED' : amendmentsSentOn ? 'AMENDMENTS_SENT' : 'AMENDING')
        : reportSentOn ? 'REPORT_SENT' : 'MEETING_HELD';
    const id = randomUUID();
    const ceaseReason = decision === 'CEASE' ? (j % 2 === 0 ? 2 : 5) : null;
    reviews.push({ id, planId: plan.planId, pupilId: plan.pupilId, stage, meetingOn, reportSentOn, decision, decidedOn: decision ? decidedOn : null,
      ceaseReason, amendmentsSentOn, amendedPlanIssuedOn });
    metMeetings.push({ id: plan.meetingDeadlineId, metOn: meetingOn });
    deadline('ANNUAL_REVIEW_REPORT', 'ANNUAL_REVIEW', id, plan, meetingOn, reportSentOn);
    deadline('ANNUAL_REVIEW_DECISION', 'ANNUAL_REVIEW', id, plan, meetingOn, decision ? decidedOn : null);
    if (amendmentsSentOn) deadline('AMENDED_PLAN', 'ANNUAL_REVIEW', id, plan, amendmentsSentOn, amendedPlanIssuedOn);
    if (decision === 'MAINTAIN' || decision === 'AMEND') deadline('ANNUAL_REVIEW_MEETING', 'EHC_PLAN', plan.planId, plan, meetingOn, null);
    if (decision === 'CEASE' && decidedOn && ceaseReason) ceased.push({ id: plan.planId, ceasedOn: decidedOn, reason: ceaseReason });
  });
  if (reviews.length === 0) return 0;

  await manager.query(
    `INSERT INTO annual_review (id, plan_id, pupil_id, stage, meeting_on, report_sent_on, decision, decided_on, cease_reason, amendments_sent_on,
       amended_plan_issued_on)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, "planId" uuid, "pupilId" uuid, stage text, "meetingOn" date, "reportSentOn" date,
       decision text, "decidedOn" date, "ceaseReason" smallint, "amendmentsSentOn" date, "amendedPlanIssuedOn" date)`,
    [JSON.stringify(reviews)],
  );
  await manager.query(
    `UPDATE deadline d SET met_on = m."metOn" FROM jsonb_to_recordset($1::jsonb) AS m(id uuid, "metOn" date) WHERE d.id = m.id`,
    [JSON.stringify(metMeetings)],
  );
  if (ceased.length) {
    // Cease closes the plan and cancels what is still open on it, as the decide step does.
    await manager.query(
      `UPDATE ehc_plan p SET ceased_on = c."ceasedOn", cease_reason = c.reason FROM jsonb_to_recordset($1::jsonb) AS c(id uuid, "ceasedOn" date, reason smallint)
       WHERE p.id = c.id`,
      [JSON.stringify(ceased)],
    );
    await manager.query(
      `UPDATE deadline d SET cancelled_on = c."ceasedOn" FROM jsonb_to_recordset($1::jsonb) AS c(id uuid, "ceasedOn" date)
       WHERE d.subject_type = 'EHC_PLAN' AND d.subject_id = c.id AND d.met_on IS NULL AND d.cancelled_on IS NULL`,
      [JSON.stringify(ceased)],
    );
  }
  await manager.query(
    `INSERT INTO deadline (kind, subject_type, subject_id, pupil_id, school_id, locality_id, starts_on, due_on, met_on)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS d(kind text, "subjectType" text, "subjectId" uuid, "pupilId" uuid, "schoolId" uuid,
       "localityId" uuid, "startsOn" date, "dueOn" date, "metOn" date)`,
    [JSON.stringify(deadlines)],
  );
  return reviews.length;
}
