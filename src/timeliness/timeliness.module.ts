import { Global, Module } from '@nestjs/common';
import { DeadlinesService } from './deadlines.service';
import { SlaRulesService } from './sla-rules.service';
import { TimelinessController } from './timeliness.controller';
import { TimelinessService } from './timeliness.service';

/** Global: every workflow opens and closes its deadlines through TimelinessService. */
@Global()
@Module({
  controllers: [TimelinessController],
  providers: [TimelinessService, DeadlinesService, SlaRulesService],
  exports: [TimelinessService],
})
export class TimelinessModule {}
