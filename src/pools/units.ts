import type { ServiceUnit } from '../providers/service.entity';

/** The largest capacity or allocation a pool takes (numeric(12,2) holds under 10^10). */
export const MAX_UNITS = 100_000_000;

/** How each unit is counted (API.md "Units"): HOURS in quarter hours, the others whole. */
export const UNIT_STEP: Record<ServiceUnit, number> = { HOURS: 0.25, GBP: 1, SESSIONS: 1, PLACES: 1 };

/**
 * Why `units` is not a valid amount of `unit`, or null when it is: positive, at most MAX_UNITS,
 * and a whole number of the unit's steps (2.5 SESSIONS, 0.3 HOURS and 10.50 GBP are refused).
 */
export function unitsProblem(unit: ServiceUnit, units: number): string | null {
  if (typeof units !== 'number' || !Number.isFinite(units)) return 'must be a number';
  if (units <= 0) return 'must be greater than 0';
  if (units > MAX_UNITS) return `must not exceed ${MAX_UNITS}`;
  const steps = units / UNIT_STEP[unit];
  if (Math.abs(steps - Math.round(steps)) > 1e-9) {
    return unit === 'HOURS' ? 'HOURS go in quarter hours (0.25 steps)' : `${unit} must be a whole number`;
  }
  return null;
}
