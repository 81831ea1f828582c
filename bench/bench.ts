/**
 * `npm run bench` (issue 9 part 4): the built app under load on a county database, against three
 * baselines measured in the same run. A script, not a test.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/county1 npm run bench
 *
 * Settings (environment):
 *   BENCH_DATABASE_URL   a database loaded by `npm run seed:county` (required; refused without its marker)
 *   BENCH_SECONDS        seconds per measurement (default 8)
 *   BENCH_CONNECTIONS    connection counts (default 1,16,64)
 *   BENCH_SCENARIOS      comma-separated substrings of scenario names to run (default all), e.g. "pupil by id,dashboard"
 *   BENCH_LABEL          heading of this run's section in bench/RESULTS.md (default "N = <scale>")
 *   BENCH_RESULTS        file the run is appended to (default bench/RESULTS.md; "-" for none)
 *   BENCH_POOL_SIZE      DATABASE_POOL_SIZE of the app, and the pool of the raw and database floors (default 10)
 *   BENCH_LOG_LEVEL      LOG_LEVEL of the app (default info, as in production; its log goes to a file)
 *   BENCH_CONTENTION     support requests approved at once per contention run (default 200, pool of half as many units)
 *   BENCH_APP           the app's entry point (default dist/src/main.js; another build's, to compare before and after a change)
 *   BENCH_APP_B          a second build's entry point, run beside the first: each GET scenario is measured on both,
 *                        back to back at each connection count (rows marked "(B)"), for a before/after under the same load
 *   BENCH_USER_CACHE_SECONDS  AUTH_USER_CACHE_SECONDS of the app (default 0: the caller's app_user row is read on every request)
 *   BENCH_USER_CACHE_SECONDS_B  the same for the BENCH_APP_B build (default: as the first), e.g. the same build with the cache on
 *   BENCH_CPU_PROF       a directory: the app runs with node --cpu-prof and writes its profile there on exit
 *
 * It starts `node dist/src/main.js` as a child process (its RSS is read from /proc while it runs),
 * writes the users it needs (a MANAGER county-wide, a SENCO, a PANEL member and a PROVIDER), and
 * with autocannon measures requests/s and p50/p99 latency of every scenario at each connection
 * count. Baselines in the same run: a bare node:http server with a constant body of the pupil
 * response's size (HTTP floor), node:http + pg reading the same pupils by primary key (raw floor),
 * and each dashboard's own SQL (captured from the app's services with a TypeORM logger) run on a
 * pg pool at the same concurrency (database floor). Prints a table and appends it to RESULTS.md.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, freemem, platform, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { Client, Pool } from 'pg';
import { addDays, addYears, todayInLondon } from '../src/common/dates/calendar-date';
import { PasswordHasher } from '../src/auth/password-hasher';
import { BENCH_JWT_SECRET, bootCountyApp, connectCounty, countyDatabaseUrl, type CountyMarker } from './support/county';

const env = process.env;
const SECONDS = Number(env.BENCH_SECONDS ?? 8);
const CONNECTIONS = (env.BENCH_CONNECTIONS ?? '1,16,64').split(',').map(Number);
const ONLY = env.BENCH_SCENARIOS ? env.BENCH_SCENARIOS.split(',').map((s) => s.trim().toLowerCase()) : null;
const POOL_SIZE = Number(env.BENCH_POOL_SIZE ?? 10);
const CONTENTION = Number(env.BENCH_CONTENTION ?? 200);
const PASSWORD = 'bench-password-quiet-harbour-41';
const RUN = Date.now().toString(36);
const API = '/api/v1';

const wanted = (name: string) => !ONLY || ONLY.some((s) => name.toLowerCase().includes(s));
const log = (line: string) => process.stdout.write(`${line}\n`);

// --- processes ---------------------------------------------------------------------------------

interface Child {
  process: ChildProcess;
  port: number;
  base: string;
  stop(): Promise<void>;
}

/** Every child started, killed when the bench exits however it ends (an error included). */
const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')));

/** Starts a child that prints "listening <port>" (floor servers) or is polled at /health/ready (the app). */
async function startChild(args: string[], childEnv: Record<string, string>, logFile: string, port?: number): Promise<Child> {
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, args, { env: { PATH: env.PATH ?? '', ...childEnv }, stdio: ['ignore', port ? out : 'pipe', out] });
  closeSync(out);
  children.push(child);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  let alive = true;
  void exited.then(() => (alive = false));
  const stop = async () => {
    if (alive) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (alive) child.kill('SIGKILL');
  };
  if (!port) {
    port = await new Promise<number>((done, fail) => {
      let text = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const match = /listening (\d+)/.exec(text);
        if (match) done(Number(match[1]));
      });
      child.once('exit', () => fail(new Error(`${args.join(' ')} exited before listening (see ${logFile})`)));
    });
    return { process: child, port, base: `http://127.0.0.1:${port}`, stop };
  }
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline && alive) {
    const ready = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
    if (ready) return { process: child, port, base, stop };
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`the app did not become ready (see ${logFile}):\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((done) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** Peak resident set of a process, sampled from /proc every 100 ms while `on`. */
class RssSampler {
  peakKb = 0;
  private timer?: NodeJS.Timeout;
  constructor(private readonly pid: number) {}
  current(): number {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return match ? Number(match[1]) : 0;
    } catch {
      return 0;
    }
  }
  start(): void {
    this.timer = setInterval(() => (this.peakKb = Math.max(this.peakKb, this.current())), 100);
    this.timer.unref();
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

/**
 * CPU time (user + system, ms) a process has used so far, from /proc: the app's CPU per request
 * hardly depends on what else the shared machine runs, unlike its requests/s. 0 where unreadable.
 */
const CLOCK_TICKS_PER_S = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();
function cpuMsOf(pid: number): number {
  try {
    // Fields after the ")" of the command name: state is the 3rd field, utime the 14th, stime the 15th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return 0;
  }
}

// --- measurements ------------------------------------------------------------------------------

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  total: number;
  /** Non-2xx answers (other than those the scenario expects), socket errors and timeouts. */
  errors: number;
  statuses: Record<string, number>;
}

interface Load {
  method?: 'GET' | 'POST';
  /** The path of each request, called once per request (many different pupils, allocations...). */
  path: () => string;
  body?: () => string;
  token?: string;
  /** Statuses that are not errors in this scenario (the contention scenario's 409). */
  expected?: number[];
  /** Send exactly this many requests instead of running for BENCH_SECONDS. */
  amount?: number;
}

async function hammer(base: string, connections: number, load: Load, seconds = SECONDS): Promise<Figures> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (load.token) headers.authorization = `Bearer ${load.token}`;
  const result = await autocannon({
    url: base,
    connections,
    ...(load.amount ? { amount: load.amount } : { duration: seconds }),
    timeout: 30,
    requests: [
      {
        method: load.method ?? 'GET',
        headers,
        setupRequest: (request) => ({ ...request, path: load.path(), ...(load.body ? { body: load.body() } : {}) }),
      },
    ],
  });
  const statuses: Record<string, number> = {};
  for (const [code, stat] of Object.entries((result as unknown as { statusCodeStats: Record<string, { count: number }> }).statusCodeStats ?? {})) {
    statuses[code] = stat.count;
  }
  const unexpected = Object.entries(statuses)
    .filter(([code]) => !code.startsWith('2') && !(load.expected ?? []).includes(Number(code)))
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    errors: unexpected + result.errors + result.timeouts,
    statuses,
  };
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] : 0);

/** The database floor: `connections` workers each running the statements one after another on a pg pool. */
async function hammerSql(pool: Pool, connections: number, statements: { sql: string; parameters: unknown[] }[]): Promise<Figures> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const until = started + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        try {
          for (const s of statements) await pool.query(s.sql, s.parameters);
          latencies.push(performance.now() - t0);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), total: latencies.length, errors, statuses: {} };
}

// --- the run -----------------------------------------------------------------------------------

interface Row {
  scenario: string;
  connections: number;
  figures: Figures;
  /** The baseline this scenario is compared with, by name. */
  floor?: string;
  /** The app's CPU time per answered request (ms), for the app's own scenarios. */
  appCpuMs?: number;
}

const roundRobin = <T>(items: T[]) => {
  let i = 0;
  return () => items[i++ % items.length];
};

async function main(): Promise<void> {
  const url = countyDatabaseUrl();
  const { pg, marker } = await connectCounty(url);
  const label = env.BENCH_LABEL ?? `N = ${marker.scale}`;
  const today = todayInLondon();
  const windowFrom = addDays(addYears(marker.asOf, -1), 1);
  const query = async <T = Record<string, any>>(sql: string, params: unknown[] = []) => (await pg.query(sql, params)).rows as T[];
  log(`county database N = ${marker.scale} (seed ${marker.seed}, as of ${marker.asOf}); ${SECONDS} s per measurement at ${CONNECTIONS.join(', ')} connections`);

  // Fixtures from the county: the largest school and its locality, pupils, a provider with work.
  const [school] = await query(
    `SELECT p.school_id AS id, s.locality_id FROM pupil p JOIN school s ON s.id = p.school_id
     WHERE p.left_on IS NULL GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1`,
  );
  const pupilIds = (await query(`SELECT id FROM pupil WHERE erased_on IS NULL ORDER BY random() LIMIT 2000`)).map((r) => r.id as string);
  const schoolPupils = (await query(`SELECT id FROM pupil WHERE school_id = $1 AND left_on IS NULL AND erased_on IS NULL`, [school.id])).map((r) => r.id as string);
  const prefixes = (await query(`SELECT left(last_name_key, 3) AS p FROM pupil GROUP BY 1 ORDER BY count(*) DESC LIMIT 40`)).map((r) => r.p as string);
  const [hours] = await query(`SELECT code, organisation_id FROM service WHERE unit = 'HOURS' ORDER BY code DESC LIMIT 1`);
  const [sessions] = await query(`SELECT code, organisation_id FROM service WHERE unit = 'SESSIONS' ORDER BY code LIMIT 1`);
  const deliverable = (
    await query(
      `SELECT id FROM allocation WHERE organisation_id = $1 AND service_code = $2 AND status IN ('ACCEPTED', 'IN_DELIVERY')
         AND units - units_used >= 20 AND accepted_on <= $3 ORDER BY id LIMIT 1000`,
      [hours.organisation_id, hours.code, today],
    )
  ).map((r) => r.id as string);
  const counts = await query(
    `SELECT t AS table, (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I', t), false, true, '')))[1]::text::bigint AS rows
     FROM unnest(ARRAY['school','pupil','support_plan','support_request','allocation','allocation_session','deadline','ehc_assessment','ehc_plan','annual_review','audit_event']) AS t
     WHERE to_regclass(t) IS NOT NULL`,
  );

  // Users, straight into app_user (a generated database only: connectCounty checked).
  const hash = await new PasswordHasher().hash(PASSWORD);
  const user = async (role: string, scope: Record<string, string | null>) => {
    const email = `bench-${role.toLowerCase()}-${RUN}@example.org`;
    await pg.query(
      `INSERT INTO app_user (email, name, role, school_id, locality_id, organisation_id, password_hash) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [email, `Bench ${role.toLowerCase()}`, role, scope.school ?? null, scope.locality ?? null, scope.organisation ?? null, hash],
    );
    return email;
  };
  const emails = {
    manager: await user('MANAGER', {}),
    senco: await user('SENCO', { school: school.id }),
    panel: await user('PANEL', { locality: school.locality_id }),
    provider: await user('PROVIDER', { organisation: hours.organisation_id }),
  };

  // The dashboards and their own SQL, captured from the app's services (the database floor).
  const year = `from=${windowFrom}&to=${marker.asOf}`;
  const dashboards: { name: string; path: string }[] = [];
  for (const [name, path] of [
    ['timeliness', `/dashboards/timeliness?${year}`],
    ['overdue', '/dashboards/overdue'],
    ['ehc-20-week', `/dashboards/ehc-20-week?${year}`],
    ['ehc-requests', `/dashboards/ehc-requests?${year}`],
    ['annual-reviews', `/dashboards/annual-reviews?${year}`],
    ['locality-model', `/dashboards/locality-model?${year}`],
  ]) {
    dashboards.push({ name: `dashboard ${name} county`, path });
    dashboards.push({ name: `dashboard ${name} locality`, path: `${path}${path.includes('?') ? '&' : '?'}localityId=${school.locality_id}` });
  }
  const dashboardSql = new Map<string, { sql: string; parameters: unknown[] }[]>();
  if (dashboards.some((d) => wanted(d.name))) {
    log('capturing the dashboards’ SQL (the app in this process)...');
    const { app, capture } = await bootCountyApp(url);
    const { JwtService } = await import('@nestjs/jwt');
    const [manager] = await query(`SELECT id, token_version FROM app_user WHERE email = $1`, [emails.manager]);
    const token = await app.get(JwtService).signAsync({ sub: manager.id, tv: manager.token_version });
    for (const d of dashboards.filter((x) => wanted(x.name))) {
      capture.statements = [];
      capture.on = true;
      const res = await app.inject({ method: 'GET', url: `${API}${d.path}`, headers: { authorization: `Bearer ${token}` } });
      capture.on = false;
      if (res.statusCode !== 200) throw new Error(`${d.path}: ${res.statusCode} ${res.body.slice(0, 300)}`);
      // The dashboard's own statements: not the sign-in check nor the rate limit counter.
      dashboardSql.set(d.name, capture.statements.filter((s) => !/\bapp_user\b|\brate_limit\b/.test(s.sql)));
    }
    await app.close();
  }

  // The app and the floors.
  const logDir = mkdtempSync(join(tmpdir(), 'sen-bench-'));
  const appPort = await freePort();
  log(`starting the built app (log: ${logDir}/app.log)...`);
  const startApp = async (entry: string, port: number, logName: string, userCacheSeconds: string) => startChild(
    [...(env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${resolve(env.BENCH_CPU_PROF)}`] : []), resolve(entry)],
    {
      HOST: '127.0.0.1',
      PORT: String(port),
      NODE_ENV: 'production',
      DATABASE_URL: url,
      DATABASE_POOL_SIZE: String(POOL_SIZE),
      SEED_DEMO: 'false',
      LOG_LEVEL: env.BENCH_LOG_LEVEL ?? 'info',
      JWT_SECRET: BENCH_JWT_SECRET,
      LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
      EXPENSIVE_RATE_LIMIT_PER_MINUTE: '100000',
      AUTH_USER_CACHE_SECONDS: userCacheSeconds,
    },
    join(logDir, logName),
    port,
  );
  const app = await startApp(env.BENCH_APP ?? 'dist/src/main.js', appPort, 'app.log', env.BENCH_USER_CACHE_SECONDS ?? '0');
  const appB = env.BENCH_APP_B
    ? await startApp(env.BENCH_APP_B, await freePort(), 'app-b.log', env.BENCH_USER_CACHE_SECONDS_B ?? env.BENCH_USER_CACHE_SECONDS ?? '0')
    : undefined;
  const rss = new RssSampler(app.process.pid!);
  const idleRssKb = rss.current();
  rss.start();

  const login = async (email: string): Promise<string> => {
    const res = await fetch(`${app.base}${API}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    if (!res.ok) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { accessToken: string }).accessToken;
  };
  const tokens = {
    manager: await login(emails.manager),
    senco: await login(emails.senco),
    panel: await login(emails.panel),
    provider: await login(emails.provider),
  };
  /** A set-up request (not measured): retried on 503, which a database still busy with the previous scenario can answer. */
  const call = async (token: string, method: string, path: string, body?: unknown) => {
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(`${app.base}${API}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status === 503 && attempt < 5) {
        await new Promise((r) => setTimeout(r, 2000));
        continue;
      }
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
      return JSON.parse(text);
    }
  };

  const samplePupil = await fetch(`${app.base}${API}/pupils/${pupilIds[0]}`, { headers: { authorization: `Bearer ${tokens.manager}` } }).then((r) => r.text());
  const httpFloor = await startChild(['-r', 'ts-node/register/transpile-only', resolve('bench/floor-server.ts')], { FLOOR: 'http', FLOOR_BODY: samplePupil }, join(logDir, 'floor-http.log'));
  const rawFloor = await startChild(
    ['-r', 'ts-node/register/transpile-only', resolve('bench/floor-server.ts')],
    { FLOOR: 'pg', FLOOR_DATABASE_URL: url, FLOOR_POOL_SIZE: String(POOL_SIZE) },
    join(logDir, 'floor-pg.log'),
  );
  const sqlPool = new Pool({ connectionString: url, max: POOL_SIZE });

  // The 100th page of the overdue list: its cursor, by following cursors from the first.
  let page100 = '';
  let pagesFollowed = 1;
  if (wanted('overdue list')) {
    let cursor: string | null = null;
    for (let page = 1; page < 100; page++) {
      const body: { nextCursor: string | null } = await call(tokens.manager, 'GET', `/deadlines?status=OVERDUE${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      if (!body.nextCursor) break;
      cursor = body.nextCursor;
      pagesFollowed = page + 1;
    }
    page100 = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
  }

  // Warm-up: JIT and pools of every server.
  const pupilPath = roundRobin(pupilIds.map((id) => `${API}/pupils/${id}`));
  await hammer(app.base, 16, { path: pupilPath, token: tokens.manager }, 3);
  if (appB) await hammer(appB.base, 16, { path: pupilPath, token: tokens.manager }, 3);
  await hammer(rawFloor.base, 16, { path: pupilPath }, 2);
  await hammer(httpFloor.base, 16, { path: pupilPath }, 2);

  const rows: Row[] = [];
  const record = (row: Row) => {
    rows.push(row);
    log(line(row, rows));
  };
  /**
   * Measures a scenario at each connection count; with a floor, the floor is measured just before
   * it at the same count, so the ratio compares moments of the same load on this shared machine.
   */
  const measure = async (scenario: string, base: string, load: Load, floor?: { name: string; run: (connections: number) => Promise<Figures> }) => {
    if (!wanted(scenario)) return;
    // The second build (BENCH_APP_B) beside the first on GET scenarios, in alternating order.
    const targets: { child?: Child; suffix: string }[] = [{ child: base === app.base ? app : undefined, suffix: '' }];
    if (appB && base === app.base && (load.method ?? 'GET') === 'GET') targets.push({ child: appB, suffix: ' (B)' });
    for (const [i, connections] of CONNECTIONS.entries()) {
      if (floor) record({ scenario: floor.name, connections, figures: await floor.run(connections) });
      for (const { child, suffix } of i % 2 === 0 ? targets : [...targets].reverse()) {
        const cpuBefore = child ? cpuMsOf(child.process.pid!) : 0;
        const figures = await hammer(child?.base ?? base, connections, load);
        // Requests still in flight when autocannon stops are finished by the app: let them drain.
        await new Promise((r) => setTimeout(r, 1000));
        const appCpuMs = child && figures.total > 0 ? (cpuMsOf(child.process.pid!) - cpuBefore) / figures.total : undefined;
        record({ scenario: `${scenario}${suffix}`, connections, figures, floor: floor?.name, appCpuMs });
      }
    }
  };

  const RAW_FLOOR = 'floor: raw DB read (node:http + pg, pupil by id)';
  await measure('floor: HTTP (node:http, constant body)', httpFloor.base, { path: pupilPath });
  if (!wanted('pupil by id')) await measure(RAW_FLOOR, rawFloor.base, { path: pupilPath });

  await measure('login', app.base, {
    method: 'POST',
    path: () => `${API}/auth/login`,
    body: () => JSON.stringify({ email: emails.manager, password: PASSWORD }),
  });
  await measure('pupil by id', app.base, { path: pupilPath, token: tokens.manager }, { name: RAW_FLOOR, run: (c) => hammer(rawFloor.base, c, { path: pupilPath }) });
  const prefix = roundRobin(prefixes);
  await measure('pupil search by name prefix', app.base, { path: () => `${API}/pupils?q=${prefix()}`, token: tokens.manager });
  await measure('deadlines overdue list, page 1', app.base, { path: () => `${API}/deadlines?status=OVERDUE`, token: tokens.manager });
  await measure(`deadlines overdue list, page ${pagesFollowed}`, app.base, { path: () => `${API}/deadlines?status=OVERDUE${page100}`, token: tokens.manager });
  for (const d of dashboards) {
    if (!wanted(d.name)) continue;
    const statements = dashboardSql.get(d.name)!;
    await measure(
      d.name,
      app.base,
      { path: () => `${API}${d.path}`, token: tokens.manager },
      { name: `floor: ${d.name} SQL (${statements.length} statements)`, run: (c) => hammerSql(sqlPool, c, statements) },
    );
  }

  const createPupil = roundRobin(schoolPupils);
  await measure('create support request (SENCO)', app.base, {
    method: 'POST',
    path: () => `${API}/support-requests`,
    body: () => JSON.stringify({ pupilId: createPupil(), serviceCode: sessions.code, reason: 'Bench: speech and language', urgency: 'ROUTINE', unitsRequested: 6 }),
    token: tokens.senco,
  });
  if (deliverable.length === 0 && wanted('record a session')) log('record a session: no accepted allocation with 20 units left; skipped');
  else {
    const allocation = roundRobin(deliverable);
    await measure('record a session (PROVIDER)', app.base, {
      method: 'POST',
      path: () => `${API}/allocations/${allocation()}/sessions`,
      body: () => JSON.stringify({ deliveredOn: today, durationMinutes: 15, attended: true }),
      token: tokens.provider,
    });
  }

  // Contention: CONTENTION submitted requests approved at once against one pool of CONTENTION / 2 units.
  const contention: string[] = [];
  if (wanted('panel approval')) {
    for (const connections of CONNECTIONS) {
      const capacity = Math.floor(CONTENTION / 2);
      const [{ start }] = await query(
        `SELECT s::date::text AS start FROM generate_series($2::date - 1, $2::date - 3000, interval '-1 day') AS s
         WHERE NOT EXISTS (SELECT 1 FROM resource_pool WHERE locality_id = $1 AND service_code = $3 AND period_start = s::date) LIMIT 1`,
        [school.locality_id, today, sessions.code],
      );
      const [pool] = await query(
        `INSERT INTO resource_pool (locality_id, service_code, period_start, period_end, capacity_units) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [school.locality_id, sessions.code, start, addDays(today, 30), capacity],
      );
      const requestIds: string[] = [];
      const make = roundRobin(schoolPupils);
      for (let i = 0; i < CONTENTION; i += 8) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(8, CONTENTION - i) }, async () => {
            const created = await call(tokens.senco, 'POST', '/support-requests', {
              pupilId: make(),
              serviceCode: sessions.code,
              reason: 'Bench: contention',
              urgency: 'ROUTINE',
              unitsRequested: 1,
            });
            await call(tokens.senco, 'POST', `/support-requests/${created.id}/submit`, {});
            return created.id as string;
          }),
        );
        requestIds.push(...batch);
      }
      const next = roundRobin(requestIds);
      const figures = await hammer(app.base, connections, {
        method: 'POST',
        amount: CONTENTION,
        path: () => `${API}/support-requests/${next()}/decision`,
        body: () =>
          JSON.stringify({ outcome: 'APPROVED', decidedOn: today, unitsApproved: 1, poolId: pool.id, organisationId: sessions.organisation_id, reason: 'Bench: approved' }),
        token: tokens.panel,
        expected: [409],
      });
      const [ledger] = await query(
        `SELECT p.capacity_units::float AS capacity, p.allocated_units::float AS allocated,
                COALESCE((SELECT sum(units) FROM allocation a WHERE a.pool_id = p.id), 0)::float AS allocations
         FROM resource_pool p WHERE p.id = $1`,
        [pool.id],
      );
      const ok = ledger.allocations <= ledger.capacity && ledger.allocated === ledger.allocations;
      if (!ok) figures.errors++;
      const note =
        `panel approval, ${connections} connections: ${CONTENTION} approvals of 1 unit against a pool of ${capacity}: ` +
        `${figures.statuses['200'] ?? 0} × 200, ${figures.statuses['409'] ?? 0} × 409 capacity-exhausted, ` +
        `${figures.errors} other; allocations sum ${ledger.allocations} <= ${ledger.capacity} units, ledger ${ledger.allocated}: ${ok ? 'never overspent' : 'OVERSPENT'}`;
      contention.push(note);
      record({ scenario: 'panel approval under contention (one pool)', connections, figures });
      log(`  ${note}`);
    }
  }

  rss.stop();
  const peakRssMb = Math.round(rss.peakKb / 1024);
  await sqlPool.end();
  await Promise.all([app.stop(), appB?.stop(), httpFloor.stop(), rawFloor.stop()]);
  const [{ version: pgVersion }] = await query(`SELECT current_setting('server_version') AS version`);
  await pg.end();

  const table = render(rows);
  log('');
  log(table);
  log(`app RSS: ${Math.round(idleRssKb / 1024)} MB idle, ${peakRssMb} MB peak under load`);

  const resultsFile = env.BENCH_RESULTS ?? resolve('bench/RESULTS.md');
  if (resultsFile !== '-') {
    if (!existsSync(resultsFile)) writeFileSync(resultsFile, RESULTS_HEADER);
    appendFileSync(
      resultsFile,
      section({ label, marker, counts, pgVersion, table, contention, idleRssKb, peakRssMb, pagesFollowed, errors: rows.reduce((n, r) => n + r.figures.errors, 0) }),
    );
    log(`appended to ${resultsFile}`);
  }
}

// --- output ------------------------------------------------------------------------------------

const fixed = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/** One row of the table: figures and, where the scenario has a floor, the ratios to it at the same connections. */
function cells(row: Row, rows: Row[]): string[] {
  const { figures } = row;
  const floor = row.floor ? rows.find((r) => r.scenario === row.floor && r.connections === row.connections) : undefined;
  const http = rows.find((r) => r.scenario.startsWith('floor: HTTP') && r.connections === row.connections);
  return [
    row.scenario,
    String(row.connections),
    String(figures.total),
    fixed(figures.rps, 0),
    fixed(figures.p50),
    fixed(figures.p99),
    String(figures.errors),
    floor ? `${fixed((100 * figures.rps) / floor.figures.rps, 0)}%` : '',
    floor ? `${fixed(figures.p50 / Math.max(floor.figures.p50, 0.01), 2)}x` : '',
    http && !row.scenario.startsWith('floor') ? `${fixed((100 * figures.rps) / http.figures.rps, 1)}%` : '',
    row.appCpuMs === undefined ? '' : fixed(row.appCpuMs, 2),
  ];
}

const HEAD = ['scenario', 'conns', 'answered', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'req/s of its floor', 'p50 / floor p50', 'req/s of HTTP floor', 'app CPU ms/req'];

function line(row: Row, rows: Row[]): string {
  return cells(row, rows)
    .map((c, i) => c.padEnd(i === 0 ? 52 : 9))
    .join(' ');
}

function render(rows: Row[]): string {
  return [`| ${HEAD.join(' | ')} |`, `| ${HEAD.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`, ...rows.map((r) => `| ${cells(r, rows).join(' | ')} |`)].join('\n');
}

const RESULTS_HEADER = `# Benchmark results (\`npm run bench\`, issue 9 part 4)

Each section is one run of \`BENCH_DATABASE_URL=... npm run bench\`, appended by the script. Figures on
this 2-core machine are noisy (other work shares it): compare the ratios to the floors measured in
the same run rather than absolute figures across runs. "answered" counts the requests answered
within the measurement (autocannon drops those still in flight when it ends: a scenario slower than
BENCH_SECONDS shows 0). "req/s of its floor" is the scenario's
throughput as a share of its own baseline at the same connection count (pupil by id: the raw
node:http + pg read; a dashboard: its own SQL on a pg pool); "p50 / floor p50" the latency ratio.
"app CPU ms/req" is the app process's CPU time (user + system, from /proc) during the measurement
and its drain, per answered request: unlike req/s it hardly moves with other load on the machine.
`;

function section(run: {
  label: string;
  marker: CountyMarker;
  counts: Record<string, any>[];
  pgVersion: string;
  table: string;
  contention: string[];
  idleRssKb: number;
  peakRssMb: number;
  pagesFollowed: number;
  errors: number;
}): string {
  const cpu = cpus();
  return [
    '',
    `## ${run.label} (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
    '',
    `- Machine: ${cpu.length} cores (${cpu[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB memory (${Math.round(freemem() / 2 ** 30)} GiB free at the end), ${platform()} ${release()}; Node ${process.version}; PostgreSQL ${run.pgVersion} on the same machine.`,
    `- Dataset: \`npm run seed:county\` scale ${run.marker.scale}, seed ${run.marker.seed}, as of ${run.marker.asOf}; rows: ${run.counts.map((c) => `${c.table} ${Number(c.rows).toLocaleString('en-GB')}`).join(', ')}.`,
    `- Settings: ${SECONDS} s per measurement at ${CONNECTIONS.join(', ')} connections; app and floors with a pool of ${POOL_SIZE} connections; app LOG_LEVEL ${env.BENCH_LOG_LEVEL ?? 'info'}; AUTH_USER_CACHE_SECONDS ${env.BENCH_USER_CACHE_SECONDS ?? '0'}${env.BENCH_APP_B ? ` (B: ${env.BENCH_APP_B}, AUTH_USER_CACHE_SECONDS ${env.BENCH_USER_CACHE_SECONDS_B ?? env.BENCH_USER_CACHE_SECONDS ?? '0'})` : ''}; dashboards over ${'one year to the as-of date'}; overdue list page ${run.pagesFollowed} reached by following cursors.${ONLY ? ` Scenarios: ${ONLY.join(', ')}.` : ''}`,
    `- App RSS: ${Math.round(run.idleRssKb / 1024)} MB idle after start, ${run.peakRssMb} MB peak during the run. Errors (non-2xx other than the expected 409s, socket errors, timeouts): ${run.errors}.`,
    '',
    run.table,
    '',
    ...(run.contention.length ? ['Panel approval under contention:', '', ...run.contention.map((c) => `- ${c}`), ''] : []),
  ].join('\n');
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
