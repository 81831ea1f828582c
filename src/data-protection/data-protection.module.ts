import { Module } from '@nestjs/common';
import { DataProtectionController } from './data-protection.controller';
import { DataProtectionService } from './data-protection.service';

/** Subject access export and erasure for one pupil (ADMIN, audited). */
@Module({
  controllers: [DataProtectionController],
  providers: [DataProtectionService],
})
export class DataProtectionModule {}
