import { Column, Entity } from 'typeorm';
import { ROLES, type Role } from '../access/role';
import { VersionedRecord } from '../database/versioned-record';

/** A person who signs in. Never deleted: deactivated (active = false) so the audit trail stays whole. */
@Entity('app_user')
export class User extends VersionedRecord {
  @Column()
  email: string;

  @Column()
  name: string;

  @Column({ type: 'text', enum: ROLES })
  role: Role;

  @Column({ type: 'uuid', nullable: true })
  schoolId: string | null;

  @Column({ type: 'uuid', nullable: true })
  localityId: string | null;

  @Column({ type: 'text', nullable: true })
  area: string | null;

  @Column({ type: 'uuid', nullable: true })
  organisationId: string | null;

  @Column()
  active: boolean;

  @Column({ select: false })
  passwordHash: string;

  @Column()
  mustChangePassword: boolean;

  @Column({ type: 'timestamptz' })
  passwordChangedAt: Date;

  @Column()
  failedLogins: number;

  @Column({ type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  @Column()
  tokenVersion: number;
}
