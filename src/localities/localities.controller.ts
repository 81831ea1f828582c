import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { Can, CurrentCaller } from '../access/access.decorators';
import type { Caller } from '../access/caller';
import { expectedVersion, IfMatchVersion } from '../common/concurrency/expected-version';
import { UuidPipe } from '../common/validation/uuid.pipe';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import { CreateLocalityDto, LocalityPage, LocalityQueryDto, LocalityView, UpdateLocalityDto } from './dto/locality.dto';
import { LocalitiesService } from './localities.service';

@ApiTags('reference data')
@Controller('localities')
export class LocalitiesController {
  constructor(private readonly localities: LocalitiesService) {}

  @Get()
  @Can('localities.read')
  @ApiOkResponse({ type: LocalityPage })
  @ApiProblems('validation')
  list(@Query() query: LocalityQueryDto) {
    return this.localities.list(query);
  }

  @Post()
  @Can('localities.write')
  @ApiCreatedResponse({ type: LocalityView })
  @ApiProblems('validation', 'duplicate')
  create(@CurrentCaller() caller: Caller, @Body() dto: CreateLocalityDto) {
    return this.localities.create(caller, dto);
  }

  @Get(':id')
  @Can('localities.read')
  @ApiOkResponse({ type: LocalityView })
  @ApiProblems('validation', 'not-found')
  get(@Param('id', UuidPipe) id: string) {
    return this.localities.get(id);
  }

  @Patch(':id')
  @Can('localities.write')
  @ApiOkResponse({ type: LocalityView })
  @ApiProblems('validation', 'not-found', 'stale-version', 'duplicate')
  update(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string, @Body() dto: UpdateLocalityDto, @IfMatchVersion() ifMatch?: number) {
    return this.localities.update(caller, id, expectedVersion(dto.version, ifMatch), dto);
  }
}
