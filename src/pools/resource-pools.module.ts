import { Module } from '@nestjs/common';
import { ResourcePoolsController } from './resource-pools.controller';
import { ResourcePoolsService } from './resource-pools.service';

@Module({
  controllers: [ResourcePoolsController],
  providers: [ResourcePoolsService],
  exports: [ResourcePoolsService],
})
export class ResourcePoolsModule {}
