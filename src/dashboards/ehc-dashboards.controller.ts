import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CallerScope, Can } from '../access/access.decorators';
import type { ScopeFilter } from '../access/scope-filter';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import { sendDashboard } from './dashboard-response';
import {
  ANNUAL_REVIEWS_CSV_COLUMNS,
  AnnualReviewsDashboard,
  EHC_20_WEEK_CSV_COLUMNS,
  EHC_REQUESTS_CSV_COLUMNS,
  Ehc20WeekDashboard,
  EhcDashboardQueryDto,
  EhcRequestsDashboard,
} from './dto/ehc-dashboards.dto';
import { EhcDashboardsService } from './ehc-dashboards.service';
import { RateLimited } from '../common/rate-limit/rate-limited.decorator';

const COMMON =
  'Calendar-year window like DfE’s tables: default 1 January to 31 December of asOf’s year (asOf default today). Figures as they stood on ' +
  'asOf, from the dated rows. Grouped by the pupil’s current locality or school, or by month. localityId and schoolId must lie within ' +
  'your scope (else 404); EHC cases have no provider, so organisationId matches nothing. Rates are fractions 0..1, null when the ' +
  'denominator is 0; rates to 4 decimals, weeks to 1. Groups with no selected record are absent. JSON or CSV (Accept: text/csv or ?format=csv; header = the JSON fields).';

@ApiTags('dashboards')
@Controller('dashboards')
export class EhcDashboardsController {
  constructor(private readonly dashboards: EhcDashboardsService) {}

  @Get('ehc-20-week')
  @Can('dashboards.read')
  @RateLimited('expensive')
  @ApiOperation({
    summary: 'New EHC plans issued within 20 weeks, 20-52 weeks and over 52 weeks, including and excluding exceptions (DfE SEN2 measure)',
    description:
      'Plans selected by final plan issue date in [from, to] and on or before asOf; new plans only (issued from an EHC needs assessment). ' +
      'Days to issue = issuedOn - requestReceivedOn; within 20 weeks = at most 140 days; 20 to 52 weeks = 141..364 days; over 52 weeks = ' +
      'over 364 days; meanWeeksToIssue = mean days / 7; rate = within20Weeks / issued. Excluding exceptions: without plans whose case had ' +
      'an exception (Reg 13(3)) starting on or before asOf or whose EHC_FINAL_PLAN deadline is excepted. As in DfE’s timeliness figures, ' +
      'plans whose request or assessment went to mediation or tribunal (started by asOf) are left out of all of these and counted in ' +
      'issuedWithMediationOrTribunal. ' + COMMON,
  })
  @ApiOkResponse({ type: Ehc20WeekDashboard })
  @ApiProduces('application/json', 'text/csv')
  @ApiProblems('validation', 'not-found')
  async twentyWeeks(
    @CallerScope() scope: ScopeFilter,
    @Query() query: EhcDashboardQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendDashboard(request, reply, await this.dashboards.twentyWeeks(scope, query), EHC_20_WEEK_CSV_COLUMNS, query.format);
  }

  @Get('ehc-requests')
  @Can('dashboards.read')
  @RateLimited('expensive')
  @ApiOperation({
    summary: 'EHC needs assessment requests decided within 6 weeks, and the refusal rate (DfE measure)',
    description:
      'Requests selected by date received in [from, to] and on or before asOf, as DfE tabulates requests received during the calendar ' +
      'year; the 6 weeks run from receipt (Reg 5(1)). decided = a decision whether to assess made on or before ' +
      'asOf; decidedWithin6Weeks = decided at most 42 days after receipt; within6WeeksRate = decidedWithin6Weeks / decided; refused = ' +
      'decided not to assess; refusalRate = refused / decided; withdrawn = withdrawn by asOf before a decision; pending = the rest. ' + COMMON,
  })
  @ApiOkResponse({ type: EhcRequestsDashboard })
  @ApiProduces('application/json', 'text/csv')
  @ApiProblems('validation', 'not-found')
  async requests(
    @CallerScope() scope: ScopeFilter,
    @Query() query: EhcDashboardQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendDashboard(request, reply, await this.dashboards.requests(scope, query), EHC_REQUESTS_CSV_COLUMNS, query.format);
  }

  @Get('annual-reviews')
  @Can('dashboards.read')
  @RateLimited('expensive')
  @ApiOperation({
    summary: 'Annual review decisions made within 4 weeks of the meeting (DfE measure)',
    description:
      'Reviews selected by meeting date in [from, to] and on or before asOf. decided = the maintain/amend/cease decision made on or before ' +
      'asOf; decidedWithin4Weeks = decided at most 28 days after the meeting; rate = decidedWithin4Weeks / decided; pending = meetings - ' +
      'decided. ' + COMMON,
  })
  @ApiOkResponse({ type: AnnualReviewsDashboard })
  @ApiProduces('application/json', 'text/csv')
  @ApiProblems('validation', 'not-found')
  async annualReviews(
    @CallerScope() scope: ScopeFilter,
    @Query() query: EhcDashboardQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendDashboard(request, reply, await this.dashboards.annualReviews(scope, query), ANNUAL_REVIEWS_CSV_COLUMNS, query.format);
  }
}
