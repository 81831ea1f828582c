import { Module } from '@nestjs/common';
import { ConfigModule } from './config/config.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { LocalitiesModule } from './localities/localities.module';
import { LoggingModule } from './logging/logging.module';
import { ProvidersModule } from './providers/providers.module';
import { SeedModule } from './seed/seed.module';
import { UsersModule } from './users/users.module';

@Module({
  imports: [
    ConfigModule,
    LoggingModule,
    DatabaseModule,
    AuditModule,
    AuthModule,
    HealthModule,
    UsersModule,
    LocalitiesModule,
    ProvidersModule,
    SeedModule,
  ],
})
export class AppModule {}
