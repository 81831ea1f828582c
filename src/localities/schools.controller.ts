import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { Can, CurrentCaller } from '../access/access.decorators';
import type { Caller } from '../access/caller';
import { expectedVersion, IfMatchVersion } from '../common/concurrency/expected-version';
import { UuidPipe } from '../common/validation/uuid.pipe';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import { CreateSchoolDto, SchoolPage, SchoolQueryDto, SchoolView, UpdateSchoolDto } from './dto/school.dto';
import { SchoolsService } from './schools.service';

@ApiTags('reference data')
@Controller('schools')
export class SchoolsController {
  constructor(private readonly schools: SchoolsService) {}

  @Get()
  @Can('schools.read')
  @ApiOkResponse({ type: SchoolPage })
  @ApiProblems('validation')
  list(@Query() query: SchoolQueryDto) {
    return this.schools.list(query);
  }

  @Post()
  @Can('schools.write')
  @ApiCreatedResponse({ type: SchoolView })
  @ApiProblems('validation', 'duplicate')
  create(@CurrentCaller() caller: Caller, @Body() dto: CreateSchoolDto) {
    return this.schools.create(caller, dto);
  }

  @Get(':id')
  @Can('schools.read')
  @ApiOkResponse({ type: SchoolView })
  @ApiProblems('validation', 'not-found')
  get(@Param('id', UuidPipe) id: string) {
    return this.schools.get(id);
  }

  @Patch(':id')
  @Can('schools.write')
  @ApiOkResponse({ type: SchoolView })
  @ApiProblems('validation', 'not-found', 'stale-version', 'duplicate')
  update(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string, @Body() dto: UpdateSchoolDto, @IfMatchVersion() ifMatch?: number) {
    return this.schools.update(caller, id, expectedVersion(dto.version, ifMatch), dto);
  }
}
