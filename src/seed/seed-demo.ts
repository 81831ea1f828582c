import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { ConfigError, loadConfig } from '../config/app-config';
import { DatabaseEndpoint } from '../database/database-endpoint';
import { DemoSeedService } from './demo-seed.service';

/** `npm run seed:demo`: adds the demo data to DATABASE_URL, or to the embedded database in DATA_DIR. */
async function main(): Promise<void> {
  try {
    loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  process.env.SEED_DEMO = 'false'; // this command seeds explicitly below
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
  try {
    const added = await app.get(DemoSeedService).seed();
    process.stdout.write(`Demo data on ${app.get(DatabaseEndpoint).description}: added ${JSON.stringify(added)}\n`);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`Seeding failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
