import { Column, Entity } from 'typeorm';
import { VersionedRecord } from '../database/versioned-record';

/** Phases of education (the GIAS "PhaseOfEducation" folded to four); the `school.phase` CHECK. */
export const SCHOOL_PHASES = ['PRIMARY', 'MIDDLE', 'SECONDARY', 'ALL_THROUGH'] as const;
export type SchoolPhase = (typeof SCHOOL_PHASES)[number];

/** Kinds of establishment (PRU = pupil referral unit); the `school.kind` CHECK. */
export const SCHOOL_KINDS = ['MAINSTREAM', 'SPECIAL', 'PRU', 'INDEPENDENT'] as const;
export type SchoolKind = (typeof SCHOOL_KINDS)[number];

/** A school, known by its DfE unique reference number (URN), in exactly one locality. */
@Entity('school')
export class School extends VersionedRecord {
  /** Six digits, kept as text: a URN is an identifier, not a quantity. */
  @Column()
  urn: string;

  @Column()
  name: string;

  @Column('text')
  phase: SchoolPhase;

  @Column('text')
  kind: SchoolKind;

  @Column('uuid')
  localityId: string;
}
