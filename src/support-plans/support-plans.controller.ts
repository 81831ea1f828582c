import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CallerScope, Can, CurrentCaller } from '../access/access.decorators';
import type { Caller } from '../access/caller';
import type { ScopeFilter } from '../access/scope-filter';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import { UuidPipe } from '../common/validation/uuid.pipe';
import { CreateSupportPlanDto, ReviewDto, SupportPlanPage, SupportPlanQueryDto, SupportPlanView } from './dto/support-plan.dto';
import { SupportPlansService } from './support-plans.service';

@ApiTags('SEN register')
@Controller()
export class SupportPlansController {
  constructor(private readonly plans: SupportPlansService) {}

  @Get('pupils/:id/support-plans')
  @Can('support-plans.read')
  @ApiOperation({ summary: 'A pupil’s SEN support cycles, newest first' })
  @ApiOkResponse({ type: SupportPlanPage })
  @ApiProblems('validation', 'not-found')
  list(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string, @Query() query: SupportPlanQueryDto) {
    return this.plans.list(caller, scope, id, query);
  }

  @Post('pupils/:id/support-plans')
  @Can('support-plans.write')
  @ApiOperation({
    summary: 'Open an SEN support cycle (assess, plan, do, review)',
    description:
      'SENCO of the pupil’s school; the pupil must be on roll. Opens the SUPPORT_PLAN_REVIEW deadline due on reviewOn. ' +
      'A pupil with an open cycle answers 409 /problems/invalid-transition naming it (openSupportPlanId).',
  })
  @ApiCreatedResponse({ type: SupportPlanView })
  @ApiProblems('validation', 'not-found', 'invalid-transition')
  create(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string, @Body() dto: CreateSupportPlanDto) {
    return this.plans.create(caller, scope, id, dto);
  }

  @Get('support-plans/:id')
  @Can('support-plans.read')
  @ApiOperation({ summary: 'One SEN support cycle with its review and review deadline' })
  @ApiOkResponse({ type: SupportPlanView })
  @ApiProblems('validation', 'not-found')
  get(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string) {
    return this.plans.get(caller, scope, id);
  }

  @Post('support-plans/:id/reviews')
  @Can('support-plans.write')
  @ApiOperation({
    summary: 'Record the review that closes a support cycle',
    description:
      'Progress on each of the plan’s outcomes exactly once (outcomeIndex = 0-based position in the plan’s outcomes) and the next step. ' +
      'Meets the SUPPORT_PLAN_REVIEW deadline on reviewedOn (late after reviewOn). A reviewed cycle answers 409 /problems/invalid-transition.',
  })
  @ApiCreatedResponse({ type: SupportPlanView })
  @ApiProblems('validation', 'not-found', 'invalid-transition')
  review(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string, @Body() dto: ReviewDto) {
    return this.plans.review(caller, scope, id, dto);
  }
}
