import { Module } from '@nestjs/common';
import { AdviceRequestsController, EhcAssessmentsController } from './ehc-assessments.controller';
import { EhcAssessmentsService } from './ehc-assessments.service';

/** EHC needs assessments, advice requests, exceptions and appeals. Audit, timeliness, clock and config come from global modules. */
@Module({
  controllers: [EhcAssessmentsController, AdviceRequestsController],
  providers: [EhcAssessmentsService],
  exports: [EhcAssessmentsService],
})
export class EhcModule {}
