import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role } from '../../access/role';
import { VersionedView } from '../../database/versioned-record';
import type { User } from '../user.entity';

/** A user as the API shows it: never the password hash, counters or token version. */
export class UserView extends VersionedView {
  @ApiProperty({ example: 'senco@example.org' })
  email: string;

  @ApiProperty({ example: 'Sam Patel' })
  name: string;

  @ApiProperty({ enum: ROLES, enumName: 'Role' })
  role: Role;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  schoolId: string | null;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  localityId: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'North' })
  area: string | null;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  organisationId: string | null;

  @ApiProperty()
  active: boolean;

  @ApiProperty({ description: 'True after a reset: the user must change the temporary password' })
  mustChangePassword: boolean;

  @ApiProperty({ nullable: true, type: String, example: null, description: 'Set while the account is locked' })
  lockedUntil: string | null;

  static of(user: User): UserView {
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      schoolId: user.schoolId,
      localityId: user.localityId,
      area: user.area,
      organisationId: user.organisationId,
      active: user.active,
      mustChangePassword: user.mustChangePassword,
      lockedUntil: user.lockedUntil && user.lockedUntil.getTime() > Date.now() ? user.lockedUntil.toISOString() : null,
      version: user.version,
    };
  }
}
