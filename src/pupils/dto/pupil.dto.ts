import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  registerDecorator,
  ValidateIf,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';
import { IsNotBlank } from '../../common/validation/is-not-blank.decorator';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { IsCalendarDate } from '../../common/validation/is-calendar-date.decorator';
import { NEED_CODES, SEN_STATUSES, type NeedCode, type SenStatus } from '../needs';
import { LEAVE_REASONS, type LeaveReason } from '../pupil.entity';
import { normaliseUpn, upnProblem } from '../upn';
import { RECEPTION, YEAR_11 } from '../year-group';

export { LEAVE_REASONS, type LeaveReason } from '../pupil.entity';

/** Ids compare as uuids in SQL, but echo them back the way every read shows them. */
const lowerCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value);
const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
/** What people type as a UPN, in the stored form (trimmed, upper-case); upnProblem then checks it strictly. */
const upnForm = ({ value }: { value: unknown }) => (typeof value === 'string' ? normaliseUpn(value) : value);
/** Query strings carry text: `?includeLeft=true`. */
const queryBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

/** May be left out, but not sent as null (the field has no empty value). */
const IsOmittable = () => ValidateIf((_: object, value: unknown) => value !== undefined);

/** A valid UPN (upn.ts); the message says what is wrong with it. */
function IsUpn(options?: ValidationOptions): PropertyDecorator {
  return (object: object, propertyName: string | symbol): void => {
    registerDecorator({
      name: 'isUpn',
      target: object.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => upnProblem(value) === undefined,
        defaultMessage: (args?: ValidationArguments) => upnProblem(args?.value) ?? 'must be a UPN',
      },
    });
  };
}

/** Any characters but control characters (blankness is IsNotBlank's to report). */
const NAME_RULE = /^[^\p{Cc}]*$/u;
const NEED_MESSAGE = `must be one of ${NEED_CODES.join(', ')}`;
const STATUS_MESSAGE = `must be one of ${SEN_STATUSES.join(', ')}`;
const YEAR_GROUP_NOTE =
  '0 = Reception to 11 = Year 11. Optional: by default the year group of the date of birth (1 September rule). ' +
  'A value one away from it is kept as an out-of-year offset (a child taught a year above or below); further away is 400.';
const NEEDS_NOTE =
  'DfE type-of-need code. N (no SEN) has no needs; K and E need a primary need; NSA only with K, as the only need; ' +
  'the secondary need differs from the primary.';
const SCHOOL_ID_EXAMPLE = '3f2b8c1e-5d4a-4c3b-9a8e-1f2d3c4b5a69';

export class CreatePupilDto {
  @ApiProperty({
    example: 'B801200005001',
    minLength: 13,
    maxLength: 13,
    description:
      'Unique Pupil Number: a check letter and 12 digits (a temporary UPN ends in a letter), the check letter verified. ' +
      'Trimmed and upper-cased before checking; unique county-wide (409 duplicate).',
  })
  @Transform(upnForm)
  @IsUpn()
  upn: string;

  @ApiProperty({ example: 'Zoë', maxLength: 100 })
  @Transform(trimmed)
  @IsString()
  @IsNotBlank()
  @MaxLength(100)
  @Matches(NAME_RULE, { message: 'must not contain control characters' })
  firstName: string;

  @ApiProperty({ example: 'Okafor', maxLength: 100 })
  @Transform(trimmed)
  @IsString()
  @IsNotBlank()
  @MaxLength(100)
  @Matches(NAME_RULE, { message: 'must not contain control characters' })
  lastName: string;

  @ApiProperty({
    example: '2016-03-14',
    format: 'date',
    description: 'Not in the future; at creation the child must be of Reception to Year 11 age',
  })
  @IsCalendarDate()
  dateOfBirth: string;

  @ApiProperty({ format: 'uuid', example: SCHOOL_ID_EXAMPLE, description: 'A SENCO: their own school (else 400 "unknown school")' })
  @Transform(lowerCase)
  @IsUUID('loose', { message: 'must be a UUID' })
  schoolId: string;

  @ApiPropertyOptional({ minimum: RECEPTION, maximum: YEAR_11, example: 4, description: YEAR_GROUP_NOTE })
  @IsOmittable()
  @IsInt()
  @Min(RECEPTION)
  @Max(YEAR_11)
  yearGroup?: number;

  @ApiProperty({ enum: SEN_STATUSES, enumName: 'SenStatus', example: 'K', description: 'N no SEN, K SEN support, E EHC plan' })
  @IsIn(SEN_STATUSES, { message: STATUS_MESSAGE })
  senStatus: SenStatus;

  @ApiPropertyOptional({ enum: NEED_CODES, enumName: 'NeedCode', nullable: true, example: 'SLCN', description: NEEDS_NOTE })
  @IsOptional()
  @IsIn(NEED_CODES, { message: NEED_MESSAGE })
  primaryNeed?: NeedCode | null;

  @ApiPropertyOptional({ enum: NEED_CODES, enumName: 'NeedCode', nullable: true, example: 'SEMH', description: NEEDS_NOTE })
  @IsOptional()
  @IsIn(NEED_CODES, { message: NEED_MESSAGE })
  secondaryNeed?: NeedCode | null;
}

/**
 * Any subset of names, date of birth, year group, status and needs, with the version read. The
 * UPN and school are not changed here (a school change is POST /pupils/:id/transfer). Needs take
 * null to clear them; the resulting status and needs must fit together (so a change to N also
 * sends `primaryNeed: null`). Status and need changes are kept as dated history (effective today).
 */
export class UpdatePupilDto {
  @ApiPropertyOptional({ example: 'Zoë', maxLength: 100 })
  @IsOmittable()
  @Transform(trimmed)
  @IsString()
  @IsNotBlank()
  @MaxLength(100)
  @Matches(NAME_RULE, { message: 'must not contain control characters' })
  firstName?: string;

  @ApiPropertyOptional({ example: 'Okafor', maxLength: 100 })
  @IsOmittable()
  @Transform(trimmed)
  @IsString()
  @IsNotBlank()
  @MaxLength(100)
  @Matches(NAME_RULE, { message: 'must not contain control characters' })
  lastName?: string;

  @ApiPropertyOptional({ example: '2016-03-14', format: 'date', description: 'A corrected date of birth: the same rules as at creation' })
  @IsOmittable()
  @IsCalendarDate()
  dateOfBirth?: string;

  @ApiPropertyOptional({ minimum: RECEPTION, maximum: YEAR_11, example: 4, description: YEAR_GROUP_NOTE })
  @IsOmittable()
  @IsInt()
  @Min(RECEPTION)
  @Max(YEAR_11)
  yearGroup?: number;

  @ApiPropertyOptional({ enum: SEN_STATUSES, enumName: 'SenStatus', example: 'E' })
  @IsOmittable()
  @IsIn(SEN_STATUSES, { message: STATUS_MESSAGE })
  senStatus?: SenStatus;

  @ApiPropertyOptional({ enum: NEED_CODES, enumName: 'NeedCode', nullable: true, example: 'ASD', description: `${NEEDS_NOTE} null clears it.` })
  @IsOptional()
  @IsIn(NEED_CODES, { message: NEED_MESSAGE })
  primaryNeed?: NeedCode | null;

  @ApiPropertyOptional({ enum: NEED_CODES, enumName: 'NeedCode', nullable: true, example: null, description: `${NEEDS_NOTE} null clears it.` })
  @IsOptional()
  @IsIn(NEED_CODES, { message: NEED_MESSAGE })
  secondaryNeed?: NeedCode | null;

  @ApiPropertyOptional({ example: 1, description: 'The version you read; or send If-Match' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class TransferPupilDto {
  @ApiProperty({
    format: 'uuid',
    example: SCHOOL_ID_EXAMPLE,
    description: 'The receiving school: a SENCO’s own school, or for a caseworker a school in their scope',
  })
  @Transform(lowerCase)
  @IsUUID('loose', { message: 'must be a UUID' })
  schoolId: string;

  @ApiProperty({ example: '2026-01-05', format: 'date', description: 'Not in the future, nor before the pupil’s last recorded change' })
  @IsCalendarDate()
  movedOn: string;

  @ApiPropertyOptional({ example: 3, description: 'The version you read; if sent (or If-Match), a stale one is 409' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class LeavePupilDto {
  @ApiProperty({ example: '2026-07-22', format: 'date', description: 'Not in the future, nor before the pupil’s last recorded change' })
  @IsCalendarDate()
  leftOn: string;

  @ApiProperty({ enum: LEAVE_REASONS, enumName: 'LeaveReason', example: 'MOVED_OUT_OF_AREA' })
  @IsIn(LEAVE_REASONS, { message: `must be one of ${LEAVE_REASONS.join(', ')}` })
  reason: LeaveReason;

  @ApiPropertyOptional({ example: 3, description: 'The version you read; if sent (or If-Match), a stale one is 409' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export const PUPIL_SORTS = ['lastName', 'upn', 'dateOfBirth'] as const;

export class PupilQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: PUPIL_SORTS.flatMap((s) => [s, `-${s}`]),
    default: 'lastName',
    example: 'lastName',
    description: 'lastName orders by surname then first name (ignoring case and accents); - prefix for descending',
  })
  declare sort?: string;

  @ApiPropertyOptional({
    example: 'zoe',
    maxLength: 100,
    description:
      'A UPN (13 characters) matches exactly; anything else is a case- and accent-insensitive prefix of the surname or ' +
      'first name, or of both as "first last" (or "last first")',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ format: 'uuid', example: SCHOOL_ID_EXAMPLE })
  @IsOptional()
  @Transform(lowerCase)
  @IsUUID('loose', { message: 'must be a UUID' })
  schoolId?: string;

  @ApiPropertyOptional({ format: 'uuid', example: SCHOOL_ID_EXAMPLE })
  @IsOptional()
  @Transform(lowerCase)
  @IsUUID('loose', { message: 'must be a UUID' })
  localityId?: string;

  @ApiPropertyOptional({ enum: SEN_STATUSES, enumName: 'SenStatus', example: 'K' })
  @IsOptional()
  @IsIn(SEN_STATUSES, { message: STATUS_MESSAGE })
  senStatus?: SenStatus;

  @ApiPropertyOptional({ enum: NEED_CODES, enumName: 'NeedCode', example: 'SLCN', description: 'Primary or secondary need' })
  @IsOptional()
  @IsIn(NEED_CODES, { message: NEED_MESSAGE })
  need?: NeedCode;

  @ApiPropertyOptional({
    minimum: -1,
    maximum: 12,
    example: 4,
    description: 'The year group today (with any out-of-year offset); -1 and 12 find pupils just outside Reception to Year 11',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be a whole number' })
  @Min(-1)
  @Max(12)
  yearGroup?: number;

  @ApiPropertyOptional({ type: Boolean, default: false, description: 'true: include pupils who have left' })
  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean({ message: 'must be true or false' })
  includeLeft?: boolean;
}

export class PupilView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'B801200005001' })
  upn: string;

  @ApiProperty({ example: 'Zoë' })
  firstName: string;

  @ApiProperty({ example: 'Okafor' })
  lastName: string;

  @ApiProperty({ example: '2016-03-14', format: 'date' })
  dateOfBirth: string;

  @ApiProperty({ format: 'uuid', example: SCHOOL_ID_EXAMPLE })
  schoolId: string;

  @ApiProperty({ example: 'Oakfield Primary School' })
  schoolName: string;

  @ApiProperty({ format: 'uuid' })
  localityId: string;

  @ApiProperty({
    example: 4,
    description:
      'Today’s year group: from the date of birth (1 September rule) plus any out-of-year offset, so it moves up each ' +
      'September by itself (12 = past Year 11 and not yet marked as left)',
  })
  yearGroup: number;

  @ApiProperty({ enum: SEN_STATUSES, enumName: 'SenStatus', example: 'K' })
  senStatus: SenStatus;

  @ApiProperty({ enum: NEED_CODES, enumName: 'NeedCode', nullable: true, example: 'SLCN' })
  primaryNeed: NeedCode | null;

  @ApiProperty({ enum: NEED_CODES, enumName: 'NeedCode', nullable: true, example: null })
  secondaryNeed: NeedCode | null;

  @ApiProperty({ format: 'date', nullable: true, type: String, example: null })
  leftOn: string | null;

  @ApiProperty({ enum: LEAVE_REASONS, enumName: 'LeaveReason', nullable: true, example: null })
  leaveReason: LeaveReason | null;

  @ApiProperty({ example: 1, description: 'Send it back with a PATCH (body or If-Match)' })
  version: number;
}

/** What a PROVIDER sees of the pupils they work with (API.md "Minimal pupil view"). */
export class PupilMinimalView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'B801200005001' })
  upn: string;

  @ApiProperty({ example: 'Zoë' })
  firstName: string;

  @ApiProperty({ example: 'Okafor' })
  lastName: string;

  @ApiProperty({ example: '2016-03-14', format: 'date' })
  dateOfBirth: string;

  @ApiProperty({ example: 4 })
  yearGroup: number;

  @ApiProperty({ format: 'uuid' })
  schoolId: string;

  @ApiProperty({ example: 'Oakfield Primary School' })
  schoolName: string;

  @ApiProperty({ enum: NEED_CODES, enumName: 'NeedCode', nullable: true, example: 'SLCN' })
  primaryNeed: NeedCode | null;

  @ApiProperty({ enum: NEED_CODES, enumName: 'NeedCode', nullable: true, example: null })
  secondaryNeed: NeedCode | null;
}

/** CSV columns, in the JSON field order. */
export const PUPIL_VIEW_COLUMNS = [
  'id',
  'upn',
  'firstName',
  'lastName',
  'dateOfBirth',
  'schoolId',
  'schoolName',
  'localityId',
  'yearGroup',
  'senStatus',
  'primaryNeed',
  'secondaryNeed',
  'leftOn',
  'leaveReason',
  'version',
] as const satisfies readonly (keyof PupilView)[];

export const PUPIL_MINIMAL_VIEW_COLUMNS = [
  'id',
  'upn',
  'firstName',
  'lastName',
  'dateOfBirth',
  'yearGroup',
  'schoolId',
  'schoolName',
  'primaryNeed',
  'secondaryNeed',
] as const satisfies readonly (keyof PupilMinimalView)[];

export class PupilPage extends PageOf(PupilView) {}

export class AccessLogQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['at', '-at'], default: '-at', description: 'Newest first by default' })
  declare sort?: string;
}

/** One read or change of a pupil's record, from the audit trail. */
export class AccessLogView {
  @ApiProperty({ example: '2026-11-28T09:15:02.123Z' })
  at: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  actorId: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'senco@oakfield.kent.sch.uk' })
  actorEmail: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'SENCO' })
  actorRole: string | null;

  @ApiProperty({ example: 'pupil.read', description: 'pupil.read, pupil.create, pupil.update, pupil.transfer, pupil.leave, ...' })
  action: string;
}

export const ACCESS_LOG_COLUMNS = ['at', 'actorId', 'actorEmail', 'actorRole', 'action'] as const satisfies readonly (keyof AccessLogView)[];

export class AccessLogPage extends PageOf(AccessLogView) {}
