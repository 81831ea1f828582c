import { Module } from '@nestjs/common';
import { LocalitiesController } from './localities.controller';
import { LocalitiesService } from './localities.service';
import { SchoolsController } from './schools.controller';
import { SchoolsService } from './schools.service';

@Module({
  controllers: [LocalitiesController, SchoolsController],
  providers: [LocalitiesService, SchoolsService],
  exports: [LocalitiesService, SchoolsService],
})
export class LocalitiesModule {}
