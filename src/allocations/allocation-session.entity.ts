import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { CalendarDate } from '../common/dates/calendar-date';
import { numericTransformer } from '../support-requests/support-request.entity';
import type { AbsenceReason } from './allocation-rules';

/** One session a provider delivered (or that did not happen) under an allocation; never edited. */
@Entity('allocation_session')
export class AllocationSession {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  allocationId: string;

  @Column('date')
  deliveredOn: CalendarDate;

  @Column('integer')
  durationMinutes: number;

  @Column('boolean')
  attended: boolean;

  @Column({ type: 'text', nullable: true })
  absenceReason: AbsenceReason | null;

  /** Free text: never logged, never audited. */
  @Column({ type: 'text', nullable: true })
  note: string | null;

  @Column({ type: 'numeric', precision: 12, scale: 2, transformer: numericTransformer })
  unitsUsed: number;

  @Column({ type: 'uuid', nullable: true })
  recordedBy: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
