import { Module } from '@nestjs/common';
import { ClockModule } from './common/clock/clock.module';
import { ConfigModule } from './config/config.module';
import { AllocationsModule } from './allocations/allocations.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { DashboardsModule } from './dashboards/dashboards.module';
import { ExportsModule } from './exports/exports.module';
import { DataProtectionModule } from './data-protection/data-protection.module';
import { DatabaseModule } from './database/database.module';
import { EhcModule } from './ehc/ehc.module';
import { HealthModule } from './health/health.module';
import { ImportsModule } from './imports/imports.module';
import { LocalitiesModule } from './localities/localities.module';
import { LoggingModule } from './logging/logging.module';
import { PanelsModule } from './panels/panels.module';
import { ResourcePoolsModule } from './pools/resource-pools.module';
import { ProvidersModule } from './providers/providers.module';
import { PupilsModule } from './pupils/pupils.module';
import { SeedModule } from './seed/seed.module';
import { SupportPlansModule } from './support-plans/support-plans.module';
import { SupportRequestsModule } from './support-requests/support-requests.module';
import { TimelinessModule } from './timeliness/timeliness.module';
import { UsersModule } from './users/users.module';

@Module({
  imports: [
    ConfigModule,
    ClockModule,
    LoggingModule,
    DatabaseModule,
    AuditModule,
    AuthModule,
    HealthModule,
    TimelinessModule,
    UsersModule,
    LocalitiesModule,
    ProvidersModule,
    PupilsModule,
    SupportPlansModule,
    SupportRequestsModule,
    ResourcePoolsModule,
    PanelsModule,
    AllocationsModule,
    DashboardsModule,
    ExportsModule,
    EhcModule,
    SeedModule,
    ImportsModule,
    DataProtectionModule,
  ],
})
export class AppModule {}
