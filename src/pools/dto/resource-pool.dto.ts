import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsNumber, IsOptional, IsString, IsUUID, Matches, Max } from 'class-validator';
import type { CalendarDate } from '../../common/dates/calendar-date';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { IsCalendarDate } from '../../common/validation/is-calendar-date.decorator';
import { VersionedView } from '../../database/versioned-record';
import { SERVICE_UNITS, type ServiceUnit } from '../../providers/service.entity';
import type { ResourcePool } from '../resource-pool.entity';
import { MAX_UNITS } from '../units';

/** The `service.code` format. */
export const SERVICE_CODE_PATTERN = /^[A-Z0-9][A-Z0-9_-]{1,19}$/;

/** Ids compare as uuids in SQL, but echo them back the way every read shows them. */
const lowerCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value);

export class CreateResourcePoolDto {
  @ApiProperty({ format: 'uuid', example: '3f2b8c1e-5d4a-4c3b-9a8e-1f2d3c4b5a69', description: 'PANEL: their own locality' })
  @Transform(lowerCase)
  @IsUUID('loose', { message: 'must be a UUID' })
  localityId: string;

  @ApiProperty({ example: 'STLS-CI', description: 'A catalogue service code; the pool counts in its unit' })
  @IsString()
  @Matches(SERVICE_CODE_PATTERN, { message: 'must be a service code (capitals, digits, _ or -)' })
  serviceCode: string;

  @ApiProperty({ format: 'date', example: '2026-09-01', description: 'First day of the period (inclusive)' })
  @IsCalendarDate()
  periodStart: CalendarDate;

  @ApiProperty({ format: 'date', example: '2026-12-31', description: 'Last day of the period (inclusive), after periodStart' })
  @IsCalendarDate()
  periodEnd: CalendarDate;

  @ApiProperty({
    example: 120,
    description: 'In the service’s unit: HOURS in quarter hours (0.25 steps), GBP in whole pounds, SESSIONS and PLACES whole',
    maximum: MAX_UNITS,
  })
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 }, { message: 'must be a number with at most 2 decimals' })
  @Max(MAX_UNITS)
  capacityUnits: number;
}

export class ResourcePoolQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['periodStart', '-periodStart'], default: 'periodStart', description: '- prefix for descending' })
  declare sort?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @Transform(lowerCase)
  @IsUUID('loose', { message: 'must be a UUID' })
  localityId?: string;

  @ApiPropertyOptional({ example: 'STLS-CI' })
  @IsOptional()
  @IsString()
  @Matches(SERVICE_CODE_PATTERN, { message: 'must be a service code (capitals, digits, _ or -)' })
  serviceCode?: string;

  @ApiPropertyOptional({ format: 'date', example: '2026-10-15', description: 'Only pools whose period includes this day' })
  @IsOptional()
  @IsCalendarDate()
  activeOn?: CalendarDate;
}

export class ResourcePoolView extends VersionedView {
  @ApiProperty({ format: 'uuid' })
  localityId: string;

  @ApiProperty({ example: 'STLS-CI' })
  serviceCode: string;

  @ApiProperty({ enum: SERVICE_UNITS, enumName: 'ServiceUnit', example: 'HOURS' })
  unit: ServiceUnit;

  @ApiProperty({ format: 'date', example: '2026-09-01' })
  periodStart: CalendarDate;

  @ApiProperty({ format: 'date', example: '2026-12-31' })
  periodEnd: CalendarDate;

  @ApiProperty({ example: 120 })
  capacityUnits: number;

  @ApiProperty({ example: 45.5 })
  allocatedUnits: number;

  @ApiProperty({ example: 74.5, description: 'capacityUnits - allocatedUnits' })
  remainingUnits: number;

  static of(pool: ResourcePool, unit: ServiceUnit): ResourcePoolView {
    const { id, localityId, serviceCode, periodStart, periodEnd, version } = pool;
    const capacityUnits = Number(pool.capacityUnits);
    const allocatedUnits = Number(pool.allocatedUnits);
    return {
      id,
      localityId,
      serviceCode,
      unit,
      periodStart,
      periodEnd,
      capacityUnits,
      allocatedUnits,
      // In hundredths, so 120 - 45.55 is 74.45 and not 74.44999999.
      remainingUnits: Math.round((capacityUnits - allocatedUnits) * 100) / 100,
      version,
    };
  }
}

export class ResourcePoolPage extends PageOf(ResourcePoolView) {}

/** One school's share of a pool (GET /resource-pools/:id/by-school), for fairness across the locality. */
export class PoolSchoolFiguresView {
  @ApiProperty({ format: 'uuid' })
  schoolId: string;

  @ApiProperty({ example: 'Oakfield Primary School' })
  schoolName: string;

  @ApiProperty({ example: '118768' })
  urn: string;

  @ApiProperty({ example: 5, description: 'Requests of the school for the pool’s service submitted within the pool’s period (drafts excluded)' })
  requests: number;

  @ApiProperty({ example: 3, description: 'Of those, the ones approved (APPROVED or PARTIALLY_APPROVED)' })
  approvals: number;

  @ApiProperty({ example: 48.5, description: 'Units requested by those requests' })
  unitsRequested: number;

  @ApiProperty({ example: 36, description: 'Units approved from this pool by panel decisions (APPROVED and PARTIAL), as decided' })
  unitsApproved: number;

  @ApiProperty({
    example: 40,
    description:
      'Units this pool holds for the school now: allocations still holding units (extensions included), plus units already used by ' +
      'cancelled ones. Summed over the schools it equals the pool’s allocatedUnits.',
  })
  unitsAllocated: number;

  @ApiProperty({ example: 14, description: 'Pupils on roll at the school with SEN (senStatus K or E)' })
  senPupils: number;

  @ApiProperty({ type: Number, nullable: true, example: 2.86, description: 'unitsAllocated / senPupils (2 decimals); null with no SEN pupil' })
  unitsPerSenPupil: number | null;
}

export class PoolSchoolFiguresPage extends PageOf(PoolSchoolFiguresView) {}

export const POOL_BY_SCHOOL_CSV_COLUMNS = [
  'schoolId',
  'schoolName',
  'urn',
  'requests',
  'approvals',
  'unitsRequested',
  'unitsApproved',
  'unitsAllocated',
  'senPupils',
  'unitsPerSenPupil',
] as const satisfies readonly (keyof PoolSchoolFiguresView)[];

export class PoolBySchoolQueryDto {
  @ApiPropertyOptional({ enum: ['json', 'csv'], description: 'csv answers text/csv (same as Accept: text/csv)' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}
