import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { IsCalendarDate } from '../../common/validation/is-calendar-date.decorator';
import { DEADLINE_KINDS, DEADLINE_STATUSES, type DeadlineKind, type DeadlineStatus, DURATION_UNITS, SUBJECT_TYPES, type SubjectType } from '../deadline-kind';
import type { SlaRule } from '../sla-rule.entity';

export class DeadlineQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DEADLINE_STATUSES, enumName: 'DeadlineStatus' })
  @IsOptional()
  @IsIn(DEADLINE_STATUSES)
  status?: DeadlineStatus;

  @ApiPropertyOptional({ enum: DEADLINE_KINDS, enumName: 'DeadlineKind' })
  @IsOptional()
  @IsIn(DEADLINE_KINDS)
  kind?: DeadlineKind;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  pupilId?: string;

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
  organisationId?: string;

  @ApiPropertyOptional({ example: '2026-03-01', description: 'Status as it stood on this date (default today, Europe/London)' })
  @IsOptional()
  @IsCalendarDate()
  asOf?: string;

  @ApiPropertyOptional({ enum: ['dueOn', '-dueOn', 'startsOn', '-startsOn'], default: 'dueOn' })
  declare sort?: string;
}

export class DeadlineView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: DEADLINE_KINDS, enumName: 'DeadlineKind' })
  kind: DeadlineKind;

  @ApiProperty({ enum: SUBJECT_TYPES, enumName: 'DeadlineSubjectType' })
  subjectType: SubjectType;

  @ApiProperty({ format: 'uuid' })
  subjectId: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  pupilId: string | null;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  schoolId: string | null;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  localityId: string | null;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  organisationId: string | null;

  @ApiProperty({ example: '2026-09-01' })
  startsOn: string;

  @ApiProperty({ example: '2026-10-13' })
  dueOn: string;

  @ApiProperty({ nullable: true, type: String, example: null })
  metOn: string | null;

  @ApiProperty({ nullable: true, type: String, example: null })
  cancelledOn: string | null;

  @ApiProperty({ description: 'Counted apart (an exception, e.g. Reg 10(4)); the due date is unchanged' })
  excepted: boolean;

  @ApiProperty({ enum: DEADLINE_STATUSES, enumName: 'DeadlineStatus' })
  status: DeadlineStatus;

  @ApiProperty({ example: 0, description: 'Days past due as of the date (overdue), or at the meeting (met late); else 0' })
  daysOverdue: number;
}

export class DeadlinePage extends PageOf(DeadlineView) {}

export const DEADLINE_CSV_COLUMNS = [
  'id', 'kind', 'subjectType', 'subjectId', 'pupilId', 'schoolId', 'localityId', 'organisationId',
  'startsOn', 'dueOn', 'metOn', 'cancelledOn', 'excepted', 'status', 'daysOverdue',
] as const satisfies readonly (keyof DeadlineView)[];

export class SlaRuleView {
  @ApiProperty({ enum: DEADLINE_KINDS, enumName: 'DeadlineKind' })
  kind: string;

  @ApiProperty({ example: 'Panel decision on a support request' })
  description: string;

  @ApiProperty({ enum: ['STATUTORY', 'LOCAL'], description: 'Statutory timescales cannot be changed' })
  basis: 'STATUTORY' | 'LOCAL';

  @ApiProperty({ example: 'local target' })
  legalReference: string;

  @ApiProperty({ example: 'support request submitted' })
  startsOnEvent: string;

  @ApiProperty({ example: 'panel decision other than deferral' })
  metByEvent: string;

  @ApiProperty({ enum: DURATION_UNITS, enumName: 'DurationUnit' })
  durationUnit: string;

  @ApiProperty({ nullable: true, type: Number, example: 4 })
  durationValue: number | null;

  @ApiProperty({ example: 1 })
  version: number;

  static of(rule: SlaRule): SlaRuleView {
    const { kind, description, basis, legalReference, startsOnEvent, metByEvent, durationUnit, durationValue, version } = rule;
    return { kind, description, basis, legalReference, startsOnEvent, metByEvent, durationUnit, durationValue, version };
  }
}

export class SlaRuleList {
  @ApiProperty({ type: [SlaRuleView] })
  data: SlaRuleView[];
}

export class UpdateSlaRuleDto {
  @ApiProperty({ example: 3, description: 'The new target: a whole number of durationUnit' })
  @IsInt()
  @Min(1)
  @Max(520)
  durationValue: number;

  @ApiPropertyOptional({ enum: ['DAYS', 'WEEKS', 'MONTHS'], description: 'Defaults to the current unit' })
  @IsOptional()
  @IsIn(['DAYS', 'WEEKS', 'MONTHS'])
  durationUnit?: 'DAYS' | 'WEEKS' | 'MONTHS';

  @ApiPropertyOptional({ example: 1, description: 'The version you read; or send If-Match' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}
