import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNumber, IsOptional, IsPositive, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import type { CalendarDate } from '../../common/dates/calendar-date';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import {
  type SupportRequest,
  SUPPORT_REQUEST_STATUSES,
  type SupportRequestStatus,
  URGENCIES,
  type Urgency,
} from '../support-request.entity';

export { SUPPORT_REQUEST_STATUSES, URGENCIES } from '../support-request.entity';
import { DECISION_OUTCOMES, type DecisionOutcome, type SupportRequestDecision } from '../support-request-decision.entity';

/** The `support_request.reason_length` CHECK. */
export const MAX_REASON_LENGTH = 2000;
/** Far beyond any locality's resources: a typo, not a request. */
export const MAX_UNITS = 100000;

const NOT_BLANK = /\S/;
const notBlank = { message: 'must not be blank' };

export class CreateSupportRequestDto {
  @ApiProperty({ format: 'uuid', description: 'A pupil on roll at the SENCO’s school' })
  @IsUUID('all')
  pupilId: string;

  @ApiProperty({ example: 'STLS-COG', description: 'A service code from the catalogue (GET /services)' })
  @IsString()
  @MaxLength(20)
  serviceCode: string;

  @ApiProperty({ maxLength: MAX_REASON_LENGTH, example: 'Reading age 3 years behind after two support cycles', description: 'Never audited' })
  @IsString()
  @Matches(NOT_BLANK, notBlank)
  @MaxLength(MAX_REASON_LENGTH)
  reason: string;

  @ApiProperty({ enum: URGENCIES, enumName: 'Urgency', example: 'ROUTINE' })
  @IsIn(URGENCIES)
  urgency: Urgency;

  @ApiProperty({
    example: 12.5,
    minimum: 0,
    exclusiveMinimum: true,
    maximum: MAX_UNITS,
    description: 'In the service’s unit: HOURS in quarter hours (0.25 steps), GBP, SESSIONS and PLACES whole',
  })
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  @IsPositive()
  @Max(MAX_UNITS)
  unitsRequested: number;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, description: 'A support cycle of the same pupil: what the school already tried' })
  @IsOptional()
  @IsUUID('all')
  supportPlanId?: string | null;
}

/** Optional body of a submit: the version read, to refuse a stale one with 409. */
export class SubmitSupportRequestDto {
  @ApiPropertyOptional({ example: 1, description: 'The version you read; if sent, a stale one is 409 /problems/stale-version' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class WithdrawSupportRequestDto {
  @ApiProperty({ maxLength: MAX_REASON_LENGTH, example: 'Needs now met within school' })
  @IsString()
  @Matches(NOT_BLANK, notBlank)
  @MaxLength(MAX_REASON_LENGTH)
  reason: string;
}

export class SupportRequestQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: SUPPORT_REQUEST_STATUSES, enumName: 'SupportRequestStatus' })
  @IsOptional()
  @IsIn(SUPPORT_REQUEST_STATUSES)
  status?: SupportRequestStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  schoolId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  localityId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  pupilId?: string;

  @ApiPropertyOptional({ enum: ['createdAt', '-createdAt'], default: '-createdAt', description: 'Newest first by default' })
  declare sort?: string;
}

/** The latest panel decision on a request (the reason is shown, never audited or logged). */
export class SupportRequestDecisionView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: DECISION_OUTCOMES, enumName: 'DecisionOutcome', example: 'PARTIAL' })
  outcome: DecisionOutcome;

  @ApiProperty({ format: 'date', example: '2026-11-20' })
  decidedOn: CalendarDate;

  @ApiProperty({ maxLength: MAX_REASON_LENGTH, example: 'Approved 8 of 12 hours; review after the spring term' })
  reason: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The meeting it was taken at, if any' })
  meetingId: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The PANEL member who recorded it (null for system data)' })
  decidedBy: string | null;

  @ApiProperty({ type: Number, nullable: true, example: 8, description: 'APPROVED and PARTIAL only' })
  unitsApproved: number | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'APPROVED and PARTIAL only' })
  poolId: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'APPROVED and PARTIAL only' })
  organisationId: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The allocation the approval created' })
  allocationId: string | null;

  static of(d: SupportRequestDecision): SupportRequestDecisionView {
    return {
      id: d.id,
      outcome: d.outcome,
      decidedOn: d.decidedOn,
      reason: d.reason,
      meetingId: d.meetingId,
      decidedBy: d.decidedBy,
      unitsApproved: d.unitsApproved === null ? null : Number(d.unitsApproved),
      poolId: d.poolId,
      organisationId: d.organisationId,
      allocationId: d.allocationId,
    };
  }
}

export class SupportRequestView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  pupilId: string;

  @ApiProperty({ format: 'uuid', description: 'The pupil’s school when the request was made' })
  schoolId: string;

  @ApiProperty({ format: 'uuid', description: 'That school’s locality: the panel that hears the request' })
  localityId: string;

  @ApiProperty({ example: 'STLS-COG' })
  serviceCode: string;

  @ApiProperty({ maxLength: MAX_REASON_LENGTH })
  reason: string;

  @ApiProperty({ enum: URGENCIES, enumName: 'Urgency' })
  urgency: Urgency;

  @ApiProperty({ example: 12.5 })
  unitsRequested: number;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  supportPlanId: string | null;

  @ApiProperty({ enum: SUPPORT_REQUEST_STATUSES, enumName: 'SupportRequestStatus', example: 'DRAFT' })
  status: SupportRequestStatus;

  @ApiProperty({ type: String, nullable: true, example: '2026-11-28' })
  submittedOn: CalendarDate | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  withdrawnOn: CalendarDate | null;

  @ApiProperty({ description: 'A provider declined the allocation: to be heard again' })
  needsReallocation: boolean;

  @ApiProperty({ type: String, nullable: true, description: 'The provider’s reason for declining' })
  reallocationReason: string | null;

  @ApiProperty({ type: SupportRequestDecisionView, nullable: true, description: 'The latest panel decision, null until one is taken' })
  decision: SupportRequestDecisionView | null;

  @ApiProperty({ example: 1 })
  version: number;

  static of(r: SupportRequest, decision?: SupportRequestDecision): SupportRequestView {
    return {
      id: r.id,
      pupilId: r.pupilId,
      schoolId: r.schoolId,
      localityId: r.localityId,
      serviceCode: r.serviceCode,
      reason: r.reason,
      urgency: r.urgency,
      unitsRequested: Number(r.unitsRequested),
      supportPlanId: r.supportPlanId,
      status: r.status,
      submittedOn: r.submittedOn,
      withdrawnOn: r.withdrawnOn,
      needsReallocation: r.needsReallocation,
      reallocationReason: r.reallocationReason,
      decision: decision ? SupportRequestDecisionView.of(decision) : null,
      version: r.version,
    };
  }
}

export const SUPPORT_REQUEST_CSV_COLUMNS = [
  'id',
  'pupilId',
  'schoolId',
  'localityId',
  'serviceCode',
  'urgency',
  'unitsRequested',
  'supportPlanId',
  'status',
  'submittedOn',
  'withdrawnOn',
  'needsReallocation',
  'version',
] as const satisfies readonly (keyof SupportRequestView)[];

export class SupportRequestPage extends PageOf(SupportRequestView) {}
