import { academicYearStart, type CalendarDate, compareDates } from '../common/dates/calendar-date';
import type { SchoolPhase } from '../localities/school.entity';
import { yearGroupFromBirth } from '../pupils/year-group';

/** The year groups a child's setting ends with, by the school's phase (infant schools end at Year 2: pass it explicitly). */
export const LAST_YEAR_OF_PHASE: Record<SchoolPhase, number> = { PRIMARY: 6, MIDDLE: 9, SECONDARY: 11, ALL_THROUGH: 11 };
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
 */
export function phaseTransfer(yearGroup: number, lastYearOfSetting: number, academicYear: number): PhaseTransfer | null {
  if (!Number.isInteger(yearGroup) || yearGroup !== lastYearOfSetting) return null;
  if (yearGroup >= POST_16_FROM_YEAR) return { fromYear: yearGroup, toYear: 'POST_16', dueOn: `${academicYear + 1}-03-31` };
  if (yearGroup < 1) return null;
  return { fromYear: yearGroup, toYear: yearGroup + 1, dueOn: `${academicYear + 1}-02-15` };
}

/** The academic year (by the calendar year it starts in) a date falls in. */
export function academicYearOf(date: CalendarDate): number {
  return Number(academicYearStart(date).slice(0, 4));
}

/** 1 September of the academic year: when a transfer year, and so its PHASE_TRANSFER deadline, starts. */
export function transferYearStart(academicYear: number): CalendarDate {
  return `${academicYear}-09-01`;
}

export interface PlanOnRegister {
  /** The pupil's date of birth and out-of-year offset (the register's year group, API.md). */
  dateOfBirth: CalendarDate;
  yearOffset: number;
  /** The phase of the school the pupil attends now. */
  schoolPhase: SchoolPhase;
  /** When the plan was issued. */
  issuedOn: CalendarDate;
}

/**
 * The phase transfer a plan owes in the academic year, if any: the pupil's year group that year
 * (date of birth, 1 September rule, plus the stored offset) is the last their school teaches. A
 * plan first issued after that year's due date owes none: it was written for the move already
 * (Reg 18 is about reviewing an existing plan before the transfer).
 */
export function phaseTransferOfPlan(plan: PlanOnRegister, academicYear: number): PhaseTransfer | null {
  const yearGroup = yearGroupFromBirth(plan.dateOfBirth, transferYearStart(academicYear)) + plan.yearOffset;
  const transfer = phaseTransfer(yearGroup, LAST_YEAR_OF_PHASE[plan.schoolPhase], academicYear);
  if (!transfer || compareDates(plan.issuedOn, transfer.dueOn) > 0) return null;
  return transfer;
}
