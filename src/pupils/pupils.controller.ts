import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CallerScope, Can, CurrentCaller } from '../access/access.decorators';
import type { Caller } from '../access/caller';
import type { ScopeFilter } from '../access/scope-filter';
import { expectedVersion, IfMatchVersion, optionalVersion } from '../common/concurrency/expected-version';
import { sendList } from '../common/csv/csv';
import type { Page } from '../common/pagination/paginate';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import { UuidPipe } from '../common/validation/uuid.pipe';
import {
  ACCESS_LOG_COLUMNS,
  AccessLogPage,
  AccessLogQueryDto,
  CreatePupilDto,
  LeavePupilDto,
  PupilMinimalView,
  PupilPage,
  PupilQueryDto,
  PupilView,
  TransferPupilDto,
  UpdatePupilDto,
} from './dto/pupil.dto';
import { PupilsService } from './pupils.service';

/** The version a command was sent with, if any: the body's or If-Match (they must agree). */
const ONE_PUPIL = {
  description: 'The pupil; PROVIDER practitioners get the minimal view',
  schema: { oneOf: [{ $ref: getSchemaPath(PupilView) }, { $ref: getSchemaPath(PupilMinimalView) }] },
};

/** The SEN register (API.md "SEN register"). */
@ApiTags('SEN register')
@ApiExtraModels(PupilView, PupilMinimalView)
@Controller('pupils')
export class PupilsController {
  constructor(private readonly pupils: PupilsService) {}

  @Get()
  @Can('pupils.read')
  @ApiOperation({
    summary: 'Pupils in your scope',
    description:
      'Current pupils (add includeLeft=true for those who have left), filtered and searched; JSON or, with Accept: text/csv ' +
      'or format=csv, CSV with a header row of the JSON field names (next cursor in X-Next-Cursor). PROVIDER practitioners ' +
      'get the minimal view. A list read writes no access row.',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: PupilPage })
  @ApiProblems('validation')
  async list(
    @CallerScope() scope: ScopeFilter,
    @Query() query: PupilQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const page = await this.pupils.list(scope, query);
    return sendList(request, reply, page as unknown as Page<Record<string, unknown>>, PupilsService.columnsFor(scope), query.format);
  }

  @Post()
  @Can('pupils.write')
  @ApiOperation({ summary: 'Add a pupil to the register', description: 'Writes the first dated history entries (status, needs, school).' })
  @ApiCreatedResponse({ type: PupilView })
  @ApiProblems('validation', 'duplicate')
  create(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Body() dto: CreatePupilDto) {
    return this.pupils.create(caller, scope, dto);
  }

  @Get(':id')
  @Can('pupils.read')
  @ApiOperation({ summary: 'One pupil', description: 'Writes an access row (pupil.read) to the audit trail.' })
  @ApiOkResponse(ONE_PUPIL)
  @ApiProblems('validation', 'not-found')
  get(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string) {
    return this.pupils.get(caller, scope, id);
  }

  @Patch(':id')
  @Can('pupils.write')
  @ApiOperation({ summary: 'Change names, date of birth, year group, SEN status or needs', description: 'Status and need changes are kept as dated history.' })
  @ApiOkResponse({ type: PupilView })
  @ApiProblems('validation', 'not-found', 'stale-version', 'invalid-transition')
  update(
    @CurrentCaller() caller: Caller,
    @CallerScope() scope: ScopeFilter,
    @Param('id', UuidPipe) id: string,
    @Body() dto: UpdatePupilDto,
    @IfMatchVersion() ifMatch?: number,
  ) {
    return this.pupils.update(caller, scope, id, expectedVersion(dto.version, ifMatch), dto);
  }

  @Post(':id/transfer')
  @Can('pupils.transfer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Move a pupil to another school',
    description:
      'The SENCO of the receiving school (schoolId must be their own; the pupil may be at any school) or a caseworker ' +
      '(both schools in their scope). The move is kept as dated history (movedOn).',
  })
  @ApiOkResponse({ type: PupilView })
  @ApiProblems('validation', 'not-found', 'stale-version', 'invalid-transition')
  transfer(
    @CurrentCaller() caller: Caller,
    @CallerScope() scope: ScopeFilter,
    @Param('id', UuidPipe) id: string,
    @Body() dto: TransferPupilDto,
    @IfMatchVersion() ifMatch?: number,
  ) {
    return this.pupils.transfer(caller, scope, id, dto, optionalVersion(dto.version, ifMatch));
  }

  @Post(':id/leave')
  @Can('pupils.leave')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Record that a pupil has left',
    description: 'The record and its history stay; the pupil drops out of current lists (includeLeft=true shows them).',
  })
  @ApiOkResponse({ type: PupilView })
  @ApiProblems('validation', 'not-found', 'stale-version', 'invalid-transition')
  leave(
    @CurrentCaller() caller: Caller,
    @CallerScope() scope: ScopeFilter,
    @Param('id', UuidPipe) id: string,
    @Body() dto: LeavePupilDto,
    @IfMatchVersion() ifMatch?: number,
  ) {
    return this.pupils.leave(caller, scope, id, dto, optionalVersion(dto.version, ifMatch));
  }

  @Get(':id/access-log')
  @Can('pupils.access-log')
  @ApiOperation({
    summary: 'Who read or changed this pupil’s record',
    description: 'Newest first, from the audit trail. ADMIN county-wide, MANAGER for pupils in scope. JSON or CSV.',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: AccessLogPage })
  @ApiProblems('validation', 'not-found')
  async accessLog(
    @CallerScope() scope: ScopeFilter,
    @Param('id', UuidPipe) id: string,
    @Query() query: AccessLogQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendList(request, reply, await this.pupils.accessLog(scope, id, query), ACCESS_LOG_COLUMNS, query.format);
  }
}
