import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { configureApp, createHttpAdapter } from './bootstrap';
import { limitHeapGrowth } from './common/heap/heap-growth';
import { ConfigError, loadConfig } from './config/app-config';
import { DatabaseEndpoint } from './database/database-endpoint';

async function main(): Promise<void> {
  const started = Date.now();
  const heapGrowth = limitHeapGrowth();
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  const app = await NestFactory.create<NestFastifyApplication>(AppModule, createHttpAdapter(config), {
    bufferLogs: true,
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  // SIGTERM/SIGINT: Fastify stops accepting connections and lets in-flight requests finish, the
  // pool closes (DatabaseEndpoint logs it), then exit 0. A shutdown that overruns SHUTDOWN_TIMEOUT_MS
  // (a request that never ends) is cut short with exit 1, so an orchestrator never waits forever.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal} received: finishing in-flight requests (at most ${config.shutdownTimeoutMs} ms)`, 'Shutdown');
      setTimeout(() => {
        logger.error(`shutdown took longer than ${config.shutdownTimeoutMs} ms: exiting without waiting further`, 'Shutdown');
        process.exit(1);
      }, config.shutdownTimeoutMs).unref();
    });
  }
  await configureApp(app);
  await app.listen({ port: config.port, host: config.host });

  const database = app.get(DatabaseEndpoint);
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const base = `http://${shownHost}:${config.port}`;
  logger.log(
    `Locality SEN is up in ${Date.now() - started} ms on ${database.description}. ` +
      `dashboard ${base}/, API ${base}/api/v1, docs ${base}/docs, health ${base}/health/ready; ` +
      `heap growth between full collections ${heapGrowth}`,
    'Bootstrap',
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`Configuration error: ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
