import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { ConfigError } from '../config/app-config';
import { IN_MEMORY } from '../database/embedded-postgres';

export const JWT_SECRET = Symbol('JWT_SECRET');
export const JWT_ISSUER = 'locality-sen';
export const JWT_AUDIENCE = 'locality-sen-api';
/** Pinned: tokens signed any other way (including alg "none") are refused. */
export const JWT_ALGORITHM = 'HS256';

/**
 * JWT_SECRET when set. A real deployment (DATABASE_URL) must set it; the embedded demo makes
 * one per data directory (kept beside the data so tokens survive a restart) and says so.
 */
export function resolveJwtSecret(config: AppConfig, logger = new Logger('Auth')): string {
  if (config.jwtSecret) return config.jwtSecret;
  if (config.databaseUrl) {
    throw new ConfigError('JWT_SECRET', 'is required with DATABASE_URL: set at least 32 random characters');
  }
  if (config.dataDir === IN_MEMORY) return randomBytes(48).toString('base64url');
  const file = join(resolve(config.dataDir), '.jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(resolve(config.dataDir), { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  logger.warn(`JWT_SECRET is not set: generated one for this embedded demo in ${file}`);
  return secret;
}
