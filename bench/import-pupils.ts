/**
 * Pupil import benchmark (issue 9): rows a second and the app's memory for POST /imports/pupils.
 *
 *   npm run build && npx ts-node --transpile-only bench/import-pupils.ts [rows,rows,...]
 *
 * Default sizes 10000,100000. For each size: a fresh database (a new PostgreSQL database on the
 * server in DATABASE_URL, dropped afterwards; without DATABASE_URL the embedded one, in memory),
 * the compiled app started as a child process (dist/src/main.js), 53 localities, the real Kent
 * schools (../shared/data/kent-schools.csv) loaded through POST /imports/schools, then a CSV of
 * `rows` valid pupils (valid UPN check letters, the need mix of the census) written to a temp file
 * and streamed to POST /imports/pupils. Prints rows/s, and the app process's RSS before the import
 * and its peak RSS (VmHWM, Linux) after: memory is flat when the 100,000-row peak is close to the
 * 10,000-row one. APP_MAX_OLD_SPACE_MB=128 runs the app with its heap capped (a file held in
 * memory, or anything kept per row, would fail there); KEEP_DB=1 keeps the database and the file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { Client } from 'pg';
import { upnCheckLetter } from '../src/pupils/upn';

const ROOT = resolve(__dirname, '..');
const MAIN = join(ROOT, 'dist/src/main.js');
const KENT_SCHOOLS = resolve(ROOT, '../shared/data/kent-schools.csv');
const ADMIN = { email: 'bench-admin@example.org', password: 'Quiet-Lantern-Orchard-73' };

/** Deterministic pseudo-random numbers (mulberry32), so every run imports the same file. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  return port;
}

function http(port: number, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', fail);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function postFile(port: number, path: string, file: string, token: string): Promise<{ status: number; body: any }> {
  return new Promise((done, fail) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        headers: { 'content-type': 'text/csv', 'content-length': String(statSync(file).size), authorization: `Bearer ${token}` },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => done({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', fail);
    createReadStream(file).pipe(req);
  });
}

/** VmRSS (now) and VmHWM (peak since start) of a process, in MB (Linux /proc). */
function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) };
}

/** CPU seconds (user + system) a process has used so far (Linux /proc; clock ticks of 1/100 s). */
function cpuSecondsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0; // the process has ended
  }
}

/** The PostgreSQL server processes serving the bench database (to count their CPU). */
async function backendPids(admin: Client | undefined, database: string): Promise<number[]> {
  if (!admin) return [];
  const rows = await admin.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [database]);
  return rows.rows.map((row: { pid: number }) => row.pid);
}

async function writePupilsCsv(file: string, rows: number, urns: string[]): Promise<void> {
  const rand = random(20261128);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)];
  const FIRST = ['Amelia', 'Oliver', 'Isla', 'George', 'Ava', 'Noah', 'Zoë', 'Muhammad', 'Freya', 'Leo', 'Aisha', 'Jack', 'Chloé', 'Harry', 'Maja'];
  const LAST = ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Okafor', 'Patel', 'O’Brien', 'Kowalski', 'Singh', 'Evans', 'Thomas', 'Khan'];
  const NEEDS = ['SLCN', 'SEMH', 'MLD', 'SPLD', 'ASD', 'OTH', 'PD', 'HI', 'VI', 'SLD'];
  const academicYear = (() => {
    const now = new Date();
    return now.getUTCMonth() >= 8 ? now.getUTCFullYear() : now.getUTCFullYear() - 1;
  })();
  const out = createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('upn,firstName,lastName,dateOfBirth,yearGroup,schoolUrn,senStatus,primaryNeed,secondaryNeed\n');
  for (let i = 0; i < rows; i += 1) {
    const body = `886${String(1000 + Math.floor(i / 1000)).padStart(4, '0')}25${String(i % 1000).padStart(3, '0')}`;
    const yearGroup = Math.floor(rand() * 12);
    const cohort = academicYear - 5 - yearGroup;
    const month = 1 + Math.floor(rand() * 12);
    const birthYear = month >= 9 ? cohort : cohort + 1;
    const dob = `${birthYear}-${String(month).padStart(2, '0')}-${String(1 + Math.floor(rand() * 28)).padStart(2, '0')}`;
    const r = rand();
    const status = r < 0.78 ? 'K' : 'E';
    const primary = status === 'K' && r < 0.05 ? 'NSA' : pick(NEEDS);
    const secondary = primary !== 'NSA' && rand() < 0.3 ? pick(NEEDS.filter((n) => n !== primary)) : '';
    await write(`${upnCheckLetter(body)}${body},${pick(FIRST)},${pick(LAST)},${dob},,${pick(urns)},${status},${primary},${secondary}\n`);
  }
  out.end();
  await once(out, 'finish');
}

/**
 * A GIAS-shaped extract of `rows` schools not on the register (URNs from 200000), in every
 * locality, with the mix of a real extract: phases and types of every kind, "Not applicable"
 * phases from the age range, and about 1 in 20 closed (skipped).
 */
async function writeSchoolsCsv(file: string, rows: number): Promise<void> {
  const KINDS: [string, string, string, string][] = [
    ['Primary', 'Community school', '4', '11'],
    ['Primary', 'Academy converter', '4', '11'],
    ['Secondary', 'Academy sponsor led', '11', '18'],
    ['Secondary', 'Foundation school', '11', '16'],
    ['All-through', 'Free schools', '4', '18'],
    ['Not applicable', 'Community special school', '2', '19'],
    ['Not applicable', 'Pupil referral unit', '11', '16'],
    ['Middle deemed secondary', 'Voluntary aided school', '9', '13'],
  ];
  const out = createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('URN,EstablishmentName,EstablishmentStatus (name),PhaseOfEducation (name),TypeOfEstablishment (name),StatutoryLowAge,StatutoryHighAge,localityCode\n');
  for (let i = 0; i < rows; i += 1) {
    const [phase, type, low, high] = KINDS[i % KINDS.length];
    const status = i % 20 === 7 ? 'Closed' : 'Open';
    await write(`${200000 + i},"Synthetic School ${i}, Kent",${status},${phase},${type},${low},${high},L${String((i % 53) + 1).padStart(2, '0')}\n`);
  }
  out.end();
  await once(out, 'finish');
}

/**
 * Streams `file` to POST /imports/`what` and measures it: wall time, rows/s, the CPU seconds of
 * the app and of the database backends, and the app's RSS before and its peak during the import
 * (the peak is reset first through /proc/PID/clear_refs, so each import's peak is its own).
 */
async function measureImport(pid: number, backends: number[], port: number, token: string, what: string, file: string) {
  const rows = readFileSync(file, 'utf8').split('\n').length - 2;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // not Linux, or not allowed: the peak is then the process's since start
  }
  const before = memoryOf(pid);
  const cpu = () => cpuSecondsOf(pid) + backends.reduce((sum, backend) => sum + cpuSecondsOf(backend), 0);
  const appCpuBefore = cpuSecondsOf(pid);
  const cpuBefore = cpu();
  const started = process.hrtime.bigint();
  const res = await postFile(port, `/api/v1/imports/${what}`, file, token);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const appCpu = cpuSecondsOf(pid) - appCpuBefore;
  const totalCpu = cpu() - cpuBefore;
  const after = memoryOf(pid);
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
  if (res.status !== 200) throw new Error(`${what} import: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
  const mb = (statSync(file).size / 1024 / 1024).toFixed(1);
  const line =
    `${String(rows).padStart(7)} rows (${mb} MB): ${seconds.toFixed(2)} s, ${Math.round(rows / seconds)} rows/s; ` +
    `app RSS before ${before.rssMb} MB, after ${after.rssMb} MB, peak during the import ${after.peakMb} MB; imported ${res.body.imported}\n` +
    `    CPU used: app ${appCpu.toFixed(2)} s, database ${(totalCpu - appCpu).toFixed(2)} s, ` +
    `${Math.round(rows / totalCpu)} rows per CPU-second; load average ${load} on ${cpus().length} cores`;
  return { line, body: res.body };
}

async function startApp(databaseUrl: string | undefined): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  // APP_MAX_OLD_SPACE_MB caps the app's heap: a 100,000-row import that completes under a small cap holds no per-row state.
  const heapCap = process.env.APP_MAX_OLD_SPACE_MB ? [`--max-old-space-size=${process.env.APP_MAX_OLD_SPACE_MB}`] : [];
  const child = spawn(process.execPath, [...heapCap, MAIN], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATA_DIR: ':memory:' }),
      SEED_DEMO: 'false',
      JWT_SECRET: 'bench-secret-that-is-long-enough-0123456789',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'warn',
      IMPORT_MAX_BYTES: String(1024 * 1024 * 1024),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 600; i += 1) {
    await new Promise((r) => setTimeout(r, 200));
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}`);
    try {
      if ((await http(port, 'GET', '/health/ready')).status === 200) return { child, port };
    } catch {
      // not listening yet
    }
  }
  throw new Error('the app did not become ready');
}

async function run(rows: number, server: string | undefined): Promise<void> {
  let databaseUrl: string | undefined;
  let admin: Client | undefined;
  const name = `sen_bench_import_${Date.now().toString(36)}`;
  if (server) {
    admin = new Client({ connectionString: server });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = new URL(server);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
  }
  const file = join(tmpdir(), `bench-pupils-${rows}.csv`);
  const schoolsFile = join(tmpdir(), `bench-schools-${rows}.csv`);
  const { child, port } = await startApp(databaseUrl);
  try {
    const login = await http(port, 'POST', '/api/v1/auth/login', JSON.stringify(ADMIN), { 'content-type': 'application/json' });
    if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`);
    const token = login.body.accessToken as string;
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    for (let i = 1; i <= 53; i += 1) {
      const res = await http(port, 'POST', '/api/v1/localities', JSON.stringify({ code: `L${String(i).padStart(2, '0')}`, name: `Locality ${i}`, area: ['North', 'South', 'East', 'West'][i % 4], district: `District ${i % 12}` }), auth);
      if (res.status !== 201) throw new Error(`locality: ${res.status} ${JSON.stringify(res.body)}`);
    }
    // The real Kent schools, as a GIAS-shaped extract through the schools import.
    const kent = readFileSync(KENT_SCHOOLS, 'utf8').trim().split(/\r?\n/).slice(1);
    const urns: string[] = [];
    const gias = ['URN,EstablishmentName,PhaseOfEducation (name),TypeOfEstablishment (name),localityCode'];
    kent.forEach((line, i) => {
      const match = /^(\d{6}),(.*),([A-Z_]*)$/.exec(line);
      if (!match) return;
      urns.push(match[1]);
      const phase = match[3] === 'SECONDARY' ? 'Secondary' : match[3] === 'PRIMARY' ? 'Primary' : 'All-through';
      gias.push(`${match[1]},${match[2]},${phase},Community school,L${String((i % 53) + 1).padStart(2, '0')}`);
    });
    await new Promise<void>((done) => createWriteStream(schoolsFile).end(`${gias.join('\n')}\n`, done));
    const schools = await postFile(port, '/api/v1/imports/schools', schoolsFile, token);
    if (schools.status !== 200) throw new Error(`schools import: ${schools.status} ${JSON.stringify(schools.body).slice(0, 500)}`);

    await writePupilsCsv(file, rows, urns);
    const backends = await backendPids(admin, name);
    const where = server ? 'PostgreSQL' : 'embedded  ';
    const pupils = await measureImport(child.pid!, backends, port, token, 'pupils', file);
    console.log(`${where} pupils  ${pupils.line}; ${schools.body.imported} schools on the register`);
    // The schools import at the same size: a synthetic GIAS extract of `rows` new schools.
    await writeSchoolsCsv(schoolsFile, rows);
    const giasRun = await measureImport(child.pid!, backends, port, token, 'schools', schoolsFile);
    const result = giasRun.body as { created: number; skipped: number };
    console.log(`${where} schools ${giasRun.line}; ${result.created} created, ${result.skipped} skipped`);
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
    if (existsSync(file) && !process.env.KEEP_DB) unlinkSync(file);
    if (existsSync(schoolsFile) && !process.env.KEEP_DB) unlinkSync(schoolsFile);
    // KEEP_DB=1 keeps the database and the CSV file (for EXPLAIN ANALYZE by hand).
    if (admin && process.env.KEEP_DB) console.log(`kept database ${name} and ${file}`);
    else if (admin) {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  }
}

async function main(): Promise<void> {
  if (!existsSync(MAIN)) throw new Error('build the app first: npm run build');
  const sizes = (process.argv[2] ?? '10000,100000').split(',').map(Number);
  const server = process.env.DATABASE_URL || undefined;
  for (const rows of sizes) await run(rows, server);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
