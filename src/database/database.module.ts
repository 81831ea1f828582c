import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source';
import { DatabaseEndpoint } from './database-endpoint';
import { runMigrationsExclusively } from './migrate';

@Global()
@Module({ providers: [DatabaseEndpoint], exports: [DatabaseEndpoint] })
class DatabaseEndpointModule {}

/**
 * The DataSource, on the configured PostgreSQL (with its read replicas, if any) or an embedded one;
 * migrations at start, one instance at a time (migrate.ts).
 */
@Module({
  imports: [
    DatabaseEndpointModule,
    TypeOrmModule.forRootAsync({
      inject: [DatabaseEndpoint, APP_CONFIG],
      useFactory: async (endpoint: DatabaseEndpoint, config: AppConfig) => {
        await endpoint.connect();
        return dataSourceOptions({
          url: endpoint.url,
          readUrls: config.databaseReadUrls,
          // The embedded database has ONE session for all connections (STACK.md): statements of
          // concurrent requests on several connections would interleave inside each other's
          // transactions. One pooled connection queues them instead, as the session would anyway.
          poolSize: endpoint.isEmbedded ? 1 : config.databasePoolSize,
          timeoutMs: config.databaseTimeoutMs,
          migrationsRun: config.migrationsRun,
        });
      },
      // TypeORM's own migrationsRun has no lock: the migrations run here instead, under one.
      dataSourceFactory: async (options?: DataSourceOptions) => {
        const dataSource = await new DataSource({ ...options!, migrationsRun: false }).initialize();
        try {
          if (options!.migrationsRun) await runMigrationsExclusively(dataSource);
        } catch (error) {
          await dataSource.destroy(); // Nest retries with a new DataSource: do not leak this pool
          throw error;
        }
        return dataSource;
      },
    }),
  ],
})
export class DatabaseModule {}
