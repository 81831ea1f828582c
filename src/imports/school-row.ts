import type { FieldError } from '../common/problem/problem-type';
import type { SchoolKind, SchoolPhase } from '../localities/school.entity';
import type { ColumnSpec } from './csv-records';

/**
 * The columns read from a Get Information About Schools (GIAS) extract, under GIAS's own header
 * names, plus `localityCode`. Every other GIAS column is ignored. `EstablishmentStatus (name)`,
 * `StatutoryLowAge` and `StatutoryHighAge` are optional (see schoolRow).
 */
export const SCHOOL_COLUMNS: readonly ColumnSpec[] = [
  { name: 'urn', header: 'URN', required: true },
  { name: 'name', header: 'EstablishmentName', required: true },
  { name: 'phase', header: 'PhaseOfEducation (name)', required: true },
  { name: 'type', header: 'TypeOfEstablishment (name)', required: true },
  { name: 'localityCode', header: 'localityCode', required: true },
  { name: 'status', header: 'EstablishmentStatus (name)', required: false },
  { name: 'lowAge', header: 'StatutoryLowAge', required: false },
  { name: 'highAge', header: 'StatutoryHighAge', required: false },
];

/** GIAS PhaseOfEducation (name) -> phase; null = a phase outside Reception to Year 11 (the row is skipped). */
export const GIAS_PHASES: Record<string, SchoolPhase | null | 'BY_AGE'> = {
  primary: 'PRIMARY',
  'middle deemed primary': 'MIDDLE',
  'middle deemed secondary': 'MIDDLE',
  secondary: 'SECONDARY',
  'all-through': 'ALL_THROUGH',
  // Special schools, PRUs and independent schools often have no phase in GIAS: from the age range.
  'not applicable': 'BY_AGE',
  nursery: null,
  '16 plus': null,
};

/** GIAS TypeOfEstablishment (name) -> kind; null = not a school of the register (the row is skipped). */
export const GIAS_TYPES: Record<string, SchoolKind | null> = {
  'community school': 'MAINSTREAM',
  'voluntary aided school': 'MAINSTREAM',
  'voluntary controlled school': 'MAINSTREAM',
  'foundation school': 'MAINSTREAM',
  'city technology college': 'MAINSTREAM',
  'academy sponsor led': 'MAINSTREAM',
  'academy converter': 'MAINSTREAM',
  'free schools': 'MAINSTREAM',
  'university technical college': 'MAINSTREAM',
  'studio schools': 'MAINSTREAM',
  'community special school': 'SPECIAL',
  'foundation special school': 'SPECIAL',
  'non-maintained special school': 'SPECIAL',
  'academy special converter': 'SPECIAL',
  'academy special sponsor led': 'SPECIAL',
  'free schools special': 'SPECIAL',
  'pupil referral unit': 'PRU',
  'academy alternative provision converter': 'PRU',
  'academy alternative provision sponsor led': 'PRU',
  'free schools alternative provision': 'PRU',
  'other independent school': 'INDEPENDENT',
  // An independent special school is independent first: placements there are commissioned.
  'other independent special school': 'INDEPENDENT',
  'local authority nursery school': null,
  'la nursery school': null,
  'further education': null,
  'sixth form centres': null,
  'academy 16-19 converter': null,
  'academy 16 to 19 sponsor led': null,
  'free schools 16 to 19': null,
  'special post 16 institution': null,
  'higher education institutions': null,
  'welsh establishment': null,
  'secure units': null,
  'offshore schools': null,
  'service childrens education': null,
  "service children's education": null,
  'british schools overseas': null,
  'institution funded by other government department': null,
  miscellaneous: null,
  'online provider': null,
};

export interface StagedSchool {
  line: number;
  urn: string | null;
  name: string | null;
  phase: SchoolPhase | null;
  kind: SchoolKind | null;
  localityCode: string | null;
}

const URN = /^[0-9]{6}$/;
const LOCALITY_CODE = /^[A-Z0-9][A-Z0-9-]{1,19}$/;
const key = (value: string) => value.trim().toLowerCase().replace(/\s+/g, ' ');

/** The phase of a school GIAS gives no phase for, from its statutory age range (Reception = 4, Year 11 ends at 16). */
export function phaseFromAges(low: number, high: number): SchoolPhase | null {
  if (high <= 5 || low >= 16) return null;
  if (low <= 7 && high >= 14) return 'ALL_THROUGH';
  if (high <= 11) return 'PRIMARY';
  if (low >= 11) return 'SECONDARY';
  return 'MIDDLE';
}

export type SchoolRowResult = { skip: true; reason: string } | { skip: false; row: StagedSchool; errors: FieldError[] };

/**
 * One GIAS row. Rows of closed establishments, nurseries, sixth-form and further-education
 * colleges and the like are skipped (counted, not errors): the register covers Reception to
 * Year 11, and the monthly extract is loaded as published. An unknown phase or type is an error.
 */
export function checkSchoolRow(line: number, cells: Record<string, string>): SchoolRowResult {
  if (key(cells.status).startsWith('closed')) return { skip: true, reason: 'closed' };
  const errors: FieldError[] = [];
  const urn = cells.urn;
  if (!URN.test(urn)) errors.push({ field: 'URN', message: urn === '' ? 'is required' : 'must be a 6-digit URN' });
  const name = cells.name;
  if (name === '') errors.push({ field: 'EstablishmentName', message: 'is required' });
  else if (name.length > 200) errors.push({ field: 'EstablishmentName', message: 'must be at most 200 characters' });
  else if (/\p{Cc}/u.test(name)) errors.push({ field: 'EstablishmentName', message: 'must not contain control characters' });

  const typeKey = key(cells.type);
  const kind = GIAS_TYPES[typeKey];
  if (kind === undefined) {
    errors.push({
      field: 'TypeOfEstablishment (name)',
      message: cells.type === '' ? 'is required' : `"${cells.type.slice(0, 80)}" is not a GIAS type of establishment this import knows`,
    });
  } else if (kind === null) {
    return { skip: true, reason: 'type' };
  }

  let phase: SchoolPhase | null = null;
  const phaseKey = key(cells.phase);
  const mapped = GIAS_PHASES[phaseKey];
  if (mapped === undefined) {
    errors.push({
      field: 'PhaseOfEducation (name)',
      message: cells.phase === '' ? 'is required' : `"${cells.phase.slice(0, 80)}" is not a GIAS phase of education this import knows`,
    });
  } else if (mapped === null) {
    return { skip: true, reason: 'phase' };
  } else if (mapped === 'BY_AGE') {
    const low = /^[0-9]{1,2}$/.test(cells.lowAge) ? Number(cells.lowAge) : NaN;
    const high = /^[0-9]{1,2}$/.test(cells.highAge) ? Number(cells.highAge) : NaN;
    if (Number.isNaN(low) || Number.isNaN(high) || low > high) {
      errors.push({
        field: 'PhaseOfEducation (name)',
        message: 'is "Not applicable": the phase is then taken from StatutoryLowAge and StatutoryHighAge, which this row lacks',
      });
    } else {
      phase = phaseFromAges(low, high);
      if (phase === null) return { skip: true, reason: 'phase' };
    }
  } else {
    phase = mapped;
  }

  const localityCode = cells.localityCode.toUpperCase();
  if (localityCode === '') errors.push({ field: 'localityCode', message: 'is required' });
  else if (!LOCALITY_CODE.test(localityCode)) errors.push({ field: 'localityCode', message: 'is not a locality code (letters, digits and hyphens)' });

  const ok = errors.length === 0;
  return {
    skip: false,
    errors,
    row: {
      line,
      urn: URN.test(urn) ? urn : null,
      name: ok ? name : null,
      phase: ok ? phase : null,
      kind: ok ? (kind as SchoolKind) : null,
      localityCode: LOCALITY_CODE.test(localityCode) ? localityCode : null,
    },
  };
}
