import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import type { CalendarDate } from '../../common/dates/calendar-date';
import { IsCalendarDate } from '../../common/validation/is-calendar-date.decorator';

/**
 * What every dashboard takes (API.md "Timeliness"): where (`localityId`, `schoolId`,
 * `organisationId`, each within the caller's scope, else 404), as of when (`asOf`, default today)
 * and the answer's format. Each dashboard's query extends this (or DashboardWindowQueryDto) with
 * its own `groupBy` and filters.
 */
export class DashboardFilterQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only this locality (within your scope, else 404)' })
  @IsOptional()
  @IsUUID('all')
  localityId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only this school (within your scope, else 404)' })
  @IsOptional()
  @IsUUID('all')
  schoolId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only this provider organisation (within your scope, else 404)' })
  @IsOptional()
  @IsUUID('all')
  organisationId?: string;

  @ApiPropertyOptional({
    example: '2026-03-01',
    description: 'The figures as they stood on this date, from the dated rows (default today, Europe/London)',
  })
  @IsOptional()
  @IsCalendarDate()
  asOf?: CalendarDate;

  @ApiPropertyOptional({ enum: ['json', 'csv'], description: 'csv answers text/csv (same as Accept: text/csv), header row = the JSON field names' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

/** A dashboard over a window of dates: records are selected by their date in [from, to]. */
export class DashboardWindowQueryDto extends DashboardFilterQueryDto {
  @ApiPropertyOptional({ example: '2025-09-01', description: 'First date of the window (default: a year before asOf)' })
  @IsOptional()
  @IsCalendarDate()
  from?: CalendarDate;

  @ApiPropertyOptional({ example: '2026-08-31', description: 'Last date of the window, inclusive (default: a year after asOf); at most 10 years after from' })
  @IsOptional()
  @IsCalendarDate()
  to?: CalendarDate;
}
