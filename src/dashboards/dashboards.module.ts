import { Module } from '@nestjs/common';
import { DashboardScopeService } from './dashboard-scope.service';
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
  controllers: [TimelinessDashboardController, OverdueWorklistController],
  providers: [DashboardScopeService, TimelinessDashboardService, OverdueWorklistService],
})
export class DashboardsModule {}
