import type { FieldError } from '../common/problem/problem-type';

/** School census SEN provision: N no SEN, K SEN support, E EHC plan (DOMAIN.md). */
export const SEN_STATUSES = ['N', 'K', 'E'] as const;
export type SenStatus = (typeof SEN_STATUSES)[number];

/** DfE type-of-need codes (the `pupil.primary_need` / `secondary_need` CHECKs). */
export const NEED_CODES = ['SPLD', 'MLD', 'SLD', 'PMLD', 'SEMH', 'SLCN', 'HI', 'VI', 'MSI', 'PD', 'ASD', 'DS', 'OTH', 'NSA'] as const;
export type NeedCode = (typeof NEED_CODES)[number];

export const NEED_NAMES: Record<NeedCode, string> = {
  SPLD: 'Specific learning difficulty',
  MLD: 'Moderate learning difficulty',
  SLD: 'Severe learning difficulty',
  PMLD: 'Profound and multiple learning difficulty',
  SEMH: 'Social, emotional and mental health',
  SLCN: 'Speech, language and communication needs',
  HI: 'Hearing impairment',
  VI: 'Vision impairment',
  MSI: 'Multi-sensory impairment',
  PD: 'Physical disability',
  ASD: 'Autistic spectrum disorder',
  DS: 'Down syndrome',
  OTH: 'Other difficulty or disability',
  NSA: 'SEN support but no specialist assessment of type of need',
};

/** 'NSA': SEN support without a specialist assessment of the type of need. */
export const NOT_ASSESSED: NeedCode = 'NSA';

export interface NeedsState {
  senStatus: string;
  primaryNeed?: string | null;
  secondaryNeed?: string | null;
}

function isNeedCode(value: unknown): value is NeedCode {
  return typeof value === 'string' && (NEED_CODES as readonly string[]).includes(value);
}

/**
 * What is wrong with a pupil's status and needs taken together, field by field (empty = fine):
 * - N (no SEN) has no needs;
 * - K and E need a primary need;
 * - NSA only with K (census: SEN support only), and only as the primary need with no secondary
 *   (the type of need has not been assessed, so there is nothing to rank second);
 * - a secondary need needs a primary one, and differs from it.
 */
export function needsProblems({ senStatus, primaryNeed, secondaryNeed }: NeedsState): FieldError[] {
  const errors: FieldError[] = [];
  const primary = primaryNeed ?? null;
  const secondary = secondaryNeed ?? null;
  const codes = `one of ${NEED_CODES.join(', ')}`;
  if (primary !== null && !isNeedCode(primary)) errors.push({ field: 'primaryNeed', message: `must be ${codes}` });
  if (secondary !== null && !isNeedCode(secondary)) errors.push({ field: 'secondaryNeed', message: `must be ${codes}` });
  if (!(SEN_STATUSES as readonly string[]).includes(senStatus)) {
    errors.push({ field: 'senStatus', message: `must be one of ${SEN_STATUSES.join(', ')}` });
    return errors;
  }
  if (errors.length) return errors;

  if (senStatus === 'N') {
    if (primary !== null) errors.push({ field: 'primaryNeed', message: 'must be empty (null) when senStatus is N (no SEN)' });
    if (secondary !== null) errors.push({ field: 'secondaryNeed', message: 'must be empty (null) when senStatus is N (no SEN)' });
    return errors;
  }
  if (primary === null) {
    errors.push({ field: 'primaryNeed', message: `is required when senStatus is ${senStatus}` });
  } else if (primary === NOT_ASSESSED && senStatus !== 'K') {
    errors.push({ field: 'primaryNeed', message: 'NSA is only for SEN support (senStatus K), not an EHC plan' });
  }
  if (secondary !== null) {
    if (primary === null) errors.push({ field: 'secondaryNeed', message: 'needs a primaryNeed' });
    else if (secondary === primary) errors.push({ field: 'secondaryNeed', message: 'must differ from primaryNeed' });
    else if (secondary === NOT_ASSESSED) errors.push({ field: 'secondaryNeed', message: 'NSA can only be the primary need' });
    else if (primary === NOT_ASSESSED) errors.push({ field: 'secondaryNeed', message: 'must be empty when primaryNeed is NSA (type of need not assessed)' });
  }
  return errors;
}
