import { isIP } from 'node:net';

/**
 * Typed configuration read from the environment once at start. A wrong value stops the
 * process with one line naming the variable (see main.ts); nothing else reads process.env.
 */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface AppConfig {
  nodeEnv: string;
  host: string;
  port: number;
  /** Real PostgreSQL when set; otherwise the embedded database is started. */
  databaseUrl?: string;
  /**
   * PostgreSQL read replicas (DATABASE_READ_URLS) the dashboards and the SEN2 export read from;
   * empty = everything on DATABASE_URL. Never with the embedded database.
   */
  databaseReadUrls: string[];
  databasePoolSize: number;
  /** Where the embedded database keeps its files; ':memory:' keeps nothing. */
  dataDir: string;
  migrationsRun: boolean;
  /** Seed demo data into an empty embedded database at start. */
  seedDemo: boolean;
  jwtSecret?: string;
  jwtTtlSeconds: number;
  logLevel: LogLevel;
  bodyLimitBytes: number;
  /** Largest CSV file POST /imports/* accepts (streamed, so not held in memory); larger: 413. */
  importMaxBytes: number;
  adminEmail?: string;
  adminPassword?: string;
  /** Sign-in attempts one IP address may make per minute (shared across instances). */
  loginRateLimitPerMinute: number;
  /** Failed sign-ins in a row that lock an account, and for how long. */
  lockoutThreshold: number;
  lockoutMinutes: number;
  /** Unmet deadlines due within this many days count as DUE_SOON. */
  dueSoonDays: number;
  /** Days a PROVIDER keeps the minimal view of a pupil after their organisation's work completes. */
  providerAccessDaysAfterCompletion: number;
  /** Milliseconds a readiness probe or a request waits for the database before answering 503. */
  databaseTimeoutMs: number;
  /** Milliseconds SIGTERM/SIGINT waits for in-flight requests and the pool before forcing exit 1. */
  shutdownTimeoutMs: number;
  /**
   * Addresses (IPs or CIDR ranges) of the load balancers or proxies in front of the app: from
   * these, X-Forwarded-For gives the client's address (sign-in rate limit, audit). Empty = the
   * connecting address is the client's, and X-Forwarded-For is ignored.
   */
  trustProxy: string[];
  /** Browser origins allowed to call the API cross-origin; empty = no CORS headers at all. */
  corsOrigins: string[];
  /** Calls one user may make per minute to expensive routes (@RateLimited('expensive')). */
  expensiveRateLimitPerMinute: number;
  /** Longest request target (path and query string) accepted, in characters (longer: 414). */
  maxUrlLength: number;
  /** Milliseconds buffered access rows of reads wait before they are written (or 200 rows; see AccessLogWriter). */
  accessLogFlushMs: number;
  /**
   * Seconds an instance may reuse a caller's app_user row instead of reading it on every request;
   * 0 (the default) = read it every time. Kept exact by NOTIFY from a trigger on app_user (see
   * src/auth/caller-cache.ts); only with DATABASE_URL (the embedded database cannot LISTEN).
   */
  authUserCacheSeconds: number;
}

/** Injection token for AppConfig (an interface has no runtime value). */
export const APP_CONFIG = Symbol('APP_CONFIG');

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return Number(raw);
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new ConfigError(name, `must be true or false (got "${raw}")`);
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** "900", "900s", "15m", "2h", "1d" -> seconds. */
export function parseDurationSeconds(name: string, raw: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(raw);
  const seconds = match ? Number(match[1]) * DURATION_UNITS[match[2] || 's'] : NaN;
  if (!Number.isFinite(seconds) || seconds < 60 || seconds > 86400) {
    throw new ConfigError(name, `must be a duration from 60s to 1d such as 900, 15m or 2h (got "${raw}")`);
  }
  return seconds;
}

function postgresUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be a URL such as postgres://user:password@host:5432/database');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(name, `must use the postgres:// scheme (got "${url.protocol}")`);
  }
  return raw;
}

function databaseUrl(env: Env): string | undefined {
  const raw = read(env, 'DATABASE_URL');
  return raw === undefined ? undefined : postgresUrl('DATABASE_URL', raw);
}

/** The caller cache needs LISTEN/NOTIFY, which the embedded database's shared session cannot deliver. */
function authUserCacheSeconds(env: Env, primary: string | undefined): number {
  const seconds = integer(env, 'AUTH_USER_CACHE_SECONDS', 0, 0, 300);
  if (seconds > 0 && primary === undefined) {
    throw new ConfigError('AUTH_USER_CACHE_SECONDS', EMBEDDED_CANNOT_LISTEN);
  }
  return seconds;
}

export const EMBEDDED_CANNOT_LISTEN =
  'needs DATABASE_URL: the embedded database cannot deliver the NOTIFY that keeps the cache exact (set it to 0, or set DATABASE_URL)';

/** Comma-separated replica URLs; only beside DATABASE_URL (the embedded database has no replicas). */
function databaseReadUrls(env: Env, primary: string | undefined): string[] {
  const raw = read(env, 'DATABASE_READ_URLS');
  if (raw === undefined) return [];
  if (primary === undefined) {
    throw new ConfigError('DATABASE_READ_URLS', 'needs DATABASE_URL: the embedded database has no read replicas (unset it, or set DATABASE_URL)');
  }
  const urls = raw.split(',').map((part) => part.trim());
  if (urls.some((part) => part === '')) {
    throw new ConfigError('DATABASE_READ_URLS', 'must be a comma-separated list of postgres:// URLs without empty entries');
  }
  return urls.map((part) => postgresUrl('DATABASE_READ_URLS', part));
}

function email(env: Env, name: string): string | undefined {
  const raw = read(env, name);
  if (raw !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(raw)) {
    throw new ConfigError(name, 'must be an email address');
  }
  return raw?.toLowerCase();
}

/** "https://a.example, https://b.example" -> exact origins (scheme, host, optional port; no path). */
function origins(env: Env, name: string): string[] {
  const raw = read(env, name);
  if (raw === undefined) return [];
  return raw.split(',').map((part) => part.trim()).filter((part) => part !== '').map((part) => {
    let url: URL | undefined;
    try {
      url = new URL(part);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== part.replace(/\/$/, '')) {
      throw new ConfigError(name, `must be a comma-separated list of origins such as https://sen.example.org (got "${part}")`);
    }
    return url.origin;
  });
}

/** "127.0.0.1, 10.0.0.0/8, ::1" -> addresses and CIDR ranges (never "everyone": that would let clients pick their address). */
function proxies(env: Env, name: string): string[] {
  const raw = read(env, name);
  if (raw === undefined) return [];
  return raw.split(',').map((part) => part.trim()).filter((part) => part !== '').map((part) => {
    const [address, bits, extra] = part.split('/');
    const family = isIP(address);
    const maxBits = family === 6 ? 128 : 32;
    const bitsOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= maxBits);
    if (family === 0 || !bitsOk || extra !== undefined) {
      throw new ConfigError(name, `must be a comma-separated list of IP addresses or CIDR ranges such as 10.0.0.0/8 (got "${part}")`);
    }
    return part;
  });
}

export function loadConfig(env: Env = process.env): AppConfig {
  const logLevel = (read(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }
  const jwtSecret = read(env, 'JWT_SECRET');
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    throw new ConfigError('JWT_SECRET', 'must be at least 32 characters long');
  }
  const adminPassword = read(env, 'ADMIN_PASSWORD');
  if (adminPassword !== undefined && adminPassword.length < 12) {
    throw new ConfigError('ADMIN_PASSWORD', 'must be at least 12 characters long');
  }
  const url = databaseUrl(env);
  return {
    nodeEnv: read(env, 'NODE_ENV') ?? 'development',
    host: read(env, 'HOST') ?? '0.0.0.0',
    port: integer(env, 'PORT', 3000, 0, 65535),
    databaseUrl: url,
    databaseReadUrls: databaseReadUrls(env, url),
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 200),
    dataDir: read(env, 'DATA_DIR') ?? './data',
    migrationsRun: boolean(env, 'MIGRATIONS_RUN', true),
    seedDemo: boolean(env, 'SEED_DEMO', url === undefined),
    jwtSecret,
    jwtTtlSeconds: parseDurationSeconds('JWT_TTL', read(env, 'JWT_TTL') ?? '15m'),
    logLevel: logLevel as LogLevel,
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 1_048_576, 1024, 104_857_600),
    importMaxBytes: integer(env, 'IMPORT_MAX_BYTES', 52_428_800, 1024, 1_073_741_824),
    adminEmail: email(env, 'ADMIN_EMAIL'),
    adminPassword,
    databaseTimeoutMs: integer(env, 'DATABASE_TIMEOUT_MS', 5000, 100, 120_000),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 100, 600_000),
    loginRateLimitPerMinute: integer(env, 'LOGIN_RATE_LIMIT_PER_MINUTE', 20, 1, 100_000),
    lockoutThreshold: integer(env, 'LOCKOUT_THRESHOLD', 5, 1, 100),
    lockoutMinutes: integer(env, 'LOCKOUT_MINUTES', 15, 1, 1440),
    dueSoonDays: integer(env, 'DUE_SOON_DAYS', 14, 0, 365),
    providerAccessDaysAfterCompletion: integer(env, 'PROVIDER_ACCESS_DAYS_AFTER_COMPLETION', 30, 0, 3650),
    trustProxy: proxies(env, 'TRUST_PROXY'),
    corsOrigins: origins(env, 'CORS_ORIGINS'),
    expensiveRateLimitPerMinute: integer(env, 'EXPENSIVE_RATE_LIMIT_PER_MINUTE', 120, 1, 100_000),
    maxUrlLength: integer(env, 'MAX_URL_LENGTH', 4096, 256, 65_536),
    accessLogFlushMs: integer(env, 'ACCESS_LOG_FLUSH_MS', 200, 1, 60_000),
    authUserCacheSeconds: authUserCacheSeconds(env, url),
  };
}
