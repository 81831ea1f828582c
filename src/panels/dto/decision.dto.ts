import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsNumber, IsOptional, IsString, IsUUID, Matches, Max, MaxLength } from 'class-validator';
import type { CalendarDate } from '../../common/dates/calendar-date';
import { IsCalendarDate } from '../../common/validation/is-calendar-date.decorator';
import { MAX_UNITS } from '../../pools/units';
import { MAX_REASON_LENGTH } from '../../support-requests/dto/support-request.dto';
import { DECISION_OUTCOMES, type DecisionOutcome } from '../../support-requests/support-request-decision.entity';

const NOT_BLANK = /\S/;
const lowerCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value);

export class DecideSupportRequestDto {
  @ApiProperty({
    enum: DECISION_OUTCOMES,
    enumName: 'DecisionOutcome',
    example: 'PARTIAL',
    description:
      'APPROVED -> APPROVED (exactly the units requested), PARTIAL -> PARTIALLY_APPROVED (fewer), DECLINED -> DECLINED, ' +
      'DEFERRED -> DEFERRED (heard again at a later meeting; decided again then)',
  })
  @IsIn(DECISION_OUTCOMES)
  outcome: DecisionOutcome;

  @ApiProperty({ format: 'date', example: '2026-11-26', description: 'Not in the future, not before the request was submitted nor before its previous decision' })
  @IsCalendarDate()
  decidedOn: CalendarDate;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'The meeting of the request’s locality it was taken at, not after decidedOn (else 400). A caller who declared an interest ' +
      'in the pupil’s school at that meeting is refused: 409 /problems/conflict-of-interest.',
  })
  @IsOptional()
  @Transform(lowerCase)
  @IsUUID('loose', { message: 'must be a UUID' })
  meetingId?: string;

  @ApiPropertyOptional({
    example: 8,
    maximum: MAX_UNITS,
    description:
      'APPROVED and PARTIAL only, in the service’s unit (HOURS in 0.25 steps; GBP, SESSIONS, PLACES whole). APPROVED: equal to ' +
      'unitsRequested; PARTIAL: fewer. Beyond the pool’s remainder: 409 /problems/capacity-exhausted (remainingUnits).',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 }, { message: 'must be a number with at most 2 decimals' })
  @Max(MAX_UNITS)
  unitsApproved?: number;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'APPROVED and PARTIAL only: a pool of the request’s locality and service whose period contains decidedOn (else 400)',
  })
  @IsOptional()
  @Transform(lowerCase)
  @IsUUID('loose', { message: 'must be a UUID' })
  poolId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'APPROVED and PARTIAL only: the organisation offering the requested service (else 400)' })
  @IsOptional()
  @Transform(lowerCase)
  @IsUUID('loose', { message: 'must be a UUID' })
  organisationId?: string;

  @ApiProperty({ maxLength: MAX_REASON_LENGTH, example: 'Approved 8 of 12 hours; review after the spring term', description: 'Free text: never audited or logged' })
  @IsString()
  @Matches(NOT_BLANK, { message: 'must not be blank' })
  @MaxLength(MAX_REASON_LENGTH)
  reason: string;
}
