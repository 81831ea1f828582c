import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsIn, IsInt, IsOptional, IsString, IsUUID, MaxLength, Min, ValidateIf } from 'class-validator';
import { IsNotBlank } from '../../common/validation/is-not-blank.decorator';
import { ROLES, type Role } from '../../access/role';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../auth/password-policy';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { UserView } from './user.view';

export { UserView } from './user.view';

/** Emails are stored lower-case (a CHECK on app_user), so compare and store them that way. */
const emailForm = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);
/** Ids compare as uuids in SQL, but echo them back the way every read shows them. */
const lowerCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value);
const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
/** Query strings carry text: `?active=true` / `?active=false`. */
const queryBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

/** May be left out, but not sent as null (the field has no empty value). */
const IsOmittable = () => ValidateIf((_: object, value: unknown) => value !== undefined);

const SCOPE_NOTE =
  'The scope fields a role takes: SENCO schoolId (required); PANEL localityId (required); PROVIDER organisationId ' +
  '(required); CASEWORKER and MANAGER localityId, or area, or neither (county-wide), never both; ADMIN none. ' +
  'A scope field the role does not take is refused.';

export class CreateUserDto {
  @ApiProperty({ example: 'sam.patel@oakfield.kent.sch.uk', maxLength: 254, description: 'Unique, ignoring case; stored lower-case' })
  @Transform(emailForm)
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'must be an email address' })
  email: string;

  @ApiProperty({ example: 'Sam Patel', maxLength: 120 })
  @Transform(trimmed)
  @IsString()
  @IsNotBlank()
  @MaxLength(120)
  name: string;

  @ApiProperty({ enum: ROLES, enumName: 'Role', example: 'SENCO', description: SCOPE_NOTE })
  @IsIn(ROLES)
  role: Role;

  @ApiProperty({
    example: 'a-long-passphrase-2026',
    minLength: MIN_PASSWORD_LENGTH,
    maxLength: MAX_PASSWORD_LENGTH,
    description: `${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters, not a common password, not containing the email's local part`,
    writeOnly: true,
  })
  @IsString()
  @MaxLength(256)
  password: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String, description: 'SENCO only (required for SENCO)' })
  @IsOptional()
  @Transform(lowerCase)
  @IsUUID('loose', { message: 'must be a UUID' })
  schoolId?: string | null;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String, description: 'PANEL (required), CASEWORKER or MANAGER' })
  @IsOptional()
  @Transform(lowerCase)
  @IsUUID('loose', { message: 'must be a UUID' })
  localityId?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, example: 'North', maxLength: 60, description: 'CASEWORKER or MANAGER: an area some locality belongs to' })
  @IsOptional()
  @IsString()
  @IsNotBlank()
  @MaxLength(60)
  area?: string | null;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String, description: 'PROVIDER only (required for PROVIDER)' })
  @IsOptional()
  @Transform(lowerCase)
  @IsUUID('loose', { message: 'must be a UUID' })
  organisationId?: string | null;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

/**
 * Any subset of the fields except the password (that is POST /users/:id/reset-password). Scope
 * fields take null to clear them; the resulting role and scope must fit together, so changing a
 * SENCO to a CASEWORKER also sends `schoolId: null`. Setting `active: false` deactivates the
 * account and ends its sessions at once.
 */
export class UpdateUserDto {
  @ApiPropertyOptional({ example: 'sam.patel@oakfield.kent.sch.uk', maxLength: 254 })
  @IsOmittable()
  @Transform(emailForm)
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'must be an email address' })
  email?: string;

  @ApiPropertyOptional({ example: 'Sam Patel', maxLength: 120 })
  @Transform(trimmed)
  @IsString()
  @IsNotBlank()
  @MaxLength(120)
  @IsOmittable()
  name?: string;

  @ApiPropertyOptional({ enum: ROLES, enumName: 'Role', example: 'CASEWORKER', description: SCOPE_NOTE })
  @IsIn(ROLES)
  @IsOmittable()
  role?: Role;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String, description: 'null clears it' })
  @IsOptional()
  @Transform(lowerCase)
  @IsUUID('loose', { message: 'must be a UUID' })
  schoolId?: string | null;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String, description: 'null clears it' })
  @IsOptional()
  @Transform(lowerCase)
  @IsUUID('loose', { message: 'must be a UUID' })
  localityId?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, example: 'North', maxLength: 60, description: 'null clears it' })
  @IsOptional()
  @IsString()
  @IsNotBlank()
  @MaxLength(60)
  area?: string | null;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String, description: 'null clears it' })
  @IsOptional()
  @Transform(lowerCase)
  @IsUUID('loose', { message: 'must be a UUID' })
  organisationId?: string | null;

  @ApiPropertyOptional({ description: 'false deactivates the account (its tokens stop working at once); users are never deleted' })
  @IsBoolean()
  @IsOmittable()
  active?: boolean;

  @ApiPropertyOptional({ example: 1, description: 'The version you read; or send If-Match' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

/**
 * The optional body of POST /users/:id/reset-password and /unlock. Neither command needs one; a
 * client that wants to be sure it acts on the account as it last read it sends that version
 * (or If-Match), and a stale one is 409 with nothing changed.
 */
export class UserCommandDto {
  @ApiPropertyOptional({ example: 3, description: 'The version you read; if sent (or If-Match), a stale one is 409' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class UserQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['name', '-name', 'email', '-email'], default: 'name', example: 'email', description: '- prefix for descending' })
  declare sort?: string;

  @ApiPropertyOptional({ enum: ROLES, enumName: 'Role', example: 'SENCO' })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ type: Boolean, example: true, description: 'true: active accounts only; false: deactivated ones only' })
  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean({ message: 'must be true or false' })
  active?: boolean;

  @ApiPropertyOptional({ example: 'sam', maxLength: 254, description: 'Email or name prefix, case-insensitive' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  q?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @Transform(lowerCase)
  @IsUUID('loose', { message: 'must be a UUID' })
  schoolId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @Transform(lowerCase)
  @IsUUID('loose', { message: 'must be a UUID' })
  localityId?: string;

  @ApiPropertyOptional({ example: 'North', description: 'Users scoped to this area (CASEWORKER, MANAGER)' })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  area?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @Transform(lowerCase)
  @IsUUID('loose', { message: 'must be a UUID' })
  organisationId?: string;
}

export class UserPage extends PageOf(UserView) {}

export class ResetPasswordView {
  @ApiProperty({
    example: 'k7RmQ2xWp9TzHb4NcVdE',
    description: 'Shown once: give it to the user, who must change it at the next sign-in. It is not stored or logged.',
  })
  temporaryPassword: string;

  @ApiProperty({ type: UserView })
  user: UserView;
}
