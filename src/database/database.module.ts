import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source';
import { DatabaseEndpoint } from './database-endpoint';

@Global()
@Module({ providers: [DatabaseEndpoint], exports: [DatabaseEndpoint] })
class DatabaseEndpointModule {}

/** The DataSource, on the configured PostgreSQL or an embedded one; migrations at start. */
@Module({
  imports: [
    DatabaseEndpointModule,
    TypeOrmModule.forRootAsync({
      inject: [DatabaseEndpoint, APP_CONFIG],
      useFactory: async (endpoint: DatabaseEndpoint, config: AppConfig) => {
        await endpoint.connect();
        return dataSourceOptions({
          url: endpoint.url,
          // The embedded database has ONE session for all connections (STACK.md): statements of
          // concurrent requests on several connections would interleave inside each other's
          // transactions. One pooled connection queues them instead, as the session would anyway.
          poolSize: endpoint.isEmbedded ? 1 : config.databasePoolSize,
          timeoutMs: config.databaseTimeoutMs,
          migrationsRun: config.migrationsRun,
        });
      },
    }),
  ],
})
export class DatabaseModule {}
