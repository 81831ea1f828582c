import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { CalendarDate } from '../common/dates/calendar-date';
import { numericTransformer } from './support-request.entity';

/** The `support_request_decision.outcome` CHECK (API.md decision outcomes). */
export const DECISION_OUTCOMES = ['APPROVED', 'PARTIAL', 'DECLINED', 'DEFERRED'] as const;
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];

/** Outcomes that allocate units from a pool. */
export const APPROVING_OUTCOMES: readonly DecisionOutcome[] = ['APPROVED', 'PARTIAL'];

/**
 * One panel decision on a support request (the history; the request's status follows the
 * latest). Written once, never changed. `reason` is free text: never logged or audited.
 */
@Entity('support_request_decision')
export class SupportRequestDecision {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  requestId: string;

  @Column('text')
  outcome: DecisionOutcome;

  @Column('date')
  decidedOn: CalendarDate;

  @Column({ type: 'uuid', nullable: true })
  meetingId: string | null;

  @Column({ type: 'uuid', nullable: true })
  decidedBy: string | null;

  @Column({ type: 'numeric', precision: 12, scale: 2, nullable: true, transformer: numericTransformer })
  unitsApproved: number | null;

  @Column({ type: 'uuid', nullable: true })
  poolId: string | null;

  @Column({ type: 'uuid', nullable: true })
  organisationId: string | null;

  @Column({ type: 'uuid', nullable: true })
  allocationId: string | null;

  @Column('text')
  reason: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
