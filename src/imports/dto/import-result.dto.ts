import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_LISTED_ERRORS } from '../import-errors';

/** The file, as multipart/form-data; sent as text/csv, the body is the file itself. */
export class ImportUploadDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'The CSV file (header row first)' })
  file: unknown;
}

export class ImportErrorDto {
  @ApiProperty({ example: 7, description: 'Line number in the file; the header row is line 1' })
  line: number;

  @ApiProperty({ example: 'upn', description: 'The column (as the file names it), or "row", "header" or "file"' })
  field: string;

  @ApiProperty({ example: 'has a check letter that does not match its digits (is a character mistyped?)' })
  message: string;
}

export class PupilImportResultDto {
  @ApiProperty({ example: 1250, description: 'Pupils added to the register' })
  imported: number;

  @ApiProperty({ type: [ImportErrorDto], example: [], description: 'Always empty on success (a file with a bad row is a 400)' })
  errors: ImportErrorDto[];
}

export class SchoolImportResultDto extends PupilImportResultDto {
  @ApiProperty({ example: 12, description: 'Schools new to the register' })
  created: number;

  @ApiProperty({ example: 3, description: 'Known schools (by URN) whose name, phase, kind or locality changed' })
  updated: number;

  @ApiProperty({ example: 560, description: 'Known schools with nothing changed' })
  unchanged: number;

  @ApiProperty({
    example: 41,
    description:
      'Rows left out as outside the register: closed establishments (EstablishmentStatus), nurseries, 16 plus, further ' +
      'education and other types of establishment that teach no Reception to Year 11 pupils',
  })
  skipped: number;
}

/** The 400 answer to a file with bad rows: a validation problem carrying the import result. */
export class ImportProblemDto {
  @ApiProperty({ example: '/problems/validation' })
  type: string;

  @ApiProperty({ example: 'Your request has invalid fields' })
  title: string;

  @ApiProperty({ example: 400 })
  status: number;

  @ApiProperty({ example: '3 problems in the file (first on line 4); nothing was imported' })
  detail: string;

  @ApiProperty({ example: '/api/v1/imports/pupils' })
  instance: string;

  @ApiProperty({ example: 0, description: 'Always 0: a file with any bad row imports nothing' })
  imported: number;

  @ApiProperty({
    type: [ImportErrorDto],
    description: `Every bad row, by line and column (the first ${MAX_LISTED_ERRORS} by line when there are more)`,
    example: [
      { line: 4, field: 'upn', message: 'has a check letter that does not match its digits (is a character mistyped?)' },
      { line: 9, field: 'schoolUrn', message: 'unknown school: no school has this URN' },
      { line: 12, field: 'dateOfBirth', message: 'must be a real date written YYYY-MM-DD' },
    ],
  })
  errors: ImportErrorDto[];

  @ApiProperty({ example: 3, description: 'How many problems the file has in all' })
  errorCount: number;

  @ApiPropertyOptional({ example: false, description: `True when more than ${MAX_LISTED_ERRORS} problems were found and not all are listed` })
  truncated?: boolean;

  @ApiPropertyOptional({ example: '6f1c2d1e-4a7b-4d55-9f0e-2b1c3d4e5f60' })
  requestId?: string;
}

export class EhcImportResultDto {
  @ApiProperty({ example: 1200, description: 'EHC needs assessments imported (one per row)' })
  imported: number;

  @ApiProperty({ type: [ImportErrorDto], example: [], description: 'Always empty on success (a file with a bad row is a 400)' })
  errors: ImportErrorDto[];
}
