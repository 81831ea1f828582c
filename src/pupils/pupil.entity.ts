import { Column, Entity, JoinColumn, ManyToOne } from 'typeorm';
import { VersionedRecord } from '../database/versioned-record';
import { School } from '../localities/school.entity';
import type { NeedCode, SenStatus } from './needs';

/** Why a pupil left the register (the `pupil.leave_reason` CHECK). */
export const LEAVE_REASONS = ['END_OF_YEAR_11', 'MOVED_OUT_OF_AREA', 'ELECTIVE_HOME_EDUCATION', 'OTHER'] as const;
export type LeaveReason = (typeof LEAVE_REASONS)[number];

/** A pupil on the SEN register, in exactly one school at a time. */
@Entity('pupil')
export class Pupil extends VersionedRecord {
  /** Unique Pupil Number, upper-case, check letter verified (also by CHECKs in the database). */
  @Column()
  upn: string;

  @Column()
  firstName: string;

  @Column()
  lastName: string;

  /** Search and sort keys: lower-case, accents stripped (see nameKey); kept in step by the service. */
  @Column()
  firstNameKey: string;

  @Column()
  lastNameKey: string;

  /** YYYY-MM-DD (a `date` column comes back as a string). */
  @Column('date')
  dateOfBirth: string;

  @Column('uuid')
  schoolId: string;

  /** Loaded by the queries that need the school's name; never written through. */
  @ManyToOne(() => School, { createForeignKeyConstraints: false })
  @JoinColumn({ name: 'school_id' })
  school?: School;

  /** -1, 0 or 1: a child taught a year below or above the year group of their date of birth. */
  @Column('smallint')
  yearOffset: number;

  @Column('text')
  senStatus: SenStatus;

  @Column({ type: 'text', nullable: true })
  primaryNeed: NeedCode | null;

  @Column({ type: 'text', nullable: true })
  secondaryNeed: NeedCode | null;

  @Column({ type: 'date', nullable: true })
  leftOn: string | null;

  @Column({ type: 'text', nullable: true })
  leaveReason: LeaveReason | null;

  /** Set when the record was anonymised (src/data-protection): names ERASED, placeholder UPN. */
  @Column({ type: 'date', nullable: true })
  erasedOn: string | null;

  @Column({ type: 'text', nullable: true })
  erasureReason: string | null;
}
