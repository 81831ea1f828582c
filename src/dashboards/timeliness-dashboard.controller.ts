import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CallerScope, Can } from '../access/access.decorators';
import type { ScopeFilter } from '../access/scope-filter';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import { RateLimited } from '../common/rate-limit/rate-limited.decorator';
import { sendDashboard } from './dashboard-response';
import { TIMELINESS_CSV_COLUMNS, TimelinessDashboard, TimelinessDashboardQueryDto } from './dto/timeliness-dashboard.dto';
import { TimelinessDashboardService } from './timeliness-dashboard.service';

@ApiTags('dashboards')
@Controller('dashboards')
export class TimelinessDashboardController {
  constructor(private readonly dashboard: TimelinessDashboardService) {}

  @Get('timeliness')
  @Can('dashboards.read')
  @RateLimited('expensive')
  @ApiOperation({
    summary: 'Timeliness of every kind of deadline, per locality, school, organisation, kind or month (JSON or CSV)',
    description:
      'Deadlines selected by dueOn in [from, to] (default: a year either side of asOf) and started by asOf, with status as of asOf ' +
      '(a deadline met or cancelled after asOf counts as open then). open = unmet and uncancelled (overdue and due soon included); ' +
      'onTimeRate = metOnTime / met (null when met = 0); median and p90 days to meet are percentile_cont of (metOn - startsOn). ' +
      'localityId, schoolId and organisationId must lie within your scope (else 404). Groups with no selected deadline are absent.',
  })
  @ApiOkResponse({ type: TimelinessDashboard })
  @ApiProduces('application/json', 'text/csv')
  @ApiProblems('validation', 'not-found')
  async timeliness(
    @CallerScope() scope: ScopeFilter,
    @Query() query: TimelinessDashboardQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendDashboard(request, reply, await this.dashboard.compute(scope, query), TIMELINESS_CSV_COLUMNS, query.format);
  }
}
