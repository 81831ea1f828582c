import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { CalendarDate } from '../common/dates/calendar-date';

/** How far the child got towards one outcome; the review's `outcomes[].progress`. */
export const OUTCOME_PROGRESS = ['ACHIEVED', 'PARTLY', 'NOT_ACHIEVED'] as const;
export type OutcomeProgress = (typeof OUTCOME_PROGRESS)[number];

/** What happens after the review; the `support_plan_review.next_step` CHECK. */
export const NEXT_STEPS = ['CONTINUE', 'NEW_CYCLE', 'REQUEST_LOCALITY_SUPPORT', 'REQUEST_EHC_ASSESSMENT'] as const;
export type NextStep = (typeof NEXT_STEPS)[number];

/** Progress on the plan's outcome at `outcomeIndex` (0-based position in the plan's outcomes). */
export interface ReviewedOutcome {
  outcomeIndex: number;
  progress: OutcomeProgress;
}

/** The review that closes a support cycle (one per plan). Written once, never changed. */
@Entity('support_plan_review')
export class SupportPlanReview {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  supportPlanId: string;

  @Column({ type: 'date' })
  reviewedOn: CalendarDate;

  @Column({ type: 'jsonb' })
  outcomes: ReviewedOutcome[];

  @Column('text')
  nextStep: NextStep;

  /** Free text about a child: never logged, never audited, shown only to those who may write plans. */
  @Column({ type: 'text', nullable: true })
  note: string | null;

  @Column({ type: 'uuid', nullable: true })
  recordedBy: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
