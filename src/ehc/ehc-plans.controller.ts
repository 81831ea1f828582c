import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CallerScope, Can, CurrentCaller } from '../access/access.decorators';
import type { Caller } from '../access/caller';
import type { ScopeFilter } from '../access/scope-filter';
import { sendList } from '../common/csv/csv';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import { UuidPipe } from '../common/validation/uuid.pipe';
import {
  AmendedPlanDto,
  AnnualReviewView,
  EhcPlanDetailView,
  EhcPlanPage,
  EhcPlanQueryDto,
  type EhcPlanView,
  HoldReviewDto,
  OpenPhaseTransfersDto,
  PhaseTransferRunView,
  ReportSentDto,
  ReviewDecisionDto,
} from './dto/ehc-plan.dto';
import { EhcPlansService } from './ehc-plans.service';
import { PhaseTransfersService } from './phase-transfers.service';

const PLAN_CSV_COLUMNS = [
  'id', 'pupilId', 'pupilUpn', 'pupilName', 'schoolId', 'assessmentId', 'issuedOn', 'settingSchoolId', 'settingUrn', 'settingName',
  'primaryNeed', 'secondaryNeed', 'ceasedOn', 'ceaseReason', 'nextReviewDueOn', 'nextReviewStatus', 'version',
] as const satisfies readonly (keyof EhcPlanView)[];
const DATES_RULE = 'The date may not precede the previous step’s date nor lie in the future (400 naming the field, nothing written); a step out of order is 409 with currentStage.';

@ApiTags('EHC plans and annual reviews')
@Controller('ehc-plans')
export class EhcPlansController {
  constructor(
    private readonly plans: EhcPlansService,
    private readonly phaseTransfers: PhaseTransfersService,
  ) {}

  @Post('phase-transfers')
  @HttpCode(200)
  @Can('ehc-plans.phase-transfers')
  @ApiOperation({
    summary: 'Open the academic year’s PHASE_TRANSFER deadlines for the plans in scope',
    description:
      'For every active plan (not ceased, pupil on the register) whose pupil is in the last year group of their school this academic year (Year 6 of a primary, Year 9 of a middle school, Year 11): one PHASE_TRANSFER deadline, subject the plan, starting 1 September, due 15 February (31 March post-16). Idempotent: a plan that has this year’s (from its issue or an earlier run) gets no second; re-running opens nothing. Plans first issued after the due date owe none. academicYear must be the year under way (400).',
  })
  @ApiOkResponse({ type: PhaseTransferRunView })
  @ApiProblems('validation')
  openPhaseTransfers(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Body() dto: OpenPhaseTransfersDto) {
    return this.phaseTransfers.openForYear(caller, scope, dto);
  }

  @Get()
  @Can('ehc-plans.read')
  @ApiOperation({ summary: 'EHC plans in scope (by the pupil’s current school), newest first, with the next review due (JSON or CSV)' })
  @ApiOkResponse({ type: EhcPlanPage })
  @ApiProduces('application/json', 'text/csv')
  @ApiProblems('validation')
  async list(@CallerScope() scope: ScopeFilter, @Query() query: EhcPlanQueryDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return sendList(request, reply, await this.plans.list(scope, query), PLAN_CSV_COLUMNS, query.format);
  }

  @Get(':id')
  @Can('ehc-plans.read')
  @ApiOperation({ summary: 'One EHC plan with its annual reviews and their deadlines', description: 'The read is written to the pupil’s access log.' })
  @ApiOkResponse({ type: EhcPlanDetailView })
  @ApiProblems('validation', 'not-found')
  get(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string) {
    return this.plans.get(caller, scope, id);
  }

  @Post(':id/annual-reviews')
  @Can('annual-reviews.write')
  @ApiOperation({
    summary: 'Record an annual review meeting held',
    description: `Meets the plan’s ANNUAL_REVIEW_MEETING; opens ANNUAL_REVIEW_REPORT (+2 weeks) and ANNUAL_REVIEW_DECISION (+4 weeks). One review awaiting its decision at a time; a ceased plan has none (409). ${DATES_RULE}`,
  })
  @ApiCreatedResponse({ type: AnnualReviewView })
  @ApiProblems('validation', 'not-found', 'invalid-transition')
  hold(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string, @Body() dto: HoldReviewDto) {
    return this.plans.holdReview(caller, scope, id, dto);
  }
}

@ApiTags('EHC plans and annual reviews')
@Controller('annual-reviews')
export class AnnualReviewsController {
  constructor(private readonly plans: EhcPlansService) {}

  @Post(':id/report-sent')
  @HttpCode(200)
  @Can('annual-reviews.write')
  @ApiOperation({ summary: 'The review report was sent', description: `MEETING_HELD -> REPORT_SENT; meets ANNUAL_REVIEW_REPORT. ${DATES_RULE}` })
  @ApiOkResponse({ type: AnnualReviewView })
  @ApiProblems('validation', 'not-found', 'invalid-transition', 'stale-version')
  reportSent(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string, @Body() dto: ReportSentDto) {
    return this.plans.reportSent(caller, scope, id, dto);
  }

  @Post(':id/decision')
  @HttpCode(200)
  @Can('annual-reviews.write')
  @ApiOperation({
    summary: 'Maintain, amend or cease the plan',
    description: `REPORT_SENT -> MAINTAINED, AMENDING or CEASED; meets ANNUAL_REVIEW_DECISION. MAINTAIN and AMEND open the next ANNUAL_REVIEW_MEETING 12 months after this meeting; CEASE needs ceaseReason (SEN2 1-9) and closes the plan. ${DATES_RULE}`,
  })
  @ApiOkResponse({ type: AnnualReviewView })
  @ApiProblems('validation', 'not-found', 'invalid-transition', 'stale-version')
  decide(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string, @Body() dto: ReviewDecisionDto) {
    return this.plans.decide(caller, scope, id, dto);
  }

  @Post(':id/amendments-sent')
  @HttpCode(200)
  @Can('annual-reviews.write')
  @ApiOperation({ summary: 'Proposed amendments sent', description: `AMENDING -> AMENDMENTS_SENT; opens AMENDED_PLAN (+8 weeks). ${DATES_RULE}` })
  @ApiOkResponse({ type: AnnualReviewView })
  @ApiProblems('validation', 'not-found', 'invalid-transition', 'stale-version')
  amendmentsSent(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string, @Body() dto: ReportSentDto) {
    return this.plans.amendmentsSent(caller, scope, id, dto);
  }

  @Post(':id/amended-plan')
  @HttpCode(200)
  @Can('annual-reviews.write')
  @ApiOperation({
    summary: 'Final amended plan issued',
    description: `AMENDMENTS_SENT -> AMENDED; meets AMENDED_PLAN. With namedSettingUrn naming a setting other than the plan’s: the plan’s named setting changes (the review keeps the new and the replaced one) and its open PHASE_TRANSFER is met on issuedOn; an unknown URN is 400. ${DATES_RULE}`,
  })
  @ApiOkResponse({ type: AnnualReviewView })
  @ApiProblems('validation', 'not-found', 'invalid-transition', 'stale-version')
  amendedPlan(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string, @Body() dto: AmendedPlanDto) {
    return this.plans.amendedPlan(caller, scope, id, dto);
  }
}
