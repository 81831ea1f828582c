import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CallerScope, Can, CurrentCaller } from '../access/access.decorators';
import type { Caller } from '../access/caller';
import type { ScopeFilter } from '../access/scope-filter';
import { sendList } from '../common/csv/csv';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import { UuidPipe } from '../common/validation/uuid.pipe';
import { AllocationsService } from './allocations.service';
import {
  AcceptAllocationDto,
  ALLOCATION_CSV_COLUMNS,
  AllocationPage,
  AllocationQueryDto,
  AllocationView,
  CompleteAllocationDto,
  CreateSessionDto,
  DeclineAllocationDto,
  SESSION_CSV_COLUMNS,
  SessionPage,
  SessionQueryDto,
  SessionView,
} from './dto/allocation.dto';

@ApiTags('delivery')
@Controller('allocations')
export class AllocationsController {
  constructor(private readonly allocations: AllocationsService) {}

  @Get()
  @Can('allocations.read')
  @ApiOperation({
    summary: 'Allocations in scope: a provider’s worklist, a panel’s or school’s view (JSON or CSV)',
    description:
      'SENCO: own school; PANEL: own locality; PROVIDER: own organisation; CASEWORKER and MANAGER: their locality, area or the county. ' +
      'Due dates are those of the ALLOCATION_ACCEPTANCE and DELIVERY_START deadlines. ' +
      '`acceptanceDueBefore` and `deliveryStartDueBefore` are inclusive. Sorts: createdAt, offeredOn, acceptanceDueOn, deliveryStartDueOn (`-` for descending).',
  })
  @ApiOkResponse({ type: AllocationPage })
  @ApiProduces('application/json', 'text/csv')
  @ApiProblems('validation')
  async list(
    @CurrentCaller() caller: Caller,
    @CallerScope() scope: ScopeFilter,
    @Query() query: AllocationQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendList(request, reply, await this.allocations.list(caller, scope, query), ALLOCATION_CSV_COLUMNS, query.format);
  }

  @Get(':id')
  @Can('allocations.read')
  @ApiOperation({
    summary: 'One allocation with its due dates and figures',
    description:
      'attendanceRate = sessions attended / sessions recorded (null before any); daysToAcceptance = acceptedOn - offeredOn; ' +
      'daysToFirstSession = firstSessionOn (first attended session) - offeredOn. A PROVIDER also gets the minimal pupil view and the ' +
      'request’s reason and units while the pupil is in their caseload (this read is written to the pupil’s access log).',
  })
  @ApiOkResponse({ type: AllocationView })
  @ApiProblems('validation', 'not-found')
  get(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string) {
    return this.allocations.get(caller, scope, id);
  }

  @Post(':id/accept')
  @HttpCode(200)
  @Can('allocations.deliver')
  @ApiOperation({
    summary: 'Accept an offered allocation (PROVIDER of its organisation)',
    description:
      'OFFERED -> ACCEPTED on acceptedOn (default today; not in the future, not before offeredOn). Meets ALLOCATION_ACCEPTANCE and opens ' +
      'DELIVERY_START with the service’s deliveryStartWeeks where set. Another status: 409 /problems/invalid-transition (currentStatus).',
  })
  @ApiBody({ type: AcceptAllocationDto, required: false })
  @ApiOkResponse({ type: AllocationView })
  @ApiProblems('validation', 'not-found', 'invalid-transition', 'stale-version')
  accept(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string, @Body() dto: AcceptAllocationDto) {
    return this.allocations.accept(caller, scope, id, dto ?? {});
  }

  @Post(':id/decline')
  @HttpCode(200)
  @Can('allocations.deliver')
  @ApiOperation({
    summary: 'Decline an offered allocation with a reason (PROVIDER of its organisation)',
    description:
      'OFFERED -> DECLINED on declinedOn (default today). Meets ALLOCATION_ACCEPTANCE (a decline is a response), returns every unit to the ' +
      'pool, and puts the request back to SUBMITTED with needsReallocation and this reason, with a new REQUEST_DECISION deadline.',
  })
  @ApiOkResponse({ type: AllocationView })
  @ApiProblems('validation', 'not-found', 'invalid-transition', 'stale-version')
  decline(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string, @Body() dto: DeclineAllocationDto) {
    return this.allocations.decline(caller, scope, id, dto);
  }

  @Post(':id/complete')
  @HttpCode(200)
  @Can('allocations.deliver')
  @ApiOperation({
    summary: 'Close the work with an outcome and a summary (PROVIDER of its organisation)',
    description:
      'ACCEPTED or IN_DELIVERY -> COMPLETED on completedOn (default today; not before acceptance nor the last session). A DELIVERY_START ' +
      'deadline still open is cancelled. The provider keeps the pupil’s minimal view for PROVIDER_ACCESS_DAYS_AFTER_COMPLETION days.',
  })
  @ApiOkResponse({ type: AllocationView })
  @ApiProblems('validation', 'not-found', 'invalid-transition', 'stale-version')
  complete(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string, @Body() dto: CompleteAllocationDto) {
    return this.allocations.complete(caller, scope, id, dto);
  }

  @Post(':id/sessions')
  @Can('allocations.deliver')
  @ApiOperation({
    summary: 'Record a session (PROVIDER of the allocation’s organisation)',
    description:
      'On an ACCEPTED or IN_DELIVERY allocation (else 409 /problems/invalid-transition); deliveredOn not in the future nor before acceptance. ' +
      'Units used: SESSIONS 1 per session, HOURS durationMinutes / 60 (multiples of 15 minutes), both 0 when CANCELLED_BY_PROVIDER; GBP and ' +
      'PLACES take unitsUsed. Beyond the allocation: 409 /problems/capacity-exhausted (remainingUnits), nothing written. The first session ' +
      'moves ACCEPTED to IN_DELIVERY; the first attended one sets firstSessionOn and meets DELIVERY_START.',
  })
  @ApiCreatedResponse({ type: SessionView })
  @ApiProblems('validation', 'not-found', 'invalid-transition', 'capacity-exhausted')
  addSession(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string, @Body() dto: CreateSessionDto) {
    return this.allocations.addSession(caller, scope, id, dto);
  }

  @Get(':id/sessions')
  @Can('allocations.read')
  @ApiOperation({ summary: 'An allocation’s sessions, latest first (JSON or CSV); notes only for the provider organisation' })
  @ApiOkResponse({ type: SessionPage })
  @ApiProduces('application/json', 'text/csv')
  @ApiProblems('validation', 'not-found')
  async sessions(
    @CurrentCaller() caller: Caller,
    @CallerScope() scope: ScopeFilter,
    @Param('id', UuidPipe) id: string,
    @Query() query: SessionQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendList(request, reply, await this.allocations.sessions(caller, scope, id, query), SESSION_CSV_COLUMNS, query.format);
  }
}
