/**
 * EXPLAIN (ANALYZE, BUFFERS) of every list, search and dashboard request path on a county-sized
 * database (issue 9 part 3). A script, not a test.
 *
 *   npm run seed:county -- --scale 1 --database-url postgres://postgres@127.0.0.1:5432/county1
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/county1 npm run bench:explain
 *
 * Boots the real app in-process on that database (migrations run), writes one county-wide MANAGER user (a
 * generated database only: it refuses a database without the county_generator marker), then for
 * each request path: sends the request 5 times (median and least wall time through the app), records the
 * SELECTs the app sent for it (TypeORM logger), runs EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) on each
 * with its parameters, and prints the slowest statement's execution time (the least of 3 EXPLAIN ANALYZE runs) and any Seq Scan of a
 * table above 10,000 rows. Then keyset pagination: page 1 against page 200 (cursor followed).
 * BENCH_SQL=1 prints the statements; BENCH_ONLY=<regex> measures only the paths it matches (no keyset pass).
 */
import { randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { SEN2_MODULES } from '../src/exports/dto/sen2-export.dto';
import { bootCountyApp, connectCounty, countyDatabaseUrl } from './support/county';

const LARGE = 10_000;
/** Requests per path: the median and the least are printed (the least is the cost with the fewest neighbours). */
const RUNS = 5;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function seqScans(node: PlanNode, large: Set<string>, out: string[] = []): string[] {
  if (node['Node Type'] === 'Seq Scan' && node['Relation Name'] && large.has(node['Relation Name'])) out.push(node['Relation Name']);
  for (const child of node.Plans ?? []) seqScans(child, large, out);
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const url = countyDatabaseUrl();
  const { pg } = await connectCounty(url);
  await pg.query(`SET statement_timeout = '20s'`);
  await pg.query(`SET jit = off`); // as the app's connections (src/database/data-source.ts)
  const large = new Set<string>(
    (await pg.query(`SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace AND reltuples > $1`, [LARGE])).rows.map(
      (r) => r.relname as string,
    ),
  );

  const { app, dataSource: ds, capture } = await bootCountyApp(url);

  const [user] = await ds.query(
    `INSERT INTO app_user (email, name, role, password_hash) VALUES ($1, 'Bench manager', 'MANAGER', 'x') RETURNING id, token_version`,
    [`bench-${randomUUID().slice(0, 8)}@example.org`],
  );
  const bearer = `Bearer ${await app.get(JwtService).signAsync({ sub: user.id, tv: user.token_version })}`;
  const get = (path: string) => request(app.getHttpServer()).get(`/api/v1${path}`).set('authorization', bearer);

  const one = async (sql: string) => (await pg.query(sql)).rows[0];
  const loc = await one(`SELECT l.id FROM locality l ORDER BY code LIMIT 1`);
  const school = await one(`SELECT school_id AS id FROM pupil GROUP BY school_id ORDER BY count(*) DESC LIMIT 1`);
  const pupil = await one(`SELECT upn, last_name_key FROM pupil ORDER BY id LIMIT 1`);
  const pool = await one(`SELECT pool_id AS id FROM allocation GROUP BY pool_id ORDER BY count(*) DESC LIMIT 1`);
  const meeting = await one(`SELECT id FROM panel_meeting ORDER BY meeting_on DESC, id LIMIT 1`);
  const asOf = (await one(`SELECT as_of::text FROM county_generator`)).as_of;
  const year = `from=${asOf.slice(0, 4)}-01-01&to=${asOf}`;

  const paths: [string, string][] = [
    ['pupils list', '/pupils'],
    ['pupils search by name', `/pupils?q=${pupil.last_name_key.slice(0, 3)}`],
    ['pupils search by UPN', `/pupils?q=${pupil.upn}`],
    ['pupils of one school', `/pupils?schoolId=${school.id}`],
    ['support requests list', '/support-requests'],
    ['support requests submitted', '/support-requests?status=SUBMITTED'],
    ['allocations worklist', '/allocations'],
    ['deadlines list', '/deadlines'],
    ['deadlines overdue', '/deadlines?status=OVERDUE'],
    ['dashboard timeliness county', `/dashboards/timeliness?${year}`],
    ['dashboard timeliness locality', `/dashboards/timeliness?${year}&localityId=${loc.id}`],
    ['dashboard overdue county', '/dashboards/overdue'],
    ['dashboard overdue locality', `/dashboards/overdue?localityId=${loc.id}`],
    ['dashboard ehc-20-week county', `/dashboards/ehc-20-week?${year}`],
    ['dashboard ehc-20-week locality', `/dashboards/ehc-20-week?${year}&localityId=${loc.id}`],
    ['dashboard ehc-requests county', `/dashboards/ehc-requests?${year}`],
    ['dashboard ehc-requests locality', `/dashboards/ehc-requests?${year}&localityId=${loc.id}`],
    ['dashboard annual-reviews county', `/dashboards/annual-reviews?${year}`],
    ['dashboard annual-reviews locality', `/dashboards/annual-reviews?${year}&localityId=${loc.id}`],
    ['dashboard locality-model county', `/dashboards/locality-model?${year}`],
    ['dashboard locality-model locality', `/dashboards/locality-model?${year}&localityId=${loc.id}`],
    ['ehc-assessments list', '/ehc-assessments'],
    ['ehc-assessments by stage', '/ehc-assessments?stage=ASSESSING'],
    ['ehc-assessments by request date', '/ehc-assessments?sort=-requestReceivedOn'],
    ['ehc-assessments by stage and request date', '/ehc-assessments?stage=DRAFT_ISSUED&sort=requestReceivedOn'],
    ['advice-requests list', '/advice-requests'],
    ['advice-requests requested', '/advice-requests?status=REQUESTED'],
    ['ehc-plans list', '/ehc-plans'],
    ['resource pools list', '/resource-pools'],
    ['resource pool by-school', `/resource-pools/${pool.id}/by-school`],
    ['panel meetings list', '/panel-meetings'],
    ['panel agenda', `/panel-meetings/${meeting.id}/agenda`],
    ...SEN2_MODULES.map((module): [string, string] => [`sen2 export ${module}`, `/exports/sen2?year=${Number(asOf.slice(0, 4)) - 1}&module=${module}`]),
  ];

  const rows: string[] = [];
  const line = (cols: (string | number)[]) => cols.map((c, i) => String(c).padEnd(i === 0 ? 36 : 10)).join(' ');
  rows.push(line(['request path', 'status', 'http p50', 'http min', 'sql ms', 'stmts', 'seq scan of a large table']));
  process.stdout.write(`${rows[0]}\n`);
  const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
  for (const [name, path] of paths.filter(([n]) => !only || only.test(n))) {
    const times: number[] = [];
    let status = 0;
    for (let i = 0; i < RUNS; i++) {
      capture.statements = [];
      capture.on = true;
      const t0 = performance.now();
      const res = await get(path);
      times.push(performance.now() - t0);
      status = res.status;
      capture.on = false;
      if (times[i] > 5000) break; // a slow path is measured once
    }
    let worst = 0;
    const scans = new Set<string>();
    for (const s of capture.statements) {
      if (process.env.BENCH_SQL) process.stdout.write(`-- ${name}\n${s.sql}\n${JSON.stringify(s.parameters)}\n`);
      try {
        // The least of three runs: on a shared machine, the others measure the neighbours' load.
        let least = Infinity;
        for (let i = 0; i < 3; i++) {
          const { rows: plan } = await pg.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${s.sql}`, s.parameters as unknown[]);
          const root = plan[0]['QUERY PLAN'][0];
          least = Math.min(least, root['Execution Time']);
          if (i === 0) for (const t of seqScans(root.Plan, large)) scans.add(t);
          if (least > 5000) break; // a slow statement is explained once
        }
        worst = Math.max(worst, least);
      } catch (err) {
        scans.add(`(explain failed: ${(err as Error).message.slice(0, 40)})`);
      }
    }
    rows.push(line([name, status, median(times).toFixed(1), Math.min(...times).toFixed(1), worst.toFixed(1), capture.statements.length, [...scans].join(', ') || '-']));
    process.stdout.write(`${rows[rows.length - 1]}\n`);
  }

  // Keyset pagination: the 200th page costs what the first does.
  for (const [name, path] of (only ? [] : [
    ['deadlines', '/deadlines'],
    ['pupils', '/pupils'],
    ['support requests', '/support-requests'],
  ]) as [string, string][]) {
    let cursor: string | null = null;
    let first = 0;
    let last = 0;
    let pages = 0;
    for (let page = 1; page <= 200; page++) {
      const t0 = performance.now();
      const res = await get(`${path}${path.includes('?') ? '&' : '?'}limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      const ms = performance.now() - t0;
      if (page === 1) first = ms;
      pages = page;
      last = ms;
      cursor = res.body.nextCursor;
      if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
      if (!cursor) break;
    }
    const l = `keyset ${name}: pages ${pages}, page 1 ${first.toFixed(1)} ms, page 200 ${last.toFixed(1)} ms`;
    rows.push(l);
    process.stdout.write(`${l}\n`);
  }

  await ds.query(`DELETE FROM app_user WHERE id = $1`, [user.id]).catch(() => undefined);
  await app.close();
  await pg.end();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
