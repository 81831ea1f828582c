import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, MaxLength, Min } from 'class-validator';
import { IsNotBlank } from '../../common/validation/is-not-blank.decorator';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { VersionedView } from '../../database/versioned-record';
import { School, SCHOOL_KINDS, SCHOOL_PHASES, SchoolKind, SchoolPhase } from '../school.entity';

export { SCHOOL_KINDS, SCHOOL_PHASES } from '../school.entity';
export type { SchoolKind, SchoolPhase } from '../school.entity';

export const URN_PATTERN = /^[0-9]{6}$/;

/** Ids compare as uuids in SQL, but echo them back the way every read shows them. */
const lowerCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value);

export class CreateSchoolDto {
  @ApiProperty({ example: '118712', pattern: URN_PATTERN.source, description: 'DfE unique reference number (6 digits); unique' })
  @IsString()
  @Matches(URN_PATTERN, { message: 'must be a 6-digit number' })
  urn: string;

  @ApiProperty({ example: 'Oakfield Primary School', maxLength: 200 })
  @IsString()
  @IsNotBlank()
  @MaxLength(200)
  name: string;

  @ApiProperty({ enum: SCHOOL_PHASES, enumName: 'SchoolPhase', example: 'PRIMARY' })
  @IsIn(SCHOOL_PHASES)
  phase: SchoolPhase;

  @ApiProperty({ enum: SCHOOL_KINDS, enumName: 'SchoolKind', example: 'MAINSTREAM', description: 'PRU = pupil referral unit' })
  @IsIn(SCHOOL_KINDS)
  kind: SchoolKind;

  @ApiProperty({ format: 'uuid', example: '3f2b8c1e-5d4a-4c3b-9a8e-1f2d3c4b5a69', description: 'The locality the school belongs to' })
  @Transform(lowerCase)
  @IsUUID('loose', { message: 'must be a UUID' })
  localityId: string;
}

/** Any subset of the fields; null is refused (every field of a school is required). */
export class UpdateSchoolDto extends PartialType(CreateSchoolDto, { skipNullProperties: false }) {
  @ApiPropertyOptional({ example: 1, description: 'The version you read; or send If-Match' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class SchoolQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['name', '-name', 'urn', '-urn'], default: 'name', example: 'urn', description: '- prefix for descending' })
  declare sort?: string;

  @ApiPropertyOptional({ format: 'uuid', example: '3f2b8c1e-5d4a-4c3b-9a8e-1f2d3c4b5a69' })
  @IsOptional()
  @Transform(lowerCase)
  @IsUUID('loose', { message: 'must be a UUID' })
  localityId?: string;

  @ApiPropertyOptional({ enum: SCHOOL_PHASES, enumName: 'SchoolPhase', example: 'PRIMARY' })
  @IsOptional()
  @IsIn(SCHOOL_PHASES)
  phase?: SchoolPhase;

  @ApiPropertyOptional({ enum: SCHOOL_KINDS, enumName: 'SchoolKind', example: 'MAINSTREAM' })
  @IsOptional()
  @IsIn(SCHOOL_KINDS)
  kind?: SchoolKind;

  @ApiPropertyOptional({
    description: 'Six digits: the school with that URN; otherwise a name prefix, case-insensitive',
    example: 'oakf',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

export class SchoolView extends VersionedView {
  @ApiProperty({ example: '118712' })
  urn: string;

  @ApiProperty({ example: 'Oakfield Primary School' })
  name: string;

  @ApiProperty({ enum: SCHOOL_PHASES, enumName: 'SchoolPhase', example: 'PRIMARY' })
  phase: SchoolPhase;

  @ApiProperty({ enum: SCHOOL_KINDS, enumName: 'SchoolKind', example: 'MAINSTREAM' })
  kind: SchoolKind;

  @ApiProperty({ format: 'uuid', example: '3f2b8c1e-5d4a-4c3b-9a8e-1f2d3c4b5a69' })
  localityId: string;

  static of(school: School): SchoolView {
    const { id, urn, name, phase, kind, localityId, version } = school;
    return { id, urn, name, phase, kind, localityId, version };
  }
}

export class SchoolPage extends PageOf(SchoolView) {}
