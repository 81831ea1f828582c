import { Body, Controller, Get, Param, Patch, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CallerScope, Can, CurrentCaller } from '../access/access.decorators';
import type { Caller } from '../access/caller';
import type { ScopeFilter } from '../access/scope-filter';
import { expectedVersion, IfMatchVersion } from '../common/concurrency/expected-version';
import { sendList } from '../common/csv/csv';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import { ProblemException } from '../common/problem/problem.exception';
import { DEADLINE_KINDS } from './deadline-kind';
import { DeadlinesService } from './deadlines.service';
import { DEADLINE_CSV_COLUMNS, DeadlinePage, DeadlineQueryDto, SlaRuleList, SlaRuleView, UpdateSlaRuleDto } from './dto/timeliness.dto';
import { SlaRulesService } from './sla-rules.service';

@ApiTags('timeliness')
@Controller()
export class TimelinessController {
  constructor(
    private readonly deadlines: DeadlinesService,
    private readonly rules: SlaRulesService,
  ) {}

  @Get('deadlines')
  @Can('deadlines.read')
  @ApiOkResponse({ type: DeadlinePage })
  @ApiProduces('application/json', 'text/csv')
  @ApiProblems('validation')
  async listDeadlines(
    @CallerScope() scope: ScopeFilter,
    @Query() query: DeadlineQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendList(request, reply, await this.deadlines.list(scope, query), DEADLINE_CSV_COLUMNS, query.format);
  }

  @Get('sla-rules')
  @Can('sla-rules.read')
  @ApiOkResponse({ type: SlaRuleList })
  listRules() {
    return this.rules.list();
  }

  @Patch('sla-rules/:kind')
  @Can('sla-rules.write')
  @ApiParam({ name: 'kind', enum: DEADLINE_KINDS })
  @ApiOkResponse({ type: SlaRuleView })
  @ApiProblems('validation', 'not-found', 'stale-version', 'invalid-transition')
  updateRule(
    @CurrentCaller() caller: Caller,
    @Param('kind') kind: string,
    @Body() dto: UpdateSlaRuleDto,
    @IfMatchVersion() ifMatch?: number,
  ) {
    if (!(DEADLINE_KINDS as readonly string[]).includes(kind)) throw ProblemException.notFound('SLA rule');
    return this.rules.update(caller, kind, expectedVersion(dto.version, ifMatch), dto);
  }
}
