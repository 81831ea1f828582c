import { isCalendarDate, type CalendarDate } from '../common/dates/calendar-date';
import type { FieldError } from '../common/problem/problem-type';
import { nameKey } from '../pupils/name-key';
import { needsProblems, type NeedCode, type SenStatus } from '../pupils/needs';
import { normaliseUpn, upnProblem } from '../pupils/upn';
import { dateOfBirthAndYearGroup, RECEPTION, YEAR_11 } from '../pupils/year-group';
import type { ColumnSpec } from './csv-records';

/** API.md's pupil import columns; yearGroup, primaryNeed and secondaryNeed may be left out (empty). */
export const PUPIL_COLUMNS: readonly ColumnSpec[] = [
  { name: 'upn', header: 'upn', required: true },
  { name: 'firstName', header: 'firstName', required: true },
  { name: 'lastName', header: 'lastName', required: true },
  { name: 'dateOfBirth', header: 'dateOfBirth', required: true },
  { name: 'yearGroup', header: 'yearGroup', required: false },
  { name: 'schoolUrn', header: 'schoolUrn', required: true },
  { name: 'senStatus', header: 'senStatus', required: true },
  { name: 'primaryNeed', header: 'primaryNeed', required: false },
  { name: 'secondaryNeed', header: 'secondaryNeed', required: false },
];

/**
 * A row as staged for the database checks. The keys the database checks (upn, schoolUrn) are kept
 * whenever they are well formed, even when another cell of the row is bad, so that every problem
 * of a row is reported at once.
 */
export interface StagedPupil {
  line: number;
  upn: string | null;
  firstName: string | null;
  lastName: string | null;
  firstNameKey: string | null;
  lastNameKey: string | null;
  dateOfBirth: CalendarDate | null;
  yearOffset: number | null;
  schoolUrn: string | null;
  senStatus: SenStatus | null;
  primaryNeed: NeedCode | null;
  secondaryNeed: NeedCode | null;
}

const URN = /^[0-9]{6}$/;
/** Any characters but control characters (as POST /pupils). */
const CONTROL = /\p{Cc}/u;

function nameProblem(value: string): string | undefined {
  if (value === '') return 'is required';
  if (value.length > 100) return 'must be at most 100 characters';
  if (CONTROL.test(value)) return 'must not contain control characters';
  return undefined;
}

/**
 * The same rules as POST /pupils (UPN check letter, names, date of birth of Reception to Year 11
 * age, year group within one of the date of birth's, status and needs together), for one row of
 * cells. Pure: the database checks (school, scope, duplicates) come after, set-based.
 */
export function checkPupilRow(line: number, cells: Record<string, string>, today: CalendarDate): { row: StagedPupil; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const problem = (field: string, message: string | undefined) => {
    if (message) errors.push({ field, message });
  };

  const upn = normaliseUpn(cells.upn);
  const badUpn = upn === '' ? 'is required' : upnProblem(upn);
  problem('upn', badUpn);
  problem('firstName', nameProblem(cells.firstName));
  problem('lastName', nameProblem(cells.lastName));

  const schoolUrn = cells.schoolUrn;
  problem('schoolUrn', schoolUrn === '' ? 'is required' : URN.test(schoolUrn) ? undefined : 'must be a 6-digit URN');

  let yearGroup: number | undefined;
  if (cells.yearGroup !== '') {
    yearGroup = /^[0-9]{1,2}$/.test(cells.yearGroup) ? Number(cells.yearGroup) : NaN;
    if (!(yearGroup >= RECEPTION && yearGroup <= YEAR_11)) {
      problem('yearGroup', `must be a whole number from ${RECEPTION} (Reception) to ${YEAR_11}, or empty for the year group of the date of birth`);
      yearGroup = undefined;
    }
  }
  const dateOfBirth = cells.dateOfBirth;
  let yearOffset: number | null = null;
  if (dateOfBirth === '') problem('dateOfBirth', 'is required');
  else if (!isCalendarDate(dateOfBirth)) problem('dateOfBirth', 'must be a real date written YYYY-MM-DD');
  else {
    const before = errors.length;
    const offset = dateOfBirthAndYearGroup(errors, dateOfBirth, yearGroup, 0, today, true);
    if (errors.length === before) yearOffset = offset;
  }

  const senStatus = cells.senStatus.toUpperCase();
  const primaryNeed = cells.primaryNeed === '' ? null : cells.primaryNeed.toUpperCase();
  const secondaryNeed = cells.secondaryNeed === '' ? null : cells.secondaryNeed.toUpperCase();
  if (senStatus === '') problem('senStatus', 'is required');
  else errors.push(...needsProblems({ senStatus, primaryNeed, secondaryNeed }));

  const ok = errors.length === 0;
  return {
    row: {
      line,
      upn: badUpn ? null : upn,
      firstName: ok ? cells.firstName : null,
      lastName: ok ? cells.lastName : null,
      firstNameKey: ok ? nameKey(cells.firstName) : null,
      lastNameKey: ok ? nameKey(cells.lastName) : null,
      dateOfBirth: ok ? dateOfBirth : null,
      yearOffset: ok ? yearOffset : null,
      schoolUrn: URN.test(schoolUrn) ? schoolUrn : null,
      senStatus: ok ? (senStatus as SenStatus) : null,
      primaryNeed: ok ? (primaryNeed as NeedCode | null) : null,
      secondaryNeed: ok ? (secondaryNeed as NeedCode | null) : null,
    },
    errors,
  };
}
