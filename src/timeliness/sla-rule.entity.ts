import { Column, Entity, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import type { DurationUnit } from './deadline-kind';

/** kind -> duration, statutory or local, legal basis. Local targets are editable by ADMIN. */
@Entity('sla_rule')
export class SlaRule {
  @PrimaryColumn()
  kind: string;

  @Column()
  description: string;

  @Column()
  basis: 'STATUTORY' | 'LOCAL';

  @Column()
  legalReference: string;

  @Column()
  startsOnEvent: string;

  @Column()
  metByEvent: string;

  @Column({ type: 'text' })
  durationUnit: DurationUnit;

  @Column({ type: 'integer', nullable: true })
  durationValue: number | null;

  @VersionColumn()
  version: number;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
