import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createIsolatedDatabase, type IsolatedDatabase } from './test-database';

/**
 * The BUILT app (`node dist/src/main.js`, as `npm run start:prod` and the Dockerfile run it) as a
 * child process of the test, on a fresh database: a new PostgreSQL database when
 * TEST_DATABASE_URL/DATABASE_URL is set, else the embedded one in a temporary DATA_DIR.
 * CI builds before it tests; locally the build runs here when dist/ is missing.
 */
export interface BuiltApp {
  process: ChildProcess;
  port: number;
  base: string;
  /** Everything the process wrote to stdout and stderr so far (JSON log lines). */
  log(): string;
  /** Resolves with the exit code (or the signal's name) and when it came. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Kills the process if still running and drops its database. */
  cleanup(): Promise<void>;
}

export const ADMIN = { email: 'admin@example.org', password: 'quiet-harbour-lantern-77' };
const MAIN = resolve('dist/src/main.js');

/** Builds when dist/ is missing or older than any source file, so the test never runs stale code. */
export function ensureBuilt(): void {
  const built = existsSync(MAIN) ? statSync(MAIN).mtimeMs : 0;
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce(
      (max, entry) =>
        Math.max(max, entry.isDirectory() ? newest(join(dir, entry.name)) : entry.name.endsWith('.ts') ? statSync(join(dir, entry.name)).mtimeMs : 0),
      0,
    );
  if (built < Math.max(newest(resolve('src')), newest(resolve('migrations')))) execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
}

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Use this PostgreSQL URL instead of a fresh database (e.g. a proxy in front of one). */
  databaseUrl?: string;
}

export async function startBuiltApp(options: StartOptions = {}): Promise<BuiltApp> {
  ensureBuilt();
  const port = await freePort();
  const database: IsolatedDatabase = options.databaseUrl ? { url: options.databaseUrl, drop: async () => undefined } : await createIsolatedDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'sen-built-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'info',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    JWT_SECRET: 'built-app-test-secret-that-is-long-enough-0123',
    ...(database.url ? { DATABASE_URL: database.url } : {}),
    ...options.env,
  };
  const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal, at: Date.now() })),
  );
  let running = true;
  void exited.then(() => (running = false));
  const app: BuiltApp = {
    process: child,
    port,
    base: `http://127.0.0.1:${port}`,
    log: () => output,
    exited,
    cleanup: async () => {
      if (running) {
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
      await database.drop();
    },
  };
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (!running) break;
    try {
      const res = await fetch(`${app.base}/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return app;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await app.cleanup();
  throw new Error(`the built app did not become ready:\n${output.split('\n').filter((l) => !/RouterExplorer|InstanceLoader|RoutesResolver/.test(l)).join('\n').slice(-3000)}`);
}

/** Waits until the log holds a line matching the pattern. */
export async function waitForLog(app: BuiltApp, pattern: RegExp, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(app.log())) {
    if (Date.now() > deadline) throw new Error(`no log line matching ${pattern} within ${timeoutMs} ms:\n${app.log().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
