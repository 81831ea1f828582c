import { Module } from '@nestjs/common';
import { AllocationChangesController } from './allocation-changes.controller';
import { AllocationChangesService } from './allocation-changes.service';
import { DecisionsController } from './decisions.controller';
import { DecisionsService } from './decisions.service';
import { PanelMeetingsController } from './panel-meetings.controller';
import { PanelMeetingsService } from './panel-meetings.service';

/** Locality panels: meetings and agendas, decisions on support requests, and the panel's allocation changes. */
@Module({
  controllers: [PanelMeetingsController, DecisionsController, AllocationChangesController],
  providers: [PanelMeetingsService, DecisionsService, AllocationChangesService],
})
export class PanelsModule {}
