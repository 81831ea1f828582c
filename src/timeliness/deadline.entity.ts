import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { CalendarDate } from '../common/dates/calendar-date';
import type { DeadlineKind, SubjectType } from './deadline-kind';

/** One target of any workflow, statutory or local (ARCHITECTURE.md idea 1). Dates are `date`s. */
@Entity('deadline')
export class Deadline {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  kind: DeadlineKind;

  @Column({ type: 'text' })
  subjectType: SubjectType;

  @Column('uuid')
  subjectId: string;

  @Column({ type: 'uuid', nullable: true })
  pupilId: string | null;

  @Column({ type: 'uuid', nullable: true })
  schoolId: string | null;

  @Column({ type: 'uuid', nullable: true })
  localityId: string | null;

  @Column({ type: 'uuid', nullable: true })
  organisationId: string | null;

  @Column({ type: 'date' })
  startsOn: CalendarDate;

  @Column({ type: 'date' })
  dueOn: CalendarDate;

  @Column({ type: 'date', nullable: true })
  metOn: CalendarDate | null;

  @Column({ type: 'date', nullable: true })
  cancelledOn: CalendarDate | null;

  @Column()
  excepted: boolean;

  @Column({ type: 'text', nullable: true })
  exceptionReason: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
