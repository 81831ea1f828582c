import { Column, Entity } from 'typeorm';
import type { CalendarDate } from '../common/dates/calendar-date';
import { VersionedRecord } from '../database/versioned-record';

/** A cycle is OPEN until its one review closes it (REVIEWED); the `support_plan.status` CHECK. */
export const SUPPORT_PLAN_STATUSES = ['OPEN', 'REVIEWED'] as const;
export type SupportPlanStatus = (typeof SUPPORT_PLAN_STATUSES)[number];

/** An outcome sought in the cycle (what the child should achieve by the review). */
export interface PlannedOutcome {
  description: string;
}

/** A line of provision: what is done, how often, by whom. */
export interface PlannedProvision {
  description: string;
  frequency: string;
  by: string;
}

/**
 * One SEN support cycle (assess, plan, do, review) of a pupil, with its agreed review date. The
 * review's deadline lives in `deadline` (SUPPORT_PLAN_REVIEW, subject SUPPORT_PLAN = this id).
 */
@Entity('support_plan')
export class SupportPlan extends VersionedRecord {
  @Column('uuid')
  pupilId: string;

  /** The pupil's school when the cycle opened. */
  @Column('uuid')
  schoolId: string;

  @Column({ type: 'jsonb' })
  outcomes: PlannedOutcome[];

  @Column({ type: 'jsonb' })
  provision: PlannedProvision[];

  @Column({ type: 'date' })
  startOn: CalendarDate;

  @Column({ type: 'date' })
  reviewOn: CalendarDate;

  @Column('text')
  status: SupportPlanStatus;

  @Column({ type: 'date', nullable: true })
  reviewedOn: CalendarDate | null;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;
}
