import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import type { CalendarDate } from '../../common/dates/calendar-date';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { IsCalendarDate } from '../../common/validation/is-calendar-date.decorator';
import { SERVICE_UNITS, type ServiceUnit } from '../../providers/service.entity';
import { PupilMinimalView } from '../../pupils/dto/pupil.dto';
import { URGENCIES, type Urgency } from '../../support-requests/support-request.entity';
import { ALLOCATION_OUTCOMES, ALLOCATION_STATUSES, type AllocationOutcome, type AllocationStatus } from '../allocation.entity';
import { ABSENCE_REASONS, type AbsenceReason, MAX_SESSION_MINUTES } from '../allocation-rules';

export const MAX_DECLINE_REASON_LENGTH = 2000;
export const MAX_OUTCOME_SUMMARY_LENGTH = 4000;
export const MAX_SESSION_NOTE_LENGTH = 500;

const NOT_BLANK = /\S/;
const notBlank = { message: 'must not be blank' };

export const ALLOCATION_SORTS = ['createdAt', 'offeredOn', 'acceptanceDueOn', 'deliveryStartDueOn'] as const;

export class AllocationQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'A provider organisation (a PROVIDER sees only their own anyway)' })
  @IsOptional()
  @IsUUID('all')
  organisationId?: string;

  @ApiPropertyOptional({ enum: ALLOCATION_STATUSES, enumName: 'AllocationStatus' })
  @IsOptional()
  @IsIn(ALLOCATION_STATUSES)
  status?: AllocationStatus;

  @ApiPropertyOptional({ format: 'uuid', description: 'The locality whose panel allocated' })
  @IsOptional()
  @IsUUID('all')
  localityId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The school the request came from' })
  @IsOptional()
  @IsUUID('all')
  schoolId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  pupilId?: string;

  @ApiPropertyOptional({ example: 'SALT' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  serviceCode?: string;

  @ApiPropertyOptional({ format: 'date', example: '2026-12-11', description: 'ALLOCATION_ACCEPTANCE due on or before this date' })
  @IsOptional()
  @IsCalendarDate()
  acceptanceDueBefore?: CalendarDate;

  @ApiPropertyOptional({ format: 'date', example: '2027-01-22', description: 'DELIVERY_START due on or before this date' })
  @IsOptional()
  @IsCalendarDate()
  deliveryStartDueBefore?: CalendarDate;

  @ApiPropertyOptional({
    enum: ALLOCATION_SORTS.flatMap((s) => [s, `-${s}`]),
    default: '-createdAt',
    description: 'Newest first by default. Allocations without that due date sort after every dated one ascending (before them descending).',
  })
  declare sort?: string;
}

export class AcceptAllocationDto {
  @ApiPropertyOptional({ format: 'date', example: '2026-11-20', description: 'Default today; not in the future, not before offeredOn' })
  @IsOptional()
  @IsCalendarDate()
  acceptedOn?: CalendarDate;

  @ApiPropertyOptional({ example: 1, description: 'The version you read; if sent, a stale one is 409 /problems/stale-version' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class DeclineAllocationDto {
  @ApiProperty({ maxLength: MAX_DECLINE_REASON_LENGTH, example: 'No therapist with capacity in this district until spring', description: 'Shown to the panel; never audited' })
  @IsString()
  @Matches(NOT_BLANK, notBlank)
  @MaxLength(MAX_DECLINE_REASON_LENGTH)
  reason: string;

  @ApiPropertyOptional({ format: 'date', example: '2026-11-20', description: 'Default today; not in the future, not before offeredOn' })
  @IsOptional()
  @IsCalendarDate()
  declinedOn?: CalendarDate;

  @ApiPropertyOptional({ example: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class CompleteAllocationDto {
  @ApiProperty({ enum: ALLOCATION_OUTCOMES, enumName: 'AllocationOutcome', example: 'PARTLY_MET' })
  @IsIn(ALLOCATION_OUTCOMES)
  outcome: AllocationOutcome;

  @ApiProperty({ maxLength: MAX_OUTCOME_SUMMARY_LENGTH, example: 'Uses visual timetable independently; word finding still slow', description: 'Shown to the SENCO and panel; never audited' })
  @IsString()
  @Matches(NOT_BLANK, notBlank)
  @MaxLength(MAX_OUTCOME_SUMMARY_LENGTH)
  summary: string;

  @ApiPropertyOptional({ format: 'date', example: '2027-03-05', description: 'Default today; not in the future, not before acceptedOn nor the last session' })
  @IsOptional()
  @IsCalendarDate()
  completedOn?: CalendarDate;

  @ApiPropertyOptional({ example: 3 })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class CreateSessionDto {
  @ApiProperty({ format: 'date', example: '2026-11-24', description: 'Not in the future, not before the allocation was accepted' })
  @IsCalendarDate()
  deliveredOn: CalendarDate;

  @ApiProperty({ minimum: 1, maximum: MAX_SESSION_MINUTES, example: 45, description: 'HOURS services: a multiple of 15 minutes' })
  @IsInt()
  @Min(1)
  @Max(MAX_SESSION_MINUTES)
  durationMinutes: number;

  @ApiProperty({ example: true })
  @IsBoolean()
  attended: boolean;

  @ApiPropertyOptional({ enum: ABSENCE_REASONS, enumName: 'AbsenceReason', description: 'Required exactly when attended is false' })
  @IsOptional()
  @IsIn(ABSENCE_REASONS)
  absenceReason?: AbsenceReason;

  @ApiPropertyOptional({ maxLength: MAX_SESSION_NOTE_LENGTH, example: 'Worked on /s/ blends; good focus', description: 'Seen by the provider organisation only; never audited' })
  @IsOptional()
  @IsString()
  @Matches(NOT_BLANK, notBlank)
  @MaxLength(MAX_SESSION_NOTE_LENGTH)
  note?: string;

  @ApiPropertyOptional({
    minimum: 0,
    example: 250,
    description: 'GBP and PLACES services only (required there, whole units); SESSIONS and HOURS count it from the session',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  @Min(0)
  @Max(100_000_000)
  unitsUsed?: number;
}

export class SessionQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['deliveredOn', '-deliveredOn'], default: '-deliveredOn', description: 'Latest first by default' })
  declare sort?: string;
}

export class SessionView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  allocationId: string;

  @ApiProperty({ format: 'date', example: '2026-11-24' })
  deliveredOn: CalendarDate;

  @ApiProperty({ example: 45 })
  durationMinutes: number;

  @ApiProperty({ example: true })
  attended: boolean;

  @ApiProperty({ enum: ABSENCE_REASONS, enumName: 'AbsenceReason', nullable: true, example: null })
  absenceReason: AbsenceReason | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Only for the provider organisation that recorded it' })
  note?: string | null;

  @ApiProperty({ example: 1, description: 'Units of the allocation this session used' })
  unitsUsed: number;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  recordedBy: string | null;
}

export const SESSION_CSV_COLUMNS = ['id', 'allocationId', 'deliveredOn', 'durationMinutes', 'attended', 'absenceReason', 'unitsUsed', 'recordedBy'] as const satisfies readonly (keyof SessionView)[];

export class SessionPage extends PageOf(SessionView) {}

/** The support request behind an allocation, as its provider sees it (API.md minimal view). */
export class AllocationRequestView {
  @ApiProperty({ example: 'Limited expressive language; not making progress with in-class support' })
  reason: string;

  @ApiProperty({ example: 12 })
  unitsRequested: number;

  @ApiProperty({ enum: URGENCIES, enumName: 'Urgency' })
  urgency: Urgency;
}

export class AllocationView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  requestId: string;

  @ApiProperty({ format: 'uuid' })
  pupilId: string;

  @ApiProperty({ format: 'uuid' })
  poolId: string;

  @ApiProperty({ format: 'uuid' })
  organisationId: string;

  @ApiProperty({ example: 'SALT' })
  serviceCode: string;

  @ApiProperty({ enum: SERVICE_UNITS, enumName: 'ServiceUnit', description: 'What units and unitsUsed count' })
  unit: ServiceUnit;

  @ApiProperty({ example: 12 })
  units: number;

  @ApiProperty({ example: 3 })
  unitsUsed: number;

  @ApiProperty({ enum: ALLOCATION_STATUSES, enumName: 'AllocationStatus' })
  status: AllocationStatus;

  @ApiProperty({ format: 'date', example: '2026-11-02' })
  offeredOn: CalendarDate;

  @ApiProperty({ type: String, format: 'date', nullable: true, description: 'The ALLOCATION_ACCEPTANCE deadline’s due date' })
  acceptanceDueOn: CalendarDate | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  acceptedOn: CalendarDate | null;

  @ApiProperty({ type: String, format: 'date', nullable: true, description: 'The DELIVERY_START deadline’s due date (opened on acceptance)' })
  deliveryStartDueOn: CalendarDate | null;

  @ApiProperty({ type: String, format: 'date', nullable: true, description: 'The first session the pupil attended' })
  firstSessionOn: CalendarDate | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  completedOn: CalendarDate | null;

  @ApiProperty({ enum: ALLOCATION_OUTCOMES, enumName: 'AllocationOutcome', nullable: true })
  outcome: AllocationOutcome | null;

  @ApiProperty({ type: Number, nullable: true, example: 0.75, description: 'Sessions attended / sessions recorded (0..1); null before any session' })
  attendanceRate: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 4, description: 'acceptedOn - offeredOn, in days' })
  daysToAcceptance: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 23, description: 'firstSessionOn - offeredOn, in days (from the allocation, not the acceptance)' })
  daysToFirstSession: number | null;

  @ApiProperty({ example: 4, description: 'Sessions recorded' })
  sessionCount: number;

  @ApiProperty({ example: 3, description: 'Sessions the pupil attended' })
  sessionsAttended: number;

  @ApiProperty({ format: 'uuid', description: 'The school the request came from' })
  schoolId: string;

  @ApiProperty({ format: 'uuid', description: 'The locality whose panel allocated' })
  localityId: string;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  declinedOn: CalendarDate | null;

  @ApiProperty({ type: String, nullable: true, description: 'The provider’s reason for declining' })
  declineReason: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The provider’s summary at completion' })
  outcomeSummary: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  cancelledOn: CalendarDate | null;

  @ApiProperty({ example: 2 })
  version: number;

  @ApiPropertyOptional({
    type: PupilMinimalView,
    nullable: true,
    description: 'PROVIDER only: the minimal pupil view while they hold the work (null once access has ended)',
  })
  pupil?: PupilMinimalView | null;

  @ApiPropertyOptional({ type: AllocationRequestView, nullable: true, description: 'PROVIDER only: the request’s reason and units (null once access has ended)' })
  request?: AllocationRequestView | null;
}

export const ALLOCATION_CSV_COLUMNS = [
  'id',
  'requestId',
  'pupilId',
  'poolId',
  'organisationId',
  'serviceCode',
  'unit',
  'units',
  'unitsUsed',
  'status',
  'offeredOn',
  'acceptanceDueOn',
  'acceptedOn',
  'deliveryStartDueOn',
  'firstSessionOn',
  'completedOn',
  'outcome',
  'attendanceRate',
  'daysToAcceptance',
  'daysToFirstSession',
  'sessionCount',
  'sessionsAttended',
  'schoolId',
  'localityId',
  'declinedOn',
  'cancelledOn',
  'version',
] as const satisfies readonly (keyof AllocationView)[];

export class AllocationPage extends PageOf(AllocationView) {}
