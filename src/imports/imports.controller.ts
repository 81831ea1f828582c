import { Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CallerScope, Can, CurrentCaller } from '../access/access.decorators';
import type { Caller } from '../access/caller';
import type { ScopeFilter } from '../access/scope-filter';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { EhcImportResultDto, ImportProblemDto, ImportUploadDto, PupilImportResultDto, SchoolImportResultDto } from './dto/import-result.dto';
import { importSource } from './import-body';
import { ImportsService } from './imports.service';
import { RateLimited } from '../common/rate-limit/rate-limited.decorator';

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
  @RateLimited('expensive')
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
  @RateLimited('expensive')
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

  @Post('ehc-assessments')
  @HttpCode(200)
  @Can('imports.ehc-assessments')
  @RateLimited('expensive')
  @ApiOperation({
    summary: 'Import EHC needs assessments with their past steps (migration from a legacy system)',
    description:
      'Columns: upn, requestReceivedOn, requestedBy (PARENT, YOUNG_PERSON, SCHOOL, OTHER), decisionToAssess, decisionToAssessOn, ' +
      'issueDecision (Y = draft plan sent, N = notice not to issue), issueDecisionOn, finalPlanIssuedOn, withdrawnOn, exceptionReason ' +
      '(SCHOOL_CLOSURE, EARLY_YEARS_CLOSURE, PERSONAL_CIRCUMSTANCES, ABSENT_FROM_AREA), exceptionFromOn, exceptionToOn. Booleans Y/N, ' +
      'dates YYYY-MM-DD, empty = the step did not happen. Each row is checked by the same rules as the live steps: steps in order ' +
      '(no issue decision without a decision to assess Y, no final plan without issueDecision Y, no withdrawal of a closed case), a ' +
      'decision with its date, each date not before the previous step\'s and not in the future, an exception with one of the four ' +
      'reasons (closures and absence only for 4 or more weeks). The pupil must exist by UPN within the caller\'s scope (a CASEWORKER: ' +
      'their locality or area; ADMIN: the county) and have a primary need when a plan was issued; a pupil may not get a second open ' +
      'case (one already on the register, or two open rows in the file). The stage is derived from the steps. Writes each case, its ' +
      'exception, the EHC plan of an issued case (the pupil\'s needs; no named setting) with the pupil\'s SEN status E (dated history ' +
      'row), and every deadline the live workflow would have left: EHC_DECISION_TO_ASSESS, EHC_ISSUE_DECISION, EHC_FINAL_PLAN (met ' +
      'on the step\'s date, cancelled by a "no" or a withdrawal, EHC_FINAL_PLAN excepted with the exception) and the plan\'s ' +
      'ANNUAL_REVIEW_MEETING, due dates from the current SLA rules. The importer is recorded as each step\'s recorder (and as ' +
      'caseworker when a CASEWORKER imports). Audit: ehc-assessment.create (and ehc-plan.create) per case, one import.ehc-assessments.' +
      REFUSED_FILE,
  })
  @ApiConsumes('multipart/form-data', 'text/csv')
  @ApiBody(FILE_BODY)
  @ApiOkResponse({ type: EhcImportResultDto })
  @ApiProblems('validation', 'payload-too-large', 'unsupported-media-type')
  async ehcAssessments(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Req() request: FastifyRequest) {
    return this.imports.importEhcAssessments(caller, scope, await importSource(request, this.config.importMaxBytes));
  }
}
