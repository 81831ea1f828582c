import { createSecretKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { DataSource } from 'typeorm';
import type { Caller } from '../access/caller';
import { ProblemException } from '../common/problem/problem.exception';
import { isUuid } from '../common/validation/uuid.pipe';
import { User } from '../users/user.entity';
import { JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER, JWT_SECRET } from './jwt-secret';

export interface TokenClaims {
  sub: string;
  /** The user's token_version when signed: bumped on password change or deactivation. */
  tv: number;
}

/**
 * Verifies the bearer token (signature, HS256 only, issuer, audience, expiry) and then reads the
 * user row on every request, so deactivation, a password change or a new scope applies at once.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(JWT_SECRET) secret: string,
    private readonly dataSource: DataSource,
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
    // Read on every request, not cached: a deactivation or a new scope written by another instance
    // (or straight into the table) applies to the very next request. One plain statement by key:
    // TypeORM's findOneBy costs more CPU than the round trip on a by-id read (issue 9 part 4).
    const [user] = (await this.dataSource.query(USER_SQL, [claims.sub])) as CallerRow[];
    if (!user || !user.active || user.tokenVersion !== claims.tv) {
      throw new ProblemException('unauthenticated', 'the token is no longer valid; sign in again');
    }
    return callerOf(user);
  }
}

const USER_SQL = `SELECT id, email, role, school_id AS "schoolId", locality_id AS "localityId", area, organisation_id AS "organisationId",
  active, token_version AS "tokenVersion", must_change_password AS "mustChangePassword" FROM app_user WHERE id = $1`;

type CallerRow = Pick<User, 'id' | 'email' | 'role' | 'schoolId' | 'localityId' | 'area' | 'organisationId' | 'active' | 'tokenVersion' | 'mustChangePassword'>;

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
