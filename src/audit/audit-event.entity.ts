import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One row of the append-only trail (a trigger refuses UPDATE, DELETE and TRUNCATE). */
@Entity('audit_event')
export class AuditEvent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'timestamptz' })
  at: Date;

  @Column({ type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ type: 'text', nullable: true })
  actorEmail: string | null;

  @Column({ type: 'text', nullable: true })
  actorRole: string | null;

  @Column()
  action: string;

  @Column()
  entityType: string;

  @Column({ type: 'uuid', nullable: true })
  entityId: string | null;

  @Column('text', { array: true })
  changedFields: string[];

  @Column()
  outcome: 'SUCCESS' | 'FAILURE';

  @Column({ type: 'text', nullable: true })
  requestId: string | null;

  @Column({ type: 'text', nullable: true })
  ip: string | null;

  @Column({ type: 'uuid', nullable: true })
  schoolId: string | null;

  @Column({ type: 'uuid', nullable: true })
  localityId: string | null;

  @Column({ type: 'text', nullable: true })
  area: string | null;

  @Column({ type: 'uuid', nullable: true })
  organisationId: string | null;

  @Column({ type: 'uuid', nullable: true })
  pupilId: string | null;
}
