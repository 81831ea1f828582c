import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { IsNotBlank } from '../../common/validation/is-not-blank.decorator';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { VersionedView } from '../../database/versioned-record';
import { Locality } from '../locality.entity';

export const LOCALITY_CODE_PATTERN = /^[A-Z0-9][A-Z0-9-]{1,19}$/;

export class CreateLocalityDto {
  @ApiProperty({ example: 'DAR-01', description: 'Short unique code: capitals, digits and hyphens' })
  @IsString()
  @Matches(LOCALITY_CODE_PATTERN, { message: 'must be 2-20 capital letters, digits or hyphens' })
  code: string;

  @ApiProperty({ example: 'Dartford Central' })
  @IsString()
  @IsNotBlank()
  @MaxLength(120)
  name: string;

  @ApiProperty({ example: 'North', description: 'Area name (Kent: North, West, East, South)' })
  @IsString()
  @IsNotBlank()
  @MaxLength(60)
  area: string;

  @ApiProperty({ example: 'Dartford' })
  @IsString()
  @IsNotBlank()
  @MaxLength(60)
  district: string;
}

export class UpdateLocalityDto extends PartialType(CreateLocalityDto) {
  @ApiPropertyOptional({ example: 1, description: 'The version you read; or send If-Match' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class LocalityQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'North' })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  area?: string;

  @ApiPropertyOptional({ example: 'Dartford' })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  district?: string;

  @ApiPropertyOptional({ description: 'Name or code prefix, case-insensitive', example: 'dart' })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  q?: string;
}

export class LocalityView extends VersionedView {
  @ApiProperty({ example: 'DAR-01' })
  code: string;

  @ApiProperty({ example: 'Dartford Central' })
  name: string;

  @ApiProperty({ example: 'North' })
  area: string;

  @ApiProperty({ example: 'Dartford' })
  district: string;

  static of(locality: Locality): LocalityView {
    const { id, code, name, area, district, version } = locality;
    return { id, code, name, area, district, version };
  }
}

export class LocalityPage extends PageOf(LocalityView) {}
