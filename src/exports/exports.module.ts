import { Module } from '@nestjs/common';
import { Sen2ExportController } from './sen2-export.controller';
import { Sen2ExportService } from './sen2-export.service';

/** Statutory returns (issue 8): the SEN2 person-level CSV, one module at a time. */
@Module({ controllers: [Sen2ExportController], providers: [Sen2ExportService] })
export class ExportsModule {}
