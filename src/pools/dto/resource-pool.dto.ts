import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNumber, IsOptional, IsString, IsUUID, Matches, Max } from 'class-validator';
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
