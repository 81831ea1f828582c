import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { Can, CurrentCaller } from '../access/access.decorators';
import type { Caller } from '../access/caller';
import { expectedVersion, IfMatchVersion } from '../common/concurrency/expected-version';
import { UuidPipe } from '../common/validation/uuid.pipe';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import {
  CatalogueServicePage,
  CatalogueServiceQueryDto,
  CatalogueServiceView,
  CreateCatalogueServiceDto,
  UpdateCatalogueServiceDto,
} from './dto/catalogue-service.dto';
import { CatalogueServicesService } from './catalogue-services.service';

/** The service catalogue (route `services`, as in API.md). */
@ApiTags('reference data')
@Controller('services')
export class CatalogueServicesController {
  constructor(private readonly services: CatalogueServicesService) {}

  @Get()
  @Can('services.read')
  @ApiOkResponse({ type: CatalogueServicePage })
  @ApiProblems('validation')
  list(@Query() query: CatalogueServiceQueryDto) {
    return this.services.list(query);
  }

  @Post()
  @Can('services.write')
  @ApiCreatedResponse({ type: CatalogueServiceView })
  @ApiProblems('validation', 'duplicate')
  create(@CurrentCaller() caller: Caller, @Body() dto: CreateCatalogueServiceDto) {
    return this.services.create(caller, dto);
  }

  @Get(':id')
  @Can('services.read')
  @ApiOkResponse({ type: CatalogueServiceView })
  @ApiProblems('validation', 'not-found')
  get(@Param('id', UuidPipe) id: string) {
    return this.services.get(id);
  }

  @Patch(':id')
  @Can('services.write')
  @ApiOkResponse({ type: CatalogueServiceView })
  @ApiProblems('validation', 'not-found', 'stale-version')
  update(@CurrentCaller() caller: Caller, @Param('id', UuidPipe) id: string, @Body() dto: UpdateCatalogueServiceDto, @IfMatchVersion() ifMatch?: number) {
    return this.services.update(caller, id, expectedVersion(dto.version, ifMatch), dto);
  }
}
