import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** The pupil fields whose changes are kept as dated history ("as at" census and SEN2 values). */
export const HISTORY_FIELDS = ['senStatus', 'primaryNeed', 'secondaryNeed', 'schoolId', 'leftOn'] as const;
export type HistoryField = (typeof HISTORY_FIELDS)[number];

/**
 * One dated change of a pupil's status, need, school (a transfer) or leaving. Appended, never
 * changed: the value of a field as at a date is the `to_value` of its latest row effective on or
 * before that date. A pupil's creation writes the first rows (from null).
 */
@Entity('pupil_history')
export class PupilHistory {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  pupilId: string;

  @Column('text')
  field: HistoryField;

  @Column({ type: 'text', nullable: true })
  fromValue: string | null;

  @Column({ type: 'text', nullable: true })
  toValue: string | null;

  @Column('date')
  effectiveOn: string;

  @Column({ type: 'uuid', nullable: true })
  changedBy: string | null;

  @Column({ type: 'timestamptz' })
  changedAt: Date;
}
