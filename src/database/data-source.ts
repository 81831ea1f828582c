import { types } from 'pg';
import { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';
import { SnakeNamingStrategy } from './snake-naming.strategy';

// Dates are dates (ARCHITECTURE.md idea 4): a PostgreSQL `date` stays 'YYYY-MM-DD', never a
// JS Date at some time zone's midnight. Bigint counts become JSON numbers (API.md).
const DATE_OID = 1082;
const INT8_OID = 20;
types.setTypeParser(DATE_OID, (value: string) => value);
types.setTypeParser(INT8_OID, (value: string) => Number(value));

export interface DataSourceSettings {
  url: string;
  /**
   * Read replicas. When given, TypeORM's replication setting opens a pool per server; every query
   * still goes to the primary (defaultMode 'master') unless it runs on a query runner asked for
   * with mode 'slave', which only readOnReplica (read-replica.ts) does. The pool size is per server.
   */
  readUrls?: string[];
  poolSize?: number;
  /** How long to wait for a connection or a statement before failing (ms). */
  timeoutMs?: number;
  migrationsRun?: boolean;
}

/**
 * The one TypeORM DataSource definition: the app (database.module.ts), the TypeORM CLI
 * (cli.data-source.ts) and the tests all build their DataSource from this function.
 * The schema comes only from the listed migrations; synchronize stays off.
 */
export function dataSourceOptions(settings: DataSourceSettings): DataSourceOptions {
  const timeoutMs = settings.timeoutMs ?? 5000;
  const readUrls = settings.readUrls ?? [];
  return {
    type: 'postgres',
    ...(readUrls.length > 0
      ? { replication: { master: { url: settings.url }, slaves: readUrls.map((url) => ({ url })), defaultMode: 'master' as const } }
      : { url: settings.url }),
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migration',
    migrationsTransactionMode: 'each',
    migrationsRun: settings.migrationsRun ?? false,
    synchronize: false,
    // gen_random_uuid() is built in (PostgreSQL 13+); the schema comes only from migrations.
    installExtensions: false,
    namingStrategy: new SnakeNamingStrategy(),
    poolSize: settings.poolSize ?? 10,
    extra: {
      connectionTimeoutMillis: timeoutMs,
      // Bounds a request's wait on a dead or stuck database; long jobs set their own.
      query_timeout: timeoutMs * 6,
      application_name: 'locality-sen',
      // No JIT compilation: PostgreSQL compiles a query once its estimated cost passes jit_above_cost,
      // and the dashboards' per-row subqueries pass it at county scale; compiling took 2.4-2.8 s of
      // a 5 s locality-model dashboard at N = 1 (bench/EXPLAIN-N1.md) for queries that run in
      // milliseconds to a few hundred. Short queries gain nothing from JIT; these lose seconds.
      options: '-c jit=off',
    },
  };
}
