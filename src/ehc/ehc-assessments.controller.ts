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
  AdviceReceivedDto,
  ADVICE_REQUEST_CSV_COLUMNS,
  AdviceRequestPage,
  AdviceRequestQueryDto,
  AdviceRequestView,
  AppealView,
  CreateAdviceRequestDto,
  CreateAppealDto,
  CreateEhcAssessmentDto,
  CreateExceptionDto,
  DecisionDto,
  EHC_ASSESSMENT_CSV_COLUMNS,
  EhcAssessmentPage,
  EhcAssessmentQueryDto,
  EhcAssessmentView,
  ExceptionView,
  FinalPlanDto,
  WithdrawDto,
} from './dto/ehc-assessment.dto';
import { adviceCsvRow, EhcAssessmentsService } from './ehc-assessments.service';

const DATES_RULE = 'The date may not precede the previous step’s date nor lie in the future (400 naming the field, nothing written).';

@ApiTags('EHC needs assessments')
@Controller('ehc-assessments')
export class EhcAssessmentsController {
  constructor(private readonly cases: EhcAssessmentsService) {}

  @Get()
  @Can('ehc-assessments.read')
  @ApiOperation({
    summary: 'EHC needs assessments in scope, by next statutory date (JSON or CSV)',
    description:
      'Each case carries its next statutory date (the earliest open deadline: its own, its advice requests’ and its plan’s annual review). ' +
      '`mine=true`: cases assigned to the caller. Scope: the pupil’s current school (CASEWORKER/MANAGER locality, area or county; SENCO own school, read-only).',
  })
  @ApiOkResponse({ type: EhcAssessmentPage })
  @ApiProduces('application/json', 'text/csv')
  @ApiProblems('validation')
  async list(
    @CurrentCaller() caller: Caller,
    @CallerScope() scope: ScopeFilter,
    @Query() query: EhcAssessmentQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendList(request, reply, await this.cases.list(caller, scope, query), EHC_ASSESSMENT_CSV_COLUMNS, query.format);
  }

  @Post()
  @Can('ehc-assessments.write')
  @ApiOperation({
    summary: 'Open an EHC needs assessment case on a request received',
    description:
      'Opens EHC_DECISION_TO_ASSESS (+6 weeks), EHC_ISSUE_DECISION (+16 weeks) and EHC_FINAL_PLAN (+20 weeks) from requestReceivedOn. ' +
      'pupilId must be a pupil on roll in the caller’s scope, caseworkerId an active CASEWORKER (default: the caller); otherwise 400. ' +
      'A pupil with an open case (REQUESTED, ASSESSING, DRAFT_ISSUED) answers 409 /problems/duplicate.',
  })
  @ApiCreatedResponse({ type: EhcAssessmentView })
  @ApiProblems('validation', 'duplicate')
  create(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Body() dto: CreateEhcAssessmentDto) {
    return this.cases.create(caller, scope, dto);
  }

  @Get(':id')
  @Can('ehc-assessments.read')
  @ApiOperation({
    summary: 'One case with its timeline',
    description: 'Each step’s date, due date, status (derived as of today), exception flag and recorder; advice requests, exceptions and appeals. The read is written to the pupil’s access log.',
  })
  @ApiOkResponse({ type: EhcAssessmentView })
  @ApiProblems('validation', 'not-found')
  get(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string) {
    return this.cases.get(caller, scope, id);
  }

  @Post(':id/decision-to-assess')
  @HttpCode(200)
  @Can('ehc-assessments.write')
  @ApiOperation({
    summary: 'Decide whether to assess',
    description: `REQUESTED -> ASSESSING (true) or NOT_ASSESSED (false); meets EHC_DECISION_TO_ASSESS. "No" cancels EHC_ISSUE_DECISION and EHC_FINAL_PLAN (cancelled, not late). ${DATES_RULE} Other stages: 409 /problems/invalid-transition with currentStage.`,
  })
  @ApiOkResponse({ type: EhcAssessmentView })
  @ApiProblems('validation', 'not-found', 'invalid-transition', 'stale-version')
  decisionToAssess(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string, @Body() dto: DecisionDto) {
    return this.cases.decisionToAssess(caller, scope, id, dto);
  }

  @Post(':id/issue-decision')
  @HttpCode(200)
  @Can('ehc-assessments.write')
  @ApiOperation({
    summary: 'Decide whether to issue a plan (draft sent) or not',
    description: `ASSESSING -> DRAFT_ISSUED (true: draft plan sent) or NOT_ISSUED (false: notice not to issue, cancels EHC_FINAL_PLAN); meets EHC_ISSUE_DECISION; advice still awaited is cancelled. ${DATES_RULE}`,
  })
  @ApiOkResponse({ type: EhcAssessmentView })
  @ApiProblems('validation', 'not-found', 'invalid-transition', 'stale-version')
  issueDecision(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string, @Body() dto: DecisionDto) {
    return this.cases.issueDecision(caller, scope, id, dto);
  }

  @Post(':id/final-plan')
  @HttpCode(200)
  @Can('ehc-assessments.write')
  @ApiOperation({
    summary: 'Issue the final EHC plan',
    description:
      `DRAFT_ISSUED -> PLAN_ISSUED; meets EHC_FINAL_PLAN; creates the EHC plan (named setting by URN, unknown = 400; the pupil’s ranked needs), ` +
      `sets the pupil’s SEN status to E (dated history) and opens ANNUAL_REVIEW_MEETING (+12 months). ${DATES_RULE}`,
  })
  @ApiOkResponse({ type: EhcAssessmentView })
  @ApiProblems('validation', 'not-found', 'invalid-transition', 'stale-version')
  finalPlan(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string, @Body() dto: FinalPlanDto) {
    return this.cases.finalPlan(caller, scope, id, dto);
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @Can('ehc-assessments.write')
  @ApiOperation({
    summary: 'Withdraw the request',
    description: `From any open stage -> WITHDRAWN; every open deadline of the case, advice included, closes as cancelled. The reason is never audited. ${DATES_RULE}`,
  })
  @ApiOkResponse({ type: EhcAssessmentView })
  @ApiProblems('validation', 'not-found', 'invalid-transition', 'stale-version')
  withdraw(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string, @Body() dto: WithdrawDto) {
    return this.cases.withdraw(caller, scope, id, dto);
  }

  @Post(':id/advice-requests')
  @Can('ehc-assessments.write')
  @ApiOperation({
    summary: 'Ask a body for advice (while ASSESSING)',
    description: `Opens EHC_ADVICE (+6 weeks) on the organisation’s advice worklist. Unknown organisation = 400. Other stages: 409. ${DATES_RULE}`,
  })
  @ApiCreatedResponse({ type: AdviceRequestView })
  @ApiProblems('validation', 'not-found', 'invalid-transition')
  requestAdvice(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string, @Body() dto: CreateAdviceRequestDto) {
    return this.cases.requestAdvice(caller, scope, id, dto);
  }

  @Post(':id/exceptions')
  @Can('ehc-assessments.write')
  @ApiOperation({
    summary: 'Record a statutory exception to the 20 weeks (Reg 10(4))',
    description:
      'Marks the case’s EHC_FINAL_PLAN deadline excepted; its due date does not move (figures are computable including and excluding exceptions). ' +
      'Closures and absence from the area need 4 or more continuous weeks. The note is never audited. Allowed in open stages and PLAN_ISSUED.',
  })
  @ApiCreatedResponse({ type: ExceptionView })
  @ApiProblems('validation', 'not-found', 'invalid-transition')
  recordException(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string, @Body() dto: CreateExceptionDto) {
    return this.cases.recordException(caller, scope, id, dto);
  }

  @Post(':id/appeals')
  @Can('ehc-assessments.write')
  @ApiOperation({ summary: 'Record mediation or a tribunal appeal (SEN2 flags)', description: 'At any stage; startedOn not before the request, not in the future.' })
  @ApiCreatedResponse({ type: AppealView })
  @ApiProblems('validation', 'not-found')
  recordAppeal(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string, @Body() dto: CreateAppealDto) {
    return this.cases.recordAppeal(caller, scope, id, dto);
  }
}

@ApiTags('EHC needs assessments')
@Controller('advice-requests')
export class AdviceRequestsController {
  constructor(private readonly cases: EhcAssessmentsService) {}

  @Get()
  @Can('advice-requests.read')
  @ApiOperation({
    summary: 'Advice worklist, soonest due first (JSON or CSV)',
    description:
      'A provider sees its own organisation’s requests (while awaited and for 30 days after), each with the pupil’s minimal view only; ' +
      'caseworkers and managers see those of pupils in their scope. `status` takes the request’s status or its EHC_ADVICE deadline’s status today.',
  })
  @ApiOkResponse({ type: AdviceRequestPage })
  @ApiProduces('application/json', 'text/csv')
  @ApiProblems('validation')
  async list(
    @CallerScope() scope: ScopeFilter,
    @Query() query: AdviceRequestQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const page = await this.cases.listAdvice(scope, query);
    const sent = sendList(request, reply, { data: page.data.map(adviceCsvRow), nextCursor: page.nextCursor }, ADVICE_REQUEST_CSV_COLUMNS, query.format);
    return typeof sent === 'string' ? sent : page;
  }

  @Post(':id/received')
  @HttpCode(200)
  @Can('advice-requests.receive')
  @ApiOperation({
    summary: 'Record that the advice was received',
    description:
      'A caseworker in scope, or a practitioner of the organisation asked (another organisation: 404). Meets EHC_ADVICE. ' +
      'receivedOn not before requestedOn, not in the future. Advice already received or cancelled: 409 with currentStatus.',
  })
  @ApiOkResponse({ type: AdviceRequestView })
  @ApiProblems('validation', 'not-found', 'invalid-transition', 'stale-version')
  received(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string, @Body() dto: AdviceReceivedDto) {
    return this.cases.adviceReceived(caller, scope, id, dto);
  }
}
