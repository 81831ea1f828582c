import type { EntityManager } from 'typeorm';
import { addDays, type CalendarDate, minDate } from '../common/dates/calendar-date';
import { allocateFromPool, releaseToPool } from '../pools/pool-ledger';
import { UNIT_STEP } from '../pools/units';
import type { ServiceUnit } from '../providers/service.entity';
import type { DecisionOutcome } from '../support-requests/support-request-decision.entity';

/** What the demo panels added in one run. */
export interface DemoPanelCounts {
  panelMeetings: number;
  panelDecisions: number;
  allocations: number;
}

/** Each demo locality meets every two weeks: three meetings held, two to come (days from today). */
export const DEMO_MEETING_OFFSETS = [-35, -21, -7, 7, 21];

/** Outcomes given in turn to the requests the past meetings decided. */
const OUTCOME_CYCLE: DecisionOutcome[] = ['PARTIAL', 'APPROVED', 'DECLINED', 'DEFERRED', 'APPROVED', 'PARTIAL', 'DECLINED', 'APPROVED'];

/** What became of the approvals, oldest decision first: the oldest offers are still waiting (their acceptance overdue). */
const ALLOCATION_FATES = ['OFFERED', 'ACCEPTED', 'CANCELLED', 'OFFERED', 'ACCEPTED'] as const;

const REASONS: Record<DecisionOutcome, string> = {
  APPROVED: 'Meets the locality criteria; evidence of two support cycles',
  PARTIAL: 'Approved in part: review progress after the first block',
  DECLINED: 'Needs can be met from the school’s own resources with STLS advice',
  DEFERRED: 'Deferred for the educational psychologist’s report',
};

interface Candidate {
  id: string;
  locality_id: string;
  locality_code: string;
  locality_name: string;
  service_code: string;
  unit: ServiceUnit;
  organisation_id: string;
  units_requested: string;
  submitted_on: CalendarDate;
}

/**
 * Demo panels, after the demo requests and pools: for each demo locality with no meeting yet,
 * five meetings (three held, two upcoming; the demo PANEL member declares an interest in one
 * school at the next one); and for each locality with no decision yet, decisions on its submitted
 * requests old enough to have been heard (all but the locality's oldest, left overdue), taken at
 * the first meeting after submission, in every outcome. Approvals draw their units through the
 * pool ledger (allocateFromPool; a cancelled one gives them back with releaseToPool), so each
 * pool's allocated units equal the units of its allocations still holding units; each allocation
 * has its ALLOCATION_ACCEPTANCE deadline (met when accepted, cancelled when cancelled, overdue
 * for the oldest offers). Deterministic for a given database and day; running it again adds nothing.
 */
export async function seedDemoPanels(manager: EntityManager, today: CalendarDate, localityCodes: readonly string[]): Promise<DemoPanelCounts> {
  const counts: DemoPanelCounts = { panelMeetings: 0, panelDecisions: 0, allocations: 0 };
  const localities: { id: string; code: string; name: string }[] = await manager.query(
    `SELECT id, code, name FROM locality WHERE code = ANY($1::text[]) ORDER BY code`,
    [localityCodes],
  );

  for (const locality of localities) {
    const [{ n }] = await manager.query(`SELECT count(*)::int AS n FROM panel_meeting WHERE locality_id = $1`, [locality.id]);
    if (n > 0) continue;
    const [member] = await manager.query(`SELECT id, name FROM app_user WHERE role = 'PANEL' AND locality_id = $1 ORDER BY email LIMIT 1`, [locality.id]);
    const chair = member ? String(member.name).replace(/\s*\(.*\)$/, '') : `Community Chair, ${locality.name}`;
    const attendees = [chair, 'SENCO representatives of the Community', 'STLS specialist teacher', 'NHS therapy lead'];
    for (const offset of DEMO_MEETING_OFFSETS) {
      const [meeting] = await manager.query(
        `INSERT INTO panel_meeting (locality_id, meeting_on, chair, attendees) VALUES ($1, $2, $3, $4::jsonb) RETURNING id`,
        [locality.id, addDays(today, offset), chair, JSON.stringify(attendees)],
      );
      counts.panelMeetings += 1;
      if (member && offset === 7) {
        await manager.query(
          `INSERT INTO panel_meeting_interest (meeting_id, user_id, school_id)
           SELECT $1, $2, id FROM school WHERE locality_id = $3 ORDER BY urn LIMIT 1`,
          [meeting.id, member.id, locality.id],
        );
      }
    }
  }

  // Requests heard at a meeting held since they were submitted, the locality's oldest excepted.
  const candidates: Candidate[] = await manager.query(
    `SELECT r.id, r.locality_id, l.code AS locality_code, l.name AS locality_name, r.service_code, sv.unit, sv.organisation_id,
            r.units_requested::text, r.submitted_on
     FROM support_request r
     JOIN locality l ON l.id = r.locality_id
     JOIN pupil p ON p.id = r.pupil_id
     JOIN service sv ON sv.code = r.service_code
     WHERE l.code = ANY($1::text[]) AND r.status = 'SUBMITTED' AND r.submitted_on <= $2::date
       AND NOT EXISTS (SELECT 1 FROM support_request_decision d JOIN support_request r2 ON r2.id = d.request_id WHERE r2.locality_id = r.locality_id)
       AND r.id <> (SELECT r3.id FROM support_request r3 JOIN pupil p3 ON p3.id = r3.pupil_id
                    WHERE r3.locality_id = r.locality_id AND r3.status = 'SUBMITTED' ORDER BY r3.submitted_on, p3.upn LIMIT 1)
     ORDER BY l.code, r.submitted_on, p.upn`,
    [localityCodes, addDays(today, -7)],
  );

  const approvals: { candidate: Candidate; decidedOn: CalendarDate; meetingId: string; units: number; poolId: string; outcome: DecisionOutcome }[] = [];
  for (const [index, candidate] of candidates.entries()) {
    const [meeting] = await manager.query(
      `SELECT id, meeting_on FROM panel_meeting WHERE locality_id = $1 AND meeting_on >= $2 AND meeting_on <= $3 ORDER BY meeting_on LIMIT 1`,
      [candidate.locality_id, candidate.submitted_on, today],
    );
    if (!meeting) continue;
    const decidedOn: CalendarDate = meeting.meeting_on;
    let outcome = OUTCOME_CYCLE[index % OUTCOME_CYCLE.length];
    const requested = Number(candidate.units_requested);
    const [pool] = await manager.query(
      `SELECT id FROM resource_pool WHERE locality_id = $1 AND service_code = $2 AND $3::date BETWEEN period_start AND period_end`,
      [candidate.locality_id, candidate.service_code, decidedOn],
    );
    const step = UNIT_STEP[candidate.unit];
    const partialUnits = Math.floor(requested / 2 / step) * step;
    // No pool for the service that day, or too little asked to give part: the panel declines.
    if ((outcome === 'APPROVED' || outcome === 'PARTIAL') && !pool) outcome = 'DECLINED';
    if (outcome === 'PARTIAL' && !(partialUnits > 0 && partialUnits < requested)) outcome = 'APPROVED';

    const status = { APPROVED: 'APPROVED', PARTIAL: 'PARTIALLY_APPROVED', DECLINED: 'DECLINED', DEFERRED: 'DEFERRED' }[outcome];
    await manager.query(`UPDATE support_request SET status = $2, version = version + 1, updated_at = now() WHERE id = $1`, [candidate.id, status]);
    if (outcome !== 'DEFERRED') {
      await manager.query(
        `UPDATE deadline SET met_on = $2 WHERE subject_type = 'SUPPORT_REQUEST' AND subject_id = $1 AND kind = 'REQUEST_DECISION' AND met_on IS NULL AND cancelled_on IS NULL`,
        [candidate.id, decidedOn],
      );
    }
    if (outcome === 'APPROVED' || outcome === 'PARTIAL') {
      approvals.push({ candidate, decidedOn, meetingId: meeting.id, units: outcome === 'APPROVED' ? requested : partialUnits, poolId: pool.id, outcome });
    } else {
      await manager.query(
        `INSERT INTO support_request_decision (request_id, outcome, decided_on, meeting_id, reason) VALUES ($1, $2, $3, $4, $5)`,
        [candidate.id, outcome, decidedOn, meeting.id, REASONS[outcome]],
      );
      counts.panelDecisions += 1;
    }
  }

  approvals.sort((a, b) => (a.decidedOn < b.decidedOn ? -1 : a.decidedOn > b.decidedOn ? 1 : a.candidate.id < b.candidate.id ? -1 : 1));
  for (const [index, approval] of approvals.entries()) {
    const { candidate, decidedOn, units } = approval;
    const fate = ALLOCATION_FATES[index % ALLOCATION_FATES.length];
    const acceptedOn = fate === 'ACCEPTED' ? minDate(addDays(decidedOn, 3), today) : null;
    const cancelledOn = fate === 'CANCELLED' ? minDate(addDays(decidedOn, 5), today) : null;
    // The ledger, as a panel decision moves it: units taken, and given back when cancelled.
    await allocateFromPool(manager, approval.poolId, units);
    if (fate === 'CANCELLED') await releaseToPool(manager, approval.poolId, units);
    const [allocation] = await manager.query(
      `INSERT INTO allocation (request_id, pupil_id, school_id, locality_id, pool_id, organisation_id, service_code, units, status,
                               offered_on, accepted_on, cancelled_on, cancel_reason)
       SELECT r.id, r.pupil_id, r.school_id, r.locality_id, $2, $3, r.service_code, $4, $5, $6, $7, $8, $9 FROM support_request r WHERE r.id = $1
       RETURNING id, pupil_id, school_id, locality_id`,
      [candidate.id, approval.poolId, candidate.organisation_id, units, fate, decidedOn, acceptedOn, cancelledOn, cancelledOn ? 'The pupil moved out of the area' : null],
    );
    await manager.query(
      `INSERT INTO deadline (kind, subject_type, subject_id, pupil_id, school_id, locality_id, organisation_id, starts_on, due_on, met_on, cancelled_on)
       SELECT 'ALLOCATION_ACCEPTANCE', 'ALLOCATION', $1, $2, $3, $4, $5, $6::date, $6::date + 7 * rule.duration_value, $7::date, $8::date
       FROM sla_rule rule WHERE rule.kind = 'ALLOCATION_ACCEPTANCE'`,
      [allocation.id, allocation.pupil_id, allocation.school_id, allocation.locality_id, candidate.organisation_id, decidedOn, acceptedOn, cancelledOn],
    );
    if (acceptedOn) {
      await manager.query(
        `INSERT INTO deadline (kind, subject_type, subject_id, pupil_id, school_id, locality_id, organisation_id, starts_on, due_on)
         SELECT 'DELIVERY_START', 'ALLOCATION', $1, $2, $3, $4, $5, $6::date, $6::date + 7 * coalesce(sv.delivery_start_weeks, rule.duration_value)
         FROM sla_rule rule, service sv WHERE rule.kind = 'DELIVERY_START' AND sv.code = $7`,
        [allocation.id, allocation.pupil_id, allocation.school_id, allocation.locality_id, candidate.organisation_id, acceptedOn, candidate.service_code],
      );
    }
    await manager.query(
      `INSERT INTO support_request_decision (request_id, outcome, decided_on, meeting_id, units_approved, pool_id, organisation_id, allocation_id, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [candidate.id, approval.outcome, decidedOn, approval.meetingId, units, approval.poolId, candidate.organisation_id, allocation.id, REASONS[approval.outcome]],
    );
    counts.panelDecisions += 1;
    counts.allocations += 1;
  }
  return counts;
}
