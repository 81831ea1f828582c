import { ConfigError, loadConfig, parseDurationSeconds } from './app-config';

function configErrorFrom(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

const SECRET = 'x'.repeat(32);

describe('loadConfig defaults', () => {
  it('fills every default from an empty env', () => {
    expect(loadConfig({})).toEqual({
      nodeEnv: 'development',
      host: '0.0.0.0',
      port: 3000,
      databaseUrl: undefined,
      databaseReadUrls: [],
      databasePoolSize: 10,
      dataDir: './data',
      migrationsRun: true,
      seedDemo: true,
      jwtSecret: undefined,
      jwtTtlSeconds: 900,
      logLevel: 'info',
      bodyLimitBytes: 1_048_576,
      importMaxBytes: 52_428_800,
      adminEmail: undefined,
      adminPassword: undefined,
      databaseTimeoutMs: 5000,
      shutdownTimeoutMs: 10_000,
      loginRateLimitPerMinute: 20,
      lockoutThreshold: 5,
      lockoutMinutes: 15,
      dueSoonDays: 14,
      providerAccessDaysAfterCompletion: 30,
      trustProxy: [],
      corsOrigins: [],
      expensiveRateLimitPerMinute: 120,
      maxUrlLength: 4096,
      accessLogFlushMs: 200,
      authUserCacheSeconds: 0,
    });
  });

  it.each([
    ['unset', {}, true],
    ['blank (treated as unset)', { DATABASE_URL: '   ' }, true],
    ['set', { DATABASE_URL: 'postgres://u:p@db:5432/sen' }, false],
    ['set, overridden by SEED_DEMO', { DATABASE_URL: 'postgres://u:p@db:5432/sen', SEED_DEMO: 'true' }, true],
    ['unset, overridden by SEED_DEMO', { SEED_DEMO: 'no' }, false],
  ])('seedDemo when DATABASE_URL is %s', (_, env: Record<string, string>, expected) => {
    expect(loadConfig(env).seedDemo).toBe(expected);
  });

  it('treats blank values as unset', () => {
    const config = loadConfig({ PORT: '', LOG_LEVEL: ' ', JWT_TTL: '', MIGRATIONS_RUN: '' });
    expect(config).toMatchObject({ port: 3000, logLevel: 'info', jwtTtlSeconds: 900, migrationsRun: true });
  });
});

describe('loadConfig rejects bad values, naming the variable', () => {
  it.each<[string, Record<string, string>, string]>([
    ['PORT=abc', { PORT: 'abc' }, 'PORT'],
    ['PORT=70000', { PORT: '70000' }, 'PORT'],
    ['PORT=-1', { PORT: '-1' }, 'PORT'],
    ['PORT=3000.5', { PORT: '3000.5' }, 'PORT'],
    ['DATABASE_URL=not a url', { DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    ['DATABASE_URL=mysql://x', { DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    ['DATABASE_READ_URLS without DATABASE_URL (embedded)', { DATABASE_READ_URLS: 'postgres://r@replica:5432/sen' }, 'DATABASE_READ_URLS'],
    ['DATABASE_READ_URLS not a url', { DATABASE_URL: 'postgres://u@db/sen', DATABASE_READ_URLS: 'replica:5432' }, 'DATABASE_READ_URLS'],
    ['DATABASE_READ_URLS one bad of two', { DATABASE_URL: 'postgres://u@db/sen', DATABASE_READ_URLS: 'postgres://r@a/sen, mysql://b/sen' }, 'DATABASE_READ_URLS'],
    ['DATABASE_READ_URLS empty entry', { DATABASE_URL: 'postgres://u@db/sen', DATABASE_READ_URLS: 'postgres://r@a/sen,,postgres://r@b/sen' }, 'DATABASE_READ_URLS'],
    ['DATABASE_POOL_SIZE=0', { DATABASE_POOL_SIZE: '0' }, 'DATABASE_POOL_SIZE'],
    ['AUTH_USER_CACHE_SECONDS=301', { DATABASE_URL: 'postgres://u@db/sen', AUTH_USER_CACHE_SECONDS: '301' }, 'AUTH_USER_CACHE_SECONDS'],
    ['AUTH_USER_CACHE_SECONDS=-1', { DATABASE_URL: 'postgres://u@db/sen', AUTH_USER_CACHE_SECONDS: '-1' }, 'AUTH_USER_CACHE_SECONDS'],
    ['AUTH_USER_CACHE_SECONDS=1.5', { DATABASE_URL: 'postgres://u@db/sen', AUTH_USER_CACHE_SECONDS: '1.5' }, 'AUTH_USER_CACHE_SECONDS'],
    ['AUTH_USER_CACHE_SECONDS=30s', { DATABASE_URL: 'postgres://u@db/sen', AUTH_USER_CACHE_SECONDS: '30s' }, 'AUTH_USER_CACHE_SECONDS'],
    ['AUTH_USER_CACHE_SECONDS without DATABASE_URL (embedded)', { AUTH_USER_CACHE_SECONDS: '30' }, 'AUTH_USER_CACHE_SECONDS'],
    ['JWT_SECRET too short', { JWT_SECRET: 'x'.repeat(31) }, 'JWT_SECRET'],
    ['JWT_TTL=5 (under 60s)', { JWT_TTL: '5' }, 'JWT_TTL'],
    ['JWT_TTL=15x', { JWT_TTL: '15x' }, 'JWT_TTL'],
    ['JWT_TTL=2d (over 1d)', { JWT_TTL: '2d' }, 'JWT_TTL'],
    ['LOG_LEVEL=loud', { LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    ['MIGRATIONS_RUN=maybe', { MIGRATIONS_RUN: 'maybe' }, 'MIGRATIONS_RUN'],
    ['SEED_DEMO=sometimes', { SEED_DEMO: 'sometimes' }, 'SEED_DEMO'],
    ['BODY_LIMIT_BYTES=10', { BODY_LIMIT_BYTES: '10' }, 'BODY_LIMIT_BYTES'],
    ['IMPORT_MAX_BYTES=10', { IMPORT_MAX_BYTES: '10' }, 'IMPORT_MAX_BYTES'],
    ['IMPORT_MAX_BYTES=50MB', { IMPORT_MAX_BYTES: '50MB' }, 'IMPORT_MAX_BYTES'],
    ['TRUST_PROXY=true (everyone)', { TRUST_PROXY: 'true' }, 'TRUST_PROXY'],
    ['TRUST_PROXY=*', { TRUST_PROXY: '*' }, 'TRUST_PROXY'],
    ['TRUST_PROXY=10.0.0.0/33', { TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY'],
    ['TRUST_PROXY a host name', { TRUST_PROXY: '127.0.0.1, lb.example.org' }, 'TRUST_PROXY'],
    ['CORS_ORIGINS=*', { CORS_ORIGINS: '*' }, 'CORS_ORIGINS'],
    ['CORS_ORIGINS with a path', { CORS_ORIGINS: 'https://sen.example.org/app' }, 'CORS_ORIGINS'],
    ['CORS_ORIGINS ftp', { CORS_ORIGINS: 'ftp://sen.example.org' }, 'CORS_ORIGINS'],
    ['CORS_ORIGINS one bad of two', { CORS_ORIGINS: 'https://a.example.org, sen.example.org' }, 'CORS_ORIGINS'],
    ['EXPENSIVE_RATE_LIMIT_PER_MINUTE=0', { EXPENSIVE_RATE_LIMIT_PER_MINUTE: '0' }, 'EXPENSIVE_RATE_LIMIT_PER_MINUTE'],
    ['MAX_URL_LENGTH=10', { MAX_URL_LENGTH: '10' }, 'MAX_URL_LENGTH'],
    ['DATABASE_TIMEOUT_MS=1e3', { DATABASE_TIMEOUT_MS: '1e3' }, 'DATABASE_TIMEOUT_MS'],
    ['SHUTDOWN_TIMEOUT_MS=50 (under 100)', { SHUTDOWN_TIMEOUT_MS: '50' }, 'SHUTDOWN_TIMEOUT_MS'],
    ['SHUTDOWN_TIMEOUT_MS=soon', { SHUTDOWN_TIMEOUT_MS: 'soon' }, 'SHUTDOWN_TIMEOUT_MS'],
    ['ADMIN_EMAIL=nope', { ADMIN_EMAIL: 'nope' }, 'ADMIN_EMAIL'],
    ['ADMIN_PASSWORD short', { ADMIN_PASSWORD: 'short-pass' }, 'ADMIN_PASSWORD'],
    ['PROVIDER_ACCESS_DAYS_AFTER_COMPLETION=-1', { PROVIDER_ACCESS_DAYS_AFTER_COMPLETION: '-1' }, 'PROVIDER_ACCESS_DAYS_AFTER_COMPLETION'],
    ['PROVIDER_ACCESS_DAYS_AFTER_COMPLETION=5000', { PROVIDER_ACCESS_DAYS_AFTER_COMPLETION: '5000' }, 'PROVIDER_ACCESS_DAYS_AFTER_COMPLETION'],
  ])('%s', (_, env, variable) => {
    const error = configErrorFrom(() => loadConfig(env));
    expect(error.name).toBe('ConfigError');
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable} `)).toBe(true);
  });

  it.each<[string, Record<string, string>, string]>([
    ['JWT_SECRET', { JWT_SECRET: 'short-secret-value' }, 'short-secret-value'],
    ['ADMIN_PASSWORD', { ADMIN_PASSWORD: 'hunter2pass' }, 'hunter2pass'],
    ['DATABASE_URL', { DATABASE_URL: 'not a url with password s3cr3t' }, 's3cr3t'],
    ['DATABASE_READ_URLS', { DATABASE_URL: 'postgres://u@db/sen', DATABASE_READ_URLS: 'not a url with password s3cr3t' }, 's3cr3t'],
  ])('does not echo the %s value in the message', (_, env, secret) => {
    expect(configErrorFrom(() => loadConfig(env)).message).not.toContain(secret);
  });
});

describe('loadConfig parses good values', () => {
  it.each([
    ['15m', 900],
    ['2h', 7200],
    ['900', 900],
    ['900s', 900],
    ['1d', 86400],
    ['60', 60],
    [' 30m ', 1800],
  ])('JWT_TTL=%p -> %d seconds', (ttl, seconds) => {
    expect(loadConfig({ JWT_TTL: ttl }).jwtTtlSeconds).toBe(seconds);
  });

  it.each([
    ['false', false],
    ['0', false],
    ['no', false],
    ['NO', false],
    ['true', true],
    ['1', true],
    ['Yes', true],
  ])('MIGRATIONS_RUN=%p -> %p', (raw, expected) => {
    expect(loadConfig({ MIGRATIONS_RUN: raw }).migrationsRun).toBe(expected);
  });

  it.each(['debug', 'DEBUG', 'silent', 'fatal'])('LOG_LEVEL=%p', (level) => {
    expect(loadConfig({ LOG_LEVEL: level }).logLevel).toBe(level.toLowerCase());
  });

  it.each([
    ['postgres://u:p@db:5432/sen'],
    ['postgresql://u:p@db/sen?sslmode=require'],
  ])('DATABASE_URL=%p is kept as given', (url) => {
    expect(loadConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
  });

  it.each<[string, string[]]>([
    ['postgres://r@replica-1:5432/sen', ['postgres://r@replica-1:5432/sen']],
    [' postgres://r@replica-1/sen , postgresql://r@replica-2/sen ', ['postgres://r@replica-1/sen', 'postgresql://r@replica-2/sen']],
  ])('DATABASE_READ_URLS=%p beside DATABASE_URL', (raw, urls) => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db/sen', DATABASE_READ_URLS: raw }).databaseReadUrls).toEqual(urls);
  });

  it.each<[Record<string, string>, number]>([
    [{ DATABASE_URL: 'postgres://u@db/sen' }, 0],
    [{ DATABASE_URL: 'postgres://u@db/sen', AUTH_USER_CACHE_SECONDS: '0' }, 0],
    [{ DATABASE_URL: 'postgres://u@db/sen', AUTH_USER_CACHE_SECONDS: '30' }, 30],
    [{ DATABASE_URL: 'postgres://u@db/sen', AUTH_USER_CACHE_SECONDS: '300' }, 300],
    [{ AUTH_USER_CACHE_SECONDS: '0' }, 0], // off is fine on the embedded database
  ])('AUTH_USER_CACHE_SECONDS in %p', (env, seconds) => {
    expect(loadConfig(env).authUserCacheSeconds).toBe(seconds);
  });

  it.each<[string, string[]]>([
    ['127.0.0.1', ['127.0.0.1']],
    [' 10.0.0.0/8, ::1 ,fd00::/8', ['10.0.0.0/8', '::1', 'fd00::/8']],
  ])('TRUST_PROXY=%p', (raw, proxies) => {
    expect(loadConfig({ TRUST_PROXY: raw }).trustProxy).toEqual(proxies);
  });

  it('reads the rest', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '8080',
      DATABASE_POOL_SIZE: '25',
      DATA_DIR: ':memory:',
      JWT_SECRET: SECRET,
      BODY_LIMIT_BYTES: '2048',
      IMPORT_MAX_BYTES: '1048576',
      ADMIN_EMAIL: ' Admin@Example.GOV.uk ',
      ADMIN_PASSWORD: 'correct horse battery',
      DATABASE_TIMEOUT_MS: '250',
      SHUTDOWN_TIMEOUT_MS: '30000',
    });
    expect(config).toMatchObject({
      nodeEnv: 'production',
      host: '127.0.0.1',
      port: 8080,
      databasePoolSize: 25,
      dataDir: ':memory:',
      jwtSecret: SECRET,
      bodyLimitBytes: 2048,
      importMaxBytes: 1_048_576,
      adminEmail: 'admin@example.gov.uk',
      adminPassword: 'correct horse battery',
      databaseTimeoutMs: 250,
      shutdownTimeoutMs: 30_000,
    });
  });

  it.each([['0'], ['65535']])('accepts PORT=%s at the edge of the range', (port) => {
    expect(loadConfig({ PORT: port }).port).toBe(Number(port));
  });
});

describe('CORS_ORIGINS', () => {
  it('reads a comma-separated list of origins (a trailing slash is dropped; blanks ignored)', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://sen.example.org, http://localhost:5173/ ,' }).corsOrigins).toEqual([
      'https://sen.example.org',
      'http://localhost:5173',
    ]);
    expect(loadConfig({ CORS_ORIGINS: '  ' }).corsOrigins).toEqual([]);
  });
});

describe('parseDurationSeconds', () => {
  it.each([
    ['60', 60],
    ['60s', 60],
    ['15m', 900],
    ['2h', 7200],
    ['24h', 86400],
    ['1d', 86400],
    ['86400', 86400],
  ])('%p -> %d', (raw, seconds) => {
    expect(parseDurationSeconds('TTL', raw)).toBe(seconds);
  });

  it.each([['59'], ['59s'], ['0'], ['86401'], ['25h'], ['2d'], ['15x'], ['15M'], ['1.5h'], ['-15m'], ['m'], ['']])(
    'rejects %p naming the variable it was given',
    (raw) => {
      const error = configErrorFrom(() => parseDurationSeconds('SOME_TTL', raw));
      expect(error.variable).toBe('SOME_TTL');
      expect(error.message.startsWith('SOME_TTL ')).toBe(true);
    },
  );
});
