import { Module } from '@nestjs/common';
import { DashboardScopeService } from './dashboard-scope.service';
import { EhcDashboardsController } from './ehc-dashboards.controller';
import { EhcDashboardsService } from './ehc-dashboards.service';
import { LocalityModelController } from './locality-model.controller';
import { LocalityModelService } from './locality-model.service';
import { OverdueWorklistController } from './overdue-worklist.controller';
import { OverdueWorklistService } from './overdue-worklist.service';
import { TimelinessDashboardController } from './timeliness-dashboard.controller';
import { TimelinessDashboardService } from './timeliness-dashboard.service';

/**
 * Managers' dashboards and worklists (issue 8): one controller and service per dashboard, sharing
 * the query parameters (dto/dashboard-query.dto.ts), the window rule (dashboard-window.ts) and
 * scope resolution (DashboardScopeService). Read-only SQL aggregates over the dated rows.
 */
@Module({
  controllers: [TimelinessDashboardController, OverdueWorklistController, EhcDashboardsController, LocalityModelController],
  providers: [DashboardScopeService, TimelinessDashboardService, OverdueWorklistService, EhcDashboardsService, LocalityModelService],
})
export class DashboardsModule {}
