import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CallerScope, Can, CurrentCaller } from '../access/access.decorators';
import type { Caller } from '../access/caller';
import type { ScopeFilter } from '../access/scope-filter';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import { UuidPipe } from '../common/validation/uuid.pipe';
import { SupportRequestView } from '../support-requests/dto/support-request.dto';
import { DecisionsService } from './decisions.service';
import { DecideSupportRequestDto } from './dto/decision.dto';

@ApiTags('support requests and panels')
@Controller('support-requests')
export class DecisionsController {
  constructor(private readonly decisions: DecisionsService) {}

  @Post(':id/decision')
  @HttpCode(200)
  @Can('support-requests.decide')
  @ApiOperation({
    summary: 'The panel’s decision on a submitted (or deferred) request',
    description:
      'PANEL of the request’s locality (another locality: 404). From SUBMITTED or DEFERRED only (else 409 ' +
      '/problems/invalid-transition with currentStatus). APPROVED -> APPROVED with exactly the units requested; PARTIAL -> ' +
      'PARTIALLY_APPROVED with fewer; both need poolId (a pool of the locality and service whose period contains decidedOn) and ' +
      'organisationId (the organisation offering the service), take the units from the pool (beyond its remainder: 409 ' +
      '/problems/capacity-exhausted with remainingUnits; nothing is written) and create an OFFERED allocation (offeredOn = ' +
      'decidedOn) with an ALLOCATION_ACCEPTANCE deadline. DECLINED -> DECLINED; DEFERRED -> DEFERRED (decided again later; ' +
      'it does not meet the REQUEST_DECISION deadline, every other outcome meets it on decidedOn). With meetingId, a caller who ' +
      'declared an interest in the pupil’s school at that meeting gets 409 /problems/conflict-of-interest. The reason is shown on ' +
      'the request (decision) but never audited or logged.',
  })
  @ApiOkResponse({ type: SupportRequestView })
  @ApiProblems('validation', 'not-found', 'invalid-transition', 'capacity-exhausted', 'conflict-of-interest')
  decide(
    @CurrentCaller() caller: Caller,
    @CallerScope() scope: ScopeFilter,
    @Param('id', UuidPipe) id: string,
    @Body() dto: DecideSupportRequestDto,
  ) {
    return this.decisions.decide(caller, scope, id, dto);
  }
}
