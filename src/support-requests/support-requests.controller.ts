import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CallerScope, Can, CurrentCaller } from '../access/access.decorators';
import type { Caller } from '../access/caller';
import type { ScopeFilter } from '../access/scope-filter';
import { sendList } from '../common/csv/csv';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import { UuidPipe } from '../common/validation/uuid.pipe';
import {
  CreateSupportRequestDto,
  SUPPORT_REQUEST_CSV_COLUMNS,
  SupportRequestPage,
  SupportRequestQueryDto,
  SubmitSupportRequestDto,
  SupportRequestView,
  WithdrawSupportRequestDto,
} from './dto/support-request.dto';
import { SupportRequestsService } from './support-requests.service';

@ApiTags('support requests and panels')
@Controller('support-requests')
export class SupportRequestsController {
  constructor(private readonly requests: SupportRequestsService) {}

  @Get()
  @Can('support-requests.read')
  @ApiOperation({ summary: 'Support requests in scope, newest first (JSON or CSV); drafts only for the school’s SENCO' })
  @ApiOkResponse({ type: SupportRequestPage })
  @ApiProduces('application/json', 'text/csv')
  @ApiProblems('validation')
  async list(
    @CurrentCaller() caller: Caller,
    @CallerScope() scope: ScopeFilter,
    @Query() query: SupportRequestQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendList(request, reply, await this.requests.list(caller, scope, query), SUPPORT_REQUEST_CSV_COLUMNS, query.format);
  }

  @Post()
  @Can('support-requests.write')
  @ApiOperation({
    summary: 'Draft a support request to the locality panel',
    description:
      'SENCO, for a pupil on roll at their school (else 400 on pupilId). unitsRequested in the service’s unit: ' +
      'HOURS in 0.25 steps, GBP, SESSIONS and PLACES whole. supportPlanId must be a cycle of the same pupil.',
  })
  @ApiCreatedResponse({ type: SupportRequestView })
  @ApiProblems('validation')
  create(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Body() dto: CreateSupportRequestDto) {
    return this.requests.create(caller, scope, dto);
  }

  @Get(':id')
  @Can('support-requests.read')
  @ApiOperation({ summary: 'One support request (a DRAFT only for the school’s SENCO)' })
  @ApiOkResponse({ type: SupportRequestView })
  @ApiProblems('validation', 'not-found')
  get(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string) {
    return this.requests.get(caller, scope, id);
  }

  @Post(':id/submit')
  @HttpCode(200)
  @Can('support-requests.write')
  @ApiOperation({
    summary: 'Submit a draft request to the panel',
    description: 'DRAFT -> SUBMITTED; opens the REQUEST_DECISION deadline. Any other state answers 409 /problems/invalid-transition (currentStatus).',
  })
  @ApiBody({ type: SubmitSupportRequestDto, required: false })
  @ApiOkResponse({ type: SupportRequestView })
  @ApiProblems('validation', 'not-found', 'invalid-transition', 'stale-version')
  submit(
    @CurrentCaller() caller: Caller,
    @CallerScope() scope: ScopeFilter,
    @Param('id', UuidPipe) id: string,
    @Body() dto: SubmitSupportRequestDto,
  ) {
    return this.requests.submit(caller, scope, id, dto.version);
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @Can('support-requests.write')
  @ApiOperation({
    summary: 'Withdraw a request that is not yet decided',
    description: 'DRAFT, SUBMITTED or DEFERRED -> WITHDRAWN; cancels the REQUEST_DECISION deadline. Otherwise 409 /problems/invalid-transition.',
  })
  @ApiOkResponse({ type: SupportRequestView })
  @ApiProblems('validation', 'not-found', 'invalid-transition')
  withdraw(
    @CurrentCaller() caller: Caller,
    @CallerScope() scope: ScopeFilter,
    @Param('id', UuidPipe) id: string,
    @Body() dto: WithdrawSupportRequestDto,
  ) {
    return this.requests.withdraw(caller, scope, id, dto);
  }
}
