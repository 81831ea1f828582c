import { Module } from '@nestjs/common';
import { AdviceRequestsController, EhcAssessmentsController } from './ehc-assessments.controller';
import { EhcAssessmentsService } from './ehc-assessments.service';
import { AnnualReviewsController, EhcPlansController } from './ehc-plans.controller';
import { EhcPlansService } from './ehc-plans.service';
import { PhaseTransfersService } from './phase-transfers.service';

/** EHC needs assessments, advice requests, exceptions and appeals; EHC plans and annual reviews. Audit, timeliness, clock and config come from global modules. */
@Module({
  controllers: [EhcAssessmentsController, AdviceRequestsController, EhcPlansController, AnnualReviewsController],
  providers: [EhcAssessmentsService, EhcPlansService, PhaseTransfersService],
  exports: [EhcAssessmentsService, EhcPlansService, PhaseTransfersService],
})
export class EhcModule {}
