import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendList } from '../common/csv/csv';
import { CallerScope, Can, CurrentCaller } from '../access/access.decorators';
import type { Caller } from '../access/caller';
import type { ScopeFilter } from '../access/scope-filter';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import { UuidPipe } from '../common/validation/uuid.pipe';
import {
  CreateResourcePoolDto,
  POOL_BY_SCHOOL_CSV_COLUMNS,
  PoolBySchoolQueryDto,
  PoolSchoolFiguresPage,
  ResourcePoolPage,
  ResourcePoolQueryDto,
  ResourcePoolView,
} from './dto/resource-pool.dto';
import { ResourcePoolsService } from './resource-pools.service';

@ApiTags('support requests and panels')
@Controller('resource-pools')
export class ResourcePoolsController {
  constructor(private readonly pools: ResourcePoolsService) {}

  @Get()
  @Can('resource-pools.read')
  @ApiOperation({ summary: 'Resource pools in the caller’s scope, with capacity, allocated and remaining units' })
  @ApiOkResponse({ type: ResourcePoolPage })
  @ApiProblems('validation')
  list(@CallerScope() scope: ScopeFilter, @Query() query: ResourcePoolQueryDto) {
    return this.pools.list(scope, query);
  }

  @Post()
  @Can('resource-pools.write')
  @ApiOperation({
    summary: 'Create a locality’s pool of one service for a period',
    description:
      'PANEL of that locality, or ADMIN. capacityUnits in the service’s unit (HOURS in 0.25 steps; GBP, SESSIONS, PLACES whole). ' +
      'A period overlapping another pool of the same locality and service is 409 /problems/duplicate (overlappingPoolId).',
  })
  @ApiCreatedResponse({ type: ResourcePoolView })
  @ApiProblems('validation', 'duplicate')
  create(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Body() dto: CreateResourcePoolDto) {
    return this.pools.create(caller, scope, dto);
  }

  @Get(':id')
  @Can('resource-pools.read')
  @ApiOperation({ summary: 'One pool: capacity, allocated and remaining units' })
  @ApiOkResponse({ type: ResourcePoolView })
  @ApiProblems('validation', 'not-found')
  get(@CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string) {
    return this.pools.get(scope, id);
  }

  @Get(':id/by-school')
  @Can('resource-pools.read')
  @ApiOperation({
    summary: 'The pool’s figures per school of its locality, for fairness (JSON or CSV)',
    description:
      'Every school of the locality, zeros included: requests for the pool’s service submitted within its period, approvals, ' +
      'units requested, units approved from this pool, units the pool holds for the school now (summing to allocatedUnits), ' +
      'pupils on roll with SEN (K or E) and units per SEN pupil. One page (nextCursor null).',
  })
  @ApiOkResponse({ type: PoolSchoolFiguresPage })
  @ApiProduces('application/json', 'text/csv')
  @ApiProblems('validation', 'not-found')
  async bySchool(
    @CallerScope() scope: ScopeFilter,
    @Param('id', UuidPipe) id: string,
    @Query() query: PoolBySchoolQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendList(request, reply, await this.pools.bySchool(scope, id), POOL_BY_SCHOOL_CSV_COLUMNS, query.format);
  }
}
