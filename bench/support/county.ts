/**
 * What the county scripts (bench/county-explain.ts, bench/bench.ts) share: the database URL, the
 * refusal to touch a database that `npm run seed:county` did not generate, the app booted
 * in-process on it, and a TypeORM logger that captures the SQL a request sends.
 */
import 'reflect-metadata';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import { DataSource, type Logger } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureApp, createHttpAdapter } from '../../src/bootstrap';
import { APP_CONFIG, type AppConfig, loadConfig } from '../../src/config/app-config';
import { IN_MEMORY } from '../../src/database/embedded-postgres';

export const BENCH_JWT_SECRET = 'bench-secret-that-is-long-enough-0123456789abcdef';

/** The county database to use: BENCH_DATABASE_URL (or DATABASE_URL). */
export function countyDatabaseUrl(): string {
  const url = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url) throw new Error('BENCH_DATABASE_URL (a database loaded by npm run seed:county) is required');
  return url;
}

export interface CountyMarker {
  seed: number;
  scale: number;
  asOf: string;
}

/**
 * Connects to the county database, refusing one without the county_generator marker: the scripts
 * add users and rows, which must never happen to a database holding real data.
 */
export async function connectCounty(url: string): Promise<{ pg: Client; marker: CountyMarker }> {
  const pg = new Client({ connectionString: url });
  await pg.connect();
  const present = await pg.query(`SELECT to_regclass('county_generator') IS NOT NULL AS ok`);
  const rows = present.rows[0].ok ? (await pg.query(`SELECT seed, scale, as_of::text AS "asOf" FROM county_generator ORDER BY id DESC LIMIT 1`)).rows : [];
  if (rows.length === 0) {
    await pg.end();
    throw new Error('not a generated county database (no county_generator marker): refusing to add users or rows to it');
  }
  return { pg, marker: { seed: Number(rows[0].seed), scale: Number(rows[0].scale), asOf: rows[0].asOf } };
}

/** Records the SELECTs sent while `on` (issue 9 part 3: the SQL each request path sends). */
export class SqlCapture implements Logger {
  on = false;
  statements: { sql: string; parameters: unknown[] }[] = [];
  logQuery(sql: string, parameters?: unknown[]) {
    if (this.on && /^\s*(SELECT|WITH)/i.test(sql)) this.statements.push({ sql, parameters: parameters ?? [] });
  }
  logQueryError() {}
  logQuerySlow() {}
  logSchemaBuild() {}
  logMigration() {}
  log() {}
}

/** The real app, in this process, on the county database (migrations run), with its SQL captured. */
export async function bootCountyApp(url: string): Promise<{ app: NestFastifyApplication; dataSource: DataSource; capture: SqlCapture }> {
  const config: AppConfig = {
    ...loadConfig({ LOG_LEVEL: 'silent' }),
    databaseUrl: url,
    dataDir: IN_MEMORY,
    seedDemo: false,
    migrationsRun: true,
    databasePoolSize: 4,
    jwtSecret: BENCH_JWT_SECRET,
    loginRateLimitPerMinute: 100000,
    expensiveRateLimitPerMinute: 100000,
  };
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).overrideProvider(APP_CONFIG).useValue(config).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(config), { logger: false });
  await configureApp(app, { swaggerUi: false, dashboardPage: false });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const dataSource = app.get(DataSource);
  const capture = new SqlCapture();
  (dataSource as unknown as { logger: Logger }).logger = capture;
  return { app, dataSource, capture };
}
