import { Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CallerScope, Can, CurrentCaller } from '../access/access.decorators';
import type { Caller } from '../access/caller';
import type { ScopeFilter } from '../access/scope-filter';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ImportProblemDto, ImportUploadDto, PupilImportResultDto, SchoolImportResultDto } from './dto/import-result.dto';
import { importSource } from './import-body';
import { ImportsService } from './imports.service';

const FILE_BODY = {
  required: true,
  description:
    'The CSV file (UTF-8, with or without a byte-order mark; CRLF or LF; RFC 4180 quoting; header row first), either as ' +
    'the whole body with Content-Type: text/csv, or as multipart/form-data in the field "file". Read as a stream: up to ' +
    'IMPORT_MAX_BYTES (default 50 MB), larger is 413.',
  type: ImportUploadDto,
};

/** Every import's answers besides 200: the refused file is a validation problem with the import result's members. */
const REFUSED_FILE =
  ' A file with any bad row imports NOTHING and answers 400 /problems/validation (application/problem+json) carrying ' +
  'the members of ImportProblemDto: imported: 0, errors: [{line, field, message}] listing every bad row (line = the ' +
  "file's line, header = 1; the first 1,000 by line), errorCount and truncated. A missing or doubled header column, an " +
  'empty file or a header without rows is the same 400. Another content type is 415, a file over IMPORT_MAX_BYTES 413.';

/** Bulk imports (API.md "Imports"): CSV files, all or nothing per file. */
@ApiTags('imports')
@ApiExtraModels(ImportProblemDto)
@Controller('imports')
export class ImportsController {
  constructor(
    private readonly imports: ImportsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('schools')
  @HttpCode(200)
  @Can('imports.schools')
  @ApiOperation({
    summary: 'Import schools from a Get Information About Schools extract',
    description:
      'Columns under GIAS\'s own names: URN, EstablishmentName, "PhaseOfEducation (name)", "TypeOfEstablishment (name)", plus ' +
      'localityCode (an existing locality\'s code); optional "EstablishmentStatus (name)", StatutoryLowAge and StatutoryHighAge; ' +
      'other columns are ignored. Phases: Primary -> PRIMARY, Middle deemed primary/secondary -> MIDDLE, Secondary -> SECONDARY, ' +
      'All-through -> ALL_THROUGH, Not applicable -> from the statutory age range. Types: maintained schools, academies and free ' +
      'schools -> MAINSTREAM; special schools (maintained, non-maintained, academy, free) -> SPECIAL; pupil referral units and ' +
      'alternative provision -> PRU; other independent (and independent special) schools -> INDEPENDENT. Closed establishments, ' +
      'nurseries, 16 plus and further-education types are skipped (counted in `skipped`); an unknown phase or type is a row error. ' +
      'A URN already on the register is UPDATED (name, phase, kind, locality): re-importing the monthly extract keeps the ' +
      'register current; schools absent from the file are left alone. Writes school.create / school.update audit rows per ' +
      'school and one import.schools row.' +
      REFUSED_FILE,
  })
  @ApiConsumes('multipart/form-data', 'text/csv')
  @ApiBody(FILE_BODY)
  @ApiOkResponse({ type: SchoolImportResultDto })
  @ApiProblems('validation', 'payload-too-large', 'unsupported-media-type')
  async schools(@CurrentCaller() caller: Caller, @Req() request: FastifyRequest) {
    return this.imports.importSchools(caller, await importSource(request, this.config.importMaxBytes));
  }

  @Post('pupils')
  @HttpCode(200)
  @Can('imports.pupils')
  @ApiOperation({
    summary: 'Import pupils onto the SEN register',
    description:
      'Columns: upn, firstName, lastName, dateOfBirth (YYYY-MM-DD), yearGroup (optional: 0 = Reception to 11), schoolUrn, ' +
      'senStatus (N, K or E), primaryNeed, secondaryNeed (need codes; empty = none). Header names match in any case; other ' +
      'columns are ignored. Each row is checked by the same rules as POST /pupils; a UPN already on the register, or twice in ' +
      'the file, is a row error (an import adds pupils, it never changes them: use PATCH /pupils/:id). ADMIN imports for any ' +
      'school; a SENCO only for their own school (a row for another school is an error on schoolUrn). Writes each pupil\'s ' +
      'first history rows and pupil.create audit row, and one import.pupils row. Streamed: memory stays flat.' +
      REFUSED_FILE,
  })
  @ApiConsumes('multipart/form-data', 'text/csv')
  @ApiBody(FILE_BODY)
  @ApiOkResponse({ type: PupilImportResultDto })
  @ApiProblems('validation', 'payload-too-large', 'unsupported-media-type')
  async pupils(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Req() request: FastifyRequest) {
    return this.imports.importPupils(caller, scope, await importSource(request, this.config.importMaxBytes));
  }
}
