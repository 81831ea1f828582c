import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { Can, CurrentCaller } from '../access/access.decorators';
import type { Caller } from '../access/caller';
import { UuidPipe } from '../common/validation/uuid.pipe';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import { CreateOrganisationDto, OrganisationPage, OrganisationQueryDto, OrganisationView } from './dto/organisation.dto';
import { OrganisationsService } from './organisations.service';

@ApiTags('reference data')
@Controller('organisations')
export class OrganisationsController {
  constructor(private readonly organisations: OrganisationsService) {}

  @Get()
  @Can('organisations.read')
  @ApiOkResponse({ type: OrganisationPage })
  @ApiProblems('validation')
  list(@Query() query: OrganisationQueryDto) {
    return this.organisations.list(query);
  }

  @Post()
  @Can('organisations.write')
  @ApiCreatedResponse({ type: OrganisationView })
  @ApiProblems('validation', 'duplicate')
  create(@CurrentCaller() caller: Caller, @Body() dto: CreateOrganisationDto) {
    return this.organisations.create(caller, dto);
  }

  @Get(':id')
  @Can('organisations.read')
  @ApiOkResponse({ type: OrganisationView })
  @ApiProblems('validation', 'not-found')
  get(@Param('id', UuidPipe) id: string) {
    return this.organisations.get(id);
  }
}
