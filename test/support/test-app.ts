import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureApp, createHttpAdapter } from '../../src/bootstrap';
import { APP_CONFIG, type AppConfig, loadConfig } from '../../src/config/app-config';
import { IN_MEMORY } from '../../src/database/embedded-postgres';
import { createIsolatedDatabase, type IsolatedDatabase } from './test-database';

export interface TestApp {
  app: NestFastifyApplication;
  dataSource: DataSource;
  config: AppConfig;
  /** supertest agent on the app's HTTP server. */
  http: () => ReturnType<typeof request>;
  close(): Promise<void>;
}

/**
 * Boots the real AppModule on a fresh database: a new PostgreSQL database when
 * TEST_DATABASE_URL/DATABASE_URL is set, else an in-memory embedded one. Migrations run at start.
 * With `databaseUrl` in the overrides it uses that database instead (and close() leaves it).
 */
export async function createTestApp(overrides: Partial<AppConfig> = {}): Promise<TestApp> {
  const database: IsolatedDatabase = overrides.databaseUrl ? { url: overrides.databaseUrl, drop: async () => undefined } : await createIsolatedDatabase();
  const config: AppConfig = {
    ...loadConfig({ LOG_LEVEL: 'silent' }),
    databaseUrl: database.url,
    dataDir: IN_MEMORY,
    seedDemo: false,
    migrationsRun: true,
    databasePoolSize: 4,
    jwtSecret: 'e2e-test-secret-that-is-long-enough-0123456789',
    loginRateLimitPerMinute: 1000,
    expensiveRateLimitPerMinute: 1000,
    ...overrides,
  };
  try {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(APP_CONFIG)
      .useValue(config)
      .compile();
    const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(config), { logger: false });
    await configureApp(app, { swaggerUi: false, dashboardPage: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    const dataSource = app.get(DataSource);
    return {
      app,
      dataSource,
      config,
      http: () => request(app.getHttpServer()),
      close: async () => {
        await app.close();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}
