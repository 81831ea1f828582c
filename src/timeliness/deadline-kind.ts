/** Every deadline kind of DOMAIN.md's timescales table. */
export const DEADLINE_KINDS = [
  'EHC_DECISION_TO_ASSESS',
  'EHC_ADVICE',
  'EHC_ISSUE_DECISION',
  'EHC_FINAL_PLAN',
  'ANNUAL_REVIEW_MEETING',
  'ANNUAL_REVIEW_REPORT',
  'ANNUAL_REVIEW_DECISION',
  'AMENDED_PLAN',
  'PHASE_TRANSFER',
  'SUPPORT_PLAN_REVIEW',
  'REQUEST_DECISION',
  'ALLOCATION_ACCEPTANCE',
  'DELIVERY_START',
] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

/** What a deadline is about (API.md `subjectType`). */
export const SUBJECT_TYPES = [
  'SUPPORT_PLAN',
  'SUPPORT_REQUEST',
  'ALLOCATION',
  'EHC_ASSESSMENT',
  'ADVICE_REQUEST',
  'EHC_PLAN',
  'ANNUAL_REVIEW',
] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

/** Exactly one applies to a deadline as of a date (API.md "Timeliness"). */
export const DEADLINE_STATUSES = ['ON_TRACK', 'DUE_SOON', 'OVERDUE', 'MET_ON_TIME', 'MET_LATE', 'CANCELLED'] as const;
export type DeadlineStatus = (typeof DEADLINE_STATUSES)[number];

/** How a rule turns a start date into a due date. */
export const DURATION_UNITS = ['DAYS', 'WEEKS', 'MONTHS', 'AGREED', 'FIXED_DATE'] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];

export const DEFAULT_DUE_SOON_DAYS = 14;
