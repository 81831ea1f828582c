/**
 * Benchmark of the dashboard queries over the `deadline` table (issue 8, "fast at county scale").
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
 *     npx ts-node --transpile-only bench/dashboard-timeliness.ts [rows ...]   (default: 200000 1000000)
 *
 * For each size: creates a fresh database, runs the migrations, writes a Kent-sized county (53
 * localities, 600 schools, 20 provider organisations) and N synthetic deadlines over three years
 * with generate_series, ANALYZEs, then runs each dashboard query through the real services (the
 * SQL the app sends) and prints, per query, the wall time through the service and PostgreSQL's
 * EXPLAIN ANALYZE execution time (median of the runs) and the plan's scans of deadline. The
 * database is dropped afterwards (kept with BENCH_KEEP=1, to try plans by hand; BENCH_SQL=1
 * prints each query; BENCH_WITHOUT_INDEXES=1 drops the dashboard indexes first, for comparison). A script, not a timed test (ARCHITECTURE.md "Tests").
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, type Logger } from 'typeorm';
import type { ScopeFilter } from '../src/access/scope-filter';
import { FixedClock } from '../src/common/clock/clock';
import { addYears, todayInLondon } from '../src/common/dates/calendar-date';
import type { AppConfig } from '../src/config/app-config';
import { DashboardScopeService } from '../src/dashboards/dashboard-scope.service';
import { OverdueWorklistService } from '../src/dashboards/overdue-worklist.service';
import { TimelinessDashboardService } from '../src/dashboards/timeliness-dashboard.service';
import type { OverdueWorklistQueryDto } from '../src/dashboards/dto/overdue-worklist.dto';
import type { TimelinessDashboardQueryDto } from '../src/dashboards/dto/timeliness-dashboard.dto';
import { dataSourceOptions } from '../src/database/data-source';

const RUNS = 5;

/** Keeps the last SELECT over deadline the services sent, to EXPLAIN it as sent. */
class CapturingLogger implements Logger {
  last: { sql: string; parameters: unknown[] } | undefined;
  logQuery(sql: string, parameters?: unknown[]) {
    if (/^SELECT/i.test(sql) && /FROM "?deadline"?/i.test(sql)) this.last = { sql, parameters: parameters ?? [] };
  }
  logQueryError() {}
  logQuerySlow() {}
  logSchemaBuild() {}
  logMigration() {}
  log() {}
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function seed(db: DataSource, rows: number, today: string): Promise<void> {
  await db.query(`
    INSERT INTO locality (code, name, area, district)
    SELECT 'L' || i, 'Locality ' || i, (ARRAY['North', 'South', 'East', 'West'])[1 + i % 4], 'District ' || (i % 12)
    FROM generate_series(1, 53) i`);
  await db.query(`
    INSERT INTO school (urn, name, phase, kind, locality_id)
    SELECT (100000 + i)::text, 'School ' || i, 'PRIMARY', 'MAINSTREAM', l.id
    FROM generate_series(1, 600) i
    JOIN (SELECT id, row_number() OVER (ORDER BY code) - 1 AS n FROM locality) l ON l.n = i % 53`);
  await db.query(`INSERT INTO organisation (name, kind) SELECT 'Provider ' || i, 'NHS' FROM generate_series(1, 20) i`);
  // Three years of deadlines of every kind: 85% met (about 60% on time), 10% cancelled, 5%
  // stragglers (met late if over a year old, else still open); recent ones mostly still open.
  await db.query(
    `
    WITH s AS (SELECT id, locality_id, row_number() OVER (ORDER BY urn) - 1 AS n FROM school),
         o AS (SELECT id, row_number() OVER (ORDER BY name) - 1 AS n FROM organisation),
         k AS (SELECT kind, row_number() OVER (ORDER BY kind) - 1 AS n FROM sla_rule),
         g AS (
           SELECT i, fate, r2, starts_on, span, (span * (0.3 + speed))::int AS met_days
           FROM (SELECT i, random() AS fate, random() AS speed, random() AS r2,
                        ($2::date - 1095 + (random() * 1095)::int) AS starts_on, 7 + (random() * 133)::int AS span
                 FROM generate_series(1, $1::int) i) x)
    INSERT INTO deadline (kind, subject_type, subject_id, school_id, locality_id, organisation_id, starts_on, due_on, met_on, cancelled_on, excepted, exception_reason)
    SELECT k.kind, 'SUPPORT_REQUEST', gen_random_uuid(), s.id, s.locality_id, CASE WHEN g.r2 < 0.3 THEN o.id END,
           g.starts_on, g.starts_on + g.span,
           CASE WHEN g.fate < 0.85 AND g.starts_on + g.met_days < $2::date THEN g.starts_on + g.met_days
                -- the stragglers of over a year ago were met late in the end
                WHEN g.fate >= 0.95 AND g.starts_on < $2::date - 365 THEN g.starts_on + g.span + 20 END,
           CASE WHEN g.fate >= 0.85 AND g.fate < 0.95 AND g.starts_on + 10 < $2::date THEN g.starts_on + 10 END,
           g.r2 > 0.97, CASE WHEN g.r2 > 0.97 THEN 'SCHOOL_CLOSURE' END
    FROM g
    JOIN s ON s.n = g.i % 600
    JOIN o ON o.n = g.i % 20
    JOIN k ON k.n = g.i % 13`,
    [rows, today],
  );
  await db.query('ANALYZE');
}

interface Case {
  name: string;
  run: () => Promise<unknown>;
}

async function measure(db: DataSource, logger: CapturingLogger, c: Case) {
  const wall: number[] = [];
  const exec: number[] = [];
  let topNode = '';
  let rowsOut = 0;
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    const result = (await c.run()) as { data: unknown[] };
    wall.push(Number(process.hrtime.bigint() - started) / 1e6);
    rowsOut = result.data.length;
    const { sql, parameters } = logger.last!;
    if (process.env.BENCH_SQL && i === 0) console.log(sql, JSON.stringify(parameters));
    const [plan] = (await db.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, parameters))[0]['QUERY PLAN'];
    exec.push(plan['Execution Time']);
    const nodes: string[] = [];
    const walk = (node: Record<string, unknown>) => {
      const label = `${node['Node Type']}${node['Index Name'] ? ` ${node['Index Name']}` : ''}${node['Relation Name'] && !node['Index Name'] ? ` ${node['Relation Name']}` : ''}`;
      if (/Scan/.test(label) && /deadline|Seq Scan deadline/.test(label)) nodes.push(label);
      for (const child of (node.Plans as Record<string, unknown>[]) ?? []) walk(child);
    };
    walk(plan.Plan);
    topNode = nodes.join(', ');
  }
  return { name: c.name, wallMs: median(wall), execMs: median(exec), rows: rowsOut, scan: topNode };
}

async function bench(server: string, rows: number): Promise<void> {
  const name = `sen_bench_${randomBytes(4).toString('hex')}`;
  await withClient(server, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(server);
  url.pathname = `/${name}`;
  const logger = new CapturingLogger();
  const db = new DataSource({ ...dataSourceOptions({ url: url.toString(), migrationsRun: true, timeoutMs: 120_000 }), logging: ['query'], logger } as never);
  try {
    await db.initialize();
    if (process.env.BENCH_WITHOUT_INDEXES) {
      // The plans before migration DashboardIndexes1764410000000, for comparison.
      for (const index of ['deadline_open_due_idx', 'deadline_met_idx', 'deadline_cancelled_idx']) await db.query(`DROP INDEX ${index}`);
      console.log('without the dashboard indexes (BENCH_WITHOUT_INDEXES)');
    }
    const today = todayInLondon();
    const loadStarted = Date.now();
    await seed(db, rows, today);
    const [{ count, size }] = await db.query(`SELECT count(*)::int AS count, pg_size_pretty(pg_total_relation_size('deadline')) AS size FROM deadline`);
    console.log(`\n${count} deadlines (${size} with indexes), loaded in ${((Date.now() - loadStarted) / 1000).toFixed(1)} s`);

    const config = { dueSoonDays: 14 } as AppConfig;
    const clock = new FixedClock(new Date());
    const scopes = new DashboardScopeService();
    const timeliness = new TimelinessDashboardService(db, scopes, clock, config);
    const worklist = new OverdueWorklistService(db, scopes, clock, config);
    const [{ id: localityId }] = await db.query(`SELECT id FROM locality ORDER BY code LIMIT 1`);
    const [{ id: schoolId }] = await db.query(`SELECT id FROM school WHERE locality_id = $1 LIMIT 1`, [localityId]);
    const county: ScopeFilter = {};
    const locality: ScopeFilter = { localityId };
    const area: ScopeFilter = { area: 'North' };
    const yearAgo = addYears(today, -1);
    const t = (scope: ScopeFilter, query: Partial<TimelinessDashboardQueryDto>) => () => timeliness.compute(scope, query as TimelinessDashboardQueryDto);
    const w = (scope: ScopeFilter, query: Partial<OverdueWorklistQueryDto>) => () => worklist.list(scope, query as OverdueWorklistQueryDto);
    const page1 = await worklist.list(county, { limit: 50 } as OverdueWorklistQueryDto);

    const cases: Case[] = [
      {
        // Not a dashboard: what merely counting the default window's rows costs on this machine,
        // to read the figures below against (a shared or slow server inflates them all alike).
        name: 'baseline: count(*) of the default window',
        run: async () => ({
          data: await db.query(`SELECT count(*) FROM deadline WHERE starts_on <= $1 AND due_on BETWEEN $2 AND $3`, [today, addYears(today, -1), addYears(today, 1)]),
        }),
      },
      { name: 'timeliness county groupBy=locality (default window)', run: t(county, { groupBy: 'locality' }) },
      { name: 'timeliness county groupBy=school', run: t(county, { groupBy: 'school' }) },
      { name: 'timeliness county groupBy=month asOf a year ago', run: t(county, { groupBy: 'month', asOf: yearAgo }) },
      { name: 'timeliness county groupBy=kind, 3-year window', run: t(county, { groupBy: 'kind', from: addYears(today, -3), to: today }) },
      { name: 'timeliness area groupBy=organisation', run: t(area, { groupBy: 'organisation' }) },
      { name: 'timeliness locality manager groupBy=school', run: t(locality, { groupBy: 'school' }) },
      { name: 'timeliness county, one school, groupBy=kind', run: t(county, { groupBy: 'kind', schoolId }) },
      { name: 'overdue county page 1 (50)', run: w(county, { limit: 50 }) },
      { name: 'overdue county page 2 (cursor)', run: w(county, { limit: 50, cursor: page1.nextCursor ?? undefined }) },
      { name: 'overdue county status=DUE_SOON', run: w(county, { limit: 50, status: 'DUE_SOON' }) },
      { name: 'overdue county asOf a year ago', run: w(county, { limit: 50, asOf: yearAgo }) },
      { name: 'overdue county sort=-dueOn (latest first)', run: w(county, { limit: 50, sort: '-dueOn' }) },
      { name: 'overdue locality manager', run: w(locality, { limit: 50 }) },
      { name: 'overdue county kind=EHC_FINAL_PLAN', run: w(county, { limit: 50, kind: 'EHC_FINAL_PLAN' }) },
    ];
    console.log(`${'query'.padEnd(58)} ${'wall ms'.padStart(8)} ${'exec ms'.padStart(8)} ${'rows'.padStart(5)}  scans`);
    for (const c of cases) {
      const r = await measure(db, logger, c);
      console.log(`${r.name.padEnd(58)} ${r.wallMs.toFixed(1).padStart(8)} ${r.execMs.toFixed(1).padStart(8)} ${String(r.rows).padStart(5)}  ${r.scan}`);
    }
  } finally {
    if (db.isInitialized) await db.destroy();
    if (process.env.BENCH_KEEP) console.log(`kept database ${name} (BENCH_KEEP)`);
    else await withClient(server, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  }
}

async function main(): Promise<void> {
  const server = process.env.DATABASE_URL;
  if (!server) throw new Error('Set DATABASE_URL to a PostgreSQL server (a fresh database is created and dropped on it)');
  const sizes = process.argv.slice(2).map(Number);
  for (const rows of sizes.length ? sizes : [200_000, 1_000_000]) await bench(server, rows);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
