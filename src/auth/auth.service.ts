import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../access/caller';
import { AuditService } from '../audit/audit.service';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ProblemException } from '../common/problem/problem.exception';
import { RateLimiter } from '../common/rate-limit/rate-limiter';
import { updateReturning } from '../database/update-returning';
import { UserView } from '../users/dto/user.view';
import { User } from '../users/user.entity';
import { CallerCache } from './caller-cache';
import { TokenView } from './dto/auth.dto';
import { callerOf, TokenClaims } from './jwt.strategy';
import { PasswordHasher } from './password-hasher';
import { passwordProblem } from './password-policy';

/** The one answer to every failed sign-in: it never says whether the email exists or is locked. */
const SIGN_IN_FAILED = 'the email or password is not right, or the account cannot sign in now';

export interface RequestOrigin {
  ip?: string;
  requestId?: string;
}

@Injectable()
export class AuthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jwt: JwtService,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
    private readonly rateLimiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly callers: CallerCache,
  ) {}

  async login(email: string, password: string, origin: RequestOrigin): Promise<TokenView> {
    await this.rateLimiter.hit(`login:${origin.ip ?? 'unknown'}`, this.config.loginRateLimitPerMinute, 60);
    const address = email.toLowerCase();
    // The hash is checked before the transaction: no row lock or pooled connection is held
    // while argon2 works (an unknown email is checked against a decoy, so timing does not tell).
    const found = await this.dataSource
      .getRepository(User)
      .createQueryBuilder('user')
      .addSelect('user.passwordHash')
      .where('lower(user.email) = :email', { email: address })
      .getOne();
    const passwordOk = await this.hasher.verify(found?.passwordHash, password);
    const user = await this.dataSource.transaction((manager) => this.recordAttempt(manager, address, found, passwordOk, origin));
    if (!user) throw new ProblemException('unauthenticated', SIGN_IN_FAILED);
    return this.issueToken(user);
  }

  /**
   * Applies an attempt's outcome (failure count, lockout, audit) with atomic updates on the
   * current row, and commits it even when the attempt fails. Returns the user on success.
   */
  private async recordAttempt(
    manager: EntityManager,
    email: string,
    found: User | null,
    passwordOk: boolean,
    origin: RequestOrigin,
  ): Promise<User | undefined> {
    const actor = found ? { ...callerOf(found), ...origin } : { system: 'sign-in', ...origin };
    const audit = (outcome: 'SUCCESS' | 'FAILURE', action = 'auth.login') =>
      this.audit.record(manager, actor, {
        action,
        entityType: 'auth',
        entityId: found?.id ?? null,
        outcome,
        attemptedEmail: found ? undefined : email,
      });
    if (!found) {
      await audit('FAILURE');
      return undefined;
    }
    if (!passwordOk) {
      // Counts the failure; the threshold-th one in a row locks the account and restarts the count.
      const [row] = await updateReturning<{ locked: boolean }>(
        manager,
        `UPDATE app_user SET
           failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END,
           locked_until = CASE WHEN failed_logins + 1 >= $2 THEN now() + make_interval(mins => $3) ELSE locked_until END
         WHERE id = $1 AND active AND (locked_until IS NULL OR locked_until <= now())
         RETURNING failed_logins = 0 AS locked`,
        [found.id, this.config.lockoutThreshold, this.config.lockoutMinutes],
      );
      await audit('FAILURE');
      if (row?.locked) await audit('SUCCESS', 'auth.lockout');
      return undefined;
    }
    const signedIn = await updateReturning<{ id: string }>(
      manager,
      `UPDATE app_user SET failed_logins = 0, locked_until = NULL
       WHERE id = $1 AND active AND (locked_until IS NULL OR locked_until <= now())
       RETURNING id`,
      [found.id],
    );
    if (signedIn.length === 0) {
      // Deactivated or locked: the same answer as a wrong password.
      await audit('FAILURE');
      return undefined;
    }
    await audit('SUCCESS');
    return Object.assign(found, { failedLogins: 0, lockedUntil: null });
  }

  async me(caller: Caller): Promise<UserView> {
    const user = await this.dataSource.getRepository(User).findOneBy({ id: caller.userId });
    if (!user) throw ProblemException.notFound('user');
    return UserView.of(user);
  }

  /** Changes the caller's own password; older tokens stop working, so a fresh one is returned. */
  async changePassword(caller: Caller, currentPassword: string, newPassword: string): Promise<TokenView> {
    // Guessing the current password with a stolen token is bounded like sign-in attempts.
    await this.rateLimiter.hit(`change-password:${caller.userId}`, this.config.lockoutThreshold * 2, 15 * 60);
    const user = await this.dataSource.transaction(async (manager) => {
      const found = await manager
        .getRepository(User)
        .createQueryBuilder('user')
        .addSelect('user.passwordHash')
        .where('user.id = :id', { id: caller.userId })
        .setLock('pessimistic_write')
        .getOne();
      if (!found) throw ProblemException.notFound('user');
      if (!(await this.hasher.verify(found.passwordHash, currentPassword))) {
        throw ProblemException.invalidField('currentPassword', 'is not your current password');
      }
      const problem = passwordProblem(newPassword, { email: found.email });
      if (problem) throw ProblemException.invalidField('newPassword', problem);
      if (await this.hasher.verify(found.passwordHash, newPassword)) {
        throw ProblemException.invalidField('newPassword', 'must differ from the current password');
      }
      const changes = {
        passwordHash: await this.hasher.hash(newPassword),
        mustChangePassword: false,
        passwordChangedAt: new Date(),
        tokenVersion: found.tokenVersion + 1,
      };
      await manager.update(User, found.id, changes);
      await this.audit.record(manager, caller, {
        action: 'auth.password-change',
        entityType: 'user',
        entityId: found.id,
        changedFields: ['password'],
      });
      return Object.assign(found, changes);
    });
    this.callers.evict(user.id); // committed: this instance's next request reads the new row
    return this.issueToken(user);
  }

  private async issueToken(user: User): Promise<TokenView> {
    const claims: TokenClaims = { sub: user.id, tv: user.tokenVersion };
    const accessToken = await this.jwt.signAsync(claims);
    return { accessToken, expiresIn: this.config.jwtTtlSeconds, user: UserView.of(user) };
  }
}
