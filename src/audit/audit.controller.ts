import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Can, CallerScope, CurrentCaller } from '../access/access.decorators';
import type { Caller } from '../access/caller';
import type { ScopeFilter } from '../access/scope-filter';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import { AuditService } from './audit.service';
import { AuditEventPage, AuditQueryDto } from './dto/audit-event.dto';

@ApiTags('audit')
@Controller('audit-events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Can('audit.read')
  @ApiOkResponse({ type: AuditEventPage })
  @ApiProblems('validation')
  list(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Query() query: AuditQueryDto) {
    return this.audit.list(caller, scope, query);
  }
}
