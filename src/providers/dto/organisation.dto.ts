import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsNotBlank } from '../../common/validation/is-not-blank.decorator';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { VersionedView } from '../../database/versioned-record';
import { Organisation, ORGANISATION_KINDS, OrganisationKind } from '../organisation.entity';

export { ORGANISATION_KINDS } from '../organisation.entity';
export type { OrganisationKind } from '../organisation.entity';

export class CreateOrganisationDto {
  @ApiProperty({ example: 'Kent Community Health NHS Foundation Trust', maxLength: 200, description: 'Unique, ignoring case' })
  @IsString()
  @IsNotBlank()
  @MaxLength(200)
  name: string;

  @ApiProperty({ enum: ORGANISATION_KINDS, enumName: 'OrganisationKind', example: 'NHS' })
  @IsIn(ORGANISATION_KINDS)
  kind: OrganisationKind;
}

export class OrganisationQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['name', '-name'], default: 'name', example: '-name', description: '- prefix for descending' })
  declare sort?: string;

  @ApiPropertyOptional({ enum: ORGANISATION_KINDS, enumName: 'OrganisationKind', example: 'KCC_SERVICE' })
  @IsOptional()
  @IsIn(ORGANISATION_KINDS)
  kind?: OrganisationKind;

  @ApiPropertyOptional({ description: 'Name prefix, case-insensitive', example: 'kent comm' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

export class OrganisationView extends VersionedView {
  @ApiProperty({ example: 'Kent Community Health NHS Foundation Trust' })
  name: string;

  @ApiProperty({ enum: ORGANISATION_KINDS, enumName: 'OrganisationKind', example: 'NHS' })
  kind: OrganisationKind;

  static of(organisation: Organisation): OrganisationView {
    const { id, name, kind, version } = organisation;
    return { id, name, kind, version };
  }
}

export class OrganisationPage extends PageOf(OrganisationView) {}
