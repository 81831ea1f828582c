import { createSecretKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { DataSource } from 'typeorm';
import type { Caller } from '../access/caller';
import { ProblemException } from '../common/problem/problem.exception';
import { isUuid } from '../common/validation/uuid.pipe';
import { CallerCache, type CallerRow } from './caller-cache';
import { JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER, JWT_SECRET } from './jwt-secret';

export interface TokenClaims {
  sub: string;
  /** The user's token_version when signed: bumped on password change or deactivation. */
  tv: number;
}

/**
 * Verifies the bearer token (signature, HS256 only, issuer, audience, expiry) and then reads the
 * user row on every request, so deactivation, a password change or a new scope applies at once.
 * With AUTH_USER_CACHE_SECONDS set, the row may come from the CallerCache instead (see there).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(JWT_SECRET) secret: string,
    private readonly dataSource: DataSource,
    private readonly callers: CallerCache,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject made once: given the string, jsonwebtoken makes one per request (about 5% of a by-id read's CPU).
      // (passport-jwt's types say string or Buffer; it hands the key to jsonwebtoken 9, which takes a KeyObject.)
      secretOrKey: createSecretKey(Buffer.from(secret, 'utf8')) as unknown as Buffer,
      algorithms: [JWT_ALGORITHM],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      ignoreExpiration: false,
    });
  }

  async validate(claims: TokenClaims): Promise<Caller> {
    if (typeof claims?.sub !== 'string' || !isUuid(claims.sub) || typeof claims.tv !== 'number') {
      throw new ProblemException('unauthenticated', 'the token is not valid');
    }
    // By default read on every request, not cached: a deactivation or a new scope written by another
    // instance (or straight into the table) applies to the very next request. The opt-in CallerCache
    // trades that for NOTIFY delivery time; a cached row of another token version is read again.
    const cached = this.callers.get(claims.sub);
    if (cached?.active && cached.tokenVersion === claims.tv) return callerOf(cached);
    const ticket = this.callers.ticket();
    // One plain statement by key: TypeORM's findOneBy costs more CPU than the round trip on a by-id read (issue 9 part 4).
    const [user] = (await this.dataSource.query(USER_SQL, [claims.sub])) as CallerRow[];
    if (user) this.callers.put(user, ticket);
    if (!user || !user.active || user.tokenVersion !== claims.tv) {
      throw new ProblemException('unauthenticated', 'the token is no longer valid; sign in again');
    }
    return callerOf(user);
  }
}

const USER_SQL = `SELECT id, email, role, school_id AS "schoolId", locality_id AS "localityId", area, organisation_id AS "organisationId",
  active, token_version AS "tokenVersion", must_change_password AS "mustChangePassword" FROM app_user WHERE id = $1`;

export function callerOf(user: CallerRow): Caller {
  return {
    userId: user.id,
    email: user.email,
    role: user.role,
    schoolId: user.schoolId,
    localityId: user.localityId,
    area: user.area,
    organisationId: user.organisationId,
    mustChangePassword: user.mustChangePassword,
  };
}
