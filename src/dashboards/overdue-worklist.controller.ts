import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CallerScope, Can } from '../access/access.decorators';
import type { ScopeFilter } from '../access/scope-filter';
import { sendList } from '../common/csv/csv';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import { RateLimited } from '../common/rate-limit/rate-limited.decorator';
import { OverdueWorklistQueryDto, WORKLIST_CSV_COLUMNS, WorklistPage } from './dto/overdue-worklist.dto';
import { OverdueWorklistService } from './overdue-worklist.service';

@ApiTags('dashboards')
@Controller('dashboards')
export class OverdueWorklistController {
  constructor(private readonly worklist: OverdueWorklistService) {}

  @Get('overdue')
  @Can('dashboards.read')
  @RateLimited('expensive')
  @ApiOperation({
    summary: 'Overdue and due-soon deadlines of every kind in your scope, longest overdue first (JSON or CSV)',
    description:
      'Status as of asOf (default today): a deadline met or cancelled after asOf was still open then; one that started after asOf ' +
      'did not exist yet. subjectType + subjectId link to the case. Keyset paginated (limit, cursor); sort -daysOverdue (default), ' +
      'daysOverdue, dueOn or -dueOn. localityId, schoolId and organisationId must lie within your scope (else 404). ' +
      'CSV (Accept: text/csv or ?format=csv) carries the next cursor in X-Next-Cursor.',
  })
  @ApiOkResponse({ type: WorklistPage })
  @ApiProduces('application/json', 'text/csv')
  @ApiProblems('validation', 'not-found')
  async overdue(
    @CallerScope() scope: ScopeFilter,
    @Query() query: OverdueWorklistQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendList(request, reply, await this.worklist.list(scope, query), WORKLIST_CSV_COLUMNS, query.format);
  }
}
