import { Column, Entity } from 'typeorm';
import type { CalendarDate } from '../common/dates/calendar-date';
import { VersionedRecord } from '../database/versioned-record';
import { numericTransformer } from '../support-requests/support-request.entity';

/** The `allocation.status` CHECK (API.md "Delivery"). */
export const ALLOCATION_STATUSES = ['OFFERED', 'ACCEPTED', 'DECLINED', 'IN_DELIVERY', 'COMPLETED', 'CANCELLED'] as const;
export type AllocationStatus = (typeof ALLOCATION_STATUSES)[number];

/** The `allocation.outcome` CHECK. */
export const ALLOCATION_OUTCOMES = ['NEED_MET', 'PARTLY_MET', 'NOT_MET', 'REFERRED_ON'] as const;
export type AllocationOutcome = (typeof ALLOCATION_OUTCOMES)[number];

/** Statuses whose units are held by the pool (the rest returned their units). */
export const HOLDING_STATUSES: readonly AllocationStatus[] = ['OFFERED', 'ACCEPTED', 'IN_DELIVERY', 'COMPLETED'];

/**
 * Units of a locality pool given to a provider organisation for one support request. Its
 * deadlines (ALLOCATION_ACCEPTANCE, DELIVERY_START) live in `deadline`, subject ALLOCATION = id.
 */
@Entity('allocation')
export class Allocation extends VersionedRecord {
  @Column('uuid')
  requestId: string;

  @Column('uuid')
  pupilId: string;

  @Column('uuid')
  schoolId: string;

  @Column('uuid')
  localityId: string;

  @Column('uuid')
  poolId: string;

  @Column('uuid')
  organisationId: string;

  @Column('text')
  serviceCode: string;

  @Column({ type: 'numeric', precision: 12, scale: 2, transformer: numericTransformer })
  units: number;

  @Column({ type: 'numeric', precision: 12, scale: 2, transformer: numericTransformer, default: 0 })
  unitsUsed: number;

  @Column('text')
  status: AllocationStatus;

  @Column('date')
  offeredOn: CalendarDate;

  @Column({ type: 'date', nullable: true })
  acceptedOn: CalendarDate | null;

  @Column({ type: 'date', nullable: true })
  declinedOn: CalendarDate | null;

  @Column({ type: 'text', nullable: true })
  declineReason: string | null;

  @Column({ type: 'date', nullable: true })
  firstSessionOn: CalendarDate | null;

  @Column({ type: 'date', nullable: true })
  completedOn: CalendarDate | null;

  @Column({ type: 'text', nullable: true })
  outcome: AllocationOutcome | null;

  @Column({ type: 'text', nullable: true })
  outcomeSummary: string | null;

  @Column({ type: 'date', nullable: true })
  cancelledOn: CalendarDate | null;

  @Column({ type: 'text', nullable: true })
  cancelReason: string | null;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;
}
