import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CallerScope, Can } from '../access/access.decorators';
import type { ScopeFilter } from '../access/scope-filter';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import { sendDashboard } from './dashboard-response';
import { LOCALITY_MODEL_CSV_COLUMNS, LocalityModelDashboard, LocalityModelQueryDto } from './dto/locality-model.dto';
import { LocalityModelService } from './locality-model.service';
import { RateLimited } from '../common/rate-limit/rate-limited.decorator';

@ApiTags('dashboards')
@Controller('dashboards')
export class LocalityModelController {
  constructor(private readonly dashboard: LocalityModelService) {}

  @Get('locality-model')
  @Can('dashboards.read')
  @RateLimited('expensive')
  @ApiOperation({
    summary: 'The locality model: request to panel decision, allocation to acceptance and first session, units allocated and used (JSON or CSV)',
    description:
      'Two selections over the window (default: a year either side of asOf): support requests by submittedOn in [from, to] and allocations ' +
      'by offeredOn in [from, to], both on or before asOf; figures as they stood on asOf (decisions, acceptances and sessions dated later ' +
      'had not happened). Days to decision = first panel decision other than deferral - submittedOn; days to acceptance = acceptedOn - ' +
      'offeredOn; days to first session = first attended session - offeredOn; medians are percentile_cont(0.5). unitsAllocated counts an ' +
      'allocation declined or cancelled by asOf at the units it used; unitsUsed sums sessions delivered by asOf; utilisation = used / ' +
      'allocated (null when 0). groupBy=organisation gives per-provider figures; groupBy=month the trend. localityId, schoolId and ' +
      'organisationId must lie within your scope (else 404). Groups with no selected record are absent.',
  })
  @ApiOkResponse({ type: LocalityModelDashboard })
  @ApiProduces('application/json', 'text/csv')
  @ApiProblems('validation', 'not-found')
  async localityModel(
    @CallerScope() scope: ScopeFilter,
    @Query() query: LocalityModelQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendDashboard(request, reply, await this.dashboard.compute(scope, query), LOCALITY_MODEL_CSV_COLUMNS, query.format);
  }
}
