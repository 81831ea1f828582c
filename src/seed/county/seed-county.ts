/**
 * npm run seed:county -- --scale N [--seed S] [--as-of YYYY-MM-DD] [--database-url URL]
 *
 * Runs the migrations, then writes a generated county (county-generator.ts) into the database at
 * --database-url or DATABASE_URL (a real PostgreSQL). Prints one line per table with rows and
 * rows per second, and the total.
 */
import 'reflect-metadata';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { todayInLondon } from '../../common/dates/calendar-date';
import { dataSourceOptions } from '../../database/data-source';
import { CountyGenerator, CountyGeneratorRefused, type CountyOptions, type StepResult } from './county-generator';

export interface CountyRunResult {
  steps: StepResult[];
  totalRows: number;
  totalMs: number;
}

export function parseArgs(argv: string[]): CountyOptions & { url?: string } {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    if (i >= 0) return argv[i + 1];
    const eq = argv.find((a) => a.startsWith(`--${name}=`));
    return eq?.slice(name.length + 3);
  };
  const scale = Number(get('scale') ?? '1');
  const seed = Number(get('seed') ?? '1');
  const asOf = get('as-of') ?? todayInLondon();
  if (!(scale > 0 && scale <= 50)) throw new Error('--scale must be a number in (0, 50]');
  if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new Error('--as-of must be YYYY-MM-DD');
  return { scale, seed, asOf, url: get('database-url') ?? process.env.DATABASE_URL };
}

/** Migrates, then generates; the caller prints. */
export async function seedCounty(url: string, opts: CountyOptions, log: (line: string) => void = () => undefined): Promise<CountyRunResult> {
  const ds = new DataSource(dataSourceOptions({ url, poolSize: 1, timeoutMs: 600_000 }));
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await ds.destroy();
  }
  const client = new Client({ connectionString: url });
  await client.connect();
  const steps: StepResult[] = [];
  const started = Date.now();
  try {
    await client.query(`SET statement_timeout = 0`);
    await new CountyGenerator(client, opts, (s) => {
      steps.push(s);
      const rate = s.ms > 0 ? Math.round((s.rows * 1000) / s.ms) : s.rows;
      log(`${s.table.padEnd(30)} ${String(s.rows).padStart(9)} rows ${String(s.ms).padStart(7)} ms ${String(rate).padStart(9)} rows/s`);
    }).run();
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
  const totalRows = steps.filter((s) => !/ledger|units_used/.test(s.table)).reduce((n, s) => n + s.rows, 0);
  return { steps, totalRows, totalMs: Date.now() - started };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (!opts.url) throw new Error('seed:county needs a real PostgreSQL: --database-url URL or DATABASE_URL');
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(`county generator: scale ${opts.scale}, seed ${opts.seed}, as of ${opts.asOf}`);
  const res = await seedCounty(opts.url, opts, log);
  log(`total: ${res.totalRows} rows in ${(res.totalMs / 1000).toFixed(1)} s (${Math.round((res.totalRows * 1000) / res.totalMs)} rows/s)`);
}

if (typeof require !== 'undefined' && require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof CountyGeneratorRefused ? 'refused: ' : ''}${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
