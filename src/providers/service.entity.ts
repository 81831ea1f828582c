import { Column, Entity } from 'typeorm';
import { VersionedRecord } from '../database/versioned-record';

/**
 * What a service's allocations are counted in; the `service.unit` CHECK. HOURS go in quarter
 * hours, GBP in whole pounds, SESSIONS and PLACES whole (API.md "Units").
 */
export const SERVICE_UNITS = ['HOURS', 'SESSIONS', 'GBP', 'PLACES'] as const;
export type ServiceUnit = (typeof SERVICE_UNITS)[number];

/**
 * A service in the county catalogue (STLS time, speech and language therapy, High Needs
 * Funding...), delivered by one organisation. The code is unique county-wide and never changes:
 * requests, pools and allocations refer to it. Named CatalogueService, not Service, so it is not
 * confused with Nest's injectable services.
 */
@Entity('service')
export class CatalogueService extends VersionedRecord {
  @Column()
  code: string;

  @Column()
  name: string;

  @Column('uuid')
  organisationId: string;

  /** Fixed once created: units already allocated are counted in it. */
  @Column('text')
  unit: ServiceUnit;

  /** Weeks from acceptance to first session for this service; null = the DELIVERY_START rule applies. */
  @Column({ type: 'integer', nullable: true })
  deliveryStartWeeks: number | null;
}
