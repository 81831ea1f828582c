import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CallerScope, Can } from '../access/access.decorators';
import type { ScopeFilter } from '../access/scope-filter';
import { ApiProblems } from '../common/problem/api-problem-responses.decorator';
import { Sen2ExportQueryDto } from './dto/sen2-export.dto';
import { Sen2ExportService } from './sen2-export.service';
import { RateLimited } from '../common/rate-limit/rate-limited.decorator';

@ApiTags('exports')
@Controller('exports')
export class Sen2ExportController {
  constructor(private readonly exports: Sen2ExportService) {}

  @Get('sen2')
  @Can('exports.sen2')
  @RateLimited('expensive')
  @ApiOperation({
    summary: 'One module of the SEN2 person-level return for a calendar year, as CSV in DfE’s field order (README "SEN2 export")',
    description:
      'requests: EHC requests received in the year; assessments: assessments under way at some point in the year; named-plans: plans ' +
      'issued or ceased in the year; active-plans: plans maintained at some point in the year, with the year’s latest annual review and ' +
      'phase transfer; placements: the named setting (URN) of active plans; needs: the needs active plans name, ranked. Every row starts ' +
      'LEA (886), Surname, Forename, PersonBirthDate, UPN; columns in the SEN2 guide’s item order; dates YYYY-MM-DD; flags 1/0 (SEN2 ' +
      'booleans). Rows of the pupils in your scope (by their current school). MANAGER and CASEWORKER only.',
  })
  @ApiOkResponse({
    description: 'text/csv, header row = the module’s SEN2 item names',
    schema: {
      type: 'string',
      example:
        'LEA,Surname,Forename,PersonBirthDate,UPN,ReceivedDate,RequestSource,RequestOutcomeDate,RequestOutcome,RequestMediation,RequestTribunal\r\n' +
        '886,Smith,Sam,2015-04-01,J886123425001,2025-02-03,1,2025-03-10,A,0,0\r\n',
    },
  })
  @ApiProduces('text/csv')
  @ApiProblems('validation')
  async sen2(@CallerScope() scope: ScopeFilter, @Query() query: Sen2ExportQueryDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const csv = await this.exports.csv(scope, query.year, query.module);
    void reply.header('content-type', 'text/csv; charset=utf-8');
    void reply.header('content-disposition', `attachment; filename="sen2-${query.year}-${query.module}.csv"`);
    return csv;
  }
}
