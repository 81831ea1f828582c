import type { EntityManager } from 'typeorm';
import { type AbsenceReason, sessionUnits } from '../allocations/allocation-rules';
import type { AllocationOutcome, AllocationStatus } from '../allocations/allocation.entity';
import { addDays, type CalendarDate } from '../common/dates/calendar-date';
import { DEMO_LOCALITIES, DEMO_SCHOOLS, DEMO_SERVICES } from './demo-data';

/**
 * Demo provider delivery (issue 6): allocations to the demo providers' organisations (STLS for
 * provider.stls@example.org; SALT and OT of the NHS trust for provider.nhs@example.org) in every
 * state a provider meets: offered with the acceptance overdue, accepted and not started, in
 * delivery with sessions (some did not attend, some cancelled), completed with an outcome
 * (recently, so the provider still sees the child, and over 30 days ago, so they no longer do),
 * with acceptance and first sessions on time and late.
 *
 * Each allocation comes with its own APPROVED support request (for a K pupil with no demo request,
 * so the panels' demo data never meets it), its REQUEST_DECISION deadline met on the offer date,
 * its ALLOCATION_ACCEPTANCE and DELIVERY_START deadlines, and its units taken from the locality's
 * pool for the current period (SUM of held allocations = allocated_units). Dartford (whose panel
 * demo shows untouched pools) and Thanet are left out. Keyed on (pupil, service): running it
 * again adds nothing.
 */
export interface DeliverySeedCounts {
  allocations: number;
  allocationSessions: number;
}

interface DemoSessionRow {
  upn: string;
  serviceCode: string;
  deliveredOn: CalendarDate;
  durationMinutes: number;
  attended: boolean;
  absenceReason: AbsenceReason | null;
  note: string | null;
  unitsUsed: number;
}

export interface DemoAllocationRow {
  upn: string;
  serviceCode: string;
  reason: string;
  units: number;
  unitsUsed: number;
  status: AllocationStatus;
  submittedOn: CalendarDate;
  offeredOn: CalendarDate;
  acceptedOn: CalendarDate | null;
  firstSessionOn: CalendarDate | null;
  completedOn: CalendarDate | null;
  outcome: AllocationOutcome | null;
  outcomeSummary: string | null;
}

interface Pattern {
  serviceCode: 'SALT' | 'OT' | 'STLS';
  units: number;
  reason: string;
  offeredAgo: number;
  acceptedAgo: number | null;
  /** Days ago of each session, with who attended ('A') or why not. */
  sessions: [number, 'A' | AbsenceReason][];
  durationMinutes: number;
  completedAgo: number | null;
  outcome: AllocationOutcome | null;
  outcomeSummary: string | null;
}

const A = 'A' as const;

/** The states shown, cycled through each locality's chosen pupils. */
const PATTERNS: Pattern[] = [
  // Accepted on time, not started yet (DELIVERY_START on track).
  { serviceCode: 'SALT', units: 8, reason: 'Speech sound errors affecting intelligibility; school programme not enough', offeredAgo: 24, acceptedAgo: 19, sessions: [], durationMinutes: 45, completedAgo: null, outcome: null, outcomeSummary: null },
  // In delivery: started on time, weekly sessions, one did-not-attend and one school cancellation.
  {
    serviceCode: 'SALT', units: 10, reason: 'Limited expressive language; not making progress with in-class support', offeredAgo: 75, acceptedAgo: 66,
    sessions: [[52, A], [45, 'DID_NOT_ATTEND'], [38, A], [31, A], [24, 'CANCELLED_BY_SCHOOL'], [17, A], [10, A]],
    durationMinutes: 45, completedAgo: null, outcome: null, outcomeSummary: null,
  },
  // Completed 20 days ago (the provider still sees the child); acceptance one day late.
  {
    serviceCode: 'STLS', units: 8, reason: 'Reading age three years behind after two support cycles', offeredAgo: 110, acceptedAgo: 95,
    sessions: [[85, A], [78, A], [71, 'DID_NOT_ATTEND'], [64, A], [57, A], [50, A]],
    durationMinutes: 60, completedAgo: 20, outcome: 'NEED_MET', outcomeSummary: 'Decoding now at age-related expectations; strategies handed to class teacher',
  },
  // Offered three weeks ago and not answered: ALLOCATION_ACCEPTANCE overdue.
  { serviceCode: 'OT', units: 6, reason: 'Handwriting and fine motor skills well below peers', offeredAgo: 21, acceptedAgo: null, sessions: [], durationMinutes: 45, completedAgo: null, outcome: null, outcomeSummary: null },
  // Accepted late, started late, in delivery.
  {
    serviceCode: 'STLS', units: 10, reason: 'Working memory difficulties; needs a structured maths intervention', offeredAgo: 80, acceptedAgo: 60,
    sessions: [[30, A], [23, A], [16, 'DID_NOT_ATTEND'], [9, A]],
    durationMinutes: 90, completedAgo: null, outcome: null, outcomeSummary: null,
  },
  // Completed 40 days ago: the provider's access to the child has ended.
  {
    serviceCode: 'SALT', units: 6, reason: 'Stammer affecting participation in class', offeredAgo: 100, acceptedAgo: 96,
    sessions: [[90, A], [83, A], [76, 'CANCELLED_BY_PROVIDER'], [69, A], [62, 'DID_NOT_ATTEND'], [55, A]],
    durationMinutes: 30, completedAgo: 40, outcome: 'PARTLY_MET', outcomeSummary: 'Fluency strategies used in small groups; not yet in whole-class settings',
  },
];

const NOTES = ['Good focus throughout', 'Worked on targets from the plan', 'Strategies shared with the TA', null, null];

/** Localities left out: Dartford's panel demo shows untouched pools; a demo-seed test removes a Thanet pool. */
const EXCLUDED_LOCALITIES = new Set(['DAR-01', 'THA-01']);
const PER_LOCALITY = 5;

interface DemoPupil {
  upn: string;
  schoolUrn: string;
  senStatus: string;
}

/**
 * The demo allocations and sessions as of `today`: per locality (Dartford and Thanet aside) the
 * first K pupils by UPN with no demo support request, each given a pattern (shifted per
 * locality, so every provider sees every state).
 */
export function buildDemoDelivery(
  today: CalendarDate,
  pupils: readonly DemoPupil[],
  requestUpns: ReadonlySet<string>,
): { allocations: DemoAllocationRow[]; sessions: DemoSessionRow[] } {
  const localityOf = new Map(DEMO_SCHOOLS.map((s) => [s.urn, s.localityCode]));
  const unitOf = new Map(DEMO_SERVICES.map((s) => [s.code, s.unit]));
  const ago = (days: number) => addDays(today, -days);
  const allocations: DemoAllocationRow[] = [];
  const sessions: DemoSessionRow[] = [];
  DEMO_LOCALITIES.forEach((locality, localityIndex) => {
    if (EXCLUDED_LOCALITIES.has(locality.code)) return;
    const chosen = pupils
      .filter((p) => p.senStatus === 'K' && !requestUpns.has(p.upn) && localityOf.get(p.schoolUrn) === locality.code)
      .map((p) => p.upn)
      .sort()
      .slice(0, PER_LOCALITY);
    chosen.forEach((upn, i) => {
      const pattern = PATTERNS[(localityIndex + i) % PATTERNS.length];
      let unitsUsed = 0;
      let firstSessionOn: CalendarDate | null = null;
      pattern.sessions.forEach(([daysAgo, attendance], n) => {
        const attended = attendance === A;
        const units = sessionUnits(unitOf.get(pattern.serviceCode) ?? 'SESSIONS', {
          durationMinutes: pattern.durationMinutes,
          attended,
          absenceReason: attended ? null : attendance,
        });
        if ('field' in units) throw new Error(`demo session of ${pattern.serviceCode}: ${units.field} ${units.message}`);
        unitsUsed += units.units;
        if (attended && firstSessionOn === null) firstSessionOn = ago(daysAgo);
        sessions.push({
          upn,
          serviceCode: pattern.serviceCode,
          deliveredOn: ago(daysAgo),
          durationMinutes: pattern.durationMinutes,
          attended,
          absenceReason: attended ? null : attendance,
          note: NOTES[(i + n) % NOTES.length],
          unitsUsed: units.units,
        });
      });
      const status: AllocationStatus =
        pattern.completedAgo !== null ? 'COMPLETED' : pattern.sessions.length > 0 ? 'IN_DELIVERY' : pattern.acceptedAgo !== null ? 'ACCEPTED' : 'OFFERED';
      allocations.push({
        upn,
        serviceCode: pattern.serviceCode,
        reason: pattern.reason,
        units: pattern.units,
        unitsUsed,
        status,
        submittedOn: ago(pattern.offeredAgo + 21),
        offeredOn: ago(pattern.offeredAgo),
        acceptedOn: pattern.acceptedAgo === null ? null : ago(pattern.acceptedAgo),
        firstSessionOn,
        completedOn: pattern.completedAgo === null ? null : ago(pattern.completedAgo),
        outcome: pattern.outcome,
        outcomeSummary: pattern.outcomeSummary,
      });
    });
  });
  return { allocations, sessions };
}

/**
 * Writes the demo delivery in one statement, inside the seed's transaction: requests, allocations
 * (only for a pupil and service with none yet), the pools' allocated units, the deadlines, and
 * the sessions of the allocations added in this run.
 */
export async function seedDemoDelivery(
  manager: EntityManager,
  today: CalendarDate,
  register: { pupils: readonly DemoPupil[]; requests: readonly { upn: string }[] },
): Promise<DeliverySeedCounts> {
  const { allocations, sessions } = buildDemoDelivery(today, register.pupils, new Set(register.requests.map((r) => r.upn)));
  if (allocations.length === 0) return { allocations: 0, allocationSessions: 0 };
  const result: unknown = await manager.query(
    `WITH d AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS d(upn text, "serviceCode" text, reason text, units numeric, "unitsUsed" numeric,
         status text, "submittedOn" date, "offeredOn" date, "acceptedOn" date, "firstSessionOn" date, "completedOn" date,
         outcome text, "outcomeSummary" text)
     ), todo AS (
       SELECT d.*, p.id AS pupil_id, p.school_id, s.locality_id, sv.organisation_id, sv.delivery_start_weeks, rp.id AS pool_id
       FROM d
       JOIN pupil p ON p.upn = d.upn
       JOIN school s ON s.id = p.school_id
       JOIN service sv ON sv.code = d."serviceCode"
       JOIN resource_pool rp ON rp.locality_id = s.locality_id AND rp.service_code = d."serviceCode"
         AND rp.period_start <= $3::date AND rp.period_end >= $3::date
       WHERE NOT EXISTS (SELECT 1 FROM allocation a WHERE a.pupil_id = p.id AND a.service_code = d."serviceCode")
     ), request AS (
       INSERT INTO support_request (pupil_id, school_id, locality_id, service_code, reason, urgency, units_requested, status, submitted_on)
       SELECT pupil_id, school_id, locality_id, "serviceCode", reason, 'ROUTINE', units, 'APPROVED', "submittedOn" FROM todo
       ORDER BY upn
       RETURNING id, pupil_id, school_id, locality_id, service_code, submitted_on
     ), allocation_row AS (
       INSERT INTO allocation (request_id, pupil_id, school_id, locality_id, pool_id, organisation_id, service_code, units, units_used,
                               status, offered_on, accepted_on, first_session_on, completed_on, outcome, outcome_summary)
       SELECT r.id, todo.pupil_id, todo.school_id, todo.locality_id, todo.pool_id, todo.organisation_id, todo."serviceCode", todo.units,
              todo."unitsUsed", todo.status, todo."offeredOn", todo."acceptedOn", todo."firstSessionOn", todo."completedOn", todo.outcome,
              todo."outcomeSummary"
       FROM todo JOIN request r ON r.pupil_id = todo.pupil_id AND r.service_code = todo."serviceCode"
       ORDER BY todo.upn
       RETURNING id, request_id, pupil_id, school_id, locality_id, organisation_id, service_code, pool_id, units, offered_on, accepted_on,
                 first_session_on, completed_on
     ), pool_row AS (
       UPDATE resource_pool rp SET allocated_units = rp.allocated_units + x.units, version = rp.version + 1, updated_at = now()
       FROM (SELECT pool_id, sum(units) AS units FROM allocation_row GROUP BY pool_id) x
       WHERE rp.id = x.pool_id
       RETURNING 1
     ), decision_row AS (
       INSERT INTO deadline (kind, subject_type, subject_id, pupil_id, school_id, locality_id, starts_on, due_on, met_on)
       SELECT 'REQUEST_DECISION', 'SUPPORT_REQUEST', r.id, r.pupil_id, r.school_id, r.locality_id, r.submitted_on,
              r.submitted_on + 7 * (SELECT duration_value FROM sla_rule WHERE kind = 'REQUEST_DECISION'), a.offered_on
       FROM request r JOIN allocation_row a ON a.pupil_id = r.pupil_id AND a.service_code = r.service_code
       RETURNING 1
     ), panel_decision_row AS (
       -- The panel's approval each allocation came from (a system decision: no meeting, no member).
       INSERT INTO support_request_decision (request_id, outcome, decided_on, units_approved, pool_id, organisation_id, allocation_id, reason)
       SELECT a.request_id, 'APPROVED', a.offered_on, a.units, a.pool_id, a.organisation_id, a.id, 'Approved at the locality meeting'
       FROM allocation_row a
       RETURNING 1
     ), acceptance_row AS (
       INSERT INTO deadline (kind, subject_type, subject_id, pupil_id, school_id, locality_id, organisation_id, starts_on, due_on, met_on)
       SELECT 'ALLOCATION_ACCEPTANCE', 'ALLOCATION', a.id, a.pupil_id, a.school_id, a.locality_id, a.organisation_id, a.offered_on,
              a.offered_on + 7 * (SELECT duration_value FROM sla_rule WHERE kind = 'ALLOCATION_ACCEPTANCE'), a.accepted_on
       FROM allocation_row a
       RETURNING 1
     ), start_row AS (
       INSERT INTO deadline (kind, subject_type, subject_id, pupil_id, school_id, locality_id, organisation_id, starts_on, due_on, met_on, cancelled_on)
       SELECT 'DELIVERY_START', 'ALLOCATION', a.id, a.pupil_id, a.school_id, a.locality_id, a.organisation_id, a.accepted_on,
              a.accepted_on + 7 * COALESCE(sv.delivery_start_weeks, (SELECT duration_value FROM sla_rule WHERE kind = 'DELIVERY_START')),
              a.first_session_on, CASE WHEN a.first_session_on IS NULL THEN a.completed_on END
       FROM allocation_row a JOIN service sv ON sv.code = a.service_code
       WHERE a.accepted_on IS NOT NULL
       RETURNING 1
     ), session_row AS (
       INSERT INTO allocation_session (allocation_id, delivered_on, duration_minutes, attended, absence_reason, note, units_used)
       SELECT a.id, s."deliveredOn", s."durationMinutes", s.attended, s."absenceReason", s.note, s."unitsUsed"
       FROM jsonb_to_recordset($2::jsonb) AS s(upn text, "serviceCode" text, "deliveredOn" date, "durationMinutes" int, attended boolean,
         "absenceReason" text, note text, "unitsUsed" numeric)
       JOIN pupil p ON p.upn = s.upn
       JOIN allocation_row a ON a.pupil_id = p.id AND a.service_code = s."serviceCode"
       ORDER BY s.upn, s."deliveredOn"
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM allocation_row)::int AS allocations, (SELECT count(*) FROM session_row)::int AS sessions,
            (SELECT count(*) FROM pool_row)::int AS pools, (SELECT count(*) FROM decision_row)::int AS decisions,
            (SELECT count(*) FROM acceptance_row)::int AS acceptances, (SELECT count(*) FROM start_row)::int AS starts`,
    [JSON.stringify(allocations), JSON.stringify(sessions), today],
  );
  const [counts] = (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) ? result[0] : result) as {
    allocations: number;
    sessions: number;
  }[];
  return { allocations: counts.allocations, allocationSessions: counts.sessions };
}
