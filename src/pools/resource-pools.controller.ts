import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CallerScope, Can, CurrentCaller } from '../access/access.decorators';
import type { Caller } from '../access/caller';
import type { ScopeFilter } from '../access/scope-filter';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import { UuidPipe } from '../common/validation/uuid.pipe';
import { CreateResourcePoolDto, ResourcePoolPage, ResourcePoolQueryDto, ResourcePoolView } from './dto/resource-pool.dto';
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
}
