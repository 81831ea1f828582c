import type { ServiceUnit } from '../providers/service.entity';
import type { AllocationStatus } from './allocation.entity';

/** What the provider (accept, decline, session, complete) or the panel (cancel, extend) does to an allocation. */
export const ALLOCATION_ACTIONS = ['accept', 'decline', 'session', 'complete', 'cancel', 'extend'] as const;
export type AllocationAction = (typeof ALLOCATION_ACTIONS)[number];

/**
 * THE allocation state machine (API.md "Delivery"):
 * - accept:   OFFERED -> ACCEPTED
 * - decline:  OFFERED -> DECLINED (units back to the pool, the request back before the panel)
 * - session:  ACCEPTED -> IN_DELIVERY, IN_DELIVERY -> IN_DELIVERY
 * - complete: ACCEPTED or IN_DELIVERY -> COMPLETED
 * - cancel (panel): OFFERED, ACCEPTED or IN_DELIVERY -> CANCELLED (unused units back to the pool)
 * - extend (panel): OFFERED, ACCEPTED or IN_DELIVERY, status unchanged (more units from the same pool)
 * Anything else is refused: the next status, or null.
 */
const TRANSITIONS: Record<AllocationAction, Partial<Record<AllocationStatus, AllocationStatus>>> = {
  accept: { OFFERED: 'ACCEPTED' },
  decline: { OFFERED: 'DECLINED' },
  session: { ACCEPTED: 'IN_DELIVERY', IN_DELIVERY: 'IN_DELIVERY' },
  complete: { ACCEPTED: 'COMPLETED', IN_DELIVERY: 'COMPLETED' },
  cancel: { OFFERED: 'CANCELLED', ACCEPTED: 'CANCELLED', IN_DELIVERY: 'CANCELLED' },
  extend: { OFFERED: 'OFFERED', ACCEPTED: 'ACCEPTED', IN_DELIVERY: 'IN_DELIVERY' },
};

export function nextStatus(current: AllocationStatus, action: AllocationAction): AllocationStatus | null {
  return TRANSITIONS[action][current] ?? null;
}

/** The statuses an action may start from (for the problem's detail). */
export function statusesAllowing(action: AllocationAction): AllocationStatus[] {
  return Object.keys(TRANSITIONS[action]) as AllocationStatus[];
}

export const ABSENCE_REASONS = ['DID_NOT_ATTEND', 'CANCELLED_BY_SCHOOL', 'CANCELLED_BY_PROVIDER'] as const;
export type AbsenceReason = (typeof ABSENCE_REASONS)[number];

/** The longest session recorded (10 hours): the `allocation_session.duration_minutes` CHECK. */
export const MAX_SESSION_MINUTES = 600;

export interface SessionInput {
  durationMinutes: number;
  attended: boolean;
  absenceReason?: AbsenceReason | null;
  unitsUsed?: number | null;
}

export type SessionUnits = { units: number } | { field: 'durationMinutes' | 'unitsUsed' | 'absenceReason'; message: string };

/**
 * Units a session uses of its allocation (API.md "Delivery"):
 * - SESSIONS: 1 per session, attended or not (did not attend, cancelled by the school), except
 *   a session the provider cancelled (0);
 * - HOURS: durationMinutes / 60, likewise 0 when the provider cancelled. Allocations are made in
 *   quarter hours, so an HOURS session is recorded in whole quarter hours (15, 30, 45, 60... minutes);
 * - GBP and PLACES: nothing to count from a session, so `unitsUsed` is required (whole pounds or
 *   places, 0 allowed).
 * `unitsUsed` sent for SESSIONS or HOURS is refused rather than silently ignored.
 * absenceReason must be given exactly when the pupil did not attend.
 */
export function sessionUnits(unit: ServiceUnit, input: SessionInput): SessionUnits {
  if (!input.attended && !input.absenceReason) return { field: 'absenceReason', message: 'is required when the pupil did not attend' };
  if (input.attended && input.absenceReason) return { field: 'absenceReason', message: 'must not be given when the pupil attended' };
  const cancelledByProvider = input.absenceReason === 'CANCELLED_BY_PROVIDER';
  const given = input.unitsUsed !== undefined && input.unitsUsed !== null;
  switch (unit) {
    case 'SESSIONS':
      if (given) return { field: 'unitsUsed', message: 'is counted from the session for SESSIONS services (1, or 0 when the provider cancelled): leave it out' };
      return { units: cancelledByProvider ? 0 : 1 };
    case 'HOURS':
      if (given) return { field: 'unitsUsed', message: 'is counted from durationMinutes for HOURS services: leave it out' };
      if (input.durationMinutes % 15 !== 0) return { field: 'durationMinutes', message: 'HOURS services record sessions in quarter hours (a multiple of 15 minutes)' };
      return { units: cancelledByProvider ? 0 : input.durationMinutes / 60 };
    case 'GBP':
    case 'PLACES': {
      if (!given) return { field: 'unitsUsed', message: `is required for ${unit} services` };
      const units = input.unitsUsed as number;
      if (!Number.isInteger(units) || units < 0) return { field: 'unitsUsed', message: `${unit} are used in whole units, 0 or more` };
      return { units };
    }
  }
}
