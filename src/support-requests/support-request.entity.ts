import { Column, Entity } from 'typeorm';
import type { CalendarDate } from '../common/dates/calendar-date';
import { VersionedRecord } from '../database/versioned-record';

/** The `support_request.status` CHECK (API.md "Support requests and panels"). */
export const SUPPORT_REQUEST_STATUSES = ['DRAFT', 'SUBMITTED', 'DEFERRED', 'APPROVED', 'PARTIALLY_APPROVED', 'DECLINED', 'WITHDRAWN'] as const;
export type SupportRequestStatus = (typeof SUPPORT_REQUEST_STATUSES)[number];

/** States a request can still be withdrawn from (not yet decided). */
export const OPEN_REQUEST_STATUSES: readonly SupportRequestStatus[] = ['DRAFT', 'SUBMITTED', 'DEFERRED'];

export const URGENCIES = ['ROUTINE', 'URGENT'] as const;
export type Urgency = (typeof URGENCIES)[number];

/** numeric columns come back from pg as strings; the API counts units as JSON numbers. */
export const numericTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/**
 * A SENCO's request to their locality panel for a catalogue service for a pupil. Its decision
 * deadline lives in `deadline` (REQUEST_DECISION, subject SUPPORT_REQUEST = this id).
 */
@Entity('support_request')
export class SupportRequest extends VersionedRecord {
  @Column('uuid')
  pupilId: string;

  /** The pupil's school when the request was made. */
  @Column('uuid')
  schoolId: string;

  /** That school's locality then: the panel that hears the request. */
  @Column('uuid')
  localityId: string;

  @Column('text')
  serviceCode: string;

  @Column({ type: 'uuid', nullable: true })
  supportPlanId: string | null;

  @Column('text')
  reason: string;

  @Column('text')
  urgency: Urgency;

  @Column({ type: 'numeric', precision: 10, scale: 2, transformer: numericTransformer })
  unitsRequested: number;

  @Column('text')
  status: SupportRequestStatus;

  @Column({ type: 'date', nullable: true })
  submittedOn: CalendarDate | null;

  @Column({ type: 'date', nullable: true })
  withdrawnOn: CalendarDate | null;

  @Column({ type: 'text', nullable: true })
  withdrawReason: string | null;

  @Column({ type: 'boolean', default: false })
  needsReallocation: boolean;

  @Column({ type: 'text', nullable: true })
  reallocationReason: string | null;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;
}
