import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CallerScope, Can, CurrentCaller } from '../access/access.decorators';
import type { Caller } from '../access/caller';
import type { ScopeFilter } from '../access/scope-filter';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import { UuidPipe } from '../common/validation/uuid.pipe';
import { AllocationChangesService } from './allocation-changes.service';
import { AllocationChangeView, CancelAllocationDto, ExtendAllocationDto } from './dto/allocation-change.dto';

@ApiTags('support requests and panels')
@Controller('allocations')
export class AllocationChangesController {
  constructor(private readonly changes: AllocationChangesService) {}

  @Post(':id/cancel')
  @HttpCode(200)
  @Can('allocations.manage')
  @ApiOperation({
    summary: 'Cancel an allocation (panel)',
    description:
      'PANEL of the allocation’s locality. From OFFERED, ACCEPTED or IN_DELIVERY (else 409 /problems/invalid-transition with ' +
      'currentStatus): the unused units (units - unitsUsed) go back to the pool and the allocation’s open deadlines are cancelled. ' +
      'The reason is never audited or logged.',
  })
  @ApiOkResponse({ type: AllocationChangeView })
  @ApiProblems('validation', 'not-found', 'invalid-transition')
  cancel(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string, @Body() dto: CancelAllocationDto) {
    return this.changes.cancel(caller, scope, id, dto);
  }

  @Post(':id/extend')
  @HttpCode(200)
  @Can('allocations.manage')
  @ApiOperation({
    summary: 'Extend an allocation from the same pool (panel)',
    description:
      'PANEL of the allocation’s locality. From OFFERED, ACCEPTED or IN_DELIVERY, while the pool’s period has not ended (else 409 ' +
      '/problems/invalid-transition). additionalUnits in the service’s unit; beyond the pool’s remainder: 409 ' +
      '/problems/capacity-exhausted (remainingUnits), nothing written.',
  })
  @ApiOkResponse({ type: AllocationChangeView })
  @ApiProblems('validation', 'not-found', 'invalid-transition', 'capacity-exhausted')
  extend(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string, @Body() dto: ExtendAllocationDto) {
    return this.changes.extend(caller, scope, id, dto);
  }
}
