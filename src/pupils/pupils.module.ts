import { Module } from '@nestjs/common';
import { PupilsController } from './pupils.controller';
import { PupilsService } from './pupils.service';

/** The SEN register: pupils, their needs and dated history, transfers, leaving and access logs. */
@Module({
  controllers: [PupilsController],
  providers: [PupilsService],
  exports: [PupilsService],
})
export class PupilsModule {}
