import { Module } from '@nestjs/common';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { LocalitiesModule } from './localities/localities.module';
import { LoggingModule } from './logging/logging.module';
import { ProvidersModule } from './providers/providers.module';
import { SeedModule } from './seed/seed.module';

@Module({
  imports: [ConfigModule, LoggingModule, DatabaseModule, HealthModule, LocalitiesModule, ProvidersModule, SeedModule],
})
export class AppModule {}
