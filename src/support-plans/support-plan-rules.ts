import { type CalendarDate, compareDates } from '../common/dates/calendar-date';
import type { FieldError } from '../common/problem/problem-type';

/**
 * The rules of a support cycle that a DTO cannot check alone (they need today's date or the plan
 * being reviewed). Pure functions returning every broken rule as a field error, so one 400 names
 * them all; the service throws, the database CHECKs back them up.
 */

export interface PlanDates {
  startOn: CalendarDate;
  reviewOn: CalendarDate;
}

/** A cycle starts today or earlier and is reviewed on a later, agreed date. */
export function planDateErrors(plan: PlanDates, today: CalendarDate): FieldError[] {
  const errors: FieldError[] = [];
  if (compareDates(plan.startOn, today) > 0) {
    errors.push({ field: 'startOn', message: `cannot be in the future (today is ${today})` });
  }
  if (compareDates(plan.reviewOn, plan.startOn) <= 0) {
    errors.push({ field: 'reviewOn', message: `must be after startOn (${plan.startOn})` });
  }
  return errors;
}

export interface PlanUnderReview {
  startOn: CalendarDate;
  /** How many outcomes the plan sought. */
  outcomeCount: number;
}

export interface ReviewInput {
  reviewedOn: CalendarDate;
  outcomes: readonly { outcomeIndex: number }[];
}

/**
 * A review happens between the cycle's start and today, and reports progress on each of the
 * plan's outcomes exactly once (`outcomeIndex` is the 0-based position in the plan's outcomes).
 */
export function reviewErrors(plan: PlanUnderReview, review: ReviewInput, today: CalendarDate): FieldError[] {
  const errors: FieldError[] = [];
  if (compareDates(review.reviewedOn, plan.startOn) < 0) {
    errors.push({ field: 'reviewedOn', message: `cannot be before the cycle started (${plan.startOn})` });
  }
  if (compareDates(review.reviewedOn, today) > 0) {
    errors.push({ field: 'reviewedOn', message: `cannot be in the future (today is ${today})` });
  }
  errors.push(...outcomeCoverageErrors(plan.outcomeCount, review.outcomes));
  return errors;
}

/** Each of the plan's `outcomeCount` outcomes reviewed once: no index out of range, none twice, none left out. */
export function outcomeCoverageErrors(outcomeCount: number, outcomes: readonly { outcomeIndex: number }[]): FieldError[] {
  const errors: FieldError[] = [];
  const firstSeenAt = new Map<number, number>();
  outcomes.forEach(({ outcomeIndex }, position) => {
    const field = `outcomes.${position}.outcomeIndex`;
    if (!Number.isInteger(outcomeIndex) || outcomeIndex < 0 || outcomeIndex >= outcomeCount) {
      errors.push({ field, message: `must be between 0 and ${outcomeCount - 1}: the plan has ${outcomeCount} outcome${outcomeCount === 1 ? '' : 's'}` });
      return;
    }
    const earlier = firstSeenAt.get(outcomeIndex);
    if (earlier !== undefined) {
      errors.push({ field, message: `outcome ${outcomeIndex} is already reviewed at outcomes.${earlier}` });
      return;
    }
    firstSeenAt.set(outcomeIndex, position);
  });
  const missing = Array.from({ length: outcomeCount }, (_, index) => index).filter((index) => !firstSeenAt.has(index));
  if (missing.length > 0) {
    errors.push({
      field: 'outcomes',
      message: `must review every outcome of the plan exactly once; missing outcomeIndex ${missing.join(', ')}`,
    });
  }
  return errors;
}
