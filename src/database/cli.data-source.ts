import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source';

/** Entry point for the TypeORM CLI (npm run migration:*); needs DATABASE_URL. */
const config = loadConfig(process.env);
if (!config.databaseUrl) {
  throw new Error('DATABASE_URL must be set to run migrations from the command line (the embedded database migrates itself at start)');
}
export default new DataSource(dataSourceOptions({ url: config.databaseUrl, poolSize: 2 }));
