import { ApiProperty, ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsNotBlank } from '../../common/validation/is-not-blank.decorator';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { VersionedView } from '../../database/versioned-record';
import { CatalogueService, SERVICE_UNITS, ServiceUnit } from '../service.entity';

export { SERVICE_UNITS } from '../service.entity';
export type { ServiceUnit } from '../service.entity';

/** The `service_code_format` CHECK: 2-20 capitals, digits, _ or -, starting with a capital or digit. */
export const SERVICE_CODE_PATTERN = /^[A-Z0-9][A-Z0-9_-]{1,19}$/;

/** Ids compare as uuids in SQL, but echo them back the way every read shows them. */
const lowerCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value);

const DELIVERY_START_WEEKS_DOC = {
  type: 'integer',
  minimum: 1,
  maximum: 52,
  nullable: true,
  example: 6,
  description:
    'Per-service override of the DELIVERY_START target: weeks from an allocation being accepted to its first ' +
    'session. Null or absent: the DELIVERY_START SLA rule applies. Changing it affects deadlines opened afterwards.',
} as const;

export class CreateCatalogueServiceDto {
  @ApiProperty({
    example: 'STLS',
    pattern: SERVICE_CODE_PATTERN.source,
    description: 'Unique county-wide; 2-20 capitals, digits, _ or -. Fixed once created (requests and pools refer to it).',
  })
  @IsString()
  @Matches(SERVICE_CODE_PATTERN, { message: 'must be 2-20 capital letters, digits, _ or -, starting with a letter or digit' })
  code: string;

  @ApiProperty({ example: 'Specialist Teaching and Learning Service', maxLength: 200 })
  @IsString()
  @IsNotBlank()
  @MaxLength(200)
  name: string;

  @ApiProperty({ format: 'uuid', example: '9b1d6f0a-2c3e-4f5a-8b7c-6d5e4f3a2b1c', description: 'The organisation that delivers it' })
  @Transform(lowerCase)
  @IsUUID('loose', { message: 'must be a UUID' })
  organisationId: string;

  @ApiProperty({
    enum: SERVICE_UNITS,
    enumName: 'ServiceUnit',
    example: 'HOURS',
    description: 'What allocations count: HOURS in quarter hours, GBP in whole pounds, SESSIONS and PLACES whole. Fixed once created.',
  })
  @IsIn(SERVICE_UNITS)
  unit: ServiceUnit;

  @ApiPropertyOptional(DELIVERY_START_WEEKS_DOC)
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(52)
  deliveryStartWeeks?: number | null;
}

/**
 * Name, organisation and the delivery-start override may change; code and unit may not (sending
 * them is a 400: allocations already made are counted in them).
 */
export class UpdateCatalogueServiceDto extends PartialType(PickType(CreateCatalogueServiceDto, ['name', 'organisationId'] as const), {
  skipNullProperties: false,
}) {
  @ApiPropertyOptional({ ...DELIVERY_START_WEEKS_DOC, description: `${DELIVERY_START_WEEKS_DOC.description} Send null to remove the override.` })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(52)
  deliveryStartWeeks?: number | null;

  @ApiPropertyOptional({ example: 1, description: 'The version you read; or send If-Match' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class CatalogueServiceQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['code', '-code', 'name', '-name'], default: 'code', example: 'name', description: '- prefix for descending' })
  declare sort?: string;

  @ApiPropertyOptional({ format: 'uuid', example: '9b1d6f0a-2c3e-4f5a-8b7c-6d5e4f3a2b1c' })
  @IsOptional()
  @Transform(lowerCase)
  @IsUUID('loose', { message: 'must be a UUID' })
  organisationId?: string;

  @ApiPropertyOptional({ enum: SERVICE_UNITS, enumName: 'ServiceUnit', example: 'HOURS' })
  @IsOptional()
  @IsIn(SERVICE_UNITS)
  unit?: ServiceUnit;

  @ApiPropertyOptional({ description: 'Code or name prefix, case-insensitive', example: 'speech' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

export class CatalogueServiceView extends VersionedView {
  @ApiProperty({ example: 'STLS' })
  code: string;

  @ApiProperty({ example: 'Specialist Teaching and Learning Service' })
  name: string;

  @ApiProperty({ format: 'uuid', example: '9b1d6f0a-2c3e-4f5a-8b7c-6d5e4f3a2b1c' })
  organisationId: string;

  @ApiProperty({ enum: SERVICE_UNITS, enumName: 'ServiceUnit', example: 'HOURS' })
  unit: ServiceUnit;

  @ApiProperty({ ...DELIVERY_START_WEEKS_DOC, required: true })
  deliveryStartWeeks: number | null;

  static of(service: CatalogueService): CatalogueServiceView {
    const { id, code, name, organisationId, unit, deliveryStartWeeks, version } = service;
    return { id, code, name, organisationId, unit, deliveryStartWeeks: deliveryStartWeeks ?? null, version };
  }
}

export class CatalogueServicePage extends PageOf(CatalogueServiceView) {}
