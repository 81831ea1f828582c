import { Module } from '@nestjs/common';
import { CatalogueServicesController } from './catalogue-services.controller';
import { CatalogueServicesService } from './catalogue-services.service';
import { OrganisationsController } from './organisations.controller';
import { OrganisationsService } from './organisations.service';

@Module({
  controllers: [OrganisationsController, CatalogueServicesController],
  providers: [OrganisationsService, CatalogueServicesService],
  exports: [OrganisationsService, CatalogueServicesService],
})
export class ProvidersModule {}
