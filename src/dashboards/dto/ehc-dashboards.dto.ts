import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { CalendarDate } from '../../common/dates/calendar-date';
import { IsCalendarDate } from '../../common/validation/is-calendar-date.decorator';
import { DashboardFilterQueryDto } from './dashboard-query.dto';

export const EHC_GROUP_BY = ['locality', 'school', 'month'] as const;
export type EhcGroupBy = (typeof EHC_GROUP_BY)[number];

/**
 * The statutory EHC dashboards' query: calendar-year windows like DfE's tables (default: the
 * calendar year of asOf), grouped by the pupil's current locality or school, or by month.
 */
export class EhcDashboardQueryDto extends DashboardFilterQueryDto {
  @ApiPropertyOptional({
    example: '2026-01-01',
    description: 'First date of the window (default: 1 January of asOf’s year, or of `to`’s year when only `to` is given)',
  })
  @IsOptional()
  @IsCalendarDate()
  from?: CalendarDate;

  @ApiPropertyOptional({
    example: '2026-12-31',
    description: 'Last date of the window, inclusive (default: 31 December of asOf’s year, or of `from`’s year); at most 10 years after from',
  })
  @IsOptional()
  @IsCalendarDate()
  to?: CalendarDate;

  @ApiPropertyOptional({
    enum: EHC_GROUP_BY,
    default: 'locality',
    description: 'One row per locality or school (the pupil’s current school, as EHC cases are scoped) or per month (YYYY-MM) of the selecting date',
  })
  @IsOptional()
  @IsIn(EHC_GROUP_BY)
  groupBy?: EhcGroupBy;
}

class GroupColumns {
  @ApiProperty({ type: String, nullable: true, example: '3f0b7c1e-2a4d-4c5e-9f60-1a2b3c4d5e6f', description: 'The locality or school id, or the month (YYYY-MM)' })
  groupId: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Dartford', description: 'Its name (for month, YYYY-MM)' })
  groupName: string | null;
}

class WindowColumns {
  @ApiProperty({ enum: EHC_GROUP_BY, example: 'locality' })
  groupBy: EhcGroupBy;

  @ApiProperty({ example: '2026-01-01' })
  from: string;

  @ApiProperty({ example: '2026-12-31' })
  to: string;

  @ApiProperty({ example: '2026-11-28', description: 'The date the figures stand as of' })
  asOf: string;
}

export class Ehc20WeekRow extends GroupColumns {
  @ApiProperty({
    example: 120,
    description:
      'New EHC plans (plans from an EHC needs assessment) whose final plan was issued in [from, to] and on or before asOf, without ' +
      'mediation or tribunal on the request or assessment (DfE’s timeliness base; see issuedWithMediationOrTribunal)',
  })
  issued: number;

  @ApiProperty({ example: 40, description: 'Of those, issued on or before request received + 140 days (20 weeks)' })
  within20Weeks: number;

  @ApiProperty({ example: 70, description: 'Issued after 140 days and on or before received + 364 days (52 weeks)' })
  within20To52Weeks: number;

  @ApiProperty({ example: 10, description: 'Issued more than 364 days after the request was received' })
  over52Weeks: number;

  @ApiProperty({ type: Number, nullable: true, example: 27.4, description: 'Mean of (issuedOn - requestReceivedOn) / 7 over the issued plans, to 1 decimal; null when issued = 0' })
  meanWeeksToIssue: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 0.3333, description: 'within20Weeks / issued as a fraction 0..1 to 4 decimals; null when issued = 0' })
  rate: number | null;

  @ApiProperty({
    example: 100,
    description: 'issued, not counting plans whose case had an exception (Reg 13(3)) recorded by asOf or whose EHC_FINAL_PLAN deadline is excepted',
  })
  issuedExcludingExceptions: number;

  @ApiProperty({ example: 38, description: 'within20Weeks, not counting those plans' })
  within20WeeksExcludingExceptions: number;

  @ApiProperty({ type: Number, nullable: true, example: 0.38, description: 'within20WeeksExcludingExceptions / issuedExcludingExceptions, to 4 decimals; null when 0' })
  rateExcludingExceptions: number | null;

  @ApiProperty({
    example: 3,
    description:
      'New plans issued in the window left out of every figure above because the request or assessment went to mediation or tribunal ' +
      '(started by asOf), as DfE’s timeliness figures leave them out; all new plans issued = issued + this',
  })
  issuedWithMediationOrTribunal: number;
}

export class Ehc20WeekDashboard extends WindowColumns {
  @ApiProperty({ type: [Ehc20WeekRow] })
  data: Ehc20WeekRow[];
}

export const EHC_20_WEEK_CSV_COLUMNS = [
  'groupId', 'groupName', 'issued', 'within20Weeks', 'within20To52Weeks', 'over52Weeks', 'meanWeeksToIssue', 'rate',
  'issuedExcludingExceptions', 'within20WeeksExcludingExceptions', 'rateExcludingExceptions', 'issuedWithMediationOrTribunal',
] as const satisfies readonly (keyof Ehc20WeekRow)[];

export class EhcRequestsRow extends GroupColumns {
  @ApiProperty({ example: 300, description: 'EHC needs assessment requests received in [from, to] and on or before asOf' })
  received: number;

  @ApiProperty({ example: 280, description: 'Of those, with a decision whether to assess made on or before asOf' })
  decided: number;

  @ApiProperty({ example: 250, description: 'Decided on or before request received + 42 days (6 weeks, Reg 5(1))' })
  decidedWithin6Weeks: number;

  @ApiProperty({ type: Number, nullable: true, example: 0.8929, description: 'decidedWithin6Weeks / decided, to 4 decimals; null when decided = 0' })
  within6WeeksRate: number | null;

  @ApiProperty({ example: 150, description: 'Decided not to assess (refused) on or before asOf' })
  refused: number;

  @ApiProperty({ type: Number, nullable: true, example: 0.5357, description: 'refused / decided, to 4 decimals; null when decided = 0' })
  refusalRate: number | null;

  @ApiProperty({ example: 5, description: 'Withdrawn before any decision, on or before asOf' })
  withdrawn: number;

  @ApiProperty({ example: 15, description: 'Neither decided nor withdrawn as of asOf (received - decided - withdrawn)' })
  pending: number;
}

export class EhcRequestsDashboard extends WindowColumns {
  @ApiProperty({ type: [EhcRequestsRow] })
  data: EhcRequestsRow[];
}

export const EHC_REQUESTS_CSV_COLUMNS = [
  'groupId', 'groupName', 'received', 'decided', 'decidedWithin6Weeks', 'within6WeeksRate', 'refused', 'refusalRate', 'withdrawn', 'pending',
] as const satisfies readonly (keyof EhcRequestsRow)[];

export class AnnualReviewsRow extends GroupColumns {
  @ApiProperty({ example: 500, description: 'Annual review meetings held in [from, to] and on or before asOf' })
  meetings: number;

  @ApiProperty({ example: 450, description: 'Of those, with the maintain/amend/cease decision made on or before asOf' })
  decided: number;

  @ApiProperty({ example: 150, description: 'Decided on or before meeting + 28 days (4 weeks, Reg 20(10))' })
  decidedWithin4Weeks: number;

  @ApiProperty({ type: Number, nullable: true, example: 0.3333, description: 'decidedWithin4Weeks / decided, to 4 decimals; null when decided = 0' })
  rate: number | null;

  @ApiProperty({ example: 300, description: 'Decided to maintain the plan' })
  maintained: number;

  @ApiProperty({ example: 140, description: 'Decided to amend the plan' })
  amended: number;

  @ApiProperty({ example: 10, description: 'Decided to cease the plan' })
  ceased: number;

  @ApiProperty({ example: 50, description: 'No decision yet as of asOf (meetings - decided)' })
  pending: number;
}

export class AnnualReviewsDashboard extends WindowColumns {
  @ApiProperty({ type: [AnnualReviewsRow] })
  data: AnnualReviewsRow[];
}

export const ANNUAL_REVIEWS_CSV_COLUMNS = [
  'groupId', 'groupName', 'meetings', 'decided', 'decidedWithin4Weeks', 'rate', 'maintained', 'amended', 'ceased', 'pending',
] as const satisfies readonly (keyof AnnualReviewsRow)[];
