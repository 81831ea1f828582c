import { Column, Entity, type ValueTransformer } from 'typeorm';
import type { CalendarDate } from '../common/dates/calendar-date';
import { VersionedRecord } from '../database/versioned-record';

/** pg answers numeric as a string (exact decimal); units here have at most 2 decimals, so a JS number is exact enough. */
export const NUMERIC_UNITS: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/**
 * What a locality's panel holds of one catalogue service for a period, in the service's unit.
 * `allocatedUnits` only ever changes through the guarded UPDATEs of pool-ledger.ts; the table's
 * CHECK keeps it within 0..capacityUnits.
 */
@Entity('resource_pool')
export class ResourcePool extends VersionedRecord {
  @Column('uuid')
  localityId: string;

  @Column('text')
  serviceCode: string;

  /** First day of the period (inclusive). */
  @Column({ type: 'date' })
  periodStart: CalendarDate;

  /** Last day of the period (inclusive). */
  @Column({ type: 'date' })
  periodEnd: CalendarDate;

  @Column({ type: 'numeric', precision: 12, scale: 2, transformer: NUMERIC_UNITS })
  capacityUnits: number;

  @Column({ type: 'numeric', precision: 12, scale: 2, default: 0, transformer: NUMERIC_UNITS })
  allocatedUnits: number;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;
}
