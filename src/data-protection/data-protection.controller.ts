import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CallerScope, Can, CurrentCaller } from '../access/access.decorators';
import type { Caller } from '../access/caller';
import type { ScopeFilter } from '../access/scope-filter';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import { RateLimited } from '../common/rate-limit/rate-limited.decorator';
import { UuidPipe } from '../common/validation/uuid.pipe';
import { DataProtectionService } from './data-protection.service';
import { ErasureDto, ErasureResult, SubjectAccessExport } from './dto/erasure.dto';

@ApiTags('data protection')
@Controller('pupils')
export class DataProtectionController {
  constructor(private readonly dataProtection: DataProtectionService) {}

  @Get(':id/subject-access-export')
  @Can('pupils.subject-access-export')
  @RateLimited('expensive')
  @ApiOperation({
    summary: 'Everything held about one pupil, as one JSON document (subject access request)',
    description:
      'The pupil record and history, support plans and reviews, support requests and panel decisions (reasons included), ' +
      'allocations and sessions (notes included), EHC assessments, advice requests, plans, exceptions, appeals, annual ' +
      'reviews, deadlines and the access log. ADMIN only. Audited, and counts as a read of the record.',
  })
  @ApiOkResponse({ type: SubjectAccessExport })
  @ApiProblems('validation', 'not-found')
  async subjectAccessExport(@CurrentCaller() caller: Caller, @CallerScope() scope: ScopeFilter, @Param('id', UuidPipe) id: string) {
    return this.dataProtection.subjectAccessExport(caller, scope, id);
  }

  @Post(':id/erasure')
  @HttpCode(200)
  @Can('pupils.erasure')
  @ApiOperation({
    summary: 'Anonymise a pupil (erasure), keeping what the statutory returns count',
    description:
      'Names become ERASED, the UPN a unique placeholder (LA 999, temporary form), the date of birth the 1st of its month; ' +
      'every free-text field about the child (plan outcomes and provision, request and decision reasons, session notes, ' +
      'outcome summaries, exception notes) becomes ERASED. School, SEN status, needs, year group, dates and deadlines are ' +
      'kept, so SEN2 counts and dashboards do not change. The pupil leaves name search. ADMIN only; audited without ' +
      'personal data. A second erasure is 409 invalid-transition (nothing written).',
  })
  @ApiOkResponse({ type: ErasureResult })
  @ApiProblems('validation', 'not-found', 'invalid-transition')
  async erase(
    @CurrentCaller() caller: Caller,
    @CallerScope() scope: ScopeFilter,
    @Param('id', UuidPipe) id: string,
    @Body() dto: ErasureDto,
  ): Promise<ErasureResult> {
    return this.dataProtection.erase(caller, scope, id, dto);
  }
}
