import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { DEADLINE_KINDS, type DeadlineKind } from '../../timeliness/deadline-kind';
import { DashboardWindowQueryDto } from './dashboard-query.dto';

export const TIMELINESS_GROUP_BY = ['locality', 'school', 'organisation', 'kind', 'month'] as const;
export type TimelinessGroupBy = (typeof TIMELINESS_GROUP_BY)[number];

export class TimelinessDashboardQueryDto extends DashboardWindowQueryDto {
  @ApiPropertyOptional({
    enum: TIMELINESS_GROUP_BY,
    default: 'locality',
    description: 'One row per locality, school, provider organisation, deadline kind, or month of the due date (YYYY-MM)',
  })
  @IsOptional()
  @IsIn(TIMELINESS_GROUP_BY)
  groupBy?: TimelinessGroupBy;

  @ApiPropertyOptional({ enum: DEADLINE_KINDS, enumName: 'DeadlineKind', description: 'Only deadlines of this kind (default: every kind)' })
  @IsOptional()
  @IsIn(DEADLINE_KINDS)
  kind?: DeadlineKind;
}

export class TimelinessRow {
  @ApiProperty({
    type: String,
    nullable: true,
    example: '3f0b7c1e-2a4d-4c5e-9f60-1a2b3c4d5e6f',
    description:
      'The locality, school or organisation id, the kind code, or the month (YYYY-MM); null for deadlines with no such place ' +
      '(e.g. groupBy=organisation: deadlines no provider holds, such as support-plan reviews)',
  })
  groupId: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Dartford', description: 'Its name (for kind, the rule’s description; for month, YYYY-MM)' })
  groupName: string | null;

  @ApiProperty({ example: 42, description: 'Met on or before asOf (on time or late)' })
  met: number;

  @ApiProperty({ example: 30, description: 'Met on or before the due date (and on or before asOf)' })
  metOnTime: number;

  @ApiProperty({ type: Number, nullable: true, example: 0.7143, description: 'metOnTime / met as a fraction 0..1 to 4 decimals; null when met = 0' })
  onTimeRate: number | null;

  @ApiProperty({ example: 12, description: 'Unmet and uncancelled as of asOf (overdue, due soon and on track)' })
  open: number;

  @ApiProperty({ example: 5, description: 'Open and past the due date as of asOf' })
  overdue: number;

  @ApiProperty({ example: 3, description: 'Open and due within the due-soon window (14 days, configurable) of asOf' })
  dueSoon: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 24.5,
    description: 'Median days from startsOn to metOn of the met ones (PostgreSQL percentile_cont(0.5)), to 1 decimal; null when met = 0',
  })
  medianDaysToMeet: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 33.1, description: '90th percentile of the same (percentile_cont(0.9)), to 1 decimal; null when met = 0' })
  p90DaysToMeet: number | null;

  @ApiProperty({ example: 40, description: 'met, not counting deadlines marked as exceptions' })
  metExcludingExceptions: number;

  @ApiProperty({ example: 29, description: 'metOnTime, not counting deadlines marked as exceptions' })
  metOnTimeExcludingExceptions: number;
}

export class TimelinessDashboard {
  @ApiProperty({ type: [TimelinessRow] })
  data: TimelinessRow[];

  @ApiProperty({ enum: TIMELINESS_GROUP_BY, example: 'locality' })
  groupBy: TimelinessGroupBy;

  @ApiProperty({ example: '2025-11-28', description: 'The window’s first due date (given or defaulted)' })
  from: string;

  @ApiProperty({ example: '2027-11-28', description: 'The window’s last due date, inclusive' })
  to: string;

  @ApiProperty({ example: '2026-11-28', description: 'The date the figures stand as of' })
  asOf: string;
}

export const TIMELINESS_CSV_COLUMNS = [
  'groupId', 'groupName', 'met', 'metOnTime', 'onTimeRate', 'open', 'overdue', 'dueSoon',
  'medianDaysToMeet', 'p90DaysToMeet', 'metExcludingExceptions', 'metOnTimeExcludingExceptions',
] as const satisfies readonly (keyof TimelinessRow)[];
