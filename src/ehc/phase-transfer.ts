import type { CalendarDate } from '../common/dates/calendar-date';

/** The year groups a child's setting ends with, by the school's phase (infant schools end at Year 2: pass it explicitly). */
export const LAST_YEAR_OF_PHASE: Record<string, number> = { PRIMARY: 6, MIDDLE: 9, SECONDARY: 11, ALL_THROUGH: 11 };
export const POST_16_FROM_YEAR = 11;

export interface PhaseTransfer {
  fromYear: number;
  toYear: number | 'POST_16';
  /** DOMAIN.md PHASE_TRANSFER: 15 February of the transfer year; 31 March for post-16 (Reg 18). */
  dueOn: CalendarDate;
}

/**
 * Whether a pupil with an EHC plan is in a transfer year in the academic year starting
 * 1 September `academicYear`, and when the amended plan naming the new setting is due: a pupil in
 * the last year group their setting teaches (Year 2 of an infant school, Year 6 of a primary,
 * Year 9 of a middle school, Year 11) moves phase next September. Pure: who is in which year
 * group and which school they attend come from the register.
 * NOT YET WIRED: no route or seed opens PHASE_TRANSFER deadlines from this rule (see the report).
 */
export function phaseTransfer(yearGroup: number, lastYearOfSetting: number, academicYear: number): PhaseTransfer | null {
  if (!Number.isInteger(yearGroup) || yearGroup !== lastYearOfSetting) return null;
  if (yearGroup >= POST_16_FROM_YEAR) return { fromYear: yearGroup, toYear: 'POST_16', dueOn: `${academicYear + 1}-03-31` };
  if (yearGroup < 1) return null;
  return { fromYear: yearGroup, toYear: yearGroup + 1, dueOn: `${academicYear + 1}-02-15` };
}
