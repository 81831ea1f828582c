import { Module } from '@nestjs/common';
import { SupportPlansController } from './support-plans.controller';
import { SupportPlansService } from './support-plans.service';

/** SEN support cycles. AuditService, TimelinessService and Clock come from global modules. */
@Module({
  controllers: [SupportPlansController],
  providers: [SupportPlansService],
  exports: [SupportPlansService],
})
export class SupportPlansModule {}
