import { Column, Entity } from 'typeorm';
import { VersionedRecord } from '../database/versioned-record';

/** Who runs a provider organisation; the `organisation.kind` CHECK. */
export const ORGANISATION_KINDS = ['KCC_SERVICE', 'NHS', 'VOLUNTARY', 'INDEPENDENT'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

/**
 * A provider organisation: a KCC service (STLS, educational psychology), an NHS trust, a
 * voluntary or independent provider. Names are unique, ignoring case.
 */
@Entity('organisation')
export class Organisation extends VersionedRecord {
  @Column()
  name: string;

  @Column('text')
  kind: OrganisationKind;
}
